"""Produce N records to one partition of a topic with kafka-python (acks=all, idempotent)."""
import sys
from kafka import KafkaProducer

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
partition = int(sys.argv[4]) if len(sys.argv) > 4 else 0
producer = KafkaProducer(bootstrap_servers=bootstrap)
futures = [producer.send(topic, value=f"v{i}".encode(), partition=partition) for i in range(n)]
producer.flush(timeout=30)
for f in futures:
    f.get(timeout=30)
producer.close()
print(f"PRODUCED {n}", flush=True)
