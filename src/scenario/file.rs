//! Scenario files: the TOML a lesson is written in, parsed and checked whole before anything runs.
//!
//! ```toml
//! title = "Leader failover when a broker dies"   # one line, shown in `kafka-lab lesson`
//! duration = "30s"                                 # optional: headless runs last at least this long
//!
//! [lab]                                            # the cluster to start
//! brokers = 3
//! seed = 7
//! broker_session_timeout_ms = 6000                 # also: replica_lag_time_max_ms,
//!                                                  # unclean_leader_election, auto_leader_rebalance,
//!                                                  # group_initial_rebalance_delay_ms,
//!                                                  # retention_check_interval_ms, segment_bytes
//! [[lab.topic]]
//! name = "test"
//! partitions = 2
//! replication_factor = 3                           # default: min(brokers, 3)
//! min_insync_replicas = 1                          # also: retention = "10s", retention_bytes, segment_bytes
//!
//! [[step]]
//! at = "0s"                                        # or after = "5s" (after the previous step), or on = "key"
//! caption = "A producer writes to test"            # shown in the banner and the timeline
//! spawn_producer = { name = "P", topic = "test", rate = 5, acks = "all", keys = 0 }
//!
//! [[step]]
//! after = "10s"
//! expect = { partition = "test-0", hw_at_least = 20, within = "5s" }
//! ```
//!
//! Actions (one per step): `create_topic = {…}` (like `[[lab.topic]]`), `spawn_producer = {name,
//! topic, rate, acks, keys, linger_ms, value_bytes}`, `stop_producer = "P"`, `spawn_consumer =
//! {name, group, topic, commit = "auto"|"each"|"every:N"|"never", offset_reset, assignor,
//! session_timeout_ms, processing_ms_per_record}`, `kill_consumer = "A"`, `close_consumer = "A"`,
//! `kill_broker = 1` or `= { leader_of = "test-0" }`, `shutdown_broker` (same), `restart_broker = 1`,
//! `slow_broker = 2`, `resume_broker = 2`, `set_config = { unclean_leader_election = true }` or
//! `= { producer = "P", rate = 50 }`, `pause = true` (the dashboard stops time until `n`).
//! Expectations are listed in [`super::expect`].

use super::expect::{Check, Expect, Subject};
use super::schedule::parse_duration_ms;
use crate::clients::spec::{CommitMode, KeyMode, OffsetReset};
use crate::clients::spec::{ConsumerSpec, ProducerSpec};
use crate::clients::view::ConsumerState;
use crate::cluster::config::ClusterConfig;
use crate::cluster::snapshot::{BrokerState, GroupState};
use crate::cluster::topic::{TopicSpec, validate_topic_name};
use crate::cluster::types::{Acks, AssignorKind, BrokerId, TopicPartition};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

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

impl ScenarioError {
    fn at(file: &str, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].chars().count() + 1;
        let text = source[line_start..].lines().next().unwrap_or("");
        let snippet = format!("\n  | {text}\n  | {}^", " ".repeat(column - 1));
        Self {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
        }
    }
}

/// The cluster a scenario starts.
#[derive(Clone, Debug, PartialEq)]
pub struct LabSpec {
    /// Broker count (1–9).
    pub brokers: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Broker settings that differ from the lab defaults.
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
    /// Topics created before the first step.
    pub topics: Vec<TopicSpec>,
}

