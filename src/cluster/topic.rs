//! `TopicSpec`: a topic's settings at creation, and Kafka's rules for topic names.

use serde::{Deserialize, Serialize};

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
    /// `max.message.bytes`: the largest record batch this topic takes, when not the broker's
    /// `message.max.bytes`. Absent from topics files written before it existed.
    #[serde(default)]
    pub max_message_bytes: Option<usize>,
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
            max_message_bytes: None,
        }
    }
}

/// The most partitions a topic may have in the lab.
pub const PARTITIONS_MAX: i32 = 1_000;
/// The most partitions the whole lab holds (internal topics included): the bound on every
/// per-partition map in the cluster.
pub const PARTITIONS_TOTAL_MAX: usize = 10_000;

impl TopicSpec {
    /// Checks the settings that need no cluster state, as Kafka's CreateTopics does: the name's
    /// rules, 1 to [`PARTITIONS_MAX`] partitions, a positive replication factor (whether enough
    /// brokers are alive is the controller's to check).
    pub fn validate(&self) -> Result<(), super::error::KafkaError> {
        use super::error::KafkaError;
        validate_topic_name(&self.name).map_err(|_| KafkaError::InvalidTopic)?;
        if !(1..=PARTITIONS_MAX).contains(&self.partitions) {
            return Err(KafkaError::InvalidPartitions);
        }
        if self.replication_factor < 1 {
            return Err(KafkaError::InvalidReplicationFactor);
        }
        Ok(())
    }
}

/// Why a topic name breaks Kafka's rules: a code `text::error` says in the chosen language;
/// `Display` is the English sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TopicNameError {
    /// The name is empty.
    #[error("topic name is empty")]
    Empty,
    /// `.` and `..` are refused.
    #[error("topic name cannot be \".\" or \"..\"")]
    Dots,
    /// Longer than 249 characters (the length given).
    #[error("topic name is {0} chars; at most 249")]
    TooLong(usize),
    /// A character outside `[a-zA-Z0-9._-]`.
    #[error("topic name has {0:?}; only letters, digits, '.', '_' and '-' are allowed")]
    BadChar(char),
}

/// Checks a topic name the way Kafka does; the error says what is wrong.
pub fn validate_topic_name(name: &str) -> Result<(), TopicNameError> {
    if name.is_empty() {
        return Err(TopicNameError::Empty);
    }
    if name == "." || name == ".." {
        return Err(TopicNameError::Dots);
    }
    if name.len() > 249 {
        return Err(TopicNameError::TooLong(name.len()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(TopicNameError::BadChar(c));
    }
    Ok(())
}
