"""One client load against one bootstrap (by hand, not in CI): N records of 100 bytes with
acks=all, then a consumer reading them all, with confluent-kafka (librdkafka) and kafka-python.

    bench_clients.py BOOTSTRAP [N] [TOPIC] [--only confluent|kafka-python] [--json]

The topic must exist or be auto-created by the broker. `bench_vs_peer.py` runs this against the lab
and against a peer broker in the same run and reports the ratio.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer

args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = [a for a in sys.argv[1:] if a.startswith("--")]
if not args:
    sys.exit(__doc__)
bootstrap = args[0]
n = int(args[1]) if len(args) > 1 else 1_000_000
topic = args[2] if len(args) > 2 else "bench"
only = None
if "--only" in sys.argv:
    only = sys.argv[sys.argv.index("--only") + 1]
as_json = "--json" in flags
value = b"x" * 100


def confluent():
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "batch.num.messages": 10000, "queue.buffering.max.messages": 1_000_000,
                  "enable.idempotence": True})
    t0 = time.time()
    for i in range(n):
        while True:
            try:
                p.produce(topic, value=value)
                break
            except BufferError:
                p.poll(0.01)
        if i % 10000 == 0:
            p.poll(0)
    assert p.flush(120) == 0
    produce_s = time.time() - t0
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{time.time()}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  # librdkafka pauses fetching for fetch.queue.backoff.ms (1 s) whenever its local
                  # queue passes queued.min.messages: a client-side pause, not the broker's.
                  "queued.min.messages": 1_000_000, "fetch.queue.backoff.ms": 10})
    c.subscribe([topic])
    got = 0
    t0 = None
    start = time.time()
    while got < n and time.time() - start < 300:
        # Ask for no more than what is left: consume() waits out its timeout for a short batch.
        msgs = c.consume(min(10000, n - got), 1.0)
        ok = sum(1 for m in msgs if not m.error())
        if ok and t0 is None:
            # Timed from the first record: the group's join (group.initial.rebalance.delay.ms)
            # is not reading.
            t0 = time.time()
        got += ok
    consume_s = time.time() - (t0 or start)
    c.close()
    if got < n:
        raise SystemExit(f"confluent-kafka consumer read {got} of {n} records")
    return n / produce_s, got / consume_s


def kafka_python(count):
    from kafka import KafkaConsumer, KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=65536)
    t0 = time.time()
    for _ in range(count):
        p.send(topic, value=value)
    p.flush()
    produce_s = time.time() - t0
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                      auto_offset_reset="earliest", consumer_timeout_ms=5000)
    t0 = time.time()
    got = sum(1 for _ in zip(range(count), c))
    consume_s = time.time() - t0
    c.close()
    if got < count:
        raise SystemExit(f"kafka-python consumer read {got} of {count} records")
    return count / produce_s, got / consume_s


result = {"records": n}
if only in (None, "confluent"):
    result["confluent_produce"], result["confluent_consume"] = confluent()
if only in (None, "kafka-python"):
    result["kafka_python_produce"], result["kafka_python_consume"] = kafka_python(n)
if as_json:
    print(json.dumps(result))
else:
    for client in ("confluent", "kafka_python"):
        if f"{client}_produce" in result:
            print(f"{client:13}: produce acks=all {result[client + '_produce']:,.0f} records/s, "
                  f"consume {result[client + '_consume']:,.0f} records/s ({n:,} x 100 B)")
