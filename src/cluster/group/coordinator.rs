//! The group coordinator, sans I/O (KIP-848's consumer protocol in [`consumer`]): JoinGroup, SyncGroup, Heartbeat,
//! LeaveGroup and offset-commit validation as state transitions that take `now` and report
//! events. Which broker hosts a group, and writing commits to `__consumer_offsets`, is the
//! cluster's business (`cluster::groups_host`).
//!
//! States: Empty → PreparingRebalance → CompletingRebalance → Stable, and back to
//! PreparingRebalance when a member joins, leaves, or misses its session timeout.

use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, RebalanceReason, RemovalReason};
use crate::cluster::snapshot::GroupState;
use crate::cluster::types::TopicPartition;
use std::collections::BTreeMap;

mod consumer;
mod model;
mod offsets;
mod rebalance;
#[cfg(test)]
mod tests;

pub use model::{CoordinatorConfig, Group, InitialDelay, JoinRequest, JoinResponse, Member};

/// The most groups a coordinator holds: the bound on its map (see [`GroupCoordinator::admit`]).
pub const GROUPS_MAX: usize = 10_000;

/// Every group of the lab (each lives on the broker its offsets partition's leader names).
#[derive(Clone, Debug)]
pub struct GroupCoordinator {
    config: CoordinatorConfig,
    groups: BTreeMap<String, Group>,
    next_member: u64,
}

impl GroupCoordinator {
    /// A coordinator with no groups.
    pub fn new(config: CoordinatorConfig) -> Self {
        Self {
            config,
            groups: BTreeMap::new(),
            next_member: 1,
        }
    }

