//! `ClusterConfig`: the lab's broker-side settings, with Kafka's names and lab-friendly defaults.

use crate::log::LogConfig;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Broker-side settings of the whole lab.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Number of brokers (1..=9), ids 1..=N.
    pub brokers: usize,
    /// Seed of the one RNG every random choice comes from.
    pub seed: u64,
    /// Where `broker-<id>/<topic>-<partition>/` directories live.
    pub data_dir: PathBuf,
    /// Calendar time of simulated instant 0, for event timestamps.
    pub epoch: DateTime<Utc>,
    /// Default log settings for every partition replica.
    pub log: LogConfig,
    /// `broker.session.timeout.ms`: how long the controller waits before declaring a silent broker dead.
    pub broker_session_timeout_ms: i64,
    /// `broker.heartbeat.interval.ms`.
    pub broker_heartbeat_interval_ms: i64,
    /// `replica.lag.time.max.ms` (Kafka 30000; the lab uses less so ISR changes show quickly).
    pub replica_lag_time_max_ms: i64,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: bool,
    /// `eligible.leader.replicas.version=1` (KIP-966, on for new Kafka 4.1 clusters): replicas
    /// that leave the ISR while it is below `min.insync.replicas` stay eligible to lead cleanly.
    pub eligible_leader_replicas: bool,
    /// `offsets.retention.minutes` (Kafka 10080): how long an empty group's committed offsets
    /// (or a standalone commit) are kept.
    pub offsets_retention_minutes: i64,
    /// `offsets.retention.check.interval.ms` (Kafka 600000): how often expired offsets are removed.
    pub offsets_retention_check_interval_ms: i64,
    /// `auto.leader.rebalance.enable`: move leadership back to the preferred replica.
    pub auto_leader_rebalance: bool,
    /// `leader.imbalance.check.interval.seconds`, in ms.
    pub leader_imbalance_check_interval_ms: i64,
    /// `offsets.topic.num.partitions` (Kafka 50; lab 3 so the dashboard stays readable).
    pub offsets_topic_partitions: i32,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms`: the smallest `session.timeout.ms` a member may ask for.
    pub group_min_session_timeout_ms: i64,
    /// `group.max.session.timeout.ms`: the largest `session.timeout.ms` a member may ask for.
    pub group_max_session_timeout_ms: i64,
    /// Simulation step in ms: replication fetches and client polls happen once per step.
    pub step_ms: i64,
    /// Minimum simulated ms between two HW events for one partition (the event stream stays readable).
    pub hw_event_interval_ms: i64,
    /// How often retention runs (`log.retention.check.interval.ms`).
    pub retention_check_interval_ms: i64,
    /// Maximum bytes a follower fetch returns (`replica.fetch.max.bytes`).
    pub replica_fetch_max_bytes: usize,
}

impl ClusterConfig {
    /// The lab defaults for `brokers` brokers storing under `data_dir`.
    pub fn new(brokers: usize, seed: u64, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            brokers,
            seed,
            data_dir: data_dir.into(),
            epoch: DateTime::<Utc>::UNIX_EPOCH,
            log: LogConfig::default(),
            broker_session_timeout_ms: 9_000,
            broker_heartbeat_interval_ms: 2_000,
            replica_lag_time_max_ms: 10_000,
            unclean_leader_election: false,
            eligible_leader_replicas: true,
            offsets_retention_minutes: 10_080,
            offsets_retention_check_interval_ms: 600_000,
            auto_leader_rebalance: true,
            leader_imbalance_check_interval_ms: 10_000,
            offsets_topic_partitions: 3,
            group_initial_rebalance_delay_ms: 3_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            step_ms: 10,
            hw_event_interval_ms: 5_000,
            retention_check_interval_ms: 5_000,
            replica_fetch_max_bytes: 1 << 20,
        }
    }

    /// The timers and limits a snapshot carries, so the dashboard can name them.
    pub fn settings(&self) -> crate::cluster::snapshot::ClusterSettings {
        crate::cluster::snapshot::ClusterSettings {
            broker_session_timeout_ms: self.broker_session_timeout_ms,
            broker_heartbeat_interval_ms: self.broker_heartbeat_interval_ms,
            replica_lag_time_max_ms: self.replica_lag_time_max_ms,
            unclean_leader_election: self.unclean_leader_election,
            auto_leader_rebalance: self.auto_leader_rebalance,
            leader_imbalance_check_interval_ms: self.leader_imbalance_check_interval_ms,
            group_initial_rebalance_delay_ms: self.group_initial_rebalance_delay_ms,
            group_min_session_timeout_ms: self.group_min_session_timeout_ms,
            group_max_session_timeout_ms: self.group_max_session_timeout_ms,
            retention_check_interval_ms: self.retention_check_interval_ms,
            offsets_topic_partitions: self.offsets_topic_partitions,
        }
    }

    /// Checks the settings, saying what to change.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.brokers) {
            return Err(format!("brokers must be 1..=9, not {}", self.brokers));
        }
        if self.step_ms <= 0 {
            return Err("step_ms must be positive".into());
        }
        if self.offsets_topic_partitions < 1 {
            return Err("offsets.topic.num.partitions must be at least 1".into());
        }
        Ok(())
    }
}
