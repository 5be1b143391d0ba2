//! The consumer's side of the classic group protocol: FindCoordinator, heartbeats, JoinGroup /
//! SyncGroup (the leader runs the assignor), eager or cooperative revocation, and taking up an
//! assignment (positions from committed offsets, else `auto.offset.reset`).

use super::{Phase, RETRY_BACKOFF_MS, SimConsumer};
use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::group::{JoinRequest, MemberSubscription, assign};
use crate::cluster::lab::Cluster;
use crate::cluster::types::{AssignorKind, BrokerId, TopicPartition};
use std::collections::BTreeMap;

impl SimConsumer {
    pub(super) fn find_coordinator(&mut self, lab: &Cluster) -> Option<BrokerId> {
        match lab.coordinator_for(&self.spec.group_id) {
            Ok(b) => {
                self.coordinator = Some(b);
                Some(b)
            }
            Err(_) => {
                self.coordinator = None;
                None
            }
        }
    }

    pub(super) fn heartbeat(&mut self, lab: &mut Cluster, now: i64) {
        if self.phase != Phase::Stable || now < self.next_heartbeat_ms {
            return;
        }
        let (Some(member), Some(coord)) = (self.member_id.clone(), self.find_coordinator(lab))
        else {
            return;
        };
        self.next_heartbeat_ms = now + self.spec.heartbeat_interval_ms as i64;
        if self.leader_metadata_changed(lab) {
            return;
        }
        match lab.group_heartbeat(coord, &self.spec.group_id, &member, self.generation) {
            Ok(()) => {}
            // The group is rebalancing or has moved on to a newer generation: rejoin (the
            // coordinator's events say why).
            Err(KafkaError::RebalanceInProgress) | Err(KafkaError::IllegalGeneration) => {
                self.phase = Phase::Unjoined;
            }
            // The coordinator no longer knows this member: join again as a new one.
            Err(KafkaError::UnknownMemberId) | Err(KafkaError::FencedInstanceId) => {
                self.member_id = None;
                self.phase = Phase::Unjoined;
            }
            Err(_) => {}
        }
        // A poll that takes longer than max.poll.interval.ms: the heartbeat thread leaves.
        if !self.current_poll.is_empty()
            && now - self.poll_started_ms > self.spec.max_poll_interval_ms as i64
            && let Some(member) = self.member_id.take()
        {
            let _ = lab.leave_group(coord, &self.spec.group_id, &member);
            lab.emit_event(EventKind::Note {
                text: NoteText::PollTimeout {
                    client: self.client_id.clone(),
                    max_poll_interval_ms: self.spec.max_poll_interval_ms,
                },
            });
            self.phase = Phase::Unjoined;
        }
    }

    /// The leader's check of Kafka's `ConsumerCoordinator`: when a subscribed topic's partition
    /// count differs from the one its assignment was computed from (partitions were added, the
    /// topic deleted), it rejoins so the group rebalances over the new metadata. The lab's clients
    /// see metadata at once; Kafka's see it on their next refresh (`metadata.max.age.ms`, 5 min,
    /// or sooner after an error).
    fn leader_metadata_changed(&mut self, lab: &mut Cluster) -> bool {
        let changed = self.assigned_counts.iter().find_map(|(topic, &from)| {
            let to = lab.partition_count(topic).unwrap_or(0);
            (to != from).then(|| (topic.clone(), from, to))
        });
        let Some((topic, from, to)) = changed else {
            return false;
        };
        self.assigned_counts.clear();
        lab.emit_event(EventKind::Note {
            text: NoteText::SubscribedMetadataChanged {
                client: self.client_id.clone(),
                topic,
                from,
                to,
            },
        });
        self.phase = Phase::Unjoined;
        true
    }

