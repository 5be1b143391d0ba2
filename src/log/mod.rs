//! Kafka-style partition logs on disk: segments, offset and time indexes, recovery.
