//! Notes and client descriptions as codes: the layers below the catalogue say *which* note (with
//! its values); `text::note` says it in the chosen language. `Display` is the English sentence the
//! lab always printed, and each serializes as that sentence, so `--json` is unchanged.

use super::undone::UndoneAction;
use crate::cluster::types::{BrokerId, TopicPartition};
use serde::{Serialize, Serializer};
use std::fmt;

/// The text of a timeline note: a code from the lab, or text already in the chosen language.
#[derive(Clone, Debug, PartialEq)]
pub enum NoteText {
    /// Text the scenario layer wrote from the catalogue (already in the chosen language).
    Free(String),
    /// A restarted broker is behind its leaders on these partitions (`(tp, records)`, the
    /// first few) and `more` others.
    RestartsBehind {
        /// The restarted broker.
        broker: BrokerId,
        /// Partitions and how many records behind.
        behind: Vec<(TopicPartition, i64)>,
        /// How many more partitions are behind.
        more: usize,
    },
    /// `unclean.leader.election.enable` changed while the lab runs.
    UncleanConfig {
        /// The new value.
        enabled: bool,
    },
    /// A broker could not open a replica's log.
    CannotOpen {
        /// Broker.
        broker: BrokerId,
        /// Partition.
        tp: TopicPartition,
        /// The storage error.
        error: super::IoDetail,
    },
    /// A leader's append failed (storage).
    AppendFailed {
        /// Broker.
        broker: BrokerId,
        /// Partition.
        tp: TopicPartition,
        /// The storage error.
        error: super::IoDetail,
    },
    /// A follower could not truncate its log.
    TruncateFailed {
        /// Broker.
        broker: BrokerId,
        /// Partition.
        tp: TopicPartition,
        /// The storage error.
        error: super::IoDetail,
    },
    /// A follower could not append what it fetched.
    ReplicateFailed {
        /// Broker.
        broker: BrokerId,
        /// Partition.
        tp: TopicPartition,
        /// The storage error.
        error: super::IoDetail,
    },
    /// The coordinator could not append an offset commit.
    GroupCommitFailed {
        /// Group.
        group: String,
        /// Kafka's error name.
        error: String,
    },
    /// `topics.json` in the data dir could not be read.
    TopicsFileUnreadable,
    /// `__consumer_offsets` cannot be created with this many brokers.
    NoOffsetsTopic {
        /// `offsets.topic.replication.factor`.
        wanted: i16,
        /// Brokers up.
        live: usize,
    },
    /// A consumer's offset commit failed.
    CommitFailed {
        /// `client.id`.
        client: String,
        /// Kafka's error name.
        error: String,
    },
    /// A consumer spent longer than `max.poll.interval.ms` on a poll and left its group.
    PollTimeout {
        /// `client.id`.
        client: String,
        /// The setting.
        max_poll_interval_ms: u64,
    },
    /// The group leader saw a subscribed topic's partition count change since its last
    /// assignment and rejoins to rebalance.
    SubscribedMetadataChanged {
        /// `client.id`.
        client: String,
        /// The topic.
        topic: String,
        /// Partitions the last assignment was computed from.
        from: i32,
        /// Partitions now (0: the topic is gone).
        to: i32,
    },
    /// A group call failed with an error that is not retriable.
    GroupCallFailed {
        /// `client.id`.
        client: String,
        /// The request (JoinGroup, SyncGroup, ...).
        call: String,
        /// Kafka's error name.
        error: String,
    },
    /// `auto.offset.reset=none` and no usable position: the consumer stops.
    ResetNone {
        /// `client.id`.
        client: String,
        /// Partition.
        tp: TopicPartition,
        /// The out-of-range position, or none when nothing was committed.
        position: Option<i64>,
        /// Kafka's error name.
        error: String,
    },
    /// A fetch position fell off the log.
    OutOfRange {
        /// `client.id`.
        client: String,
        /// Partition.
        tp: TopicPartition,
        /// The position.
        position: i64,
    },
    /// A command was refused.
    Refused {
        /// Why, as a code `text::error` says.
        error: crate::cluster::refusal::CommandError,
    },
    /// `n` was pressed while the lesson waits on its own timer.
    NextStepAt {
        /// Seconds since the lesson started.
        secs: i64,
    },
    /// `n` was pressed after the last step.
    LessonOver,
    /// The lesson could not start again.
    CannotStartOver {
        /// Why.
        error: String,
    },
    /// The wire listener could not bind.
    ListenerOff {
        /// The bind error.
        error: super::ListenerError,
    },
    /// A replay plays what was recorded: the viewer's other commands are refused.
    ReplayOnly,
    /// The replay reached the end of its journal.
    ReplayEnded,
    /// The replay cannot go on.
    ReplayFailed {
        /// Why (the journal line and what is wrong with it).
        error: String,
    },
    /// The run's journal stopped recording (full, or the disk refused a write); the run goes on.
    JournalStopped {
        /// Why, with the journal's path.
        error: String,
    },
    /// `kafka-lab attach` reached a real cluster.
    Attached {
        /// `bootstrap.servers`.
        bootstrap: String,
        /// Brokers Metadata listed.
        brokers: usize,
        /// The poll interval, ms.
        interval_ms: i64,
        /// Whether the dashboard may write (`--allow-writes`).
        writes: bool,
    },
    /// A poll of the real cluster failed: the view stays the last one that succeeded.
    AttachPollFailed {
        /// Why, in Kafka's words.
        error: String,
    },
    /// Polls succeed again after failing.
    AttachPollRecovered,
    /// A real cluster's group has a new assignment (its generation is not visible to a client).
    GroupRebalanced {
        /// `group.id`.
        group: String,
        /// Who owns what now.
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// A group's total lag rose poll after poll.
    LagRising {
        /// `group.id`.
        group: String,
        /// Its lag when it started rising.
        from: i64,
        /// Its lag now.
        to: i64,
    },
    /// A lab-only key on a real cluster.
    AttachUnavailable,
    /// A write asked of a dashboard attached without `--allow-writes`.
    AttachReadOnly,
    /// The dashboard wrote to the real cluster.
    AttachWrote {
        /// The Kafka request (`CreateTopics`, `OffsetCommit`, ...).
        request: String,
        /// What it wrote (names and values).
        detail: String,
    },
    /// A write the dashboard sent failed.
    AttachWriteFailed {
        /// The Kafka request.
        request: String,
        /// Kafka's error.
        error: String,
    },
    /// A client the attached dashboard started hit an error (shown once until it changes).
    AttachClientError {
        /// Its `client.id`.
        client: String,
        /// Kafka's error.
        error: String,
    },
    /// A `group.protocol=consumer` consumer the cluster cannot take: it does not offer
    /// ConsumerGroupHeartbeat (KIP-848).
    AttachConsumerProtocolRefused,
    /// A poll went on without an API the attached cluster does not serve (said once).
    AttachMissing {
        /// The Kafka API (`DescribeLogDirs`).
        api: String,
        /// Kafka's error (`UNSUPPORTED_VERSION`).
        error: String,
    },
    /// The run resumed from a past instant: a new future starts, the old one is kept in a file.
    Rewound {
        /// The instant resumed from (simulated ms).
        at_ms: i64,
        /// How far the run had gone (simulated ms).
        from_ms: i64,
        /// The file keeping the old future (the whole run as it was).
        kept: String,
    },
    /// `u` took back a fault or destructive action: the run resumed just before it.
    Undone {
        /// What was undone.
        action: UndoneAction,
        /// When it had happened (simulated ms).
        at_ms: i64,
        /// The file keeping the old future.
        kept: String,
    },
    /// The past could not be rebuilt from the journal.
    TravelFailed {
        /// Why.
        error: String,
    },
    /// A group's offsets were reset (the lab's coordinator, or a real cluster's).
    OffsetsReset(super::OffsetsReset),
}

/// Simulated ms as seconds with one decimal (`12.5`), as travel notes say instants.
pub fn secs_1(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

impl From<String> for NoteText {
    fn from(s: String) -> Self {
        Self::Free(s)
    }
}

impl From<&str> for NoteText {
    fn from(s: &str) -> Self {
        Self::Free(s.to_string())
    }
}

impl NoteText {
    /// `member → [t-0,t-1]; ...`, or `none` for an empty assignment.
    pub fn assignment_list(assignment: &[(String, Vec<TopicPartition>)], none: &str) -> String {
        if assignment.is_empty() {
            return none.to_string();
        }
        assignment
            .iter()
            .map(|(m, tps)| {
                let tps: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
                format!("{m} → [{}]", tps.join(","))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The partitions a restart note names: each as the `by` template (`{tp} by {n}`), then the
    /// `rest` template (`{n} more`) for those not named, joined by `sep`.
    pub fn behind_list(
        behind: &[(TopicPartition, i64)],
        more: usize,
        [by, rest, sep]: [&str; 3],
    ) -> String {
        let mut named: Vec<String> = behind
            .iter()
            .map(|(tp, n)| {
                by.replace("{tp}", &tp.to_string())
                    .replace("{n}", &n.to_string())
            })
            .collect();
        if more > 0 {
            named.push(rest.replace("{n}", &more.to_string()));
        }
        named.join(sep)
    }
}

impl fmt::Display for NoteText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Free(text) => f.write_str(text),
            Self::OffsetsReset(r) => r.fmt(f),
            Self::RestartsBehind {
                broker,
                behind,
                more,
            } => write!(
                f,
                "broker {broker} restarts behind its leaders ({}): fenced until its next heartbeat, then \
                 it fetches to catch up, out of the ISR until it has",
                Self::behind_list(behind, *more, ["{tp} by {n}", "{n} more", ", "])
            ),
            Self::UncleanConfig { enabled } => {
                write!(f, "config: unclean.leader.election.enable={enabled}")
            }
            Self::CannotOpen { broker, tp, error } => {
                write!(f, "broker {broker}: cannot open {tp}: {error}")
            }
            Self::AppendFailed { broker, tp, error } => {
                write!(f, "broker {broker}: append to {tp} failed: {error}")
            }
            Self::TruncateFailed { broker, tp, error } => {
                write!(f, "broker {broker}: truncating {tp} failed: {error}")
            }
            Self::ReplicateFailed { broker, tp, error } => {
                write!(f, "broker {broker}: replicating {tp} failed: {error}")
            }
            Self::GroupCommitFailed { group, error } => {
                write!(f, "offset commit of group {group} failed: {error}")
            }
            Self::TopicsFileUnreadable => {
                f.write_str("topics.json unreadable: starting with no topics")
            }
            Self::NoOffsetsTopic { wanted, live } => write!(
                f,
                "__consumer_offsets needs offsets.topic.replication.factor={wanted} live brokers, \
                 {live} are up: groups get COORDINATOR_NOT_AVAILABLE"
            ),
            Self::CommitFailed { client, error } => write!(f, "{client}: commit failed: {error}"),
            Self::PollTimeout {
                client,
                max_poll_interval_ms,
            } => write!(
                f,
                "{client} exceeded max.poll.interval.ms={max_poll_interval_ms} and left the group"
            ),
            Self::SubscribedMetadataChanged {
                client,
                topic,
                from,
                to,
            } => write!(
                f,
                "{client}: {topic} now has {to} partitions (was {from}): rejoining to rebalance"
            ),
            Self::GroupCallFailed {
                client,
                call,
                error,
            } => write!(f, "{client}: {call} failed: {error}"),
            Self::ResetNone {
                client,
                tp,
                position: None,
                error,
            } => write!(
                f,
                "{client}: no committed offset for {tp} and auto.offset.reset=none ({error}); the consumer stops"
            ),
            Self::ResetNone {
                client,
                tp,
                position: Some(pos),
                error,
            } => write!(
                f,
                "{client}: offset {pos} of {tp} is out of range and auto.offset.reset=none ({error}); the consumer stops"
            ),
            Self::OutOfRange {
                client,
                tp,
                position,
            } => write!(
                f,
                "{client}: offset {position} of {tp} is out of range (deleted by retention, or truncated)"
            ),
            Self::Refused { error } => write!(f, "refused: {error}"),
            Self::NextStepAt { secs } => write!(f, "the next step runs by itself at t+{secs}s"),
            Self::LessonOver => f.write_str("the lesson is over: b starts it again"),
            Self::CannotStartOver { error } => write!(f, "cannot start over: {error}"),
            Self::ListenerOff { error } => write!(
                f,
                "Kafka wire listener off: {error}. Real clients need a free port: restart with --port N"
            ),
            Self::ReplayOnly => f.write_str(
                "this is a replay: it plays what was recorded (space pauses, , and . change speed)",
            ),
            Self::ReplayEnded => f.write_str("the journal ends here"),
            Self::ReplayFailed { error } => write!(f, "the replay stopped: {error}"),
            Self::JournalStopped { error } => {
                write!(f, "journal stopped: {error}; the run goes on unrecorded")
            }
            Self::Attached {
                bootstrap,
                brokers,
                interval_ms,
                writes,
            } => write!(
                f,
                "attached to {bootstrap}: {brokers} brokers, polled every {interval_ms} ms, {}",
                if *writes {
                    "writes allowed"
                } else {
                    "read-only"
                }
            ),
            Self::AttachPollFailed { error } => {
                write!(f, "poll failed: {error}; showing the last view")
            }
            Self::AttachPollRecovered => f.write_str("the cluster answers again"),
            Self::GroupRebalanced { group, assignment } => write!(
                f,
                "group {group} rebalanced: {}",
                Self::assignment_list(assignment, "none")
            ),
            Self::LagRising { group, from, to } => {
                write!(f, "group {group}: lag rising, {from} → {to} records")
            }
            Self::AttachUnavailable => f.write_str(
                "not on a real cluster: kafka-lab attach does not stop brokers or other people's clients",
            ),
            Self::AttachReadOnly => {
                f.write_str("read-only: start kafka-lab attach with --allow-writes to write")
            }
            Self::AttachWrote { request, detail } => {
                write!(f, "this dashboard sent {request}: {detail}")
            }
            Self::AttachWriteFailed { request, error } => write!(f, "{request} failed: {error}"),
            Self::AttachClientError { client, error } => write!(f, "{client}: {error}"),
            Self::AttachConsumerProtocolRefused => f.write_str(
                "not started: the cluster does not offer ConsumerGroupHeartbeat (KIP-848), so group.protocol=consumer cannot join; start it with group.protocol=classic",
            ),
            Self::AttachMissing { api, error } => write!(
                f,
                "the cluster does not serve {api} ({error}): the dashboard shows what it gets without it"
            ),
            Self::Rewound {
                at_ms,
                from_ms,
                kept,
            } => write!(
                f,
                "resumed from t+{}s (the run had reached t+{}s): a new future starts here; the old one is kept in {kept}",
                secs_1(*at_ms),
                secs_1(*from_ms)
            ),
            Self::Undone {
                action,
                at_ms,
                kept,
            } => write!(
                f,
                "undone: {action} at t+{}s; the run resumes just before it (the old future is kept in {kept})",
                secs_1(*at_ms)
            ),
            Self::TravelFailed { error } => write!(f, "cannot rebuild the past: {error}"),
        }
    }
}

impl Serialize for NoteText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How a consumer commits, as its start line says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitWords {
    /// `enable.auto.commit` every `interval_ms`.
    Auto(u64),
    /// After each record.
    EachRecord,
    /// After every `n` records.
    Every(u32),
    /// Never.
    Never,
}

impl fmt::Display for CommitWords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto(ms) => write!(f, "auto/{ms}ms"),
            Self::EachRecord => f.write_str("each record"),
            Self::Every(n) => write!(f, "every {n}"),
            Self::Never => f.write_str("never"),
        }
    }
}

