//! A [`View`] of a real cluster as the lab's own snapshot types, so the dashboard draws it as it
//! draws the lab. A client sees less than the lab knows: the LEO of a replica is not exposed
//! (the HW stands in for it), nor a group's generation (shown as 0) or ELR.

use super::poll::View;
use crate::cluster::snapshot::{
    BrokerSnapshot, BrokerState, ClusterSnapshot, GroupPartitionSnapshot, GroupSnapshot,
    GroupState, MemberSnapshot, PartitionSnapshot, ReplicaRole, ReplicaSnapshot, TopicSnapshot,
};
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::lab::lag_history::LagHistory;
use crate::lab::snapshot::ThroughputSnapshot;
use crate::lab::throughput::ThroughputMeter;
use crate::lab::{AttachedCluster, BrokerAddress, LabSnapshot};
use std::collections::BTreeMap;

/// Brokers remembered after they leave Metadata, shown as down (a real cluster rarely has more).
pub const KNOWN_BROKERS_MAX: usize = 1_000;

/// What building remembers between polls: brokers seen before, owners (to mark moves), the
/// throughput meter, each group's lag history.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    known: BTreeMap<BrokerId, BrokerAddress>,
    owners: BTreeMap<(String, TopicPartition), (Option<String>, Option<i64>)>,
    meter: ThroughputMeter,
    lag_history: LagHistory,
    previous: Option<(i64, i64)>,
    /// Records produced and consumed since attaching, from offset deltas.
    totals: (u64, u64),
}

impl Builder {
    /// The snapshot of `view` at `now_ms` (ms since attaching).
    pub fn build(&mut self, view: &View, now_ms: i64, attached: AttachedCluster) -> LabSnapshot {
        for b in &view.brokers {
            self.known.insert(b.id, b.clone());
        }
        while self.known.len() > KNOWN_BROKERS_MAX {
            self.known.pop_first();
        }
        let live: BTreeMap<BrokerId, &BrokerAddress> =
            view.brokers.iter().map(|b| (b.id, b)).collect();
        let partitions: Vec<PartitionSnapshot> = view
            .partitions
            .iter()
            .map(|p| partition(p, view, &live))
            .collect();
        let brokers = self
            .known
            .values()
            .map(|b| broker(b, view, &live, &partitions))
            .collect();
        let hw: BTreeMap<&TopicPartition, (i64, bool)> = partitions
            .iter()
            .map(|p| (&p.tp, (p.high_watermark, p.leader_down)))
            .collect();
        let groups: Vec<GroupSnapshot> = view
            .groups
            .iter()
            .map(|g| self.group(g, &hw, now_ms))
            .collect();
        self.owners
            .retain(|(g, _), _| view.groups.iter().any(|v| &v.group_id == g));
        let mut topics: BTreeMap<&str, TopicSnapshot> = BTreeMap::new();
        for p in &partitions {
            let t = topics.entry(&p.tp.topic).or_insert_with(|| TopicSnapshot {
                name: p.tp.topic.clone(),
                partitions: 0,
                replication_factor: p.replicas.len() as i16,
                min_insync_replicas: 0,
                internal: view.internal.get(&p.tp.topic).copied().unwrap_or(false),
                // Metadata v10+ names it; Kafka's `Uuid.ZERO` (none known) before.
                topic_id: crate::cluster::TopicId(
                    view.topic_ids.get(&p.tp.topic).copied().unwrap_or(0),
                ),
            });
            t.partitions += 1;
        }
        let throughput = self.throughput(now_ms, &partitions, &groups);
        let mut groups = groups;
        self.lag_history.observe(now_ms, &groups);
        self.lag_history.fill(&mut groups);
        let cluster = ClusterSnapshot {
            now_ms,
            seed: 0,
            controller: view.controller,
            brokers,
            quorum: Vec::new(),
            topics: topics.into_values().collect(),
            partitions,
            groups,
            // A client cannot read the brokers' timers without DescribeConfigs: the `e`
            // explanations and countdowns assume Kafka's defaults.
            settings: crate::cluster::config::ClusterConfig::for_profile(
                crate::cluster::config::Profile::Kafka,
                view.brokers.len().max(1),
                0,
                "",
            )
            .settings(),
            next_retention_check_ms: 0,
            transactions: Vec::new(),
        };
        LabSnapshot {
            cluster,
            speed: 1.0,
            paused: false,
            producers: Vec::new(),
            consumers: Vec::new(),
            throughput,
            lesson: None,
            attached: Some(AttachedCluster {
                cluster_id: view.cluster_id.clone(),
                brokers: view.brokers.clone(),
                sizes_unknown: !super::degrade::sizes_known(&view.missing),
                ..attached
            }),
            travel: None,
        }
    }

