//! A broker and the partition replicas it hosts.

use super::snapshot::BrokerState;
use super::types::{BrokerId, TopicPartition};
use crate::log::PartitionLog;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The leader's view of one follower, as Kafka's `Replica` state on the leader.
#[derive(Clone, Debug, Default)]
pub struct FollowerState {
    /// The follower's LEO as of its last fetch.
    pub log_end_offset: i64,
    /// Last time the follower had fetched up to the leader's LEO (`lastCaughtUpTimeMs`).
    pub last_caught_up_ms: i64,
}

/// One replica of one partition on one broker.
pub struct Replica {
    /// The on-disk log.
    pub log: PartitionLog,
    /// This replica's high watermark (a follower's lags the leader's by one fetch).
    pub high_watermark: i64,
    /// Leader-only: each follower's fetch state.
    pub followers: BTreeMap<BrokerId, FollowerState>,
    /// Follower-only: the leader epoch this follower last reconciled its log against (KIP-101).
    pub synced_epoch: Option<i32>,
    /// Leader-only: the last HW reported as an event, and when, for rate limiting.
    pub last_hw_event: (i64, i64),
}

impl Replica {
    /// Wraps an opened log; HW starts at 0 until the leader says otherwise (Kafka checkpoints it;
    /// the lab re-learns it on the first fetch).
    pub fn new(log: PartitionLog) -> Self {
        Self {
            log,
            high_watermark: 0,
            followers: BTreeMap::new(),
            synced_epoch: None,
            last_hw_event: (-1, i64::MIN / 2),
        }
    }

    /// Log end offset.
    pub fn leo(&self) -> i64 {
        self.log.log_end_offset()
    }
}

/// One broker.
pub struct Broker {
    /// `broker.id`.
    pub id: BrokerId,
    /// Up, shutting down or down.
    pub state: BrokerState,
    /// Whether its followers stopped fetching (the slow-follower fault).
    pub slow: bool,
    /// `<data-dir>/broker-<id>`.
    pub dir: PathBuf,
    /// Replicas hosted while up; empty while down (logs closed).
    pub replicas: BTreeMap<TopicPartition, Replica>,
    /// Last heartbeat the controller received.
    pub last_heartbeat_ms: i64,
    /// Whether the controller considers it registered (alive): a killed broker stays registered
    /// until its session expires, which is why a crash is noticed late.
    pub registered: bool,
    /// Whether its last stop was a controlled shutdown: a broker that crashed registers again
    /// as an unclean shutdown and loses its ELR memberships (KIP-966).
    pub clean_shutdown: bool,
    /// Since when the controller keeps a restarted broker fenced (KRaft): registered again, but
    /// neither leading, fetching nor in any ISR until its next heartbeat unfences it.
    pub fenced_since_ms: Option<i64>,
    /// How many times the process has started: what a broker keeps only in memory (fetch
    /// sessions on its listener) is gone when this changes.
    pub starts: u64,
}

impl Broker {
    /// A broker that has not started yet.
    pub fn new(id: BrokerId, dir: PathBuf) -> Self {
        Self {
            id,
            state: BrokerState::Down,
            slow: false,
            dir,
            replicas: BTreeMap::new(),
            last_heartbeat_ms: 0,
            registered: false,
            clean_shutdown: true,
            fenced_since_ms: None,
            starts: 0,
        }
    }

    /// Whether the process runs (up or shutting down).
    pub fn is_running(&self) -> bool {
        self.state != BrokerState::Down
    }

    /// Bytes of all replica logs.
    pub fn bytes_on_disk(&self) -> u64 {
        self.replicas.values().map(|r| r.log.size_bytes()).sum()
    }
}

/// The controller's record of one partition: assignment, leader, epoch and ISR.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionMeta {
    /// Which partition.
    pub tp: TopicPartition,
    /// Assigned replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// Current leader.
    pub leader: Option<BrokerId>,
    /// Bumped at every leader change.
    pub leader_epoch: i32,
    /// In-sync replicas (empty only with ELR on, when its last member was fenced).
    pub isr: Vec<BrokerId>,
    /// Eligible leader replicas (KIP-966): out of the ISR but holding every committed record;
    /// never overlaps the ISR, at most the replication factor, empty while the ISR has
    /// `min.insync.replicas` members. Kept by `elr.rs`.
    pub elr: Vec<BrokerId>,
    /// The leader when the ISR became empty (Kafka's `lastKnownElr` holding the last known
    /// leader): with ISR and ELR empty it may lead again once unfenced.
    pub last_known_leader: Option<BrokerId>,
    /// `min.insync.replicas` of its topic.
    pub min_insync_replicas: i16,
}

impl PartitionMeta {
    /// A newly assigned partition: every replica in the ISR, no leader yet (epoch -1), no ELR.
    pub fn assigned(tp: TopicPartition, replicas: Vec<BrokerId>, min_insync_replicas: i16) -> Self {
        Self {
            tp,
            isr: replicas.clone(),
            elr: Vec::new(),
            last_known_leader: None,
            leader: None,
            leader_epoch: -1,
            replicas,
            min_insync_replicas,
        }
    }

    /// The replicas other than the leader, in assignment order (all of them without a leader).
    pub fn followers(&self) -> Vec<BrokerId> {
        self.replicas
            .iter()
            .copied()
            .filter(|b| Some(*b) != self.leader)
            .collect()
    }
}
