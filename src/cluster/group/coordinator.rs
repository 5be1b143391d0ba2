//! The classic-protocol group coordinator, sans I/O: JoinGroup, SyncGroup, Heartbeat,
//! LeaveGroup and offset-commit validation as state transitions that take `now` and report
//! events. Which broker hosts a group, and writing commits to `__consumer_offsets`, is the
//! cluster's business (`cluster::groups_host`).
//!
//! States: Empty → PreparingRebalance → CompletingRebalance → Stable, and back to
//! PreparingRebalance when a member joins, leaves, or misses its session timeout.

use super::OffsetAndMetadata;
use crate::cluster::error::KafkaError;
use crate::cluster::event::EventKind;
use crate::cluster::snapshot::GroupState;
use crate::cluster::types::TopicPartition;
use std::collections::BTreeMap;

/// A JoinGroup request, with the consumer protocol's subscription already decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinRequest {
    /// Empty for a new member; the coordinator assigns one.
    pub member_id: Option<String>,
    /// `group.instance.id` for static members.
    pub group_instance_id: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// Assignor protocol names in the member's preference order.
    pub protocols: Vec<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Partitions the member owns now (cooperative rebalancing).
    pub owned: Vec<TopicPartition>,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i64,
    /// `rebalance.timeout.ms` (the Java consumer sends `max.poll.interval.ms`).
    pub rebalance_timeout_ms: i64,
}

/// A JoinGroup response.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinResponse {
    /// The generation the member joined.
    pub generation: i32,
    /// The chosen assignor protocol.
    pub protocol: String,
    /// Member id of the leader.
    pub leader: String,
    /// This member's id.
    pub member_id: String,
    /// For the leader only: every member's subscription, to compute the assignment from.
    pub members: Vec<(String, Vec<String>, Vec<TopicPartition>)>,
}

/// One member as the coordinator keeps it.
#[derive(Clone, Debug)]
pub struct Member {
    /// Member id.
    pub member_id: String,
    /// `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// Assignor protocols, in preference order.
    pub protocols: Vec<String>,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Owned partitions it reported at its last join.
    pub owned: Vec<TopicPartition>,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i64,
    /// `rebalance.timeout.ms`.
    pub rebalance_timeout_ms: i64,
    /// Last heartbeat (or join / sync, which count as one).
    pub last_heartbeat_ms: i64,
    /// Whether it has joined the rebalance in progress.
    pub joined: bool,
    /// Its JoinGroup response, once the join phase completed.
    pub join_response: Option<JoinResponse>,
    /// Its assignment in the current generation.
    pub assignment: Vec<TopicPartition>,
}

/// One group.
#[derive(Clone, Debug)]
pub struct Group {
    /// `group.id`.
    pub group_id: String,
    /// Classic-protocol state.
    pub state: GroupState,
    /// Generation id.
    pub generation: i32,
    /// Chosen protocol in the current generation.
    pub protocol: Option<String>,
    /// Leader member id.
    pub leader: Option<String>,
    /// Members by id.
    pub members: BTreeMap<String, Member>,
    /// When the join phase may complete at the earliest (initial rebalance delay).
    pub join_not_before_ms: i64,
    /// When the join phase completes even if members are missing (rebalance timeout).
    pub join_deadline_ms: i64,
    /// Committed offsets with their metadata, as loaded from `__consumer_offsets` and updated by
    /// commits.
    pub committed: BTreeMap<TopicPartition, OffsetAndMetadata>,
    /// Owner of each partition in the current generation, and when it last changed.
    pub owners: BTreeMap<TopicPartition, (String, i64)>,
}

impl Group {
    fn new(group_id: &str) -> Self {
        Self {
            group_id: group_id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            join_not_before_ms: 0,
            join_deadline_ms: 0,
            committed: BTreeMap::new(),
            owners: BTreeMap::new(),
        }
    }
}

