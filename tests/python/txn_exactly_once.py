"""Consume-transform-produce exactly once with confluent-kafka transactions, through a crash.

`txn_exactly_once.py BOOTSTRAP N`: creates `in` and `out`, produces N inputs, runs the copy job
in a child process that SIGKILLs itself in the middle of a transaction (records produced, offsets
sent, no commit), runs it again with the same transactional.id (which fences the dead one and
aborts its transaction), then reads `out` twice: read_committed must see every input exactly
once; read_uncommitted sees the aborted copies too.
`txn_exactly_once.py copy BOOTSTRAP N [CRASH_AFTER]` is the copy job itself.
"""
import os
import signal
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TID = "copy-job"
GROUP = "copy-group"


def copy(bootstrap, n, crash_after):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": GROUP,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "session.timeout.ms": 6000,
    })
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": TID,
        "client.id": "copy-job",
    })
    producer.init_transactions(60)
    print("INIT", flush=True)
    consumer.subscribe(["in"])
    copied = 0
    idle_since = time.time()
    while time.time() - idle_since < 8:
        msgs = consumer.consume(num_messages=5, timeout=0.5)
        msgs = [m for m in msgs if m.error() is None]
        if not msgs:
            continue
        idle_since = time.time()
        producer.begin_transaction()
        for m in msgs:
            producer.produce("out", key=m.key(), value=b"copied-" + m.value())
        positions = consumer.position(consumer.assignment())
        producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 30)
        copied += len(msgs)
        if crash_after is not None and copied >= crash_after:
            producer.flush(30)
            print(f"CRASH after {copied}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        producer.commit_transaction(30)
    print(f"COPIED {copied}", flush=True)
    consumer.close()


def read_out(bootstrap, isolation):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"verify-{isolation}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": isolation,
    })
    c.subscribe(["out"])
    got = []
    idle_since = time.time()
    while time.time() - idle_since < 6:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        idle_since = time.time()
        got.append(m.value().decode())
    c.close()
    return got


def main(bootstrap, n):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(t, 2, 3) for t in ("in", "out")]).values():
        f.result(30)
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i in range(n):
        p.produce("in", key=str(i).encode(), value=str(i).encode())
    assert p.flush(30) == 0
    first = subprocess.run([sys.executable, __file__, "copy", bootstrap, str(n), str(n // 2)],
                           capture_output=True, text=True, timeout=120)
    print(first.stdout, first.stderr, flush=True)
    assert first.returncode == -signal.SIGKILL, f"the first copy job ended {first.returncode}"
    second = subprocess.run([sys.executable, __file__, "copy", bootstrap, str(n)],
                            capture_output=True, text=True, timeout=120)
    print(second.stdout, second.stderr, flush=True)
    assert second.returncode == 0, f"the second copy job ended {second.returncode}"
    committed = read_out(bootstrap, "read_committed")
    want = sorted(f"copied-{i}" for i in range(n))
    assert sorted(committed) == want, (
        f"read_committed saw {len(committed)} records, {len(set(committed))} distinct, "
        f"missing {sorted(set(want) - set(committed))[:5]}")
    uncommitted = read_out(bootstrap, "read_uncommitted")
    aborted = len(uncommitted) - len(committed)
    assert aborted > 0, "read_uncommitted saw no aborted copies"
    print(f"OK exactly once: {n} inputs, read_uncommitted also saw {aborted} aborted copies",
          flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "copy":
        crash = int(sys.argv[4]) if len(sys.argv) > 4 else None
        copy(sys.argv[2], int(sys.argv[3]), crash)
    else:
        main(sys.argv[1], int(sys.argv[2]))
