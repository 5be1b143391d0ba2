//! Simulated clients: producers, consumers, their settings and the partitioner they share with
//! Kafka. They use the cluster's public API, as real clients use a broker; the cluster never
//! reaches back into them.
pub mod backoff;
pub mod committer;
pub mod consumer;
pub mod partitioner;
pub mod producer;
pub mod read_committed;
pub mod spec;
pub mod view;