/// Settings the coordinator enforces (broker-side group configs).
#[derive(Clone, Copy, Debug)]
pub struct CoordinatorConfig {
    /// `group.initial.rebalance.delay.ms`: wait for more members when an empty group gets its first.
    pub initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms`.
    pub min_session_timeout_ms: i64,
    /// `group.max.session.timeout.ms`.
    pub max_session_timeout_ms: i64,
}

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

    /// A group, created Empty on first use.
    pub fn group_mut(&mut self, group_id: &str) -> &mut Group {
        self.groups
            .entry(group_id.to_string())
            .or_insert_with(|| Group::new(group_id))
    }

    fn start_rebalance(g: &mut Group, now: i64, reason: String, out: &mut Vec<EventKind>) {
        for m in g.members.values_mut() {
            m.join_response = None;
        }
        if g.state == GroupState::PreparingRebalance {
            return;
        }
        out.push(EventKind::RebalanceStarted {
            group: g.group_id.clone(),
            reason,
        });
        g.state = GroupState::PreparingRebalance;
        let timeout = g
            .members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0);
        g.join_deadline_ms = now + timeout;
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
        let g = self.group_mut(group_id);
        if let Some(p) = &g.protocol
            && !g.members.is_empty()
            && !req.protocols.contains(p)
            && !g
                .members
                .values()
                .all(|m| m.protocols.iter().any(|x| req.protocols.contains(x)))
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
            GroupState::PreparingRebalance => {}
            _ => {
                let reason = if was_empty {
                    format!("{member_id} joined an empty group")
                } else if new_member {
                    format!("{member_id} joined")
                } else {
                    format!("{member_id} rejoined")
                };
                Self::start_rebalance(g, now, reason, out);
                if was_empty {
                    g.join_not_before_ms = now + initial_delay;
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
            GroupState::Empty | GroupState::Dead => return Err(KafkaError::UnknownMemberId),
            GroupState::CompletingRebalance => {
                if g.leader.as_deref() == Some(member_id)
                    && let Some(a) = assignment
                {
                    let mut shown = Vec::new();
                    for (id, m) in g.members.iter_mut() {
                        m.assignment = a.get(id).cloned().unwrap_or_default();
                        shown.push((id.clone(), m.assignment.clone()));
                        for tp in &m.assignment {
                            let moved = g.owners.get(tp).is_none_or(|(o, _)| o != id);
                            if moved {
                                g.owners.insert(tp.clone(), (id.clone(), now));
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
            reason: "left the group (LeaveGroup)".into(),
        });
        Self::after_removal(g, now, format!("{member_id} left"), out);
        Ok(())
    }

    fn after_removal(g: &mut Group, now: i64, reason: String, out: &mut Vec<EventKind>) {
        if g.members.is_empty() {
            if g.state != GroupState::Empty {
                g.generation += 1;
                g.state = GroupState::Empty;
                g.leader = None;
                g.owners.clear();
                out.push(EventKind::RebalanceStarted {
                    group: g.group_id.clone(),
                    reason: format!("{reason}; the group is now Empty"),
                });
            }
            return;
        }
        Self::start_rebalance(g, now, reason, out);
    }

    /// Checks an OffsetCommit from `member_id` in `generation` (`None` and -1 for a consumer
    /// that assigns partitions itself, allowed only while the group has no members).
    pub fn validate_commit(
        &self,
        group_id: &str,
        member_id: Option<&str>,
        generation: i32,
    ) -> Result<(), KafkaError> {
        let Some(g) = self.groups.get(group_id) else {
            return match member_id {
                None => Ok(()),
                Some(_) => Err(KafkaError::UnknownMemberId),
            };
        };
        match member_id {
            None if g.members.is_empty() => Ok(()),
            None => Err(KafkaError::UnknownMemberId),
            Some(id) if !g.members.contains_key(id) => Err(KafkaError::UnknownMemberId),
            Some(_) if generation != g.generation => Err(KafkaError::IllegalGeneration),
            Some(_) if g.state == GroupState::CompletingRebalance => {
                Err(KafkaError::RebalanceInProgress)
            }
            Some(_) => Ok(()),
        }
    }

    /// Records a commit that `__consumer_offsets` has accepted.
    pub fn apply_commit(&mut self, group_id: &str, tp: TopicPartition, c: &OffsetAndMetadata) {
        self.group_mut(group_id).committed.insert(tp, c.clone());
    }

    /// Resets heartbeat deadlines (a coordinator that just loaded a group gives members a fresh
    /// session, as Kafka's does) and replaces the offsets cache with what was loaded.
    pub fn load(
        &mut self,
        group_id: &str,
        committed: BTreeMap<TopicPartition, OffsetAndMetadata>,
        now: i64,
    ) {
        let g = self.group_mut(group_id);
        g.committed = committed;
        for m in g.members.values_mut() {
            m.last_heartbeat_ms = now;
        }
    }

    /// Advances timers of the groups `available` says are hosted right now: removes members whose
    /// session expired and completes join phases.
    pub fn tick(&mut self, now: i64, available: impl Fn(&str) -> bool, out: &mut Vec<EventKind>) {
        for g in self.groups.values_mut() {
            if !available(&g.group_id) {
                continue;
            }
            let expired: Vec<(String, i64)> = g
                .members
                .values()
                .filter(|m| {
                    // Members waiting in JoinGroup are bounded by the rebalance timeout instead.
                    let waiting = g.state == GroupState::PreparingRebalance && m.joined;
                    !waiting && now - m.last_heartbeat_ms > m.session_timeout_ms
                })
                .map(|m| (m.member_id.clone(), m.session_timeout_ms))
                .collect();
            for (id, timeout) in expired {
                g.members.remove(&id);
                out.push(EventKind::MemberRemoved {
                    group: g.group_id.clone(),
                    member_id: id.clone(),
                    reason: format!("no heartbeat for session.timeout.ms={timeout}"),
                });
                Self::after_removal(g, now, format!("{id}'s session expired"), out);
            }
            if g.state == GroupState::PreparingRebalance {
                let all_joined = g.members.values().all(|m| m.joined);
                let ready = all_joined && now >= g.join_not_before_ms;
                if ready || now >= g.join_deadline_ms.max(g.join_not_before_ms) {
                    Self::complete_join(g, out);
                }
            }
        }
    }

    fn complete_join(g: &mut Group, out: &mut Vec<EventKind>) {
        let late: Vec<String> = g
            .members
            .values()
            .filter(|m| !m.joined)
            .map(|m| m.member_id.clone())
            .collect();
        for id in late {
            g.members.remove(&id);
            out.push(EventKind::MemberRemoved {
                group: g.group_id.clone(),
                member_id: id,
                reason: "did not rejoin within rebalance.timeout.ms".into(),
            });
        }
        g.generation += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.leader = None;
            return;
        }
        // The protocol every member supports that ranks best across their preferences.
        let first = g.members.values().next().map(|m| m.protocols.clone());
        let protocol = first
            .unwrap_or_default()
            .into_iter()
            .filter(|p| g.members.values().all(|m| m.protocols.contains(p)))
            .min_by_key(|p| {
                g.members
                    .values()
                    .map(|m| m.protocols.iter().position(|x| x == p).unwrap_or(99))
                    .sum::<usize>()
            })
            .unwrap_or_default();
        if g.leader.as_ref().is_none_or(|l| !g.members.contains_key(l)) {
            g.leader = g.members.keys().next().cloned();
        }
        let leader = g.leader.clone().unwrap_or_default();
        let roster: Vec<_> = g
            .members
            .values()
            .map(|m| (m.member_id.clone(), m.topics.clone(), m.owned.clone()))
            .collect();
        for m in g.members.values_mut() {
            m.joined = false;
            m.join_response = Some(JoinResponse {
                generation: g.generation,
                protocol: protocol.clone(),
                leader: leader.clone(),
                member_id: m.member_id.clone(),
                members: if m.member_id == leader {
                    roster.clone()
                } else {
                    Vec::new()
                },
            });
        }
        g.protocol = Some(protocol);
        g.state = GroupState::CompletingRebalance;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> CoordinatorConfig {
        CoordinatorConfig {
            initial_rebalance_delay_ms: 0,
            min_session_timeout_ms: 100,
            max_session_timeout_ms: 1_800_000,
        }
    }

    fn req(client: &str) -> JoinRequest {
        JoinRequest {
            member_id: None,
            group_instance_id: None,
            client_id: client.into(),
            protocols: vec!["range".into()],
            topics: vec!["t".into()],
            owned: vec![],
            session_timeout_ms: 1_000,
            rebalance_timeout_ms: 5_000,
        }
    }

    /// Joins `clients`, completes the join phase and the leader's sync with one partition each.
    fn stable_group(c: &mut GroupCoordinator, clients: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let ids: Vec<String> = clients
            .iter()
            .map(|cl| c.join("g", req(cl), 0, &mut out).unwrap())
            .collect();
        c.tick(0, |_| true, &mut out);
        let leader = c.join_result("g", &ids[0]).unwrap().unwrap();
        let gen_id = leader.generation;
        let assignment: BTreeMap<_, _> = leader
            .members
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (id.clone(), vec![TopicPartition::new("t", i as i32)]))
            .collect();
        for id in &ids {
            let a = (id == &leader.leader).then_some(&assignment);
            c.sync("g", id, gen_id, a, 0, &mut out).unwrap();
        }
        ids
    }

    #[test]
    fn join_phase_completes_into_a_generation_with_one_leader() {
        let mut c = GroupCoordinator::new(cfg());
        let ids = stable_group(&mut c, &["a", "b"]);
        let g = c.group("g").unwrap();
        assert_eq!(g.state, GroupState::Stable);
        assert_eq!(g.generation, 1);
        assert_eq!(g.leader.as_deref(), Some(ids[0].as_str()));
        assert_eq!(
            g.members[&ids[1]].assignment,
            vec![TopicPartition::new("t", 1)]
        );
    }

    #[test]
    fn silent_member_is_removed_only_after_its_session_timeout() {
        let mut c = GroupCoordinator::new(cfg());
        let ids = stable_group(&mut c, &["a", "b"]);
        let mut out = Vec::new();
        for t in (100..=1_000).step_by(100) {
            c.heartbeat("g", &ids[0], 1, t).unwrap();
            c.tick(t, |_| true, &mut out);
        }
        assert_eq!(c.group("g").unwrap().state, GroupState::Stable, "not yet");
        c.heartbeat("g", &ids[0], 1, 1_100).unwrap();
        c.tick(1_100, |_| true, &mut out);
        assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
        assert_eq!(
            c.heartbeat("g", &ids[0], 1, 1_150),
            Err(KafkaError::RebalanceInProgress)
        );
        assert_eq!(
            c.heartbeat("g", &ids[1], 1, 1_150),
            Err(KafkaError::UnknownMemberId)
        );
    }

    #[test]
    fn leave_rebalances_at_once_and_the_last_leave_empties_the_group() {
        let mut c = GroupCoordinator::new(cfg());
        let ids = stable_group(&mut c, &["a", "b"]);
        let mut out = Vec::new();
        c.leave("g", &ids[1], 10, &mut out).unwrap();
        assert_eq!(c.group("g").unwrap().state, GroupState::PreparingRebalance);
        c.leave("g", &ids[0], 20, &mut out).unwrap();
        assert_eq!(c.group("g").unwrap().state, GroupState::Empty);
    }

    #[test]
    fn commits_from_a_stale_generation_are_rejected() {
        let mut c = GroupCoordinator::new(cfg());
        let ids = stable_group(&mut c, &["a"]);
        assert_eq!(c.validate_commit("g", Some(&ids[0]), 1), Ok(()));
        assert_eq!(
            c.validate_commit("g", Some(&ids[0]), 0),
            Err(KafkaError::IllegalGeneration)
        );
        assert_eq!(
            c.validate_commit("g", Some("nobody"), 1),
            Err(KafkaError::UnknownMemberId)
        );
        assert_eq!(c.validate_commit("other", None, -1), Ok(()));
    }

    #[test]
    fn static_member_restart_keeps_its_assignment_without_a_rebalance() {
        let mut c = GroupCoordinator::new(cfg());
        let mut out = Vec::new();
        let mut r = req("a");
        r.group_instance_id = Some("host-1".into());
        let id = c.join("g", r.clone(), 0, &mut out).unwrap();
        c.tick(0, |_| true, &mut out);
        let a = BTreeMap::from([(id.clone(), vec![TopicPartition::new("t", 0)])]);
        c.sync("g", &id, 1, Some(&a), 0, &mut out).unwrap();
        let new_id = c.join("g", r, 500, &mut out).unwrap();
        assert_ne!(new_id, id);
        let g = c.group("g").unwrap();
        assert_eq!((g.state, g.generation), (GroupState::Stable, 1));
        assert_eq!(
            c.sync("g", &new_id, 1, None, 500, &mut out).unwrap(),
            Some(vec![TopicPartition::new("t", 0)])
        );
    }
}
