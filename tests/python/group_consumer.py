"""Experiment 2: a kafka-python consumer in a group that prints its assignment whenever it changes."""
import sys
from kafka import KafkaConsumer

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap,
    group_id=group,
    client_id=sys.argv[4] if len(sys.argv) > 4 else None,
    auto_offset_reset="earliest",
    session_timeout_ms=6000,
    heartbeat_interval_ms=1000,
)
last = None
while True:
    consumer.poll(timeout_ms=200)
    now = sorted(f"{tp.topic}-{tp.partition}" for tp in consumer.assignment())
    if now != last:
        print("ASSIGNED " + ",".join(now), flush=True)
        last = now