impl LabSpec {
    /// The cluster settings, storing under `data_dir`, with `seed` (the file's unless overridden).
    pub fn cluster_config(&self, data_dir: &std::path::Path, seed: u64) -> ClusterConfig {
        let mut c = ClusterConfig::new(self.brokers, seed, data_dir);
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
        c
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
    /// Start a producer (`client_id` is its name).
    SpawnProducer(ProducerSpec),
    /// Stop the named producer.
    StopProducer(String),
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

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    name: Option<String>,
    title: String,
    duration: Option<Spanned<String>>,
    lab: LabDef,
    #[serde(default)]
    step: Vec<Spanned<StepDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabDef {
    brokers: Option<Spanned<usize>>,
    seed: Option<u64>,
    broker_session_timeout_ms: Option<i64>,
    replica_lag_time_max_ms: Option<i64>,
    unclean_leader_election: Option<bool>,
    auto_leader_rebalance: Option<bool>,
    group_initial_rebalance_delay_ms: Option<i64>,
    retention_check_interval_ms: Option<i64>,
    segment_bytes: Option<u64>,
    #[serde(default)]
    topic: Vec<Spanned<TopicDef>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct TopicDef {
    name: String,
    partitions: Option<i32>,
    replication_factor: Option<i16>,
    min_insync_replicas: Option<i16>,
    retention: Option<String>,
    retention_bytes: Option<i64>,
    segment_bytes: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProducerDef {
    name: String,
    topic: String,
    rate: Option<f64>,
    acks: Option<toml::Value>,
    keys: Option<u32>,
    linger_ms: Option<u64>,
    value_bytes: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsumerDef {
    name: String,
    group: String,
    topic: String,
    commit: Option<String>,
    offset_reset: Option<String>,
    assignor: Option<String>,
    session_timeout_ms: Option<u64>,
    heartbeat_interval_ms: Option<u64>,
    processing_ms_per_record: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BrokerDef {
    Id(i32),
    LeaderOf { leader_of: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigDef {
    unclean_leader_election: Option<bool>,
    producer: Option<String>,
    rate: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepDef {
    at: Option<String>,
    after: Option<String>,
    on: Option<String>,
    caption: Option<String>,
    create_topic: Option<TopicDef>,
    spawn_producer: Option<ProducerDef>,
    stop_producer: Option<String>,
    spawn_consumer: Option<ConsumerDef>,
    kill_consumer: Option<String>,
    close_consumer: Option<String>,
    kill_broker: Option<BrokerDef>,
    shutdown_broker: Option<BrokerDef>,
    restart_broker: Option<i32>,
    slow_broker: Option<i32>,
    resume_broker: Option<i32>,
    set_config: Option<ConfigDef>,
    pause: Option<bool>,
    expect: Option<ExpectDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerDef {
    consumer: String,
    partitions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OffsetDef {
    partition: String,
    offset: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectDef {
    within: Option<String>,
    // subjects
    group: Option<String>,
    partition: Option<String>,
    consumer: Option<String>,
    producer: Option<String>,
    broker: Option<i32>,
    // any subject with a state
    state: Option<String>,
    // group
    members: Option<usize>,
    generation_at_least: Option<i32>,
    owner: Option<OwnerDef>,
    revoked_at_least: Option<usize>,
    revoked_at_most: Option<usize>,
    // partition
    leader: Option<i32>,
    leader_not: Option<i32>,
    isr: Option<Vec<i32>>,
    isr_size: Option<usize>,
    isr_excludes: Option<i32>,
    offline: Option<bool>,
    hw_at_least: Option<i64>,
    log_start_at_least: Option<i64>,
    // consumer
    first_offset: Option<OffsetDef>,
    read_at_least: Option<u64>,
    owns: Option<Vec<String>>,
    keys_in_order: Option<bool>,
    // producer
    acked_at_least: Option<u64>,
    lost_acked: Option<u64>,
    lost_acked_at_least: Option<u64>,
}

/// What exists at a point of the scenario, to check references before anything runs.
#[derive(Default)]
struct Known {
    brokers: usize,
    topics: BTreeMap<String, i32>,
    producers: BTreeSet<String>,
    consumers: BTreeMap<String, String>,
    groups: BTreeSet<String>,
}

struct Ctx<'a> {
    file: &'a str,
    source: &'a str,
    span: Range<usize>,
}

impl<'a> Ctx<'a> {
    fn err(&self, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(self.file, self.source, self.span.start, message)
    }

    /// The same context pointing at `field = …` inside this table, when it is written there.
    fn at_field(&self, field: &str) -> Ctx<'a> {
        let text = self.source.get(self.span.clone()).unwrap_or("");
        let start = text
            .match_indices(field)
            .find(|(i, _)| {
                let before = text[..*i].chars().next_back();
                let after = text[i + field.len()..].trim_start().chars().next();
                matches!(before, None | Some('\n' | ' ' | '\t' | '{' | ',')) && after == Some('=')
            })
            .map_or(self.span.start, |(i, _)| self.span.start + i);
        Ctx {
            file: self.file,
            source: self.source,
            span: start..self.span.end,
        }
    }
}

impl Known {
    fn tp(&self, cx: &Ctx, text: &str) -> Result<TopicPartition, ScenarioError> {
        let (topic, p) = text.rsplit_once('-').ok_or_else(|| {
            cx.err(format!(
                "found partition {text:?}, expected TOPIC-N such as \"test-0\""
            ))
        })?;
        let p: i32 = p.parse().map_err(|_| {
            cx.err(format!(
                "found partition {text:?}, expected TOPIC-N such as \"test-0\""
            ))
        })?;
        match self.topics.get(topic) {
            None => Err(cx.err(format!(
                "partition {text:?} refers to topic {topic:?}, which does not exist at this step (topics: {})",
                self.topic_list()
            ))),
            Some(n) if p < 0 || p >= *n => Err(cx.err(format!(
                "partition {text:?} does not exist: topic {topic} has partitions 0..={}",
                n - 1
            ))),
            Some(_) => Ok(TopicPartition::new(topic, p)),
        }
    }

    fn topic_list(&self) -> String {
        if self.topics.is_empty() {
            "none".into()
        } else {
            self.topics.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    }

    fn broker(&self, cx: &Ctx, id: i32) -> Result<BrokerId, ScenarioError> {
        if id < 1 || id as usize > self.brokers {
            return Err(cx.err(format!(
                "broker {id} does not exist: this lab has brokers 1..={}",
                self.brokers
            )));
        }
        Ok(id)
    }

    fn topic(&self, cx: &Ctx, name: &str) -> Result<(), ScenarioError> {
        if self.topics.contains_key(name) {
            Ok(())
        } else {
            Err(cx.err(format!(
                "topic {name:?} does not exist at this step (topics: {}); create it in [lab] or with create_topic first",
                self.topic_list()
            )))
        }
    }

    fn producer(&self, cx: &Ctx, name: &str) -> Result<String, ScenarioError> {
        if self.producers.contains(name) {
            Ok(name.to_string())
        } else {
            Err(cx.err(format!(
                "no producer named {name:?} was spawned before this step (producers: {})",
                list(&self.producers)
            )))
        }
    }

    fn consumer(&self, cx: &Ctx, name: &str) -> Result<String, ScenarioError> {
        if self.consumers.contains_key(name) {
            Ok(name.to_string())
        } else {
            Err(cx.err(format!(
                "no consumer named {name:?} was spawned before this step (consumers: {})",
                list(self.consumers.keys())
            )))
        }
    }

    fn broker_ref(&self, cx: &Ctx, def: &BrokerDef) -> Result<BrokerRef, ScenarioError> {
        match def {
            BrokerDef::Id(id) => self.broker(cx, *id).map(BrokerRef::Id),
            BrokerDef::LeaderOf { leader_of } => self.tp(cx, leader_of).map(BrokerRef::LeaderOf),
        }
    }
}

fn list<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let v: Vec<&str> = items.into_iter().map(String::as_str).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn duration(cx: &Ctx, field: &str, text: &str) -> Result<i64, ScenarioError> {
    parse_duration_ms(text).map_err(|e| cx.err(format!("{field}: {e}")))
}

fn topic_spec(cx: &Ctx, def: &TopicDef, brokers: usize) -> Result<TopicSpec, ScenarioError> {
    validate_topic_name(&def.name).map_err(|e| cx.err(format!("topic {:?}: {e}", def.name)))?;
    let partitions = def.partitions.unwrap_or(1);
    if !(1..=1000).contains(&partitions) {
        return Err(cx.err(format!(
            "topic {}: found partitions = {partitions}, expected 1..=1000",
            def.name
        )));
    }
    let rf = def.replication_factor.unwrap_or(brokers.min(3) as i16);
    if rf < 1 || rf as usize > brokers {
        return Err(cx.err(format!(
            "topic {}: found replication_factor = {rf}, expected 1..={brokers} (the lab's broker count)",
            def.name
        )));
    }
    let mut spec = TopicSpec::new(def.name.clone(), partitions, rf);
    spec.min_insync_replicas = def.min_insync_replicas.unwrap_or(1);
    if spec.min_insync_replicas < 1 || spec.min_insync_replicas > rf {
        return Err(cx.err(format!(
            "topic {}: found min_insync_replicas = {}, expected 1..={rf} (its replication factor)",
            def.name, spec.min_insync_replicas
        )));
    }
    if let Some(r) = &def.retention {
        spec.retention_ms = Some(duration(cx, "retention", r)?);
    }
    spec.retention_bytes = def.retention_bytes;
    spec.segment_bytes = def.segment_bytes;
    Ok(spec)
}

fn parse_acks(cx: &Ctx, v: &toml::Value) -> Result<Acks, ScenarioError> {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        other => other.to_string(),
    };
    text.parse()
        .map_err(|_| cx.err(format!("found acks = {v}, expected \"all\", 1 or 0")))
}

fn parse_commit(cx: &Ctx, text: &str) -> Result<CommitMode, ScenarioError> {
    let bad = || {
        cx.err(format!(
            "found commit = {text:?}, expected \"auto\", \"each\", \"every:N\" or \"never\""
        ))
    };
    Ok(match text {
        "auto" => CommitMode::Auto { interval_ms: 5_000 },
        "each" => CommitMode::EveryRecords { records: 1 },
        "never" => CommitMode::Never,
        other => {
            let n: u32 = other
                .strip_prefix("every:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(bad)?;
            CommitMode::EveryRecords { records: n }
        }
    })
}

fn parse_state<T>(cx: &Ctx, text: &str, options: &[(&str, T)]) -> Result<T, ScenarioError>
where
    T: Copy,
{
    options
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            cx.err(format!(
                "found state = {text:?}, expected one of {}",
                names.join(", ")
            ))
        })
}

fn step_action(
    cx: &Ctx,
    def: &StepDef,
    known: &mut Known,
) -> Result<Option<Action>, ScenarioError> {
    let mut actions = Vec::new();
    if let Some(t) = &def.create_topic {
        let cx = &cx.at_field("create_topic");
        let spec = topic_spec(cx, t, known.brokers)?;
        if known.topics.contains_key(&spec.name) {
            return Err(cx.err(format!("topic {:?} already exists", spec.name)));
        }
        known.topics.insert(spec.name.clone(), spec.partitions);
        actions.push(Action::CreateTopic(spec));
    }
    if let Some(p) = &def.spawn_producer {
        let cx = &cx.at_field("spawn_producer");
        known.topic(cx, &p.topic)?;
        let rate = p.rate.unwrap_or(5.0);
        if !(rate > 0.0 && rate <= 1_000_000.0) {
            return Err(cx.err(format!(
                "producer {}: found rate = {rate}, expected more than 0 and at most 1000000 records/s",
                p.name
            )));
        }
        let mut spec = ProducerSpec::new(p.topic.clone(), rate);
        spec.client_id = Some(p.name.clone());
        if let Some(a) = &p.acks {
            spec.acks = parse_acks(cx, a)?;
        }
        if let Some(k) = p.keys.filter(|k| *k > 0) {
            spec.key_mode = KeyMode::Keyed { distinct_keys: k };
        }
        if let Some(l) = p.linger_ms {
            spec.linger_ms = l;
        }
        if let Some(v) = p.value_bytes {
            spec.value_bytes = v;
        }
        known.producers.insert(p.name.clone());
        actions.push(Action::SpawnProducer(spec));
    }
    if let Some(name) = &def.stop_producer {
        let cx = &cx.at_field("stop_producer");
        actions.push(Action::StopProducer(known.producer(cx, name)?));
    }
    if let Some(c) = &def.spawn_consumer {
        let cx = &cx.at_field("spawn_consumer");
        known.topic(cx, &c.topic)?;
        let mut spec = ConsumerSpec::new(c.group.clone(), c.topic.clone());
        spec.client_id = Some(c.name.clone());
        if let Some(m) = &c.commit {
            spec.commit_mode = parse_commit(cx, m)?;
        }
        if let Some(r) = &c.offset_reset {
            spec.auto_offset_reset = r.parse::<OffsetReset>().map_err(|e| cx.err(e))?;
        }
        if let Some(a) = &c.assignor {
            spec.assignor = a.parse::<AssignorKind>().map_err(|e| cx.err(e))?;
        }
        if let Some(s) = c.session_timeout_ms {
            spec.session_timeout_ms = s;
            spec.heartbeat_interval_ms = spec.heartbeat_interval_ms.min(s / 3).max(1);
        }
        if let Some(h) = c.heartbeat_interval_ms {
            spec.heartbeat_interval_ms = h;
        }
        if let Some(p) = c.processing_ms_per_record {
            spec.processing_ms_per_record = p;
        }
        if let Some(other) = known.consumers.get(&c.name)
            && *other != c.group
        {
            return Err(cx.err(format!(
                "consumer {:?} was in group {other:?}; a consumer name keeps its group",
                c.name
            )));
        }
        known.consumers.insert(c.name.clone(), c.group.clone());
        known.groups.insert(c.group.clone());
        actions.push(Action::SpawnConsumer(spec));
    }
    if let Some(name) = &def.kill_consumer {
        let cx = &cx.at_field("kill_consumer");
        actions.push(Action::KillConsumer(known.consumer(cx, name)?));
    }
    if let Some(name) = &def.close_consumer {
        let cx = &cx.at_field("close_consumer");
        actions.push(Action::CloseConsumer(known.consumer(cx, name)?));
    }
    if let Some(b) = &def.kill_broker {
        let cx = &cx.at_field("kill_broker");
        actions.push(Action::KillBroker(known.broker_ref(cx, b)?));
    }
    if let Some(b) = &def.shutdown_broker {
        let cx = &cx.at_field("shutdown_broker");
        actions.push(Action::ShutdownBroker(known.broker_ref(cx, b)?));
    }
    if let Some(b) = def.restart_broker {
        let cx = &cx.at_field("restart_broker");
        actions.push(Action::RestartBroker(known.broker(cx, b)?));
    }
    if let Some(b) = def.slow_broker {
        let cx = &cx.at_field("slow_broker");
        actions.push(Action::SlowBroker(known.broker(cx, b)?, true));
    }
    if let Some(b) = def.resume_broker {
        let cx = &cx.at_field("resume_broker");
        actions.push(Action::SlowBroker(known.broker(cx, b)?, false));
    }
    if let Some(c) = &def.set_config {
        let cx = &cx.at_field("set_config");
        let change = match (c.unclean_leader_election, &c.producer, c.rate) {
            (Some(v), None, None) => ConfigChange::UncleanLeaderElection(v),
            (None, Some(p), Some(r)) if r > 0.0 && r <= 1_000_000.0 => {
                ConfigChange::ProducerRate(known.producer(cx, p)?, r)
            }
            _ => {
                return Err(cx.err(
                    "set_config: expected either { unclean_leader_election = true|false } or { producer = \"NAME\", rate = R } with 0 < R <= 1000000",
                ));
            }
        };
        actions.push(Action::SetConfig(change));
    }
    if def.pause == Some(true) {
        actions.push(Action::Pause);
    }
    if actions.len() > 1 {
        return Err(cx.err(format!(
            "a step does one thing; found {} actions here: split them into separate [[step]]s",
            actions.len()
        )));
    }
    Ok(actions.pop())
}

fn step_expect(cx: &Ctx, e: &ExpectDef, known: &Known) -> Result<Expect, ScenarioError> {
    let subjects = [
        e.group.is_some(),
        e.partition.is_some(),
        e.consumer.is_some(),
        e.producer.is_some(),
        e.broker.is_some(),
    ];
    if subjects.iter().filter(|s| **s).count() != 1 {
        return Err(cx.err(
            "an expect names exactly one subject: group, partition, consumer, producer or broker",
        ));
    }
    let within_ms = match &e.within {
        Some(w) => duration(cx, "within", w)?,
        None => 0,
    };
    let mut checks = Vec::new();
    let misplaced = |field: &str, subject: &str| {
        cx.err(format!(
            "expect field `{field}` belongs to a {subject} expectation (add {subject} = …)"
        ))
    };
    let subject = if let Some(g) = &e.group {
        if !known.groups.contains(g) {
            return Err(cx.err(format!(
                "no consumer joined group {g:?} before this step (groups: {})",
                list(&known.groups)
            )));
        }
        if let Some(s) = &e.state {
            checks.push(Check::GroupState(parse_state(
                cx,
                s,
                &[
                    ("Empty", GroupState::Empty),
                    ("PreparingRebalance", GroupState::PreparingRebalance),
                    ("CompletingRebalance", GroupState::CompletingRebalance),
                    ("Stable", GroupState::Stable),
                    ("Dead", GroupState::Dead),
                ],
            )?));
        }
        if let Some(n) = e.members {
            checks.push(Check::Members(n));
        }
        if let Some(n) = e.generation_at_least {
            checks.push(Check::GenerationAtLeast(n));
        }
        if let Some(o) = &e.owner {
            let consumer = known.consumer(cx, &o.consumer)?;
            if known.consumers.get(&consumer) != Some(g) {
                return Err(cx.err(format!("consumer {consumer:?} is not in group {g:?}")));
            }
            let partitions = o
                .partitions
                .iter()
                .map(|p| known.tp(cx, p))
                .collect::<Result<Vec<_>, _>>()?;
            checks.push(Check::Owner {
                consumer,
                partitions,
            });
        }
        if let Some(n) = e.revoked_at_least {
            checks.push(Check::RevokedAtLeast(n));
        }
        if let Some(n) = e.revoked_at_most {
            checks.push(Check::RevokedAtMost(n));
        }
        Subject::Group(g.clone())
    } else {
        for (set, f) in [
            (e.members.is_some(), "members"),
            (e.generation_at_least.is_some(), "generation_at_least"),
            (e.owner.is_some(), "owner"),
            (e.revoked_at_least.is_some(), "revoked_at_least"),
            (e.revoked_at_most.is_some(), "revoked_at_most"),
        ] {
            if set {
                return Err(misplaced(f, "group"));
            }
        }
        if let Some(p) = &e.partition {
            let tp = known.tp(cx, p)?;
            if let Some(b) = e.leader {
                checks.push(Check::Leader(known.broker(cx, b)?));
            }
            if let Some(b) = e.leader_not {
                checks.push(Check::LeaderNot(known.broker(cx, b)?));
            }
            if let Some(isr) = &e.isr {
                let mut v = isr
                    .iter()
                    .map(|b| known.broker(cx, *b))
                    .collect::<Result<Vec<_>, _>>()?;
                v.sort();
                checks.push(Check::Isr(v));
            }
            if let Some(n) = e.isr_size {
                checks.push(Check::IsrSize(n));
            }
            if let Some(b) = e.isr_excludes {
                checks.push(Check::IsrExcludes(known.broker(cx, b)?));
            }
            if let Some(o) = e.offline {
                checks.push(Check::Offline(o));
            }
            if let Some(n) = e.hw_at_least {
                checks.push(Check::HwAtLeast(n));
            }
            if let Some(n) = e.log_start_at_least {
                checks.push(Check::LogStartAtLeast(n));
            }
            if e.state.is_some() {
                return Err(cx.err("a partition expectation has no `state`; use leader, isr, offline, hw_at_least …"));
            }
            Subject::Partition(tp)
        } else {
            for (set, f) in [
                (e.leader.is_some(), "leader"),
                (e.leader_not.is_some(), "leader_not"),
                (e.isr.is_some(), "isr"),
                (e.isr_size.is_some(), "isr_size"),
                (e.isr_excludes.is_some(), "isr_excludes"),
                (e.offline.is_some(), "offline"),
                (e.hw_at_least.is_some(), "hw_at_least"),
                (e.log_start_at_least.is_some(), "log_start_at_least"),
            ] {
                if set {
                    return Err(misplaced(f, "partition"));
                }
            }
            if let Some(c) = &e.consumer {
                let name = known.consumer(cx, c)?;
                if let Some(s) = &e.state {
                    checks.push(Check::ConsumerState(parse_state(
                        cx,
                        s,
                        &[
                            ("Running", ConsumerState::Running),
                            ("Killed", ConsumerState::Killed),
                            ("Closed", ConsumerState::Closed),
                        ],
                    )?));
                }
                if let Some(f) = &e.first_offset {
                    checks.push(Check::FirstOffset(known.tp(cx, &f.partition)?, f.offset));
                }
                if let Some(n) = e.read_at_least {
                    checks.push(Check::ReadAtLeast(n));
                }
                if let Some(ps) = &e.owns {
                    let v = ps
                        .iter()
                        .map(|p| known.tp(cx, p))
                        .collect::<Result<Vec<_>, _>>()?;
                    checks.push(Check::Owns(v));
                }
                if e.keys_in_order == Some(true) {
                    checks.push(Check::KeysInOrder);
                }
                Subject::Consumer(name)
            } else {
                for (set, f) in [
                    (e.first_offset.is_some(), "first_offset"),
                    (e.read_at_least.is_some(), "read_at_least"),
                    (e.owns.is_some(), "owns"),
                    (e.keys_in_order.is_some(), "keys_in_order"),
                ] {
                    if set {
                        return Err(misplaced(f, "consumer"));
                    }
                }
                if let Some(p) = &e.producer {
                    let name = known.producer(cx, p)?;
                    if let Some(n) = e.acked_at_least {
                        checks.push(Check::AckedAtLeast(n));
                    }
                    if let Some(n) = e.lost_acked {
                        checks.push(Check::LostAcked(n));
                    }
                    if let Some(n) = e.lost_acked_at_least {
                        checks.push(Check::LostAckedAtLeast(n));
                    }
                    if e.state.is_some() {
                        return Err(cx.err("a producer expectation has no `state`; use acked_at_least or lost_acked"));
                    }
                    Subject::Producer(name)
                } else {
                    for (set, f) in [
                        (e.acked_at_least.is_some(), "acked_at_least"),
                        (e.lost_acked.is_some(), "lost_acked"),
                        (e.lost_acked_at_least.is_some(), "lost_acked_at_least"),
                    ] {
                        if set {
                            return Err(misplaced(f, "producer"));
                        }
                    }
                    let id = known.broker(cx, e.broker.unwrap_or(0))?;
                    if let Some(s) = &e.state {
                        checks.push(Check::BrokerState(parse_state(
                            cx,
                            s,
                            &[
                                ("Up", BrokerState::Up),
                                ("ShuttingDown", BrokerState::ShuttingDown),
                                ("Down", BrokerState::Down),
                            ],
                        )?));
                    }
                    Subject::Broker(id)
                }
            }
        }
    };
    if checks.is_empty() {
        return Err(cx.err(format!(
            "this expect about {subject} checks nothing: add e.g. state, leader, hw_at_least, owner …"
        )));
    }
    Ok(Expect {
        subject,
        within_ms,
        checks,
    })
}

/// Parses and checks a scenario; `file` names it in errors, `stem` is its default name.
pub fn parse_scenario(file: &str, stem: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let def: FileDef = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        ScenarioError::at(file, source, offset, e.message().trim().to_string())
    })?;
    let whole = Ctx {
        file,
        source,
        span: 0..0,
    };
    let brokers = match &def.lab.brokers {
        Some(b) => {
            let cx = Ctx {
                file,
                source,
                span: b.span(),
            };
            let n = *b.get_ref();
            if !(1..=9).contains(&n) {
                return Err(cx.err(format!("found brokers = {n}, expected 1..=9")));
            }
            n
        }
        None => 3,
    };
    let mut known = Known {
        brokers,
        ..Known::default()
    };
    let mut topics = Vec::new();
    for t in &def.lab.topic {
        let cx = Ctx {
            file,
            source,
            span: t.span(),
        };
        let spec = topic_spec(&cx, t.get_ref(), brokers)?;
        if known
            .topics
            .insert(spec.name.clone(), spec.partitions)
            .is_some()
        {
            return Err(cx.err(format!("topic {:?} is listed twice", spec.name)));
        }
        topics.push(spec);
    }
    let lab = LabSpec {
        brokers,
        seed: def.lab.seed.unwrap_or(7),
        broker_session_timeout_ms: def.lab.broker_session_timeout_ms,
        replica_lag_time_max_ms: def.lab.replica_lag_time_max_ms,
        unclean_leader_election: def.lab.unclean_leader_election,
        auto_leader_rebalance: def.lab.auto_leader_rebalance,
        group_initial_rebalance_delay_ms: def.lab.group_initial_rebalance_delay_ms,
        retention_check_interval_ms: def.lab.retention_check_interval_ms,
        segment_bytes: def.lab.segment_bytes,
        topics,
    };
    let mut steps = Vec::new();
    let mut last_at = 0;
    for (i, s) in def.step.iter().enumerate() {
        // An array-of-tables entry's span is its `[[step]]` header: its fields run to the next one.
        let end = def
            .step
            .get(i + 1)
            .map_or(source.len(), |n| n.span().start)
            .max(s.span().end);
        let cx = Ctx {
            file,
            source,
            span: s.span().start..end,
        };
        let d = s.get_ref();
        let cx_at = |f: &str| cx.at_field(f);
        let trigger = match (&d.at, &d.after, &d.on) {
            (None, None, None) => Trigger::After(0),
            (Some(a), None, None) => {
                let at = duration(&cx_at("at"), "at", a)?;
                if at < last_at {
                    return Err(cx_at("at").err(format!(
                        "found at = {a:?}, which is before an earlier step's at; steps run in file order (use after = … for relative times)"
                    )));
                }
                last_at = at;
                Trigger::At(at)
            }
            (None, Some(a), None) => Trigger::After(duration(&cx_at("after"), "after", a)?),
            (None, None, Some(k)) if k == "key" => Trigger::Key,
            (None, None, Some(k)) => {
                return Err(cx_at("on").err(format!("found on = {k:?}, expected on = \"key\"")));
            }
            _ => return Err(cx.err("a step has one of at, after or on, not several")),
        };
        let action = step_action(&cx, d, &mut known)?;
        let expect = match &d.expect {
            Some(e) => Some(step_expect(&cx.at_field("expect"), e, &known)?),
            None => None,
        };
        if action.is_some() && expect.is_some() {
            return Err(
                cx.err("a step either acts or expects, not both: split it into two [[step]]s")
            );
        }
        if action.is_none() && expect.is_none() && d.caption.is_none() && d.pause.is_none() {
            return Err(cx.err(
                "this step does nothing: give it an action (spawn_producer, kill_broker, …), an expect or a caption",
            ));
        }
        let line = source[..s.span().start.min(source.len())]
            .matches('\n')
            .count()
            + 1;
        steps.push(Step {
            line,
            trigger,
            caption: d.caption.clone(),
            action,
            expect,
        });
    }
    let duration_ms = match &def.duration {
        Some(d) => {
            let cx = Ctx {
                file,
                source,
                span: d.span(),
            };
            duration(&cx, "duration", d.get_ref())?
        }
        None => 0,
    };
    if def.title.trim().is_empty() {
        return Err(whole.err("title is empty: give the lesson a one-line title"));
    }
    Ok(Scenario {
        name: def.name.unwrap_or_else(|| stem.to_string()),
        title: def.title,
        duration_ms,
        lab,
        steps,
    })
}

/// Reads and parses a scenario file.
pub fn load_scenario_file(path: &std::path::Path) -> Result<Scenario, String> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read scenario {}: {e}", path.display()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    parse_scenario(&path.display().to_string(), &stem, &source).map_err(|e| e.to_string())
}
