//! Consumer groups in the snapshot, as the coordinators hold them. Positions are the clients' to
//! know: the lab fills them in from its simulated consumers and the wire host from real ones.

use super::lab::Cluster;
use super::snapshot::{
    ClusterSnapshot, GroupPartitionSnapshot, GroupSnapshot, GroupState, MemberSnapshot,
    RebalanceWait,
};
use super::types::TopicPartition;
use std::collections::BTreeSet;

impl Cluster {
    /// The consumer groups alone, as the snapshot shows them (positions not filled in).
    pub fn group_snapshots(&self) -> Vec<GroupSnapshot> {
        let mut snap = ClusterSnapshot::default();
        self.fill_group_snapshots(&mut snap);
        snap.groups
    }

    pub(crate) fn fill_group_snapshots(&self, snap: &mut ClusterSnapshot) {
        for g in self.hosting.coordinator().groups() {
            let mut members: Vec<MemberSnapshot> = g
                .members
                .values()
                .map(|m| MemberSnapshot {
                    member_id: m.member_id.clone(),
                    client_id: m.client_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    assigned: m.assignment.clone(),
                    last_heartbeat_ms: m.last_heartbeat_ms,
                    session_timeout_ms: m.session_timeout_ms,
                    rebalance_timeout_ms: m.rebalance_timeout_ms,
                    member_epoch: None,
                    revoking: Vec::new(),
                })
                .collect();
            let mut topics: BTreeSet<&String> =
                g.members.values().flat_map(|m| &m.topics).collect();
            if let Some(c) = &g.consumer {
                members.extend(c.members.values().map(|m| MemberSnapshot {
                    member_id: m.member_id.clone(),
                    client_id: m.client_id.clone(),
                    group_instance_id: None,
                    assigned: m.assigned.clone(),
                    last_heartbeat_ms: m.last_heartbeat_ms,
                    session_timeout_ms: m.session_timeout_ms,
                    rebalance_timeout_ms: m.rebalance_timeout_ms,
                    member_epoch: Some(m.member_epoch),
                    revoking: m.revoking.clone(),
                }));
                topics.extend(c.members.values().flat_map(|m| &m.topics));
            }
            let mut tps: BTreeSet<TopicPartition> = g.committed.keys().cloned().collect();
            {
                for t in topics {
                    for p in 0..self.partition_count(t).unwrap_or(0) {
                        tps.insert(TopicPartition::new(t.clone(), p));
                    }
                }
            }
            let partitions = tps
                .into_iter()
                .map(|tp| {
                    let owner = g.owners.get(&tp).map(|(o, _)| o.clone());
                    let committed = g.committed.get(&tp).map(|c| c.offset);
                    let live = self
                        .partition(&tp)
                        .and_then(|m| m.leader)
                        .and_then(|l| self.replica_log(l, &tp))
                        .map(|log| log.log_start_offset())
                        .zip(self.high_watermark(&tp));
                    // A down leader's partition keeps its last known HW, so the lag a room was
                    // watching does not drop to 0 (marked stale instead).
                    let (start, hw, stale) = match live {
                        Some((start, hw)) => (start, hw, false),
                        None => {
                            let leader = self.partition(&tp).and_then(|m| m.leader);
                            self.last_known_leader_stats(&tp, leader)
                                .map_or((0, 0, true), |s| (s.log_start, s.hw, true))
                        }
                    };
                    GroupPartitionSnapshot {
                        stale,
                        lag: committed.map(|c| (hw - c.max(start)).max(0)),
                        moved_at_ms: g.owners.get(&tp).and_then(|(_, at)| *at),
                        tp,
                        owner,
                        committed,
                        position: None,
                        high_watermark: hw,
                    }
                })
                .collect();
            snap.groups.push(GroupSnapshot {
                group_id: g.group_id.clone(),
                state: g.state,
                generation: g.generation,
                assignor: g.protocol.clone(),
                coordinator: self.coordinator_for(&g.group_id).ok(),
                leader_member: g.leader.clone(),
                members,
                partitions,
                rebalance: (g.state == GroupState::PreparingRebalance).then(|| RebalanceWait {
                    started_ms: g.rebalance_started_ms,
                    initial_delay_until_ms: (g.join_not_before_ms > self.now_ms)
                        .then_some(g.join_not_before_ms),
                    deadline_ms: g.join_deadline_ms.max(g.join_not_before_ms),
                    joined: g.members.values().filter(|m| m.joined).count(),
                }),
                protocol: if g.consumer.is_some() {
                    "consumer"
                } else {
                    "classic"
                }
                .to_string(),
                lag_history: Vec::new(),
            });
        }
    }
}
