//! The rebalance mechanics behind the requests: starting a join phase, what a departure does,
//! session and rebalance timers, and completing a join phase into a new generation.

use super::{Group, GroupCoordinator, InitialDelay, JoinResponse};
use crate::cluster::event::{EventKind, RebalanceReason, RemovalReason};
use crate::cluster::snapshot::GroupState;

impl GroupCoordinator {
    /// Moves the group to PreparingRebalance (once) and drops the members' pending join answers.
    pub(super) fn start_rebalance(
        g: &mut Group,
        now: i64,
        reason: RebalanceReason,
        out: &mut Vec<EventKind>,
    ) {
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
        g.rebalance_started_ms = now;
    }

    /// After a member is gone: an emptied group becomes Empty, otherwise it rebalances.
    pub(super) fn after_removal(
        g: &mut Group,
        now: i64,
        reason: RebalanceReason,
        out: &mut Vec<EventKind>,
    ) {
        if g.members.is_empty() {
            if g.state != GroupState::Empty {
                g.generation += 1;
                g.state = GroupState::Empty;
                g.empty_since_ms = Some(now);
                g.leader = None;
                g.owners.clear();
                out.push(EventKind::RebalanceStarted {
                    group: g.group_id.clone(),
                    reason: reason.emptied(),
                });
            }
            return;
        }
        Self::start_rebalance(g, now, reason, out);
    }

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
                    reason: RemovalReason::SessionTimeout {
                        session_timeout_ms: timeout,
                    },
                });
                let reason = RebalanceReason::SessionExpired {
                    member: id,
                    group_empty: false,
                };
                Self::after_removal(g, now, reason, out);
            }
            if g.state == GroupState::PreparingRebalance && Self::extend_initial_delay(g, now) {
                continue;
            }
            if g.state == GroupState::PreparingRebalance {
                let all_joined = g.members.values().all(|m| m.joined);
                let ready = all_joined && now >= g.join_not_before_ms;
                if ready || now >= g.join_deadline_ms.max(g.join_not_before_ms) {
                    Self::complete_join(g, now, out);
                }
            }
        }
    }

    /// Kafka's `InitialDelayedJoin`: when a new group's delay runs out and a member joined during
    /// it, another delay of `group.initial.rebalance.delay.ms` starts (shorter if the rebalance
    /// timeout leaves less). Returns whether the group keeps waiting.
    fn extend_initial_delay(g: &mut Group, now: i64) -> bool {
        let Some(d) = g.initial_delay else {
            return false;
        };
        if now < g.join_not_before_ms {
            return true;
        }
        if d.new_member_added && d.remaining_ms > 0 {
            let next = InitialDelay {
                delay_ms: d.delay_ms.min(d.remaining_ms),
                remaining_ms: (d.remaining_ms - d.delay_ms).max(0),
                new_member_added: false,
            };
            g.join_not_before_ms = now + next.delay_ms;
            g.initial_delay = Some(next);
            return true;
        }
        g.initial_delay = None;
        false
    }

    /// Ends the join phase: members that did not rejoin are dropped, and the rest get the new
    /// generation's JoinGroup answer (the leader with the roster).
    fn complete_join(g: &mut Group, now: i64, out: &mut Vec<EventKind>) {
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
                reason: RemovalReason::RebalanceTimeout,
            });
        }
        g.generation += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.empty_since_ms = Some(now);
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
            // The JoinGroup answer counts as a heartbeat (Kafka schedules the next session expiry
            // when it answers): a join phase longer than session.timeout.ms must not expire them.
            m.last_heartbeat_ms = now;
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
