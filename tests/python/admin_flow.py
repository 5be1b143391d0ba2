"""kafka-python's admin client against the lab: CreateTopics, DescribeConfigs, ListGroups,
DescribeGroups (with a live group member), ListOffsets, CreatePartitions, IncrementalAlterConfigs
(a valid and a refused value) and DeleteTopics, which also removes the group's offsets for it."""
import sys, time
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
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

committed = admin.list_group_offsets("admin-group").get("admin-group", {})
assert TopicPartition("admin-made", 1) in committed, committed

admin.create_partitions({"admin-made": NewPartitions(total_count=5)})
md = admin.describe_topics(["admin-made"])
assert len(md[0]["partitions"]) == 5, md

topic = lambda configs=None: ConfigResource(ConfigResourceType.TOPIC, "admin-made", configs=configs)
admin.alter_configs([topic({"retention.ms": "60000"})], incremental=True)
text = repr(admin.describe_configs([topic()]))
assert "'retention.ms': {'value': '60000'" in text, text
try:
    r = admin.alter_configs([topic({"retention.ms": "-7"})], incremental=True)
    assert "40" in repr(r) or "InvalidConfig" in repr(r), repr(r)
except KafkaError as e:
    assert "InvalidConfig" in type(e).__name__, repr(e)

admin.delete_topics(["admin-made"])
deadline = time.time() + 10
while "admin-made" in admin.list_topics() and time.time() < deadline:
    time.sleep(0.2)
assert "admin-made" not in admin.list_topics(), admin.list_topics()
committed = admin.list_group_offsets("admin-group").get("admin-group", {})
assert not any(tp.topic == "admin-made" for tp in committed), committed
admin.close()
print("OK admin", flush=True)