    fn group(
        &mut self,
        g: &super::poll::GroupView,
        hw: &BTreeMap<&TopicPartition, (i64, bool)>,
        now_ms: i64,
    ) -> GroupSnapshot {
        let mut owner_of: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
        for m in &g.members {
            for tp in &m.assigned {
                owner_of.insert(tp, &m.member_id);
            }
        }
        let mut tps: Vec<&TopicPartition> =
            g.committed.keys().chain(owner_of.keys().copied()).collect();
        tps.sort();
        tps.dedup();
        let partitions = tps
            .into_iter()
            .map(|tp| {
                let (high_watermark, stale) = hw.get(tp).copied().unwrap_or((0, true));
                let committed = g.committed.get(tp).copied();
                let owner = owner_of.get(tp).map(|m| m.to_string());
                let key = (g.group_id.clone(), tp.clone());
                let moved_at_ms = match self.owners.get(&key) {
                    Some((before, _))
                        if before.is_some() && owner.is_some() && *before != owner =>
                    {
                        Some(now_ms)
                    }
                    Some((_, at)) => *at,
                    None => None,
                };
                self.owners.insert(key, (owner.clone(), moved_at_ms));
                GroupPartitionSnapshot {
                    tp: tp.clone(),
                    owner,
                    committed,
                    position: None,
                    high_watermark,
                    lag: committed.map(|c| (high_watermark - c).max(0)),
                    stale,
                    moved_at_ms,
                }
            })
            .collect();
        GroupSnapshot {
            group_id: g.group_id.clone(),
            state: group_state(&g.state),
            // The group epoch for a KIP-848 group; a classic generation is not told to clients.
            generation: g.epoch.unwrap_or(0),
            assignor: (!g.assignor.is_empty()).then(|| g.assignor.clone()),
            coordinator: Some(g.coordinator),
            leader_member: None,
            members: g
                .members
                .iter()
                .map(|m| MemberSnapshot {
                    member_id: m.member_id.clone(),
                    client_id: m.client_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    assigned: m.assigned.clone(),
                    last_heartbeat_ms: now_ms,
                    session_timeout_ms: 0,
                    rebalance_timeout_ms: 0,
                    member_epoch: m.member_epoch,
                    revoking: Vec::new(),
                })
                .collect(),
            partitions,
            rebalance: None,
            protocol: if g.group_type.eq_ignore_ascii_case("consumer") {
                "consumer".into()
            } else {
                "classic".into()
            },
            lag_history: Vec::new(),
        }
    }

    /// Records/s produced (HW growth) and consumed (committed offsets' growth) since the last
    /// poll, one sample a second.
    fn throughput(
        &mut self,
        now_ms: i64,
        partitions: &[PartitionSnapshot],
        groups: &[GroupSnapshot],
    ) -> ThroughputSnapshot {
        let produced: i64 = partitions.iter().map(|p| p.high_watermark.max(0)).sum();
        let consumed: i64 = groups
            .iter()
            .flat_map(|g| &g.partitions)
            .filter_map(|p| p.committed)
            .sum();
        // The meter counts from zero: deltas, so a deleted topic never reads as negative.
        let (p0, c0) = self.previous.unwrap_or((produced, consumed));
        self.previous = Some((produced, consumed));
        self.totals.0 += (produced - p0).max(0) as u64;
        self.totals.1 += (consumed - c0).max(0) as u64;
        self.meter.observe(now_ms, self.totals.0, self.totals.1);
        self.meter.history().clone()
    }
}

/// Kafka's group state names as the lab's states (KIP-848's Assigning reads as Reconciling).
pub fn group_state(name: &str) -> GroupState {
    match name {
        "Empty" => GroupState::Empty,
        "PreparingRebalance" => GroupState::PreparingRebalance,
        "CompletingRebalance" => GroupState::CompletingRebalance,
        "Stable" => GroupState::Stable,
        "Assigning" | "Reconciling" => GroupState::Reconciling,
        _ => GroupState::Dead,
    }
}

fn partition(
    p: &super::poll::PartitionView,
    view: &View,
    live: &BTreeMap<BrokerId, &BrokerAddress>,
) -> PartitionSnapshot {
    let hw = p.high_watermark.unwrap_or(-1);
    let start = p.log_start_offset.unwrap_or(-1);
    let replica_states = p
        .replicas
        .iter()
        .map(|&b| ReplicaSnapshot {
            broker: b,
            role: if p.offline.contains(&b) || !live.contains_key(&b) {
                ReplicaRole::Offline
            } else if p.leader == Some(b) {
                ReplicaRole::Leader
            } else if p.isr.contains(&b) {
                ReplicaRole::InSync
            } else {
                ReplicaRole::OutOfSync
            },
            log_end_offset: hw,
            high_watermark: hw,
            log_start_offset: start,
            ..ReplicaSnapshot::default()
        })
        .collect();
    let size_bytes = p
        .leader
        .and_then(|l| view.replica_bytes.get(&(l, p.tp.clone())))
        .copied()
        .unwrap_or(0);
    PartitionSnapshot {
        tp: p.tp.clone(),
        leader: p.leader,
        leader_epoch: p.leader_epoch,
        replicas: p.replicas.clone(),
        isr: p.isr.clone(),
        elr: Vec::new(),
        leader_down: p.leader.is_none() || p.high_watermark.is_none(),
        replica_states,
        high_watermark: hw,
        last_stable_offset: hw,
        log_start_offset: start,
        log_end_offset: hw,
        segments: 0,
        size_bytes,
    }
}

fn broker(
    b: &BrokerAddress,
    view: &View,
    live: &BTreeMap<BrokerId, &BrokerAddress>,
    partitions: &[PartitionSnapshot],
) -> BrokerSnapshot {
    let up = live.contains_key(&b.id);
    BrokerSnapshot {
        id: b.id,
        state: if up {
            BrokerState::Up
        } else {
            BrokerState::Down
        },
        is_controller: view.controller == Some(b.id),
        slow: false,
        partitions_led: partitions.iter().filter(|p| p.leader == Some(b.id)).count(),
        leaderless: 0,
        silent_since_ms: None,
        fenced_since_ms: None,
        replicas: partitions
            .iter()
            .filter(|p| p.replicas.contains(&b.id))
            .count(),
        bytes_on_disk: view
            .replica_bytes
            .iter()
            .filter(|((id, _), _)| *id == b.id)
            .map(|(_, bytes)| *bytes)
            .sum(),
        port: u16::try_from(b.port).ok(),
        metadata_offset: None,
    }
}
