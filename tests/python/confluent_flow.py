"""Produce, consume in a group and commit with confluent-kafka (librdkafka)."""
import sys
from confluent_kafka import Consumer, Producer

bootstrap, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
acked = []
def on_delivery(err, msg):
    assert err is None, f"delivery failed: {err}"
    acked.append(msg.offset())
p = Producer({"bootstrap.servers": bootstrap, "client.id": "confluent-producer", "acks": "all",
              "enable.idempotence": True})
for i in range(n):
    p.produce(topic, value=f"c{i}".encode(), partition=0, on_delivery=on_delivery)
    p.poll(0)
assert p.flush(30) == 0, "unflushed records"
assert len(acked) == n, f"only {len(acked)} acknowledged"

c = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 6000,
})
c.subscribe([topic])
got = []
import time
deadline = time.time() + 40
while len(got) < n and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    if m.partition() == 0:
        got.append(m.value().decode())
        c.commit(message=m, asynchronous=False)
committed = c.committed([__import__("confluent_kafka").TopicPartition(topic, 0)], timeout=10)
c.close()
assert got == [f"c{i}" for i in range(n)], f"got {len(got)}: {got[:5]}"
assert committed[0].offset == max(acked) + 1, f"committed {committed[0].offset}"
print(f"OK confluent {n} records, committed {committed[0].offset}", flush=True)
