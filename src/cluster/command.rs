//! Commands: everything anyone (dashboard, scenario, wire listener) may ask the lab to do.

use super::types::{Acks, AssignorKind, BrokerId, ClientId, CommitMode, KeyMode, OffsetReset};
use serde::{Deserialize, Serialize};

/// Settings of a simulated producer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducerSpec {
    /// `client.id`; the lab picks `producer-N` when empty.
    pub client_id: Option<String>,
    /// Target topic.
    pub topic: String,
    /// Records per simulated second.
    pub rate_per_sec: f64,
    /// Key mode (decides the partitioner).
    pub key_mode: KeyMode,
    /// Value size in bytes.
    pub value_bytes: usize,
    /// `acks`.
    pub acks: Acks,
    /// `linger.ms`.
    pub linger_ms: u64,
    /// `batch.size` in bytes.
    pub batch_size: usize,
    /// `retries` before a record fails for good.
    pub retries: u32,
    /// `retry.backoff.ms`.
    pub retry_backoff_ms: u64,
    /// `request.timeout.ms`.
    pub request_timeout_ms: u64,
}

impl ProducerSpec {
    /// A producer with Kafka's defaults (`acks=all`, `linger.ms=5`, no key) at `rate_per_sec`.
    pub fn new(topic: impl Into<String>, rate_per_sec: f64) -> Self {
        Self {
            client_id: None,
            topic: topic.into(),
            rate_per_sec,
            key_mode: KeyMode::None,
            value_bytes: 100,
            acks: Acks::All,
            linger_ms: 5,
            batch_size: 16_384,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
        }
    }
}

/// Settings of a simulated consumer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    /// `client.id`; the lab picks `consumer-N` when empty.
    pub client_id: Option<String>,
    /// `group.id`.
    pub group_id: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// How offsets are committed.
    pub commit_mode: CommitMode,
    /// `auto.offset.reset`.
    pub auto_offset_reset: OffsetReset,
    /// `partition.assignment.strategy`.
    pub assignor: AssignorKind,
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval_ms: u64,
    /// `max.poll.interval.ms`.
    pub max_poll_interval_ms: u64,
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// Simulated processing time per record, to make lag visible.
    pub processing_ms_per_record: u64,
    /// `group.instance.id` (static membership).
    pub group_instance_id: Option<String>,
}

impl ConsumerSpec {
    /// A consumer with Kafka's defaults in `group_id`, subscribed to `topic`.
    pub fn new(group_id: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            client_id: None,
            group_id: group_id.into(),
            topics: vec![topic.into()],
            commit_mode: CommitMode::Auto { interval_ms: 5_000 },
            auto_offset_reset: OffsetReset::Latest,
            assignor: AssignorKind::Range,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            processing_ms_per_record: 0,
            group_instance_id: None,
        }
    }
}

/// Per-topic settings given at creation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicSpec {
    /// Name (Kafka's rules: 1–249 chars of `[a-zA-Z0-9._-]`, not `.` or `..`).
    pub name: String,
    /// Partition count.
    pub partitions: i32,
    /// Replication factor.
    pub replication_factor: i16,
    /// `min.insync.replicas`.
    pub min_insync_replicas: i16,
    /// `segment.bytes`, when not the lab default.
    pub segment_bytes: Option<u64>,
    /// `retention.ms`, when not the lab default.
    pub retention_ms: Option<i64>,
    /// `retention.bytes`, when not the lab default.
    pub retention_bytes: Option<i64>,
}

impl TopicSpec {
    /// A topic with `partitions` and `replication_factor`, `min.insync.replicas=1`.
    pub fn new(name: impl Into<String>, partitions: i32, replication_factor: i16) -> Self {
        Self {
            name: name.into(),
            partitions,
            replication_factor,
            min_insync_replicas: 1,
            segment_bytes: None,
            retention_ms: None,
            retention_bytes: None,
        }
    }
}

/// Checks a topic name the way Kafka does; the error says what is wrong.
pub fn validate_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("topic name is empty".into());
    }
    if name == "." || name == ".." {
        return Err("topic name cannot be \".\" or \"..\"".into());
    }
    if name.len() > 249 {
        return Err(format!("topic name is {} chars; at most 249", name.len()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "topic name has {c:?}; only letters, digits, '.', '_' and '-' are allowed"
        ));
    }
    Ok(())
}

/// What anyone may ask the lab to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Crash a broker: no controlled shutdown, nothing flushed beyond the OS.
    KillBroker(BrokerId),
    /// Controlled shutdown: leadership moves away first.
    ShutdownBroker(BrokerId),
    /// Start a stopped broker: recover logs, rejoin, catch up.
    RestartBroker(BrokerId),
    /// Make a broker's followers stop (or resume) fetching.
    SetBrokerSlow(BrokerId, bool),
    /// Create a topic.
    CreateTopic(TopicSpec),
    /// Start a simulated producer.
    SpawnProducer(ProducerSpec),
    /// Change a producer's rate.
    SetProducerRate(ClientId, f64),
    /// Stop a producer.
    StopProducer(ClientId),
    /// Start a simulated consumer.
    SpawnConsumer(ConsumerSpec),
    /// Crash a consumer: no LeaveGroup.
    KillConsumer(ClientId),
    /// Close a consumer gracefully: LeaveGroup.
    CloseConsumer(ClientId),
    /// Set simulated-time speed (clamped to 0.1–100).
    SetSpeed(f64),
    /// Pause or resume simulated time.
    SetPaused(bool),
    /// Add a line to the event stream (scenario captions).
    Note(String),
    /// Lessons: run the step waiting for a key press (`n`). Only a lesson driver acts on it.
    LessonNext,
    /// Lessons: start the lesson over on a fresh lab (`b`). Only a lesson driver acts on it.
    LessonRestart,
}
