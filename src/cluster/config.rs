//! `ClusterConfig`: the lab's broker-side settings, with Kafka's names, in one of two profiles:
//! Kafka 4.1's defaults, or the teaching profile that shortens a few timers and says so.

mod profile;
pub mod table;

pub use profile::{KAFKA_VERSION, Profile, SEGMENT_BYTES_MIN, check_segment_bytes};

use crate::log::LogConfig;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Broker-side settings of the whole lab (a journal's header carries them whole).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ClusterConfig {
    /// Which defaults these settings started from (values set afterwards are lab overrides).
    pub profile: Profile,
    /// Number of brokers (1..=9), ids 1..=N.
    pub brokers: usize,
    /// Dedicated KRaft controllers (`--controllers N`, 1..=5, ids 101..=100+N); 0: brokers 1..=3
    /// are the controllers too (combined mode, `process.roles=broker,controller`).
    pub controllers: usize,
    /// `controller.quorum.election.timeout.ms`: a voter without a leader waits this long plus a
    /// random part of it before it asks for votes.
    pub controller_quorum_election_timeout_ms: i64,
    /// `controller.quorum.fetch.timeout.ms`: a follower without a successful metadata fetch for
    /// this long starts an election.
    pub controller_quorum_fetch_timeout_ms: i64,
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
    /// `replica.lag.time.max.ms` (Kafka 30000; teaching 10000 so ISR changes show quickly).
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
    /// `offsets.topic.num.partitions` (Kafka 50; teaching 3 so the dashboard stays readable).
    pub offsets_topic_partitions: i32,
    /// `offsets.topic.replication.factor`: Kafka creates `__consumer_offsets` only once this many
    /// brokers are alive (the teaching profile caps it at the broker count instead).
    pub offsets_topic_replication_factor: i16,
    /// `transaction.state.log.num.partitions` (Kafka 50; teaching 3, like `__consumer_offsets`).
    pub transaction_state_partitions: i32,
    /// `transaction.state.log.min.isr` (Kafka 2): a coordinator's state change counts once this
    /// many replicas of its `__transaction_state` partition have it.
    pub transaction_state_min_isr: i16,
    /// `transaction.max.timeout.ms` (Kafka 900000): the largest `transaction.timeout.ms` a
    /// producer may ask for.
    pub transaction_max_timeout_ms: i64,
    /// `num.partitions`: partitions of a topic created without a count (auto-creation, CreateTopics -1).
    pub num_partitions: i32,
    /// `default.replication.factor`: replication factor of a topic created without one.
    pub default_replication_factor: i16,
    /// `message.max.bytes`: the largest record batch a broker accepts.
    pub message_max_bytes: usize,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: i64,
    /// `group.min.session.timeout.ms`: the smallest `session.timeout.ms` a member may ask for.
    pub group_min_session_timeout_ms: i64,
    /// `group.max.session.timeout.ms`: the largest `session.timeout.ms` a member may ask for.
    pub group_max_session_timeout_ms: i64,
    /// `group.consumer.heartbeat.interval.ms` (KIP-848; Kafka 5000, teaching 2000).
    pub group_consumer_heartbeat_interval_ms: i64,
    /// `group.consumer.session.timeout.ms` (KIP-848, set by the broker; Kafka 45000, teaching 10000).
    pub group_consumer_session_timeout_ms: i64,
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
    /// The teaching profile's settings for `brokers` brokers storing under `data_dir`.
    pub fn new(brokers: usize, seed: u64, data_dir: impl Into<PathBuf>) -> Self {
        Self::for_profile(Profile::Teaching, brokers, seed, data_dir)
    }

    /// The settings of `profile` for `brokers` brokers storing under `data_dir`.
    pub fn for_profile(
        profile: Profile,
        brokers: usize,
        seed: u64,
        data_dir: impl Into<PathBuf>,
    ) -> Self {
        let kafka = profile == Profile::Kafka;
        // Where the two differ, the teaching value is the one a room can watch happen.
        let pick = |kafka_value: i64, teaching: i64| if kafka { kafka_value } else { teaching };
        let log = LogConfig {
            segment_bytes: pick(1 << 30, 1 << 20) as u64,
            ..LogConfig::default()
        };
        Self {
            profile,
            brokers,
            controllers: 0,
            controller_quorum_election_timeout_ms: 1_000,
            controller_quorum_fetch_timeout_ms: 2_000,
            seed,
            data_dir: data_dir.into(),
            epoch: DateTime::<Utc>::UNIX_EPOCH,
            log,
            broker_session_timeout_ms: 9_000,
            broker_heartbeat_interval_ms: 2_000,
            replica_lag_time_max_ms: pick(30_000, 10_000),
            unclean_leader_election: false,
            eligible_leader_replicas: true,
            offsets_retention_minutes: 10_080,
            offsets_retention_check_interval_ms: 600_000,
            auto_leader_rebalance: true,
            leader_imbalance_check_interval_ms: pick(300_000, 10_000),
            offsets_topic_partitions: pick(50, 3) as i32,
            offsets_topic_replication_factor: 3,
            transaction_state_partitions: pick(50, 3) as i32,
            transaction_state_min_isr: 2,
            transaction_max_timeout_ms: 900_000,
            num_partitions: 1,
            default_replication_factor: pick(1, 3) as i16,
            message_max_bytes: 1_048_588,
            group_initial_rebalance_delay_ms: 3_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_consumer_heartbeat_interval_ms: pick(5_000, 2_000),
            group_consumer_session_timeout_ms: pick(45_000, 10_000),
            step_ms: 10,
            hw_event_interval_ms: 5_000,
            retention_check_interval_ms: pick(300_000, 5_000),
            replica_fetch_max_bytes: 1 << 20,
        }
    }

    /// The replication factor `__consumer_offsets` is created with, or why it cannot be yet:
    /// Kafka refuses while fewer brokers are alive than `offsets.topic.replication.factor`; the
    /// teaching profile caps the factor at the lab's broker count so groups work with one broker.
    pub fn offsets_topic_rf(&self, live_brokers: usize) -> Result<i16, String> {
        let wanted = self.offsets_topic_replication_factor;
        match self.profile {
            Profile::Teaching => Ok(wanted.min(live_brokers as i16).max(1)),
            Profile::Kafka if live_brokers >= wanted as usize => Ok(wanted),
            Profile::Kafka => Err(format!(
                "__consumer_offsets needs offsets.topic.replication.factor={wanted} live brokers, \
                 {live_brokers} are up: groups get COORDINATOR_NOT_AVAILABLE"
            )),
        }
    }

    /// The replication factor of a topic created without one, with `live_brokers` up: Kafka's
    /// `default.replication.factor` as is (a topic it does not fit is refused); the teaching
    /// profile caps it at the live brokers so a client can create topics while one is down.
    pub fn default_rf(&self, live_brokers: usize) -> i16 {
        match self.profile {
            Profile::Kafka => self.default_replication_factor,
            Profile::Teaching => self
                .default_replication_factor
                .min(live_brokers as i16)
                .max(1),
        }
    }

    /// The KRaft voters (`controller.quorum.voters`): brokers 1..=3 in combined mode, or the
    /// dedicated controllers 101..=100+N.
    pub fn controller_ids(&self) -> Vec<crate::cluster::BrokerId> {
        use crate::cluster::kraft::DEDICATED_CONTROLLER_BASE as BASE;
        if self.controllers == 0 {
            (1..=self.brokers.min(3) as crate::cluster::BrokerId).collect()
        } else {
            (1..=self.controllers as crate::cluster::BrokerId)
                .map(|i| BASE + i)
                .collect()
        }
    }

    /// The timers and limits a snapshot carries, so the dashboard can name them.
    pub fn settings(&self) -> crate::cluster::snapshot::ClusterSettings {
        crate::cluster::snapshot::ClusterSettings {
            profile: self.profile,
            broker_session_timeout_ms: self.broker_session_timeout_ms,
            broker_heartbeat_interval_ms: self.broker_heartbeat_interval_ms,
            controller_quorum_election_timeout_ms: self.controller_quorum_election_timeout_ms,
            controller_quorum_fetch_timeout_ms: self.controller_quorum_fetch_timeout_ms,
            controller_voters: self.controller_ids().len(),
            replica_lag_time_max_ms: self.replica_lag_time_max_ms,
            unclean_leader_election: self.unclean_leader_election,
            auto_leader_rebalance: self.auto_leader_rebalance,
            leader_imbalance_check_interval_ms: self.leader_imbalance_check_interval_ms,
            group_initial_rebalance_delay_ms: self.group_initial_rebalance_delay_ms,
            group_min_session_timeout_ms: self.group_min_session_timeout_ms,
            group_max_session_timeout_ms: self.group_max_session_timeout_ms,
            consumer_heartbeat_interval_ms: self.group_consumer_heartbeat_interval_ms,
            consumer_session_timeout_ms: self.group_consumer_session_timeout_ms,
            retention_check_interval_ms: self.retention_check_interval_ms,
            offsets_topic_partitions: self.offsets_topic_partitions,
        }
    }

    /// Checks the settings, saying what to change; the Kafka profile also keeps Kafka's limits.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=9).contains(&self.brokers) {
            return Err(format!("brokers must be 1..=9, not {}", self.brokers));
        }
        if self.controllers > 5 {
            return Err(format!(
                "controllers must be 0 (combined with brokers 1..=3) or 1..=5, not {}",
                self.controllers
            ));
        }
        if self.controller_quorum_election_timeout_ms < 1
            || self.controller_quorum_fetch_timeout_ms < 1
        {
            return Err("controller.quorum.*.timeout.ms must be positive".into());
        }
        if self.step_ms <= 0 {
            return Err("step_ms must be positive".into());
        }
        if self.offsets_topic_partitions < 1 {
            return Err("offsets.topic.num.partitions must be at least 1".into());
        }
        if self.offsets_topic_replication_factor < 1 {
            return Err("offsets.topic.replication.factor must be at least 1".into());
        }
        if self.transaction_state_partitions < 1 {
            return Err("transaction.state.log.num.partitions must be at least 1".into());
        }
        if self.num_partitions < 1 {
            return Err("num.partitions must be at least 1".into());
        }
        if self.default_replication_factor < 1 {
            return Err("default.replication.factor must be at least 1".into());
        }
        check_segment_bytes(self.profile, "log.segment.bytes", self.log.segment_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kafka_profile_refuses_segments_under_one_mib_and_teaching_allows_them() {
        let mut c = ClusterConfig::for_profile(Profile::Kafka, 3, 1, "/lab");
        c.log.segment_bytes = 4096;
        assert_eq!(
            c.validate().unwrap_err(),
            "Invalid value 4096 for configuration log.segment.bytes: Value must be at least 1048576"
        );
        c.log.segment_bytes = 1 << 20;
        assert_eq!(c.validate(), Ok(()));
        let mut t = ClusterConfig::for_profile(Profile::Teaching, 3, 1, "/lab");
        t.log.segment_bytes = 4096;
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn kafka_refuses_the_offsets_topic_below_its_replication_factor_teaching_caps_it() {
        let k = ClusterConfig::for_profile(Profile::Kafka, 1, 1, "/lab");
        assert!(
            k.offsets_topic_rf(1)
                .unwrap_err()
                .contains("COORDINATOR_NOT_AVAILABLE")
        );
        assert_eq!(k.offsets_topic_rf(3), Ok(3));
        let t = ClusterConfig::for_profile(Profile::Teaching, 1, 1, "/lab");
        assert_eq!(t.offsets_topic_rf(1), Ok(1));
        assert_eq!(t.offsets_topic_rf(5), Ok(3));
    }
}
