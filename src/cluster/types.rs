//! Small value types shared by the whole cluster core: ids, topic-partitions, client settings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A broker's id, as in Kafka's `broker.id` (the lab numbers them from 1).
pub type BrokerId = i32;

/// A simulated or wire client, numbered by the cluster in spawn order.
pub type ClientId = u32;

/// One partition of one topic, printed the Kafka way: `test-0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: String,
    /// Partition index within the topic.
    pub partition: i32,
}

impl TopicPartition {
    /// Builds a topic-partition from a name and an index.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// The producer's `acks` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Acks {
    /// `acks=0`: fire and forget, no offset comes back.
    None,
    /// `acks=1`: the leader alone has written it.
    Leader,
    /// `acks=all` (`-1`): every member of the current ISR has it.
    All,
}

impl Acks {
    /// Kafka's wire value: 0, 1 or -1.
    pub fn as_i16(self) -> i16 {
        match self {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        }
    }

    /// Parses Kafka's wire value.
    pub fn from_i16(value: i16) -> Option<Self> {
        match value {
            0 => Some(Acks::None),
            1 => Some(Acks::Leader),
            -1 => Some(Acks::All),
            _ => None,
        }
    }
}

impl fmt::Display for Acks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        })
    }
}

impl std::str::FromStr for Acks {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "0" => Ok(Acks::None),
            "1" => Ok(Acks::Leader),
            "all" | "-1" => Ok(Acks::All),
            other => Err(format!("acks must be 0, 1 or all, not {other:?}")),
        }
    }
}

/// A consumer's `partition.assignment.strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AssignorKind {
    /// `range`: per topic, contiguous ranges to members sorted by member id.
    Range,
    /// `roundrobin`: all partitions dealt one by one to members sorted by member id.
    RoundRobin,
    /// `sticky`: balanced, keeps previous owners where it can (eager).
    Sticky,
    /// `cooperative-sticky`: sticky, revoking only what moves, over two rebalances.
    CooperativeSticky,
}

impl AssignorKind {
    /// The protocol name Kafka clients send in JoinGroup.
    pub fn protocol_name(self) -> &'static str {
        match self {
            AssignorKind::Range => "range",
            AssignorKind::RoundRobin => "roundrobin",
            AssignorKind::Sticky => "sticky",
            AssignorKind::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// Parses a protocol name as clients send it.
    pub fn from_protocol_name(name: &str) -> Option<Self> {
        match name {
            "range" => Some(AssignorKind::Range),
            "roundrobin" => Some(AssignorKind::RoundRobin),
            "sticky" => Some(AssignorKind::Sticky),
            "cooperative-sticky" => Some(AssignorKind::CooperativeSticky),
            _ => None,
        }
    }
}

impl fmt::Display for AssignorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.protocol_name())
    }
}

impl std::str::FromStr for AssignorKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_protocol_name(s).ok_or_else(|| {
            format!("assignor must be range, roundrobin, sticky or cooperative-sticky, not {s:?}")
        })
    }
}
