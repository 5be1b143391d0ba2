//! The scenario file as written: a serde mirror of the TOML, before any reference is checked.
//!
//! Every table denies unknown fields so a misspelt key is refused with the list of known ones;
//! values that carry a position (`Spanned`) are the ones later errors point at.

use serde::Deserialize;
use toml::Spanned;

/// The whole file: title, optional name and duration, `[lab]` and the `[[step]]`s.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDef {
    pub(super) name: Option<String>,
    pub(super) title: String,
    pub(super) duration: Option<Spanned<String>>,
    pub(super) lab: LabDef,
    #[serde(default)]
    pub(super) step: Vec<Spanned<StepDef>>,
}

/// The `[lab]` table: the cluster to start.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LabDef {
    pub(super) brokers: Option<Spanned<usize>>,
    pub(super) seed: Option<u64>,
    pub(super) profile: Option<Spanned<String>>,
    pub(super) broker_session_timeout_ms: Option<i64>,
    pub(super) replica_lag_time_max_ms: Option<i64>,
    pub(super) unclean_leader_election: Option<bool>,
    pub(super) auto_leader_rebalance: Option<bool>,
    pub(super) group_initial_rebalance_delay_ms: Option<i64>,
    pub(super) retention_check_interval_ms: Option<i64>,
    pub(super) segment_bytes: Option<u64>,
    pub(super) replica_fetch_max_bytes: Option<usize>,
    #[serde(default)]
    pub(super) topic: Vec<Spanned<TopicDef>>,
}

/// A `[[lab.topic]]` entry or a `create_topic` action.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct TopicDef {
    pub(super) name: String,
    pub(super) partitions: Option<i32>,
    pub(super) replication_factor: Option<i16>,
    pub(super) min_insync_replicas: Option<i16>,
    pub(super) retention: Option<String>,
    pub(super) retention_bytes: Option<i64>,
    pub(super) segment_bytes: Option<u64>,
}

/// A `spawn_producer` action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProducerDef {
    pub(super) name: String,
    pub(super) topic: String,
    pub(super) rate: Option<f64>,
    pub(super) acks: Option<toml::Value>,
    pub(super) keys: Option<u32>,
    pub(super) partitioner: Option<String>,
    pub(super) linger_ms: Option<u64>,
    pub(super) value_bytes: Option<usize>,
    pub(super) enable_idempotence: Option<bool>,
    pub(super) max_in_flight: Option<u32>,
    pub(super) request_timeout_ms: Option<u64>,
    pub(super) delivery_timeout_ms: Option<u64>,
    pub(super) transactional_id: Option<String>,
    pub(super) transaction_timeout_ms: Option<u64>,
    pub(super) commit_interval_ms: Option<u64>,
}

/// A `spawn_consumer` action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConsumerDef {
    pub(super) name: String,
    pub(super) group: String,
    pub(super) topic: String,
    pub(super) commit: Option<String>,
    pub(super) offset_reset: Option<String>,
    pub(super) isolation_level: Option<String>,
    pub(super) assignor: Option<String>,
    pub(super) session_timeout_ms: Option<u64>,
    pub(super) heartbeat_interval_ms: Option<u64>,
    pub(super) processing_ms_per_record: Option<u64>,
    pub(super) group_protocol: Option<String>,
    pub(super) remote_assignor: Option<String>,
}

/// A broker as written: `1` or `{ leader_of = "test-0" }`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum BrokerDef {
    Id(i32),
    LeaderOf { leader_of: String },
}

/// A `set_config` action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigDef {
    pub(super) unclean_leader_election: Option<bool>,
    pub(super) producer: Option<String>,
    pub(super) rate: Option<f64>,
}

/// `add_partitions = { topic = "t", partitions = 4 }`: CreatePartitions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AddPartitionsDef {
    pub(super) topic: String,
    pub(super) partitions: i32,
}

/// One `[[step]]`: a trigger, a caption, at most one action or an expect.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepDef {
    pub(super) at: Option<String>,
    pub(super) after: Option<String>,
    pub(super) on: Option<String>,
    pub(super) caption: Option<String>,
    pub(super) create_topic: Option<TopicDef>,
    pub(super) add_partitions: Option<AddPartitionsDef>,
    pub(super) delete_topic: Option<String>,
    pub(super) spawn_producer: Option<ProducerDef>,
    pub(super) stop_producer: Option<String>,
    pub(super) kill_producer: Option<String>,
    pub(super) pause_producer: Option<String>,
    pub(super) resume_producer: Option<String>,
    pub(super) spawn_consumer: Option<ConsumerDef>,
    pub(super) kill_consumer: Option<String>,
    pub(super) close_consumer: Option<String>,
    pub(super) kill_broker: Option<BrokerDef>,
    pub(super) shutdown_broker: Option<BrokerDef>,
    pub(super) restart_broker: Option<i32>,
    pub(super) slow_broker: Option<i32>,
    pub(super) resume_broker: Option<i32>,
    pub(super) set_config: Option<ConfigDef>,
    pub(super) pause: Option<bool>,
    pub(super) show_log: Option<String>,
    pub(super) expect: Option<ExpectDef>,
}

/// The `owner` field of a group expectation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OwnerDef {
    pub(super) consumer: String,
    pub(super) partitions: Vec<String>,
}

/// The `first_offset` field of a consumer expectation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OffsetDef {
    pub(super) partition: String,
    pub(super) offset: i64,
}

/// An `expect` table: one subject and the fields checked about it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectDef {
    pub(super) within: Option<String>,
    // subjects
    pub(super) group: Option<String>,
    pub(super) partition: Option<String>,
    pub(super) consumer: Option<String>,
    pub(super) producer: Option<String>,
    pub(super) broker: Option<i32>,
    /// `quorum = "lost"` or `quorum = "active"` (the KRaft controller quorum).
    pub(super) quorum: Option<String>,
    /// With `quorum = "active"`: the active controller is not this node.
    pub(super) controller_not: Option<i32>,
    // any subject with a state
    pub(super) state: Option<String>,
    // group
    pub(super) members: Option<usize>,
    pub(super) generation_at_least: Option<i32>,
    pub(super) owner: Option<OwnerDef>,
    pub(super) revoked_at_least: Option<usize>,
    pub(super) revoked_at_most: Option<usize>,
    // partition
    pub(super) leader: Option<i32>,
    pub(super) leader_not: Option<i32>,
    pub(super) isr: Option<Vec<i32>>,
    pub(super) isr_size: Option<usize>,
    pub(super) isr_excludes: Option<i32>,
    pub(super) elr: Option<Vec<i32>>,
    pub(super) offline: Option<bool>,
    pub(super) hw_at_least: Option<i64>,
    pub(super) log_start_at_least: Option<i64>,
    // consumer
    pub(super) first_offset: Option<OffsetDef>,
    pub(super) read_at_least: Option<u64>,
    pub(super) owns: Option<Vec<String>>,
    pub(super) keys_in_order: Option<bool>,
    pub(super) duplicates: Option<u64>,
    pub(super) duplicates_at_least: Option<u64>,
    pub(super) aborted_read: Option<u64>,
    pub(super) aborted_read_at_least: Option<u64>,
    pub(super) from: Option<String>,
    // producer
    pub(super) acked_at_least: Option<u64>,
    pub(super) lost_acked: Option<u64>,
    pub(super) lost_acked_at_least: Option<u64>,
}
