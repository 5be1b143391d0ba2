//! Simulated clients: producers, consumers and the partitioner they share with Kafka.
pub mod consumer;
pub mod partitioner;
pub mod producer;