    pub(super) fn group_step(&mut self, lab: &mut Cluster, now: i64) {
        if self.phase == Phase::Stable {
            return;
        }
        let Some(coord) = self.find_coordinator(lab) else {
            self.retry_at_ms = now + RETRY_BACKOFF_MS;
            return;
        };
        let group = self.spec.group_id.clone();
        match self.phase.clone() {
            Phase::Stable => {}
            Phase::Unjoined => {
                if !self.cooperative() && !self.assignment.is_empty() {
                    // Eager protocol: commit and give everything up before rejoining.
                    self.commit_if_auto(lab);
                    let all = std::mem::take(&mut self.assignment);
                    self.revoke(lab, all);
                }
                // onPartitionsRevoked commits synchronously: the next owner must find those
                // offsets, so the member rejoins only once they are answered.
                if self.committer.busy() {
                    return;
                }
                let req = JoinRequest {
                    member_id: self.member_id.clone(),
                    group_instance_id: self.spec.group_instance_id.clone(),
                    client_id: self.client_id.clone(),
                    protocols: vec![self.spec.assignor.protocol_name().to_string()],
                    topics: self.spec.topics.clone(),
                    owned: self.assignment.clone(),
                    session_timeout_ms: self.spec.session_timeout_ms as i64,
                    rebalance_timeout_ms: self.spec.max_poll_interval_ms as i64,
                };
                match lab.join_group(coord, &group, req) {
                    Ok(id) => {
                        self.member_id = Some(id);
                        self.phase = Phase::AwaitingJoin;
                    }
                    Err(KafkaError::UnknownMemberId) => self.member_id = None,
                    Err(e) => self.fail_group_call(lab, now, "JoinGroup", e),
                }
            }
            Phase::AwaitingJoin => {
                let Some(member) = self.member_id.clone() else {
                    self.phase = Phase::Unjoined;
                    return;
                };
                match lab.join_group_result(coord, &group, &member) {
                    Ok(None) => {}
                    Ok(Some(resp)) => {
                        self.generation = resp.generation;
                        let plan = (resp.leader == member).then(|| {
                            let kind = AssignorKind::from_protocol_name(&resp.protocol)
                                .unwrap_or(self.spec.assignor);
                            let subs: Vec<MemberSubscription> = resp
                                .members
                                .iter()
                                .map(|(id, topics, owned)| MemberSubscription {
                                    member_id: id.clone(),
                                    topics: topics.clone(),
                                    owned: owned.clone(),
                                })
                                .collect();
                            let counts: BTreeMap<String, i32> = subs
                                .iter()
                                .flat_map(|s| s.topics.iter())
                                .filter_map(|t| Some((t.clone(), lab.partition_count(t)?)))
                                .collect();
                            let plan = assign(kind, &subs, &counts);
                            self.assigned_counts = counts;
                            plan
                        });
                        if plan.is_none() {
                            self.assigned_counts.clear();
                        }
                        self.phase = Phase::AwaitingSync(plan);
                    }
                    Err(KafkaError::UnknownMemberId) => {
                        self.member_id = None;
                        self.phase = Phase::Unjoined;
                    }
                    Err(e) => self.fail_group_call(lab, now, "JoinGroup", e),
                }
            }
            Phase::AwaitingSync(plan) => {
                let Some(member) = self.member_id.clone() else {
                    self.phase = Phase::Unjoined;
                    return;
                };
                match lab.sync_group(coord, &group, &member, self.generation, plan.as_ref()) {
                    Ok(None) => {}
                    Ok(Some(assigned)) => self.on_assigned(lab, assigned, now),
                    Err(KafkaError::UnknownMemberId) => {
                        self.member_id = None;
                        self.phase = Phase::Unjoined;
                    }
                    Err(KafkaError::RebalanceInProgress) | Err(KafkaError::IllegalGeneration) => {
                        self.phase = Phase::Unjoined;
                    }
                    Err(e) => self.fail_group_call(lab, now, "SyncGroup", e),
                }
            }
        }
    }

    pub(super) fn fail_group_call(
        &mut self,
        lab: &mut Cluster,
        now: i64,
        call: &str,
        e: KafkaError,
    ) {
        self.retry_at_ms = now + RETRY_BACKOFF_MS;
        if !e.is_retriable() {
            lab.emit_event(EventKind::Note {
                text: NoteText::GroupCallFailed {
                    client: self.client_id.clone(),
                    call: call.to_string(),
                    error: e.to_string(),
                },
            });
            self.phase = Phase::Unjoined;
        }
    }

    pub(super) fn revoke(&mut self, lab: &mut Cluster, partitions: Vec<TopicPartition>) {
        if partitions.is_empty() {
            return;
        }
        for tp in &partitions {
            self.positions.remove(tp);
            self.buffers.remove(tp);
        }
        self.current_poll
            .retain(|(tp, _, _)| !partitions.contains(tp));
        lab.emit_event(EventKind::PartitionsRevoked {
            group: self.spec.group_id.clone(),
            member_id: self.member_id.clone().unwrap_or_default(),
            partitions,
        });
    }

    pub(super) fn on_assigned(
        &mut self,
        lab: &mut Cluster,
        assigned: Vec<TopicPartition>,
        now: i64,
    ) {
        self.phase = Phase::Stable;
        self.next_heartbeat_ms = now + self.spec.heartbeat_interval_ms as i64;
        let revoked: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|tp| !assigned.contains(tp))
            .cloned()
            .collect();
        if !revoked.is_empty() {
            // Cooperative: only what moved is revoked, and a second rebalance hands it over.
            self.commit_if_auto(lab);
            self.revoke(lab, revoked);
            // Cooperative: the revoked partitions are handed over by a second rebalance.
            if self.cooperative() {
                self.phase = Phase::Unjoined;
            }
        }
        self.assignment = assigned;
        self.assignment.sort();
    }
}
