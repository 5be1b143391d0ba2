//! `ConsumerGroupHeartbeat` (API 68): joining (epoch 0), leaving (epoch -1), fencing, and one
//! member's step of incremental reconciliation (Kafka's `CurrentAssignmentBuilder`).

use super::{ConsumerGroup, ConsumerMember, MemberState, ServerAssignor};
use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, RemovalReason};
use crate::cluster::types::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// The member epoch a member sends to leave the group.
pub const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// The member epoch a static member (`group.instance.id`) sends when it shuts down: it keeps
/// its partitions until its session expires, so a restart within it takes them back.
pub const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;

/// A `ConsumerGroupHeartbeat` request as the coordinator needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerHeartbeat {
    /// The member id (Kafka 4 clients make their own UUID; empty asks the coordinator for one).
    pub member_id: String,
    /// 0 to join, -1 to leave, else the epoch the member holds.
    pub member_epoch: i32,
    /// `client.id`.
    pub client_id: String,
    /// `rebalance.timeout.ms` (-1: unchanged).
    pub rebalance_timeout_ms: i64,
    /// Subscribed topics, or `None` when unchanged since the last heartbeat.
    pub topics: Option<Vec<String>>,
    /// `group.remote.assignor`, or `None` for the broker's default.
    pub assignor: Option<String>,
    /// The partitions the member owns now, or `None` when unchanged.
    pub owned: Option<Vec<TopicPartition>>,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// A regular expression (RE2J syntax) subscribing to every topic whose whole name matches
    /// it, or `None` when unchanged; it replaces `topics` when set.
    pub topic_regex: Option<String>,
}

/// The answer to a heartbeat.
#[derive(Clone, Debug, PartialEq)]
pub struct HeartbeatAnswer {
    /// The member id.
    pub member_id: String,
    /// The member's epoch after this heartbeat.
    pub member_epoch: i32,
    /// `group.consumer.heartbeat.interval.ms`.
    pub heartbeat_interval_ms: i64,
    /// The partitions the member should own now, when they differ from what it reported.
    pub assignment: Option<Vec<TopicPartition>>,
}