/// What a started client is, as its start line says it.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientDescription {
    /// A simulated producer.
    Producer {
        /// Topic.
        topic: String,
        /// Records per second, as typed.
        rate: String,
        /// `acks`.
        acks: String,
        /// Distinct keys, or none for unkeyed records.
        keys: Option<u32>,
    },
    /// A simulated consumer.
    Consumer {
        /// `group.id`.
        group: String,
        /// Topics, comma-separated.
        topics: String,
        /// `partition.assignment.strategy`.
        assignor: String,
        /// How it commits.
        commit: CommitWords,
        /// `auto.offset.reset`.
        reset: String,
    },
    /// A real client's producer seen on the wire.
    WireProducer {
        /// Topic.
        topic: String,
        /// `acks`.
        acks: String,
    },
}

impl fmt::Display for ClientDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Producer {
                topic,
                rate,
                acks,
                keys,
            } => {
                write!(f, "producer → {topic} at {rate}/s, acks={acks}, ")?;
                match keys {
                    None => f.write_str("no key"),
                    Some(n) => write!(f, "{n} keys"),
                }
            }
            Self::Consumer {
                group,
                topics,
                assignor,
                commit,
                reset,
            } => write!(
                f,
                "consumer in group {group} ← {topics}, {assignor}, commit {commit}, auto.offset.reset={reset}"
            ),
            Self::WireProducer { topic, acks } => write!(f, "wire producer → {topic}, acks={acks}"),
        }
    }
}

impl Serialize for ClientDescription {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
