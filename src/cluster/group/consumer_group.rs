//! KIP-848 consumer groups (`group.protocol=consumer`), sans I/O: the coordinator computes the
//! target assignment with a server-side assignor (`uniform` or `range`) whenever the group epoch
//! moves, and each member reconciles towards it on its own heartbeats. There is no global
//! barrier: a member only waits for the partitions it gains to be released by their previous
//! owner, and only revokes what moves away from it.
//!
//! Epochs: the group epoch rises when membership or subscriptions change; the target assignment
//! carries the epoch it was computed at; a member's epoch reaches the target's once it has revoked
//! what it must give up.

use crate::cluster::error::KafkaError;
use crate::cluster::group::{MemberSubscription, assign};
use crate::cluster::types::{AssignorKind, TopicPartition};
use std::collections::{BTreeMap, BTreeSet};

mod heartbeat;
#[cfg(test)]
mod tests;

pub use heartbeat::{
    ConsumerHeartbeat, HeartbeatAnswer, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
};

/// `group.consumer.assignors`: the server-side assignors a member may name in
/// `group.remote.assignor`; the first is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ServerAssignor {
    /// `uniform` (Kafka's default): balanced, keeping partitions where they are.
    Uniform,
    /// `range`: per topic, contiguous ranges to members sorted by member id.
    Range,
}

impl ServerAssignor {
    /// The name clients send in `group.remote.assignor`.
    pub fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }

    /// Parses an assignor name; `None` for one the broker does not have.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "uniform" => Some(ServerAssignor::Uniform),
            "range" => Some(ServerAssignor::Range),
            _ => None,
        }
    }
}

impl std::fmt::Display for ServerAssignor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a member stands against the target assignment (Kafka's `MemberState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MemberState {
    /// It owns exactly its target (or all of it that is free).
    Stable,
    /// It was told to give partitions up and has not confirmed yet; its epoch waits.
    UnrevokedPartitions,
    /// It is at the target epoch but some partitions it gains still belong to others.
    UnreleasedPartitions,
}

impl std::fmt::Display for MemberState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemberState::Stable => "STABLE",
            MemberState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            MemberState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        })
    }
}

/// One member of a consumer-protocol group.
#[derive(Clone, Debug)]
pub struct ConsumerMember {
    /// Member id (the client's own UUID in Kafka 4; the lab makes one when it sends none).
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// The regex it subscribed with (then `topics` is what it matched at its last heartbeat).
    pub topic_regex: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// The member epoch: the target assignment epoch it last reached (-2 while a static member
    /// is away).
    pub member_epoch: i32,
    /// Its epoch before the last bump: a heartbeat with it is still accepted (a lost response).
    pub previous_member_epoch: i32,
    /// Reconciliation state.
    pub state: MemberState,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// `group.remote.assignor`, when it asked for one.
    pub assignor: Option<ServerAssignor>,
    /// Partitions the coordinator has given it (what the last answer listed).
    pub assigned: Vec<TopicPartition>,
    /// Partitions it was told to give up and still owns until it confirms.
    pub revoking: Vec<TopicPartition>,
    /// When its last heartbeat arrived.
    pub last_heartbeat_ms: i64,
    /// `group.consumer.session.timeout.ms` (broker side under KIP-848).
    pub session_timeout_ms: i64,
    /// `rebalance.timeout.ms` (the Java client sends `max.poll.interval.ms`): how long it may
    /// take to revoke.
    pub rebalance_timeout_ms: i64,
    /// Since when it has owed a revocation, if it does.
    pub revoking_since_ms: Option<i64>,
}

