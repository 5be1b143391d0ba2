"""A confluent-kafka consumer with cooperative-sticky assignment that prints each assign/revoke
(incremental) for SECONDS, then its final assignment, then closes (LeaveGroup)."""
import sys, time
from confluent_kafka import Consumer
b=sys.argv[1]; name=sys.argv[2]; secs=float(sys.argv[3])
def on_assign(c, parts): print(name, "assign", sorted(p.partition for p in parts), flush=True)
def on_revoke(c, parts): print(name, "revoke", sorted(p.partition for p in parts), flush=True)
c = Consumer({"bootstrap.servers": b, "group.id": sys.argv[4], "partition.assignment.strategy": "cooperative-sticky", "session.timeout.ms": 6000})
c.subscribe(["test"], on_assign=on_assign, on_revoke=on_revoke)
end=time.time()+secs
while time.time()<end:
    c.poll(0.2)
print(name, "final", sorted(p.partition for p in c.assignment()), flush=True)
c.close()
