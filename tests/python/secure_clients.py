"""kafka-python or confluent-kafka over SASL_SSL with SCRAM to the secured lab.

Usage: secure_clients.py CLIENT BOOTSTRAP CA_FILE MECHANISM USER PASSWORD EXPECT
CLIENT is kafka-python or confluent; EXPECT is ok (produce N records to partition 0 of `test`,
read them back) or fail (authentication must fail with the broker's message, within 30 s).
"""
import logging
import sys
import time

client, bootstrap, ca, mechanism, user, password, expect = sys.argv[1:8]
N = 20
TOPIC = "test"


class Remember(logging.Handler):
    """Keeps kafka-python's log lines: its authentication errors are logged, then retried."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def kafka_python():
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import KafkaError

    remember = Remember()
    logging.getLogger("kafka").addHandler(remember)
    logging.getLogger("kafka").setLevel(logging.DEBUG)
    common = dict(
        bootstrap_servers=bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism=mechanism,
        sasl_plain_username=user,
        sasl_plain_password=password,
        ssl_cafile=ca,
    )
    if expect == "fail":
        try:
            p = KafkaProducer(max_block_ms=15000, **common)
            p.send(TOPIC, b"x", partition=0).get(timeout=15)
            print("UNEXPECTED produce succeeded with a wrong password", flush=True)
            sys.exit(1)
        except KafkaError as e:
            seen = [l for l in remember.lines if "Authentication failed" in l] + [str(e)]
            if any("Authentication failed" in s for s in seen):
                print("AUTH_FAILED " + seen[0], flush=True)
                return
            print(f"FAILED without an authentication error: {e!r} {remember.lines[-5:]}")
            sys.exit(1)
    p = KafkaProducer(acks="all", **common)
    offsets = [p.send(TOPIC, f"s{i}".encode(), partition=0).get(timeout=30).offset for i in range(N)]
    p.close()
    c = KafkaConsumer(consumer_timeout_ms=15000, **common)
    tp = TopicPartition(TOPIC, 0)
    c.assign([tp])
    c.seek(tp, offsets[0])
    got = []
    for m in c:
        got.append(m.value.decode())
        if len(got) >= N:
            break
    c.close()
    assert got == [f"s{i}" for i in range(N)], f"got {got[:5]}"
    print(f"OK kafka-python {N} records over SASL_SSL {mechanism}", flush=True)


def confluent():
    from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

    errors = []
    common = {
        "bootstrap.servers": bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanisms": mechanism,
        "sasl.username": user,
        "sasl.password": password,
        "ssl.ca.location": ca,
        "error_cb": lambda e: errors.append(e),
    }
    if expect == "fail":
        p = Producer(common)
        p.produce(TOPIC, b"x", partition=0)
        deadline = time.time() + 30
        while time.time() < deadline:
            p.poll(0.2)
            auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
            if auth:
                print("AUTH_FAILED " + auth[0].str(), flush=True)
                return
        print(f"FAILED without an authentication error: {[e.str() for e in errors]}")
        sys.exit(1)
    acked = []

    def on_delivery(err, msg):
        assert err is None, f"delivery failed: {err}"
        acked.append(msg.offset())

    p = Producer({**common, "acks": "all"})
    for i in range(N):
        p.produce(TOPIC, f"s{i}".encode(), partition=0, on_delivery=on_delivery)
        p.poll(0)
    assert p.flush(30) == 0, f"unflushed records; errors {[e.str() for e in errors]}"
    c = Consumer({**common, "group.id": "secure-check", "enable.auto.commit": False})
    c.assign([TopicPartition(TOPIC, 0, min(acked))])
    got = []
    deadline = time.time() + 30
    while len(got) < N and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        got.append(m.value().decode())
    c.close()
    assert got == [f"s{i}" for i in range(N)], f"got {got[:5]}; errors {[e.str() for e in errors]}"
    print(f"OK confluent {N} records over SASL_SSL {mechanism}", flush=True)


{"kafka-python": kafka_python, "confluent": confluent}[client]()