/// The KIP-848 state of a group.
#[derive(Clone, Debug, Default)]
pub struct ConsumerGroup {
    /// The group epoch: bumped by every change of members or subscriptions.
    pub group_epoch: i32,
    /// The epoch the target assignment was computed at.
    pub assignment_epoch: i32,
    /// Members by id.
    pub members: BTreeMap<String, ConsumerMember>,
    /// The target assignment: what each member should own once reconciled.
    pub target: BTreeMap<String, Vec<TopicPartition>>,
    /// The assignor the target was last computed with.
    pub assignor: Option<ServerAssignor>,
    /// Partition counts of the subscribed topics when the target was computed; a change (a
    /// topic created or grown) bumps the group epoch, as Kafka's metadata hash does.
    pub topic_partitions: BTreeMap<String, i32>,
}

impl ConsumerGroup {
    /// Who owns each partition right now: a member it is assigned to, or one still revoking it.
    pub fn owners(&self) -> BTreeMap<TopicPartition, String> {
        let mut out = BTreeMap::new();
        for m in self.members.values() {
            for tp in m.assigned.iter().chain(&m.revoking) {
                out.insert(tp.clone(), m.member_id.clone());
            }
        }
        out
    }

    /// Kafka's consumer-group states: Empty, Reconciling (some member is not yet at the target
    /// epoch or still waits for partitions), Stable.
    pub fn state_name(&self) -> &'static str {
        if self.members.is_empty() {
            "Empty"
        } else if self.assignment_epoch < self.group_epoch {
            "Assigning"
        } else if self
            .members
            .values()
            .filter(|m| m.member_epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH)
            .any(|m| m.member_epoch != self.assignment_epoch || m.state != MemberState::Stable)
        {
            "Reconciling"
        } else {
            "Stable"
        }
    }

    /// The assignor the group uses: the one most members asked for, else `uniform` (Kafka
    /// picks the most requested, ties to the first configured).
    fn chosen_assignor(&self) -> ServerAssignor {
        let asked = |a| {
            self.members
                .values()
                .filter(|m| m.assignor == Some(a))
                .count()
        };
        if asked(ServerAssignor::Range) > asked(ServerAssignor::Uniform) {
            ServerAssignor::Range
        } else {
            ServerAssignor::Uniform
        }
    }

    /// Bumps the group epoch and computes a new target assignment at it.
    pub(crate) fn bump_and_assign(&mut self, partitions: &BTreeMap<String, i32>) {
        self.group_epoch += 1;
        let assignor = self.chosen_assignor();
        let subs: Vec<MemberSubscription> = self
            .members
            .values()
            .map(|m| MemberSubscription {
                member_id: m.member_id.clone(),
                topics: m.topics.clone(),
                // The uniform assignor is sticky to the current target.
                owned: self.target.get(&m.member_id).cloned().unwrap_or_default(),
            })
            .collect();
        let kind = match assignor {
            ServerAssignor::Uniform => AssignorKind::Sticky,
            ServerAssignor::Range => AssignorKind::Range,
        };
        let topics: BTreeSet<&String> = self.members.values().flat_map(|m| &m.topics).collect();
        self.topic_partitions = topics
            .into_iter()
            .filter_map(|t| Some((t.clone(), *partitions.get(t)?)))
            .collect();
        self.target = assign(kind, &subs, &self.topic_partitions);
        self.assignment_epoch = self.group_epoch;
        self.assignor = Some(assignor);
    }

    /// Whether the subscribed topics' partition counts differ from the target's.
    pub(crate) fn metadata_changed(&self, partitions: &BTreeMap<String, i32>) -> bool {
        let topics: BTreeSet<&String> = self.members.values().flat_map(|m| &m.topics).collect();
        let now: BTreeMap<String, i32> = topics
            .into_iter()
            .filter_map(|t| Some((t.clone(), *partitions.get(t)?)))
            .collect();
        now != self.topic_partitions
    }

    /// Validates an OffsetCommit or OffsetFetch carrying `member_epoch` from `member_id`.
    pub fn validate_offset_request(
        &self,
        member_id: &str,
        member_epoch: i32,
    ) -> Result<(), KafkaError> {
        let m = self
            .members
            .get(member_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        if member_epoch == m.member_epoch {
            Ok(())
        } else {
            Err(KafkaError::StaleMemberEpoch)
        }
    }
}
