//! The checked scenario: what a lesson file means once parsed, ready for the runner.
//!
//! Everything here has passed [`super::parse`]: brokers, topics, partitions and clients it names
//! exist at the step that names them, so the runner never meets a dangling reference.

use super::expect::Expect;
use crate::clients::spec::{ConsumerSpec, ProducerSpec};
use crate::cluster::config::{ClusterConfig, Profile, check_segment_bytes};
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{BrokerId, TopicPartition};

/// A scenario file that cannot run: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}{snippet}")]
pub struct ScenarioError {
    /// The file (or built-in lesson) name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
    /// The offending line with a caret under the column (empty when unknown).
    pub snippet: String,
}

/// The cluster a scenario starts.
#[derive(Clone, Debug, PartialEq)]
pub struct LabSpec {
    /// Broker count (1–9).
    pub brokers: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// The profile the lab starts from: `None` runs under whichever the user picks (teaching by
    /// default); a lesson that relies on the teaching profile's short timers names it.
    pub profile: Option<Profile>,
    /// Broker settings that differ from the profile's defaults.
    pub broker_session_timeout_ms: Option<i64>,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_time_max_ms: Option<i64>,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: Option<bool>,
    /// `auto.leader.rebalance.enable`.
    pub auto_leader_rebalance: Option<bool>,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: Option<i64>,
    /// `log.retention.check.interval.ms`.
    pub retention_check_interval_ms: Option<i64>,
    /// `segment.bytes` of every topic without its own.
    pub segment_bytes: Option<u64>,
    /// `replica.fetch.max.bytes`: what one follower fetch returns at most per partition (a
    /// small value makes a restarted broker's catch-up take many fetches a room can watch).
    pub replica_fetch_max_bytes: Option<usize>,
    /// Topics created before the first step.
    pub topics: Vec<TopicSpec>,
}

impl LabSpec {
    /// The cluster settings, storing under `data_dir`, with `seed` (the file's unless overridden).
    pub fn cluster_config(&self, data_dir: &std::path::Path, seed: u64) -> ClusterConfig {
        let profile = self.profile.unwrap_or_default();
        let mut c = ClusterConfig::for_profile(profile, self.brokers, seed, data_dir);
        if let Some(v) = self.broker_session_timeout_ms {
            c.broker_session_timeout_ms = v;
        }
        if let Some(v) = self.replica_lag_time_max_ms {
            c.replica_lag_time_max_ms = v;
        }
        if let Some(v) = self.unclean_leader_election {
            c.unclean_leader_election = v;
        }
        if let Some(v) = self.auto_leader_rebalance {
            c.auto_leader_rebalance = v;
        }
        if let Some(v) = self.group_initial_rebalance_delay_ms {
            c.group_initial_rebalance_delay_ms = v;
        }
        if let Some(v) = self.retention_check_interval_ms {
            c.retention_check_interval_ms = v;
        }
        if let Some(v) = self.segment_bytes {
            c.log.segment_bytes = v;
        }
        if let Some(v) = self.replica_fetch_max_bytes {
            c.replica_fetch_max_bytes = v;
        }
        c
    }
}

impl Scenario {
    /// This scenario run under `profile`, or why it cannot be: a lesson that names the teaching
    /// profile relies on its short timers, and the Kafka profile keeps Kafka's limits.
    pub fn under_profile(mut self, profile: Profile) -> Result<Self, String> {
        if let Some(own) = self.lab.profile
            && own != profile
        {
            return Err(format!(
                "lesson {} runs only with --profile {own}: it relies on that profile's timers",
                self.name
            ));
        }
        if let Some(b) = self.lab.segment_bytes {
            check_segment_bytes(profile, "segment_bytes", b)?;
        }
        for t in &self.lab.topics {
            if let Some(b) = t.segment_bytes {
                check_segment_bytes(profile, "segment.bytes", b)
                    .map_err(|e| format!("topic {}: {e}", t.name))?;
            }
        }
        self.lab.profile = Some(profile);
        Ok(self)
    }
}

/// A broker named by id or as "whoever leads this partition when the step runs".
#[derive(Clone, Debug, PartialEq)]
pub enum BrokerRef {
    /// A broker id.
    Id(BrokerId),
    /// The leader of a partition at that moment.
    LeaderOf(TopicPartition),
}

impl std::fmt::Display for BrokerRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrokerRef::Id(id) => write!(f, "broker {id}"),
            BrokerRef::LeaderOf(tp) => write!(f, "the leader of {tp}"),
        }
    }
}

/// A setting changed while the lab runs.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigChange {
    /// `unclean.leader.election.enable`.
    UncleanLeaderElection(bool),
    /// A producer's rate.
    ProducerRate(String, f64),
}

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Create a topic.
    CreateTopic(TopicSpec),
    /// Grow a topic to this many partitions.
    AddPartitions(String, i32),
    /// Delete a topic.
    DeleteTopic(String),
    /// Start a producer (`client_id` is its name).
    SpawnProducer(ProducerSpec),
    /// Stop the named producer.
    StopProducer(String),
    /// Crash the named producer (no flush, no EndTxn).
    KillProducer(String),
    /// Freeze (true) or resume (false) the named producer.
    PauseProducer(String, bool),
    /// Start a consumer (`client_id` is its name).
    SpawnConsumer(ConsumerSpec),
    /// Crash the named consumer.
    KillConsumer(String),
    /// Close the named consumer (LeaveGroup).
    CloseConsumer(String),
    /// Crash a broker.
    KillBroker(BrokerRef),
    /// Controlled shutdown of a broker.
    ShutdownBroker(BrokerRef),
    /// Start a stopped broker.
    RestartBroker(BrokerId),
    /// Make a broker's followers stop (true) or resume (false) fetching.
    SlowBroker(BrokerId, bool),
    /// Change a setting.
    SetConfig(ConfigChange),
    /// Stop simulated time in the dashboard until `n`.
    Pause,
}

/// When a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// At this simulated time since the start (or at once, if that has passed).
    At(i64),
    /// This long after the previous step.
    After(i64),
    /// When the presenter presses `n` (at once in headless runs).
    Key,
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Line in the file.
    pub line: usize,
    /// When it runs.
    pub trigger: Trigger,
    /// Words for the audience.
    pub caption: Option<String>,
    /// What it does.
    pub action: Option<Action>,
    /// What must be true.
    pub expect: Option<Expect>,
    /// The partition whose replica-log view the dashboard opens when this step runs.
    pub show_log: Option<TopicPartition>,
}

/// A whole scenario, checked and ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name (the file stem).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// Headless runs last at least this long (simulated ms).
    pub duration_ms: i64,
    /// The cluster.
    pub lab: LabSpec,
    /// The steps, in order.
    pub steps: Vec<Step>,
}
