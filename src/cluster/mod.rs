//! The cluster core: brokers, partition replicas, replication, controller and group coordinator.
//!
//! No terminal code and no clients live here; time and randomness come only from what is passed in.
//! It depends on [`crate::log`] alone.

pub mod bench;
pub mod broker;
mod catch_up;
pub mod config;
mod controller;
mod elr;
pub mod error;
pub mod event;
mod faults;
pub(crate) mod fork;
pub mod group;
mod group_snapshot;
mod groups_host;
pub mod idempotence;
pub mod kraft;
pub mod lab;
pub mod placement;
pub mod produce;
mod quorum_host;
pub mod refusal;
mod replication;
pub mod snapshot;
mod snapshot_builder;
#[cfg(test)]
pub(crate) mod test_support;
mod tickets;
mod timers;
pub mod topic;
pub mod topic_changes;
pub mod topic_config;
pub mod topic_id;
pub mod txn;
pub mod types;

pub use config::ClusterConfig;
pub use error::{FaultError, KafkaError};
pub use event::{Event, EventCategory, EventKind};
pub use groups_host::{COMMIT_RESULTS_MAX, CommitOutcome};
pub use lab::{Cluster, ProduceAck, ProduceOutcome};
pub use snapshot::{ClusterSettings, ClusterSnapshot};
pub use topic::TopicSpec;
pub use topic_id::TopicId;
pub use types::{Acks, BrokerId, TopicPartition};
