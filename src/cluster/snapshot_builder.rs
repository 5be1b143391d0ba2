//! Builds a [`ClusterSnapshot`] from the live cluster: the one read path the UI depends on.

use super::lab::Cluster;
use super::snapshot::{
    BrokerSnapshot, BrokerState, ClusterSnapshot, EPOCH_STARTS_MAX, PartitionSnapshot, ReplicaRole,
    ReplicaSnapshot, SEGMENT_BASES_MAX, TopicSnapshot,
};
use super::timers::ReplicaStats;
use super::types::TopicPartition;

impl Cluster {
    /// Everything observable right now.
    pub fn snapshot(&self) -> ClusterSnapshot {
        let brokers = self
            .brokers
            .values()
            .map(|b| {
                let led = self
                    .partitions
                    .values()
                    .filter(|p| p.leader == Some(b.id))
                    .count();
                let running = b.is_running();
                BrokerSnapshot {
                    id: b.id,
                    state: b.state,
                    is_controller: self.controller == Some(b.id),
                    slow: b.slow,
                    partitions_led: if running { led } else { 0 },
                    leaderless: if running { 0 } else { led },
                    silent_since_ms: (!running && b.registered).then_some(b.last_heartbeat_ms),
                    fenced_since_ms: b.fenced_since_ms,
                    replicas: self
                        .partitions
                        .values()
                        .filter(|p| p.replicas.contains(&b.id))
                        .count(),
                    bytes_on_disk: if running {
                        b.bytes_on_disk()
                    } else {
                        self.last_known.disk_bytes(b.id).unwrap_or(0)
                    },
                    port: self.wire_port(b.id),
                    metadata_offset: self.quorum.applied_offset(b.id),
                }
            })
            .collect();
        let topics = self
            .topics
            .values()
            .map(|t| TopicSnapshot {
                name: t.spec.name.clone(),
                partitions: t.spec.partitions,
                replication_factor: t.spec.replication_factor,
                min_insync_replicas: t.spec.min_insync_replicas,
                internal: t.internal,
                topic_id: t.topic_id,
            })
            .collect();
        let partitions = self
            .partitions
            .values()
            .map(|m| {
                let leader_replica = m
                    .leader
                    .and_then(|l| self.brokers.get(&l))
                    .filter(|b| b.is_running())
                    .and_then(|b| b.replicas.get(&m.tp));
                let (stats, leader_down) = match leader_replica {
                    Some(r) => (Some(ReplicaStats::of(r)), false),
                    None => (self.last_known_leader_stats(&m.tp, m.leader), true),
                };
                let replica_states = m
                    .replicas
                    .iter()
                    .map(|&b| {
                        let broker = self.brokers.get(&b);
                        let replica = broker.and_then(|br| br.replicas.get(&m.tp));
                        let running = broker.is_some_and(|br| br.state != BrokerState::Down);
                        let role = if !running || replica.is_none() {
                            ReplicaRole::Offline
                        } else if m.leader == Some(b) {
                            ReplicaRole::Leader
                        } else if m.isr.contains(&b) {
                            ReplicaRole::InSync
                        } else {
                            ReplicaRole::OutOfSync
                        };
                        // A follower the leader has not seen catch up lately is on its way out of
                        // the ISR: when that clock started is its countdown.
                        let behind_since_ms = (role == ReplicaRole::InSync)
                            .then(|| leader_replica?.followers.get(&b))
                            .flatten()
                            .map(|f| f.last_caught_up_ms)
                            .filter(|at| *at < self.now_ms);
                        let known = match replica {
                            Some(r) => Some(ReplicaStats::of(r)),
                            None => self.last_known.replica(b, &m.tp),
                        };
                        let (epoch_starts, segment_bases) =
                            replica.map(|r| log_marks(&r.log)).unwrap_or_default();
                        ReplicaSnapshot {
                            broker: b,
                            role,
                            log_end_offset: known.map_or(-1, |s| s.leo),
                            high_watermark: known.map_or(-1, |s| s.hw),
                            log_start_offset: known.map_or(-1, |s| s.log_start),
                            epoch_starts,
                            segment_bases,
                            markers: replica.map(|r| r.log.recent_markers()).unwrap_or_default(),
                            behind_since_ms,
                        }
                    })
                    .collect();
                PartitionSnapshot {
                    tp: m.tp.clone(),
                    leader: m.leader,
                    leader_epoch: m.leader_epoch,
                    replicas: m.replicas.clone(),
                    isr: m.isr.clone(),
                    elr: m.elr.clone(),
                    leader_down,
                    replica_states,
                    high_watermark: stats.map_or(-1, |s| s.hw),
                    last_stable_offset: match leader_replica {
                        Some(r) => r
                            .log
                            .first_unstable_offset()
                            .map_or(r.high_watermark, |f| f.min(r.high_watermark)),
                        None => stats.map_or(-1, |s| s.hw),
                    },
                    log_start_offset: stats.map_or(-1, |s| s.log_start),
                    log_end_offset: stats.map_or(-1, |s| s.leo),
                    segments: stats.map_or(0, |s| s.segments),
                    size_bytes: stats.map_or(0, |s| s.size_bytes),
                }
            })
            .collect();
        let mut snap = ClusterSnapshot {
            now_ms: self.now_ms,
            seed: self.config.seed,
            controller: self.controller,
            brokers,
            quorum: self.quorum.snapshot(),
            topics,
            partitions,
            settings: self.config.settings(),
            next_retention_check_ms: self.retention_check.next_ms(),
            transactions: self.transaction_snapshots(),
            ..Default::default()
        };
        self.fill_group_snapshots(&mut snap);
        snap
    }

