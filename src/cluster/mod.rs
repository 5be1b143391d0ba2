//! The cluster core: brokers, partition replicas, replication, controller and group coordinator.
//!
//! No terminal code lives here; time and randomness come only from what is passed in.

pub mod broker;
pub mod command;
pub mod config;
mod controller;
pub mod error;
pub mod event;
mod faults;
pub mod group;
mod groups_host;
mod hooks;
pub mod lab;
pub mod placement;
pub mod produce;
mod replication;
pub mod snapshot;
mod snapshot_builder;
pub mod types;
mod wire_clients;

pub use command::{Command, ConsumerSpec, ProducerSpec, TopicSpec};
pub use config::ClusterConfig;
pub use error::KafkaError;
pub use event::{Event, EventCategory, EventKind};
pub use lab::{Cluster, ProduceAck, ProduceOutcome};
pub use snapshot::ClusterSnapshot;
pub use types::{Acks, BrokerId, TopicPartition};
mod apply;
pub mod bench;
pub mod bench_groups;
mod clients_host;
pub mod clock;
pub mod driver;
