"""confluent-kafka (librdkafka, Fetch by topic id): read a topic, delete it and create it again
under the same name, produce new records; the consumer's old topic id stops working and it
recovers onto the new topic, reading its records and none of the old ones again."""
import sys
import time
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": bootstrap})


def create():
    deadline = time.time() + 30
    while True:
        try:
            admin.create_topics([NewTopic(topic, 1, 3)])[topic].result(10)
            return
        except Exception as e:  # the deletion may still be in progress
            assert time.time() < deadline, f"create failed: {e!r}"
            time.sleep(0.5)


def produce(prefix, n):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i in range(n):
        p.produce(topic, value=f"{prefix}{i}".encode(), partition=0)
    assert p.flush(30) == 0, "unflushed records"


create()
produce("a", 10)
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "recreate-reader",
              "enable.auto.commit": False, "auto.offset.reset": "earliest",
              "topic.metadata.refresh.interval.ms": 1000})
c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
got = []


def drain(until, want):
    while time.time() < until and not want(got):
        m = c.poll(0.3)
        if m is None:
            continue
        if m.error():
            print(f"EVENT {m.error()}")
            continue
        got.append(m.value().decode())


drain(time.time() + 30, lambda g: len(g) >= 10)
assert got == [f"a{i}" for i in range(10)], f"first read: {got}"
admin.delete_topics([topic])[topic].result(10)
create()
produce("b", 5)
drain(time.time() + 60, lambda g: len(g) >= 15)
c.close()
after = got[10:]
assert after == [f"b{i}" for i in range(5)], f"after the recreation: {after}"
print("OK read the recreated topic's 5 records and none of the old ones again")
