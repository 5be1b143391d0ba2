//! Small owned pieces of the cluster's state, each keeping one rule: periodic checks
//! (`log.retention.check.interval.ms`, `leader.imbalance.check.interval.seconds`), brokers in
//! controlled shutdown, and the last leader's log per partition (what an unclean election loses).

use super::types::{BrokerId, TopicPartition};
use std::collections::BTreeMap;

/// A check that runs every `interval_ms` of simulated time.
#[derive(Clone, Debug)]
pub(crate) struct Periodic {
    next_ms: i64,
}

impl Periodic {
    /// First due `interval_ms` after start.
    pub fn starting(interval_ms: i64) -> Self {
        Self {
            next_ms: interval_ms,
        }
    }

    /// Whether the check is due at `now_ms`; if so, the next one is `interval_ms` later.
    pub fn due(&mut self, now_ms: i64, interval_ms: i64) -> bool {
        if now_ms < self.next_ms {
            return false;
        }
        self.next_ms = now_ms + interval_ms;
        true
    }

    /// When the check is next due, for a countdown.
    pub fn next_ms(&self) -> i64 {
        self.next_ms
    }
}

/// Brokers in controlled shutdown and when each stops (at most one entry per broker).
#[derive(Clone, Debug, Default)]
pub(crate) struct Shutdowns {
    done_at: BTreeMap<BrokerId, i64>,
}

impl Shutdowns {
    /// The broker stops at `at_ms`.
    pub fn start(&mut self, broker: BrokerId, at_ms: i64) {
        self.done_at.insert(broker, at_ms);
    }

    /// The broker is not shutting down (any more).
    pub fn cancel(&mut self, broker: BrokerId) {
        self.done_at.remove(&broker);
    }

    /// Takes the brokers whose shutdown is done by `now_ms`.
    pub fn take_due(&mut self, now_ms: i64) -> Vec<BrokerId> {
        let due: Vec<BrokerId> = self
            .done_at
            .iter()
            .filter(|(_, at)| **at <= now_ms)
            .map(|(b, _)| *b)
            .collect();
        for b in &due {
            self.done_at.remove(b);
        }
        due
    }
}

/// Per partition (one entry each), the leader's LEO and epoch cache as last seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeaderHistory {
    leo: BTreeMap<TopicPartition, i64>,
    epochs: BTreeMap<TopicPartition, Vec<(i32, i64)>>,
}

impl LeaderHistory {
    /// Remembers the leader's log end and epoch entries.
    pub fn note(&mut self, tp: &TopicPartition, leo: i64, epochs: &[(i32, i64)]) {
        if self.epochs.get(tp).is_none_or(|e| e.as_slice() != epochs) {
            self.epochs.insert(tp.clone(), epochs.to_vec());
        }
        self.leo.insert(tp.clone(), leo);
    }

    /// Forgets a deleted topic's partitions.
    pub fn forget_topic(&mut self, topic: &str) {
        self.leo.retain(|tp, _| tp.topic != topic);
        self.epochs.retain(|tp, _| tp.topic != topic);
    }

    /// The last leader's LEO (0 when never seen).
    pub fn leo(&self, tp: &TopicPartition) -> i64 {
        self.leo.get(tp).copied().unwrap_or(0)
    }

    /// The last leader's epoch entries.
    pub fn epochs(&self, tp: &TopicPartition) -> Vec<(i32, i64)> {
        self.epochs.get(tp).cloned().unwrap_or_default()
    }
}

/// A replica's offsets and size as last read from its open log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReplicaStats {
    /// Log end offset.
    pub leo: i64,
    /// High watermark.
    pub hw: i64,
    /// Log start offset.
    pub log_start: i64,
    /// Segment files.
    pub segments: usize,
    /// Bytes of the log.
    pub size_bytes: u64,
}

impl ReplicaStats {
    /// Reads them from an open replica.
    pub fn of(r: &super::broker::Replica) -> Self {
        Self {
            leo: r.leo(),
            hw: r.high_watermark,
            log_start: r.log.log_start_offset(),
            segments: r.log.segment_count(),
            size_bytes: r.log.size_bytes(),
        }
    }
}

/// What a stopped broker's logs held when they closed, so the dashboard keeps showing the last
/// known offsets and sizes (marked stale) instead of -1 and 0 B. Bounded: one entry per broker
/// and per replica it hosts; a restart forgets the broker's entries.
#[derive(Clone, Debug, Default)]
pub(crate) struct LastKnown {
    replicas: BTreeMap<(BrokerId, TopicPartition), ReplicaStats>,
    disk_bytes: BTreeMap<BrokerId, u64>,
}

impl LastKnown {
    /// Remembers a broker's replicas as its logs close.
    pub fn note_closing(&mut self, broker: &super::broker::Broker) {
        self.forget(broker.id);
        for (tp, r) in &broker.replicas {
            self.replicas
                .insert((broker.id, tp.clone()), ReplicaStats::of(r));
        }
        self.disk_bytes.insert(broker.id, broker.bytes_on_disk());
    }

    /// Forgets a broker that runs again (its open logs are the truth).
    pub fn forget(&mut self, broker: BrokerId) {
        self.replicas.retain(|(b, _), _| *b != broker);
        self.disk_bytes.remove(&broker);
    }

    /// Forgets a deleted topic's replicas.
    pub fn forget_topic(&mut self, topic: &str) {
        self.replicas.retain(|(_, tp), _| tp.topic != topic);
    }

    /// A stopped broker's replica as it was when it stopped.
    pub fn replica(&self, broker: BrokerId, tp: &TopicPartition) -> Option<ReplicaStats> {
        self.replicas.get(&(broker, tp.clone())).copied()
    }

    /// A stopped broker's bytes on disk when it stopped.
    pub fn disk_bytes(&self, broker: BrokerId) -> Option<u64> {
        self.disk_bytes.get(&broker).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_checks_run_once_per_interval() {
        let mut p = Periodic::starting(100);
        assert!(!p.due(50, 100));
        assert!(p.due(100, 100));
        assert!(!p.due(150, 100));
        assert!(p.due(200, 100));
    }

    #[test]
    fn shutdowns_come_due_once() {
        let mut s = Shutdowns::default();
        s.start(1, 10);
        s.start(2, 20);
        s.cancel(2);
        assert!(s.take_due(5).is_empty());
        assert_eq!(s.take_due(30), vec![1]);
        assert!(s.take_due(30).is_empty());
    }
}
