"""A confluent-kafka (librdkafka) group member with group.protocol=consumer (KIP-848).

Prints `ASSIGNED t-p,...` whenever its whole assignment changes and `RECORD p offset value` per
record; auto-commits every second what poll returned. Runs until killed (a watchdog ends it after
180 s so a leaked member never lingers).
"""
import sys
import threading
import os
from confluent_kafka import Consumer

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
threading.Timer(180, lambda: os._exit(2)).start()
consumer = Consumer(
    {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "client.id": "confluent-member",
        # KIP-848: the broker owns the session and heartbeat interval; librdkafka refuses
        # session.timeout.ms and heartbeat.interval.ms with this protocol.
        "group.protocol": "consumer",
        "auto.offset.reset": "earliest",
        "auto.commit.interval.ms": 1000,
    }
)
consumer.subscribe([topic])
last = None
while True:
    msg = consumer.poll(0.2)
    now = sorted(f"{tp.topic}-{tp.partition}" for tp in consumer.assignment())
    if now != last:
        print("ASSIGNED " + ",".join(now), flush=True)
        last = now
    if msg is None or msg.error():
        continue
    print(f"RECORD {msg.partition()} {msg.offset()} {msg.value().decode()}", flush=True)
