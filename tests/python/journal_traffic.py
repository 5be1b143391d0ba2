"""Traffic for a journaled run: a kafka-python producer (keyed, acks=all) and a group consumer,
both riding out broker faults, for SECS seconds; prints what each saw."""
import sys
import time
from kafka import KafkaConsumer, KafkaProducer

bootstrap, topic, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = KafkaProducer(
    bootstrap_servers=bootstrap, client_id="journal-producer", acks="all", retries=10
)
consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap,
    group_id="journal-group",
    client_id="journal-consumer",
    auto_offset_reset="earliest",
    session_timeout_ms=6000,
    heartbeat_interval_ms=1000,
)
end = time.time() + secs
sent = got = 0
while time.time() < end:
    for _ in range(20):
        producer.send(topic, key=f"k{sent % 7}".encode(), value=f"v{sent}".encode())
        sent += 1
    for records in consumer.poll(timeout_ms=100).values():
        got += len(records)
try:
    producer.flush(timeout=10)
except Exception as e:  # a broker the test killed may still be down
    print(f"FLUSH {e!r}", flush=True)
consumer.close()
producer.close(timeout=5)
print(f"SENT {sent} GOT {got}", flush=True)
