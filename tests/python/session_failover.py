"""kafka-python: produce (acks=all, idempotent) and consume both partitions of a topic at once
for SECONDS while a broker dies, the consumer fetching in KIP-227 sessions; every acknowledged
record must be read once, in order per partition."""
import sys
import time
from collections import defaultdict
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
import logging, os
if os.environ.get("FO_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, filename=os.environ["FO_DEBUG"])

bootstrap, topic, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=5000,
                         retry_backoff_ms=200, metadata_max_age_ms=2000, linger_ms=5)
consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="session-failover",
                         auto_offset_reset="earliest", enable_auto_commit=False,
                         fetch_max_wait_ms=200, metadata_max_age_ms=2000,
                         request_timeout_ms=5000, retry_backoff_ms=200,
                         enable_incremental_fetch_sessions=(len(sys.argv) < 5 or sys.argv[4] != "no-sessions"))
parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [0, 1])]
consumer.assign(parts)
acked = defaultdict(list)
read = defaultdict(list)
pending = []


def drain(ms):
    for tp, records in consumer.poll(timeout_ms=ms).items():
        read[tp.partition].extend((r.offset, r.value.decode()) for r in records)


end = time.time() + seconds
i = 0
while time.time() < end:
    pending.append((i, producer.send(topic, value=f"f{i}".encode(), partition=i % len(parts))))
    i += 1
    drain(20)
for j, f in pending:
    try:
        md = f.get(timeout=60)
        acked[md.partition].append((md.offset, f"f{j}"))
    except Exception as e:  # not acknowledged: the consumer may or may not see it
        print(f"UNACKED f{j}: {e!r}")
deadline = time.time() + 40
while time.time() < deadline and any(
        not set(acked[p]) <= set(read[p]) for p in acked):
    drain(300)
for p in acked:
    offsets = [o for o, _ in read[p]]
    assert offsets == sorted(set(offsets)), f"partition {p}: read out of order or twice"
    missing = set(acked[p]) - set(read[p])
    assert not missing, (f"partition {p}: {len(missing)} acknowledged records never read, "
                         f"read offsets up to {max(offsets, default=None)}, acked from "
                         f"{min(missing)} to {max(acked[p])}, position {consumer.position(TopicPartition(topic, p))}")
total = sum(len(v) for v in acked.values())
print(f"OK {total} acknowledged records all read once in order across the broker's death")
