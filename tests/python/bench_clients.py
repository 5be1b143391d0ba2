"""Benchmark (by hand, not in CI): N records of 100 bytes with acks=all, then a consumer reading
them all, with confluent-kafka (librdkafka) and kafka-python. Usage:
    bench_clients.py BOOTSTRAP [N] [TOPIC]
Start the lab first, e.g.: kafka-lab --ephemeral --consumers 0 --rate 0 > /dev/null
"""
import sys, time
from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
topic = sys.argv[3] if len(sys.argv) > 3 else "bench"
value = b"x" * 100

def confluent():
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "batch.num.messages": 10000, "queue.buffering.max.messages": 1_000_000,
                  "enable.idempotence": True})
    t0 = time.time()
    for i in range(n):
        while True:
            try:
                p.produce(topic, value=value)
                break
            except BufferError:
                p.poll(0.01)
        if i % 10000 == 0:
            p.poll(0)
    assert p.flush(120) == 0
    produce_s = time.time() - t0
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{time.time()}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  # librdkafka pauses fetching for fetch.queue.backoff.ms (1 s) whenever its local
                  # queue passes queued.min.messages: a client-side pause, not the broker's.
                  "queued.min.messages": 1_000_000, "fetch.queue.backoff.ms": 10})
    c.subscribe([topic])
    got = 0
    t0 = None
    start = time.time()
    while got < n and time.time() - start < 300:
        # Ask for no more than what is left: consume() waits out its timeout for a short batch.
        msgs = c.consume(min(10000, n - got), 1.0)
        ok = sum(1 for m in msgs if not m.error())
        if ok and t0 is None:
            # Timed from the first record: the group's join (group.initial.rebalance.delay.ms) is not reading.
            t0 = time.time()
        got += ok
    consume_s = time.time() - (t0 or start)
    c.close()
    return n / produce_s, got / consume_s

def kafka_python(count):
    from kafka import KafkaConsumer, KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=65536)
    t0 = time.time()
    for _ in range(count):
        p.send(topic + "-kp", value=value)
    p.flush()
    produce_s = time.time() - t0
    c = KafkaConsumer(topic + "-kp", bootstrap_servers=bootstrap, group_id=None,
                      auto_offset_reset="earliest", consumer_timeout_ms=5000)
    t0 = time.time()
    got = sum(1 for _ in zip(range(count), c))
    consume_s = time.time() - t0
    c.close()
    return count / produce_s, got / consume_s

cp, cc = confluent()
print(f"confluent-kafka: produce acks=all {cp:,.0f} records/s, consume {cc:,.0f} records/s ({n:,} x 100 B)")
kn = max(n // 10, 1000)
kp, kc = kafka_python(kn)
print(f"kafka-python:    produce acks=all {kp:,.0f} records/s, consume {kc:,.0f} records/s ({kn:,} x 100 B)")
