//! The Kafka wire-protocol listener that lets real clients join the lab.
