"""A kafka-python producer that keeps producing while the lab it talks to is rewound: it sends
one record every 50 ms for SECS seconds, each waited for (acks=all, retries), and counts what
failed; then it must get a last batch of 20 acknowledged by the resumed lab. Prints
`DONE sent=N failed=F last=OK` (or `last=FAILED <error>`) and touches READY_FILE after its first
acknowledged record, so the test knows a connection is open before it rewinds."""
import sys
import time
from kafka import KafkaProducer

bootstrap, topic, secs, ready = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
producer = KafkaProducer(
    bootstrap_servers=bootstrap,
    client_id="rewind-producer",
    acks="all",
    retries=20,
    request_timeout_ms=5000,
    reconnect_backoff_ms=100,
)
sent = failed = 0
end = time.time() + secs
while time.time() < end:
    try:
        producer.send(topic, value=f"v{sent}".encode()).get(timeout=15)
        if sent == 0:
            open(ready, "w").close()
    except Exception as e:  # the lab went back in time under us: count it, go on
        failed += 1
        print(f"FAILED {e!r}", flush=True)
    sent += 1
    time.sleep(0.05)
try:
    for f in [producer.send(topic, value=f"last{i}".encode()) for i in range(20)]:
        f.get(timeout=30)
    last = "OK"
except Exception as e:
    last = f"FAILED {e!r}"
producer.close(timeout=5)
print(f"DONE sent={sent} failed={failed} last={last}", flush=True)
