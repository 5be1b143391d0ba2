//! Why things happened, as small codes instead of sentences: the cluster sits below the text
//! catalogue, so it says *which* reason (Kafka's terms) and `text::event` says it in the chosen
//! language. `Display` is the English sentence, and each serializes as that sentence, so `--json`
//! and scripts see the same strings as before these were codes.

use crate::cluster::error::KafkaError;
use crate::cluster::types::BrokerId;
use serde::{Serialize, Serializer};
use std::fmt;

/// Why a partition got a new leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElectionReason {
    /// The previous leader crashed (session expired) or shut down.
    LeaderUnavailable {
        /// The leader that went away.
        leader: BrokerId,
    },
    /// The partition was just created.
    NewPartition,
    /// The partition had no leader and a replica came back.
    BackOnline,
    /// `unclean.leader.election.enable` let an out-of-sync replica lead.
    Unclean,
    /// The first replica (the preferred leader) is in sync again and takes leadership back.
    PreferredLeader,
}

impl fmt::Display for ElectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LeaderUnavailable { leader } => write!(f, "leader {leader} unavailable"),
            Self::NewPartition => f.write_str("new partition"),
            Self::BackOnline => f.write_str("partition back online"),
            Self::Unclean => f.write_str("unclean election"),
            Self::PreferredLeader => f.write_str("preferred leader is back in sync"),
        }
    }
}

/// Why a group began rebalancing (or, for its last member, became Empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RebalanceReason {
    /// The first member joined an empty group.
    JoinedEmptyGroup {
        /// Member id.
        member: String,
    },
    /// A new member joined.
    Joined {
        /// Member id.
        member: String,
    },
    /// A known member sent JoinGroup again (changed subscription, or after a poll timeout).
    Rejoined {
        /// Member id.
        member: String,
    },
    /// A member sent LeaveGroup.
    Left {
        /// Member id.
        member: String,
        /// It was the last one: the group is Empty now.
        group_empty: bool,
    },
    /// A member's `session.timeout.ms` ran out without a heartbeat.
    SessionExpired {
        /// Member id.
        member: String,
        /// It was the last one: the group is Empty now.
        group_empty: bool,
    },
}

impl RebalanceReason {
    /// The member the reason is about.
    pub fn member(&self) -> &str {
        match self {
            Self::JoinedEmptyGroup { member }
            | Self::Joined { member }
            | Self::Rejoined { member }
            | Self::Left { member, .. }
            | Self::SessionExpired { member, .. } => member,
        }
    }

    /// Whether the group is Empty after this (no rebalance follows).
    pub fn group_empty(&self) -> bool {
        matches!(
            self,
            Self::Left {
                group_empty: true,
                ..
            } | Self::SessionExpired {
                group_empty: true,
                ..
            }
        )
    }

    /// The same departure, marked as having emptied the group.
    pub(crate) fn emptied(self) -> Self {
        match self {
            Self::Left { member, .. } => Self::Left {
                member,
                group_empty: true,
            },
            Self::SessionExpired { member, .. } => Self::SessionExpired {
                member,
                group_empty: true,
            },
            other => other,
        }
    }
}

impl fmt::Display for RebalanceReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::JoinedEmptyGroup { member } => write!(f, "{member} joined an empty group")?,
            Self::Joined { member } => write!(f, "{member} joined")?,
            Self::Rejoined { member } => write!(f, "{member} rejoined")?,
            Self::Left { member, .. } => write!(f, "{member} left")?,
            Self::SessionExpired { member, .. } => write!(f, "{member}'s session expired")?,
        }
        if self.group_empty() {
            f.write_str("; the group is now Empty")?;
        }
        Ok(())
    }
}

/// Why the coordinator removed a member from its group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemovalReason {
    /// The member sent LeaveGroup (a clean close, or `max.poll.interval.ms` exceeded).
    LeaveGroup,
    /// No heartbeat within the member's `session.timeout.ms`.
    SessionTimeout {
        /// The member's `session.timeout.ms`.
        session_timeout_ms: i64,
    },
    /// It did not send JoinGroup again within `rebalance.timeout.ms`.
    RebalanceTimeout,
    /// A real cluster's DescribeGroups no longer lists it (`kafka-lab attach` sees that it went,
    /// not whether it left or timed out).
    NoLongerListed,
    /// A KIP-848 member sent no ConsumerGroupHeartbeat within the broker's
    /// `group.consumer.session.timeout.ms`.
    ConsumerSessionTimeout {
        /// `group.consumer.session.timeout.ms`.
        session_timeout_ms: i64,
    },
    /// A KIP-848 member did not confirm a revocation within its `rebalance.timeout.ms`.
    RevocationTimeout,
    /// A static member (`group.instance.id`) that had left with epoch -2 was replaced by its
    /// restarted instance, which took its partitions.
    Replaced,
}

