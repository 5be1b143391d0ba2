"""kafka-python's admin client against the lab: CreateTopics, DescribeConfigs, ListGroups,
DescribeGroups (with a live group member), ListOffsets and a refused DeleteTopics."""
import sys, time
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import KafkaError

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="lab-admin")
admin.create_topics([NewTopic("admin-made", num_partitions=3, replication_factor=2,
                              topic_configs={"min.insync.replicas": "2"})])
md = admin.describe_topics(["admin-made"])
assert len(md[0]["partitions"]) == 3, md
assert all(len(p["replica_nodes"]) == 2 for p in md[0]["partitions"]), md

res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "admin-made")])
text = repr(res)
assert "'min.insync.replicas': {'value': '2'" in text, text

p = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(5):
    p.send("admin-made", value=b"x", partition=1)
p.flush(); p.close()

c = KafkaConsumer("admin-made", bootstrap_servers=bootstrap, group_id="admin-group",
                  client_id="admin-consumer", auto_offset_reset="earliest",
                  session_timeout_ms=6000, heartbeat_interval_ms=1000)
deadline = time.time() + 30
while not c.assignment() and time.time() < deadline:
    c.poll(timeout_ms=200)
assert c.assignment(), "never joined"
end = c.end_offsets([TopicPartition("admin-made", 1)])
assert end[TopicPartition("admin-made", 1)] == 5, end

groups = admin.list_groups()
assert any(g["group_id"] == "admin-group" and g["protocol_type"] == "consumer" for g in groups), groups
desc = admin.describe_groups(["admin-group"])["admin-group"]
assert desc["group_state"] == "Stable", desc
members = desc["members"]
assert len(members) == 1 and members[0]["client_id"] == "admin-consumer", desc
c.close()

try:
    r = admin.delete_topics(["admin-made"])
    errs = repr(r)
    assert "73" in errs or "TopicDeletionDisabled" in errs, errs
except KafkaError as e:
    assert "TopicDeletionDisabled" in type(e).__name__ or "73" in str(e), repr(e)
admin.close()
print("OK admin", flush=True)