    /// A partition without a serving leader, as last seen: its recorded leader's log when it
    /// stopped, else the most advanced stopped replica's (the last leader had the highest HW).
    pub(crate) fn last_known_leader_stats(
        &self,
        tp: &TopicPartition,
        leader: Option<super::types::BrokerId>,
    ) -> Option<ReplicaStats> {
        if let Some(s) = leader.and_then(|l| self.last_known.replica(l, tp)) {
            return Some(s);
        }
        self.partitions
            .get(tp)?
            .replicas
            .iter()
            .filter_map(|b| self.last_known.replica(*b, tp))
            .max_by_key(|s| (s.hw, s.leo))
    }
}

/// A log's newest epoch boundaries and segment bases, each bounded, oldest first.
fn log_marks(log: &crate::log::partition_log::PartitionLog) -> (Vec<(i32, i64)>, Vec<i64>) {
    let epochs = log.epoch_entries();
    let epochs = epochs[epochs.len().saturating_sub(EPOCH_STARTS_MAX)..].to_vec();
    let mut bases: Vec<i64> = log
        .segment_base_offsets()
        .rev()
        .take(SEGMENT_BASES_MAX)
        .collect();
    bases.reverse();
    (epochs, bases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::config::LogConfig;

    #[test]
    fn log_marks_keep_only_the_newest_segments_and_epochs() {
        let dir = tempfile::tempdir().unwrap();
        let config = LogConfig {
            segment_bytes: 1,
            ..LogConfig::default()
        };
        let (mut log, _) =
            crate::log::partition_log::PartitionLog::open(dir.path(), config, 0).unwrap();
        for i in 0..(SEGMENT_BASES_MAX as i64 + 5) {
            let value = bytes::Bytes::from_static(b"v");
            log.append_records(&[(None, Some(value), i)], (i / 2) as i32, i)
                .unwrap();
        }
        let (epochs, bases) = log_marks(&log);
        assert_eq!(bases.len(), SEGMENT_BASES_MAX);
        assert_eq!(bases.last().copied(), log.segment_base_offsets().last());
        assert!(bases.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(epochs.len(), EPOCH_STARTS_MAX);
        assert_eq!(epochs.last(), log.epoch_entries().last());
    }
}
