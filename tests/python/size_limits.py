"""confluent-kafka (librdkafka) sends one record of SIZE bytes to TOPIC partition 0 and prints what
the lab said: `RESULT ok`, `RESULT <error code>` (MESSAGE_TOO_LARGE is 10) or `RESULT closed` when
the lab closed the connection (a frame over socket.request.max.bytes). The client's own size limit
is lifted so the record reaches the broker, as a misconfigured producer's would."""
import sys
from confluent_kafka import KafkaError, Producer

bootstrap, topic, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({"bootstrap.servers": bootstrap, "acks": 1, "retries": 0, "linger.ms": 0,
              "enable.idempotence": False, "message.max.bytes": 400 * 1024 * 1024,
              "message.timeout.ms": 10000, "request.timeout.ms": 8000})
result = []
p.produce(topic, value=b"x" * size, partition=0, on_delivery=lambda err, msg: result.append(err))
p.flush(30)
if not result:
    print("RESULT none", flush=True)
elif result[0] is None:
    print("RESULT ok", flush=True)
elif result[0].code() > 0:
    print("RESULT", result[0].code(), result[0].str(), flush=True)
else:
    # librdkafka's local codes (negative): the connection went away, or the record timed out.
    print("RESULT closed", result[0].str(), flush=True)
