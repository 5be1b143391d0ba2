"""Experiment 1 with kafka-python: produce N records to a topic, read them back in order."""
import sys
from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="exp1-producer")
futures = [producer.send(topic, value=f"record-{i}".encode(), partition=0) for i in range(n)]
producer.flush(timeout=30)
offsets = [f.get(timeout=30).offset for f in futures]
assert offsets == sorted(offsets), f"offsets not increasing: {offsets[:10]}"
producer.close()

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap,
    group_id=None,
    auto_offset_reset="earliest",
    consumer_timeout_ms=10000,
)
got = []
for msg in consumer:
    if msg.partition == 0:
        got.append(msg.value.decode())
    if len(got) >= n:
        break
consumer.close()
expected = [f"record-{i}" for i in range(n)]
assert got == expected, f"got {len(got)} records, first {got[:5]}"
print(f"OK {n} records in order, offsets {offsets[0]}..{offsets[-1]}")
