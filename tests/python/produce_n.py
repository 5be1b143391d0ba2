"""Produce N records to one partition of a topic with kafka-python (acks=all, idempotent).
With a fifth argument `one-per-batch`, each record is flushed alone, so it travels in a batch of
its own (tansu 0.6 answers ListOffsets LATEST with the last batch's base offset + 1)."""
import sys
from kafka import KafkaProducer

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
partition = int(sys.argv[4]) if len(sys.argv) > 4 else 0
one_per_batch = len(sys.argv) > 5 and sys.argv[5] == "one-per-batch"
producer = KafkaProducer(bootstrap_servers=bootstrap)
futures = []
for i in range(n):
    futures.append(producer.send(topic, value=f"v{i}".encode(), partition=partition))
    if one_per_batch:
        producer.flush(timeout=30)
producer.flush(timeout=30)
for f in futures:
    f.get(timeout=30)
producer.close()
print(f"PRODUCED {n}", flush=True)