    /// Groups in id order.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// One group.
    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.get(group_id)
    }

    /// The group `group_id`, made if new, when there is room for it: a full coordinator
    /// ([`GROUPS_MAX`]) first forgets its longest-idle Empty group with no members and no
    /// committed offsets; when none can go, a new group gets GROUP_MAX_SIZE_REACHED (Kafka's
    /// error for a full group limit, as `group.share.max.groups`).
    pub fn admit(&mut self, group_id: &str) -> Result<&mut Group, KafkaError> {
        if self.groups.len() >= GROUPS_MAX && !self.groups.contains_key(group_id) {
            let idlest = self
                .groups
                .values()
                .filter(|g| {
                    g.members.is_empty()
                        && g.committed.is_empty()
                        && g.consumer.as_ref().is_none_or(|c| c.members.is_empty())
                })
                .min_by_key(|g| g.empty_since_ms.unwrap_or(g.rebalance_started_ms))
                .map(|g| g.group_id.clone())
                .ok_or(KafkaError::GroupMaxSizeReached)?;
            self.groups.remove(&idlest);
        }
        Ok(self.group_mut(group_id))
    }

    /// A group, created Empty on first use (reloads and accepted commits: never refused; new
    /// groups go through [`Self::admit`]).
    pub fn group_mut(&mut self, group_id: &str) -> &mut Group {
        self.groups
            .entry(group_id.to_string())
            .or_insert_with(|| Group::new(group_id))
    }

    /// JoinGroup: registers or refreshes the member and returns its member id; the response comes
    /// from [`Self::join_result`] once every member has joined (or the rebalance timed out).
    pub fn join(
        &mut self,
        group_id: &str,
        req: JoinRequest,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> Result<String, KafkaError> {
        if req.session_timeout_ms < self.config.min_session_timeout_ms
            || req.session_timeout_ms > self.config.max_session_timeout_ms
        {
            return Err(KafkaError::InvalidSessionTimeout);
        }
        let initial_delay = self.config.initial_rebalance_delay_ms;
        let fresh_id = format!(
            "{}-{:04}",
            req.group_instance_id.as_deref().unwrap_or(&req.client_id),
            self.next_member
        );
        // Kafka's `supportsProtocols`: a member with no protocol is refused (before a group is
        // made for it), and one joining a group with members must name a protocol every current
        // member supports too.
        if req.protocols.is_empty() {
            return Err(KafkaError::InconsistentGroupProtocol);
        }
        let g = self.admit(group_id)?;
        // A group is one type or the other: a classic member cannot join a consumer-protocol
        // group that has members; an Empty one becomes classic again.
        match &g.consumer {
            Some(c) if !c.members.is_empty() => return Err(KafkaError::InconsistentGroupProtocol),
            Some(_) => g.consumer = None,
            None => {}
        }
        if !g.members.is_empty()
            && !req
                .protocols
                .iter()
                .any(|p| g.members.values().all(|m| m.protocols.contains(p)))
        {
            return Err(KafkaError::InconsistentGroupProtocol);
        }
        // Static member coming back: it takes over its old member id's place.
        let static_old = req.group_instance_id.as_ref().and_then(|iid| {
            g.members
                .values()
                .find(|m| m.group_instance_id.as_ref() == Some(iid))
                .map(|m| m.member_id.clone())
        });
        let new_member = req.member_id.is_none() && static_old.is_none();
        let member_id = match (&req.member_id, &static_old) {
            (Some(id), Some(old)) if id == old => id.clone(),
            (_, Some(old)) => {
                // A restarted static member: new id, same place, no rebalance when nothing changed.
                let Some(mut m) = g.members.remove(old) else {
                    return Err(KafkaError::UnknownMemberId);
                };
                let unchanged = m.topics == req.topics && m.protocols == req.protocols;
                m.member_id = fresh_id.clone();
                m.client_id = req.client_id.clone();
                m.last_heartbeat_ms = now;
                for (owner, _) in g.owners.values_mut() {
                    if owner == old {
                        *owner = fresh_id.clone();
                    }
                }
                if g.leader.as_deref() == Some(old) {
                    g.leader = Some(fresh_id.clone());
                }
                out.push(EventKind::MemberJoined {
                    group: group_id.to_string(),
                    member_id: fresh_id.clone(),
                    client_id: req.client_id.clone(),
                });
                if unchanged && g.state == GroupState::Stable {
                    m.join_response = Some(JoinResponse {
                        generation: g.generation,
                        protocol: g.protocol.clone().unwrap_or_default(),
                        leader: g.leader.clone().unwrap_or_default(),
                        member_id: fresh_id.clone(),
                        members: Vec::new(),
                    });
                    m.joined = true;
                    g.members.insert(fresh_id.clone(), m);
                    self.next_member += 1;
                    return Ok(fresh_id);
                }
                g.members.insert(fresh_id.clone(), m);
                self.next_member += 1;
                fresh_id
            }
            (Some(id), None) => {
                if !g.members.contains_key(id) {
                    return Err(KafkaError::UnknownMemberId);
                }
                id.clone()
            }
            (None, None) => {
                self.next_member += 1;
                let g = self.group_mut(group_id);
                g.members.insert(
                    fresh_id.clone(),
                    Member {
                        member_id: fresh_id.clone(),
                        group_instance_id: req.group_instance_id.clone(),
                        client_id: req.client_id.clone(),
                        protocols: req.protocols.clone(),
                        topics: req.topics.clone(),
                        owned: req.owned.clone(),
                        session_timeout_ms: req.session_timeout_ms,
                        rebalance_timeout_ms: req.rebalance_timeout_ms,
                        last_heartbeat_ms: now,
                        joined: false,
                        join_response: None,
                        assignment: Vec::new(),
                    },
                );
                out.push(EventKind::MemberJoined {
                    group: group_id.to_string(),
                    member_id: fresh_id.clone(),
                    client_id: req.client_id.clone(),
                });
                fresh_id
            }
        };
        let g = self.group_mut(group_id);
        let was_empty = g.state == GroupState::Empty;
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        let Some(m) = g.members.get_mut(&member_id) else {
            return Err(KafkaError::UnknownMemberId);
        };
        let changed =
            m.topics != req.topics || m.protocols != req.protocols || m.owned != req.owned;
        m.topics = req.topics;
        m.protocols = req.protocols;
        m.owned = req.owned;
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.last_heartbeat_ms = now;
        m.joined = true;
        match g.state {
            // A follower re-sending an unchanged join while Stable gets the current generation back.
            GroupState::Stable if !new_member && !changed && !is_leader && g.generation > 0 => {
                m.join_response = Some(JoinResponse {
                    generation: g.generation,
                    protocol: g.protocol.clone().unwrap_or_default(),
                    leader: g.leader.clone().unwrap_or_default(),
                    member_id: member_id.clone(),
                    members: Vec::new(),
                });
            }
            GroupState::PreparingRebalance => {
                if new_member && let Some(d) = g.initial_delay.as_mut() {
                    d.new_member_added = true;
                }
            }
            _ => {
                let member = member_id.clone();
                let reason = if was_empty {
                    RebalanceReason::JoinedEmptyGroup { member }
                } else if new_member {
                    RebalanceReason::Joined { member }
                } else {
                    RebalanceReason::Rejoined { member }
                };
                Self::start_rebalance(g, now, reason, out);
                if was_empty {
                    g.empty_since_ms = None;
                    let timeout = g.join_deadline_ms - now;
                    g.join_not_before_ms = now + initial_delay;
                    g.initial_delay = (initial_delay > 0).then_some(InitialDelay {
                        delay_ms: initial_delay,
                        remaining_ms: (timeout - initial_delay).max(0),
                        new_member_added: false,
                    });
                }
            }
        }
        Ok(member_id)
    }

    /// The member's JoinGroup response: `Ok(None)` while the join phase is still open.
    pub fn join_result(
        &self,
        group_id: &str,
        member_id: &str,
    ) -> Result<Option<JoinResponse>, KafkaError> {
        let m = self
            .groups
            .get(group_id)
            .and_then(|g| g.members.get(member_id))
            .ok_or(KafkaError::UnknownMemberId)?;
        Ok(m.join_response.clone())
    }

    /// SyncGroup: the leader hands in the assignment; everyone gets theirs back once it has.
    /// `Ok(None)` while waiting for the leader.
    pub fn sync(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        assignment: Option<&BTreeMap<String, Vec<TopicPartition>>>,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> Result<Option<Vec<TopicPartition>>, KafkaError> {
        let g = self
            .groups
            .get_mut(group_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        if !g.members.contains_key(member_id) {
            return Err(KafkaError::UnknownMemberId);
        }
        if generation != g.generation {
            return Err(KafkaError::IllegalGeneration);
        }
        match g.state {
            GroupState::PreparingRebalance => return Err(KafkaError::RebalanceInProgress),
            // A consumer-protocol state never reaches a classic member (it could not join).
            GroupState::Empty | GroupState::Dead | GroupState::Reconciling => {
                return Err(KafkaError::UnknownMemberId);
            }
            GroupState::CompletingRebalance => {
                if g.leader.as_deref() == Some(member_id)
                    && let Some(a) = assignment
                {
                    let mut shown = Vec::new();
                    for (id, m) in g.members.iter_mut() {
                        m.assignment = a.get(id).cloned().unwrap_or_default();
                        shown.push((id.clone(), m.assignment.clone()));
                        for tp in &m.assignment {
                            match g.owners.get(tp) {
                                None => {
                                    g.owners.insert(tp.clone(), (id.clone(), None));
                                }
                                Some((o, _)) if o != id => {
                                    g.owners.insert(tp.clone(), (id.clone(), Some(now)));
                                }
                                Some(_) => {}
                            }
                        }
                    }
                    let assigned: std::collections::BTreeSet<&TopicPartition> =
                        g.members.values().flat_map(|m| &m.assignment).collect();
                    g.owners.retain(|tp, _| assigned.contains(tp));
                    g.state = GroupState::Stable;
                    out.push(EventKind::GenerationAssigned {
                        group: group_id.to_string(),
                        generation: g.generation,
                        assignor: g.protocol.clone().unwrap_or_default(),
                        assignment: shown,
                    });
                }
            }
            GroupState::Stable => {}
        }
        let m = g
            .members
            .get_mut(member_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        m.last_heartbeat_ms = now;
        if g.state == GroupState::Stable {
            Ok(Some(m.assignment.clone()))
        } else {
            Ok(None)
        }
    }

    /// Heartbeat: keeps the session alive; tells the member when it must rejoin.
    pub fn heartbeat(
        &mut self,
        group_id: &str,
        member_id: &str,
        generation: i32,
        now: i64,
    ) -> Result<(), KafkaError> {
        let g = self
            .groups
            .get_mut(group_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        let state = g.state;
        let current = g.generation;
        let m = g
            .members
            .get_mut(member_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        m.last_heartbeat_ms = now;
        match state {
            GroupState::PreparingRebalance => Err(KafkaError::RebalanceInProgress),
            GroupState::CompletingRebalance => Err(KafkaError::RebalanceInProgress),
            _ if generation != current => Err(KafkaError::IllegalGeneration),
            _ => Ok(()),
        }
    }

    /// LeaveGroup: the member goes now and the others rebalance without waiting.
    pub fn leave(
        &mut self,
        group_id: &str,
        member_id: &str,
        now: i64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), KafkaError> {
        let g = self
            .groups
            .get_mut(group_id)
            .ok_or(KafkaError::UnknownMemberId)?;
        if g.members.remove(member_id).is_none() {
            return Err(KafkaError::UnknownMemberId);
        }
        out.push(EventKind::MemberRemoved {
            group: group_id.to_string(),
            member_id: member_id.to_string(),
            reason: RemovalReason::LeaveGroup,
        });
        let reason = RebalanceReason::Left {
            member: member_id.to_string(),
            group_empty: false,
        };
        Self::after_removal(g, now, reason, out);
        Ok(())
    }
}