impl fmt::Display for RemovalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LeaveGroup => f.write_str("left the group (LeaveGroup)"),
            Self::SessionTimeout { session_timeout_ms } => {
                write!(
                    f,
                    "no heartbeat for session.timeout.ms={session_timeout_ms}"
                )
            }
            Self::RebalanceTimeout => f.write_str("did not rejoin within rebalance.timeout.ms"),
            Self::NoLongerListed => {
                f.write_str("no longer listed by DescribeGroups (left, or its session timed out)")
            }
            Self::ConsumerSessionTimeout { session_timeout_ms } => write!(
                f,
                "no ConsumerGroupHeartbeat for group.consumer.session.timeout.ms={session_timeout_ms}"
            ),
            Self::RevocationTimeout => {
                f.write_str("did not revoke its partitions within rebalance.timeout.ms")
            }
            Self::Replaced => {
                f.write_str("replaced by a new member with the same group.instance.id")
            }
        }
    }
}

/// Why a replica's log lost its tail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TruncationReason {
    /// Its records past this leader epoch's end differ from the leader's (KIP-101).
    DivergentTail {
        /// The leader epoch the follower reconciled against.
        leader_epoch: i32,
    },
    /// Recovery at start found a torn or corrupt tail (a crash mid-write).
    Recovery {
        /// Bytes cut off.
        bytes: u64,
    },
}

impl fmt::Display for TruncationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DivergentTail { leader_epoch } => {
                write!(f, "divergent tail, leader epoch {leader_epoch} (KIP-101)")
            }
            Self::Recovery { bytes } => {
                write!(f, "recovery: {bytes} bytes of torn or corrupt tail")
            }
        }
    }
}

/// A failed produce as a producer reports it: Kafka's error, and whether it retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProduceError {
    /// Kafka's error.
    pub error: KafkaError,
    /// The producer will retry (a retriable error with retries left).
    pub retrying: bool,
    /// The batch failed for good because `delivery.timeout.ms` (this many ms) ran out;
    /// `error` is then the last error it met.
    pub expired_after_ms: Option<i64>,
}

impl fmt::Display for ProduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ms) = self.expired_after_ms {
            return write!(f, "delivery.timeout.ms ({ms} ms) expired");
        }
        write!(f, "{}", self.error)?;
        if self.retrying {
            f.write_str(", retrying")?;
        }
        Ok(())
    }
}

/// Serializes each reason as its English sentence, the string `--json` has always carried.
macro_rules! serialize_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}

serialize_as_text!(
    ElectionReason,
    RebalanceReason,
    RemovalReason,
    TruncationReason,
    ProduceError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_the_sentences_they_replaced() {
        let leader = ElectionReason::LeaderUnavailable { leader: 1 };
        assert_eq!(leader.to_string(), "leader 1 unavailable");
        let left = RebalanceReason::Left {
            member: "c-1".into(),
            group_empty: false,
        };
        assert_eq!(left.to_string(), "c-1 left");
        assert_eq!(
            left.emptied().to_string(),
            "c-1 left; the group is now Empty"
        );
        let gone = RemovalReason::SessionTimeout {
            session_timeout_ms: 45_000,
        };
        assert_eq!(
            gone.to_string(),
            "no heartbeat for session.timeout.ms=45000"
        );
        let e = ProduceError {
            error: KafkaError::NotEnoughReplicas,
            retrying: true,
            expired_after_ms: None,
        };
        assert_eq!(e.to_string(), "NOT_ENOUGH_REPLICAS, retrying");
    }

    #[test]
    fn json_carries_the_english_sentence() {
        let json = serde_json::to_string(&TruncationReason::DivergentTail { leader_epoch: 4 })
            .expect("serializes");
        assert_eq!(json, "\"divergent tail, leader epoch 4 (KIP-101)\"");
    }
}
