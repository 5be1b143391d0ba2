"""kafka-python: produce N records, read them back, then keep polling a while so the consumer's
fetches continue its KIP-227 session (incremental fetches with nothing new)."""
import sys
import time
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="session-producer")
for i in range(n):
    producer.send(topic, value=f"s{i}".encode(), partition=0)
producer.flush(timeout=30)
producer.close()
consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="session-consumer",
                         auto_offset_reset="earliest", enable_auto_commit=False,
                         fetch_max_wait_ms=200)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
got = []
deadline = time.time() + 40
while len(got) < n and time.time() < deadline:
    for records in consumer.poll(timeout_ms=500).values():
        got.extend(r.value for r in records)
idle_until = time.time() + 3
while time.time() < idle_until:
    for records in consumer.poll(timeout_ms=300).values():
        got.extend(r.value for r in records)
consumer.close()
assert got == [f"s{i}".encode() for i in range(n)], f"read {len(got)} of {n}"
print(f"OK {n} records, then idle polling")
