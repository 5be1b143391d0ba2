"""kafka-python sends one record of SIZE bytes to TOPIC partition 0 and prints what the lab said:
`RESULT ok`, `RESULT <error code>` (MESSAGE_TOO_LARGE is 10) or `RESULT closed` when the lab
closed the connection (a frame over socket.request.max.bytes). The client's own size checks are
lifted so the record reaches the broker, as a misconfigured producer's would."""
import sys
from kafka import KafkaProducer
from kafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError

bootstrap, topic, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = KafkaProducer(bootstrap_servers=bootstrap, acks=1, retries=0, linger_ms=0,
                  max_request_size=400 * 1024 * 1024, buffer_memory=400 * 1024 * 1024,
                  request_timeout_ms=15000, max_block_ms=15000, enable_idempotence=False)
fut = p.send(topic, value=b"x" * size, partition=0)
try:
    fut.get(timeout=30)
    print("RESULT ok", flush=True)
except (KafkaConnectionError, KafkaTimeoutError) as e:
    print("RESULT closed", repr(e), flush=True)
except KafkaError as e:
    code = getattr(e, "errno", None)
    if code is None:
        print("RESULT closed", repr(e), flush=True)
    else:
        print("RESULT", code, repr(e), flush=True)
p.close(timeout=5)
