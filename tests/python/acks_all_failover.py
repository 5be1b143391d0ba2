"""Produce with acks='all' for SECONDS while a broker dies, then read everything back:
every acknowledged record must be there, in order per partition."""
import sys, time
from collections import defaultdict
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=5000,
                         retry_backoff_ms=200, metadata_max_age_ms=2000, linger_ms=5,
                         enable_idempotence=(len(sys.argv) < 5 or sys.argv[4] != "no-idempotence"))
acked = defaultdict(list)


def settle(pending):
    """Waits for each send; records the acknowledged ones by partition and reports the others."""
    for j, f in pending:
        try:
            md = f.get(timeout=60)
            acked[md.partition].append((md.offset, f"r{j}"))
        except Exception as e:
            print(f"not acknowledged r{j}: {e!r}", flush=True)


end = time.time() + seconds
i = 0
pending = []
while time.time() < end:
    pending.append((i, producer.send(topic, value=f"r{i}".encode())))
    i += 1
    if len(pending) >= 20:
        settle(pending)
        pending = []
    time.sleep(0.01)
settle(pending)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                         consumer_timeout_ms=8000)
tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
consumer.assign(tps)
consumer.seek_to_beginning()
read = defaultdict(list)
for m in consumer:
    read[m.partition].append(m.value.decode())
consumer.close()
total = 0
for p, recs in acked.items():
    values = [v for _, v in sorted(recs)]
    # every acknowledged value is read back, in the order of the acknowledged offsets
    pos = {v: k for k, v in enumerate(read[p])}
    missing = [v for v in values if v not in pos]
    assert not missing, f"partition {p}: {len(missing)} acknowledged records lost, e.g. {missing[:5]}"
    order = [pos[v] for v in values]
    assert order == sorted(order), f"partition {p}: acknowledged records out of order"
    total += len(values)
print(f"OK {total} acknowledged records of {i} all read back in order", flush=True)
