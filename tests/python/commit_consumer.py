"""Experiment 3: read COUNT records in a group, committing after each one (or never), print offsets."""
import sys
from kafka import KafkaConsumer, TopicPartition, OffsetAndMetadata

bootstrap, topic, group, mode, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
consumer = KafkaConsumer(
    topic,
    bootstrap_servers=bootstrap,
    group_id=group,
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    session_timeout_ms=6000,
    heartbeat_interval_ms=1000,
    consumer_timeout_ms=20000,
)
seen = []
for msg in consumer:
    seen.append(msg.offset)
    if mode == "commit":
        consumer.commit({TopicPartition(msg.topic, msg.partition): OffsetAndMetadata(msg.offset + 1, None, -1)})
    if len(seen) >= count:
        break
consumer.close(autocommit=False)
print("OFFSETS " + ",".join(map(str, seen)), flush=True)