impl ConsumerGroup {
    /// One heartbeat from a member: joins, leaves, or advances its reconciliation. `partitions`
    /// gives every topic's partition count; `session_timeout_ms` and `heartbeat_interval_ms`
    /// are the broker's `group.consumer.*` settings.
    #[allow(clippy::too_many_arguments)]
    pub fn heartbeat(
        &mut self,
        group_id: &str,
        req: ConsumerHeartbeat,
        partitions: &BTreeMap<String, i32>,
        session_timeout_ms: i64,
        heartbeat_interval_ms: i64,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> Result<HeartbeatAnswer, KafkaError> {
        let assignor = match req.assignor.as_deref() {
            None | Some("") => None,
            Some(name) => {
                Some(ServerAssignor::from_name(name).ok_or(KafkaError::UnsupportedAssignor)?)
            }
        };
        if req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
            // A static member going away for a restart: it keeps its place and partitions,
            // and no rebalance starts; its session timeout removes it if it does not return.
            let m = self
                .members
                .get_mut(&req.member_id)
                .ok_or(KafkaError::UnknownMemberId)?;
            if m.instance_id.is_none() || m.instance_id != req.instance_id {
                return Err(KafkaError::FencedInstanceId);
            }
            // The epoch it had is kept as its previous one: its next instance resumes at it.
            if m.member_epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH {
                m.previous_member_epoch = m.member_epoch;
            }
            m.member_epoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
            // Its session runs from the leave, as Kafka's static-member timer does.
            m.last_heartbeat_ms = now;
            return Ok(HeartbeatAnswer {
                member_id: req.member_id,
                member_epoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
                heartbeat_interval_ms,
                assignment: None,
            });
        }
        if req.member_epoch == LEAVE_GROUP_MEMBER_EPOCH {
            if self.members.remove(&req.member_id).is_none() {
                return Err(KafkaError::UnknownMemberId);
            }
            out.push(EventKind::MemberRemoved {
                group: group_id.to_string(),
                member_id: req.member_id.clone(),
                reason: RemovalReason::LeaveGroup,
            });
            self.bump_and_announce(group_id, partitions, out);
            return Ok(HeartbeatAnswer {
                member_id: req.member_id,
                member_epoch: LEAVE_GROUP_MEMBER_EPOCH,
                heartbeat_interval_ms,
                assignment: None,
            });
        }
        let regex = match req.topic_regex.as_deref() {
            None => None,
            Some(r) => Some(subscription_regex(r)?),
        };
        let matching = |re: &regex::Regex| -> Vec<String> {
            partitions
                .keys()
                .filter(|t| !t.starts_with("__") && re.is_match(t))
                .cloned()
                .collect()
        };
        let mut changed = false;
        if req.member_epoch == 0
            && let Some(iid) = req.instance_id.as_deref()
            && let Some(old) = self
                .members
                .values()
                .find(|m| m.instance_id.as_deref() == Some(iid) && m.member_id != req.member_id)
                .map(|m| (m.member_id.clone(), m.member_epoch))
        {
            // Kafka's static membership: a member that left with epoch -2 is replaced by the new
            // one, which takes its epoch and partitions without a rebalance; one still active
            // keeps the instance id.
            if old.1 != LEAVE_GROUP_STATIC_MEMBER_EPOCH {
                return Err(KafkaError::UnreleasedInstanceId);
            }
            let Some(mut m) = self.members.remove(&old.0) else {
                return Err(KafkaError::UnknownMemberId);
            };
            out.push(EventKind::MemberRemoved {
                group: group_id.to_string(),
                member_id: old.0.clone(),
                reason: RemovalReason::Replaced,
            });
            m.member_id = req.member_id.clone();
            m.client_id = req.client_id.clone();
            m.member_epoch = m.previous_member_epoch;
            m.last_heartbeat_ms = now;
            if let Some(t) = self.target.remove(&old.0) {
                self.target.insert(req.member_id.clone(), t);
            }
            out.push(EventKind::MemberJoined {
                group: group_id.to_string(),
                member_id: req.member_id.clone(),
                client_id: req.client_id.clone(),
            });
            let epoch = m.member_epoch;
            let assigned = m.assigned.clone();
            self.members.insert(req.member_id.clone(), m);
            return Ok(HeartbeatAnswer {
                member_id: req.member_id,
                member_epoch: epoch,
                heartbeat_interval_ms,
                assignment: Some(assigned),
            });
        }
        if req.member_epoch == 0 {
            // A join, or a fenced member rejoining: it starts over with nothing.
            let topics = match (&regex, req.topics.clone()) {
                (Some(re), _) => matching(re),
                (None, Some(t)) => t,
                (None, None) => return Err(KafkaError::InvalidRequest),
            };
            let fresh = ConsumerMember {
                member_id: req.member_id.clone(),
                instance_id: req.instance_id.clone(),
                topic_regex: req.topic_regex.clone(),
                client_id: req.client_id.clone(),
                member_epoch: 0,
                previous_member_epoch: 0,
                state: MemberState::Stable,
                topics,
                assignor,
                assigned: Vec::new(),
                revoking: Vec::new(),
                last_heartbeat_ms: now,
                session_timeout_ms,
                rebalance_timeout_ms: req.rebalance_timeout_ms.max(0),
                revoking_since_ms: None,
            };
            if self.members.insert(req.member_id.clone(), fresh).is_none() {
                out.push(EventKind::MemberJoined {
                    group: group_id.to_string(),
                    member_id: req.member_id.clone(),
                    client_id: req.client_id.clone(),
                });
            }
            changed = true;
        } else {
            let m = self
                .members
                .get_mut(&req.member_id)
                .ok_or(KafkaError::UnknownMemberId)?;
            // A lost answer leaves the member one epoch behind with what it had: accepted.
            let lost_answer = req.member_epoch == m.previous_member_epoch
                && req
                    .owned
                    .as_ref()
                    .is_some_and(|o| o.iter().all(|tp| m.assigned.contains(tp)));
            if req.member_epoch != m.member_epoch && !lost_answer {
                return Err(KafkaError::FencedMemberEpoch);
            }
            m.last_heartbeat_ms = now;
            if req.rebalance_timeout_ms >= 0 {
                m.rebalance_timeout_ms = req.rebalance_timeout_ms;
            }
            if req.topic_regex.is_some() {
                m.topic_regex = req.topic_regex.clone();
            } else if req.topics.is_some() {
                m.topic_regex = None;
            }
            // A regex subscription is resolved again at every heartbeat, so a topic created
            // since joins it (Kafka refreshes regexes as metadata changes).
            let topics = match (&regex, &m.topic_regex) {
                (Some(re), _) => Some(matching(re)),
                (None, Some(r)) => Some(matching(&subscription_regex(r)?)),
                (None, None) => req.topics.clone(),
            };
            if let Some(t) = topics
                && t != m.topics
            {
                m.topics = t;
                changed = true;
            }
            if assignor.is_some() && assignor != m.assignor {
                m.assignor = assignor;
                changed = true;
            }
        }
        if changed || self.metadata_changed(partitions) {
            self.bump_and_announce(group_id, partitions, out);
        }
        let assignment = self.reconcile(group_id, &req.member_id, req.owned.as_deref(), now, out);
        let m = self
            .members
            .get(&req.member_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        let reported_differs = req.owned.as_ref().is_some_and(|o| {
            let o: BTreeSet<_> = o.iter().collect();
            o != m.assigned.iter().collect()
        });
        Ok(HeartbeatAnswer {
            member_id: m.member_id.clone(),
            member_epoch: m.member_epoch,
            heartbeat_interval_ms,
            assignment: (assignment || req.member_epoch == 0 || reported_differs)
                .then(|| m.assigned.clone()),
        })
    }

    /// Bumps the group epoch, computes the target and puts it on the timeline.
    pub(crate) fn bump_and_announce(
        &mut self,
        group_id: &str,
        partitions: &BTreeMap<String, i32>,
        out: &mut Vec<EventKind>,
    ) {
        self.bump_and_assign(partitions);
        out.push(EventKind::TargetAssignment {
            group: group_id.to_string(),
            group_epoch: self.group_epoch,
            assignor: self.assignor.unwrap_or(ServerAssignor::Uniform).to_string(),
            assignment: self
                .target
                .iter()
                .map(|(m, tps)| (m.clone(), tps.clone()))
                .collect(),
        });
    }

    /// One reconciliation step for `member_id`, given what it reports it owns. Returns whether
    /// its assignment changed.
    fn reconcile(
        &mut self,
        group_id: &str,
        member_id: &str,
        owned: Option<&[TopicPartition]>,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> bool {
        let target_epoch = self.assignment_epoch;
        let target: Vec<TopicPartition> = self.target.get(member_id).cloned().unwrap_or_default();
        // Partitions other members hold (assigned or still revoking): not free to give out.
        let held_by_others: BTreeSet<TopicPartition> = self
            .members
            .values()
            .filter(|o| o.member_id != member_id)
            .flat_map(|o| o.assigned.iter().chain(&o.revoking).cloned())
            .collect();
        let Some(m) = self.members.get_mut(member_id) else {
            return false;
        };
        if m.state == MemberState::UnrevokedPartitions {
            // Revoked once the member no longer reports any of them.
            let released = owned.is_some_and(|o| !o.iter().any(|tp| m.revoking.contains(tp)));
            if !released {
                return false;
            }
            m.revoking.clear();
            m.revoking_since_ms = None;
        }
        if m.member_epoch == target_epoch && m.state == MemberState::Stable {
            return false;
        }
        let revoke: Vec<TopicPartition> = m
            .assigned
            .iter()
            .filter(|tp| !target.contains(tp))
            .cloned()
            .collect();
        if !revoke.is_empty() {
            // Give up first; the epoch moves on once the member confirms.
            m.assigned.retain(|tp| target.contains(tp));
            m.revoking = revoke;
            m.revoking_since_ms = Some(now);
            m.state = MemberState::UnrevokedPartitions;
            return true;
        }
        let before = m.assigned.clone();
        for tp in &target {
            if !m.assigned.contains(tp) && !held_by_others.contains(tp) {
                m.assigned.push(tp.clone());
            }
        }
        m.assigned.sort();
        let unreleased = target.iter().any(|tp| !m.assigned.contains(tp));
        m.state = if unreleased {
            MemberState::UnreleasedPartitions
        } else {
            MemberState::Stable
        };
        if m.member_epoch != target_epoch {
            m.previous_member_epoch = m.member_epoch;
            m.member_epoch = target_epoch;
            out.push(EventKind::MemberEpoch {
                group: group_id.to_string(),
                member_id: member_id.to_string(),
                member_epoch: target_epoch,
                assigned: m.assigned.clone(),
                unreleased: target
                    .iter()
                    .filter(|tp| !m.assigned.contains(tp))
                    .cloned()
                    .collect(),
            });
        } else if m.assigned != before {
            out.push(EventKind::MemberEpoch {
                group: group_id.to_string(),
                member_id: member_id.to_string(),
                member_epoch: target_epoch,
                assigned: m.assigned.clone(),
                unreleased: Vec::new(),
            });
        }
        m.assigned != before
    }

    /// Removes members whose session expired (`group.consumer.session.timeout.ms`) or that did
    /// not revoke within their rebalance timeout, and reassigns their partitions.
    pub fn expire(
        &mut self,
        group_id: &str,
        partitions: &BTreeMap<String, i32>,
        now: i64,
        out: &mut Vec<EventKind>,
    ) {
        let gone: Vec<(String, RemovalReason)> = self
            .members
            .values()
            .filter_map(|m| {
                if now - m.last_heartbeat_ms > m.session_timeout_ms {
                    Some((
                        m.member_id.clone(),
                        RemovalReason::ConsumerSessionTimeout {
                            session_timeout_ms: m.session_timeout_ms,
                        },
                    ))
                } else if m.revoking_since_ms.is_some_and(|at| {
                    m.rebalance_timeout_ms > 0 && now - at > m.rebalance_timeout_ms
                }) {
                    Some((m.member_id.clone(), RemovalReason::RevocationTimeout))
                } else {
                    None
                }
            })
            .collect();
        if gone.is_empty() {
            if !self.members.is_empty() && self.metadata_changed(partitions) {
                self.bump_and_announce(group_id, partitions, out);
            }
            return;
        }
        for (id, reason) in gone {
            self.members.remove(&id);
            out.push(EventKind::MemberRemoved {
                group: group_id.to_string(),
                member_id: id,
                reason,
            });
        }
        self.bump_and_announce(group_id, partitions, out);
    }
}

/// Compiles a subscription regex as Kafka matches it: the whole topic name (RE2J's `matches`).
fn subscription_regex(r: &str) -> Result<regex::Regex, KafkaError> {
    regex::Regex::new(&format!("^(?:{r})$")).map_err(|_| KafkaError::InvalidRegularExpression)
}
