"""confluent-kafka's AdminClient changes a topic: CreatePartitions (keys then map to other
partitions), IncrementalAlterConfigs (max.message.bytes, then a record over it is refused with
MESSAGE_TOO_LARGE) and DeleteTopics."""
import sys, time
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource,
                                   NewPartitions, NewTopic)

bootstrap = sys.argv[1]
a = AdminClient({"bootstrap.servers": bootstrap})
a.create_topics([NewTopic("cf-admin", num_partitions=2, replication_factor=3)])["cf-admin"].result(20)

def partitions_of_keys():
    """The partition librdkafka's default partitioner sends each of 20 keys to."""
    p = Producer({"bootstrap.servers": bootstrap, "topic.metadata.refresh.interval.ms": 500})
    got = {}
    for i in range(20):
        key = f"key-{i}".encode()
        p.produce("cf-admin", key=key, value=b"v",
                  on_delivery=lambda err, msg: got.__setitem__(msg.key(), msg.partition()))
    p.flush(20)
    return got

before = partitions_of_keys()
assert len(before) == 20 and set(before.values()) <= {0, 1}, before
a.create_partitions([NewPartitions("cf-admin", 6)])["cf-admin"].result(20)
deadline = time.time() + 15
while len(a.list_topics("cf-admin", timeout=10).topics["cf-admin"].partitions) != 6:
    assert time.time() < deadline, "never saw 6 partitions"
    time.sleep(0.2)
after = partitions_of_keys()
moved = [k for k in before if after[k] != before[k]]
assert moved, (before, after)

res = ConfigResource(ConfigResource.Type.TOPIC, "cf-admin", incremental_configs=[
    ConfigEntry("max.message.bytes", "2000", incremental_operation=AlterConfigOpType.SET)])
for f in a.incremental_alter_configs([res]).values():
    f.result(20)
desc = a.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "cf-admin")])
configs = list(desc.values())[0].result(20)
assert configs["max.message.bytes"].value == "2000", configs["max.message.bytes"]
errs = []
p = Producer({"bootstrap.servers": bootstrap})
p.produce("cf-admin", value=b"x" * 5000, partition=0, on_delivery=lambda err, msg: errs.append(err))
p.flush(20)
assert errs and errs[0] is not None and errs[0].code() == KafkaError.MSG_SIZE_TOO_LARGE, errs

a.delete_topics(["cf-admin"])["cf-admin"].result(20)
deadline = time.time() + 10
while "cf-admin" in a.list_topics(timeout=10).topics:
    assert time.time() < deadline, "cf-admin still listed"
    time.sleep(0.2)
print(f"OK confluent admin: {len(moved)} of 20 keys moved", flush=True)
