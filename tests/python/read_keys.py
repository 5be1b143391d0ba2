"""Reads a topic from its start without a group and prints every record whose value starts with a
prefix as `RECORD partition offset key`, then `DONE n`. It reads every partition up to the end
offset it saw at start (so no partition is left unread while another is long), and on until at
least `want` matched or the time ran out."""
import sys
import time
from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, prefix, want = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or set())]
consumer.assign(partitions)
consumer.seek_to_beginning()
end = consumer.end_offsets(partitions)
seen = 0
deadline = time.time() + 30


def behind():
    return any(consumer.position(tp) < end[tp] for tp in partitions)


while (seen < want or behind()) and time.time() < deadline:
    for tp, records in consumer.poll(timeout_ms=200).items():
        for r in records:
            if r.value is not None and r.value.startswith(prefix):
                key = r.key.decode() if r.key is not None else "-"
                print(f"RECORD {tp.partition} {r.offset} {key}", flush=True)
                seen += 1
print(f"DONE {seen}", flush=True)
