//! Refusals as codes: why the lab refuses a command (`CommandError`) or a client's settings
//! (`SpecError`). They live here, below `clients` and `lab` that raise them, so the timeline note
//! reporting a refusal can carry the code and `text::error` can say it in the chosen language.
//! `Display` is the English sentence (what `--json` and scripts see).

use super::error::{FaultError, KafkaError};
use super::types::ClientId;

/// The largest record value a simulated producer writes (Kafka's `max.message.bytes` is 1 MiB);
/// here because the refusal names it.
pub const VALUE_BYTES_MAX: usize = 1 << 20;

/// Why a client's settings were refused: each rule is written once, here.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The producer rate is not a number in (0, [`RATE_MAX_PER_SEC`]].
    #[error("producer rate must be more than 0 and at most 1000000 records/s, not {0}")]
    Rate(f64),
    /// A keyed producer needs at least one key.
    #[error("a keyed producer needs 1 to 1000000 keys, not {0}")]
    Keys(u32),
    /// The record value is too large.
    #[error("value size must be at most {VALUE_BYTES_MAX} bytes, not {0}")]
    ValueBytes(usize),
    /// `batch.size` of zero.
    #[error("batch.size must be positive")]
    BatchSize,
    /// `request.timeout.ms` of zero.
    #[error("request.timeout.ms must be positive")]
    RequestTimeout,
    /// `delivery.timeout.ms` shorter than `linger.ms` + `request.timeout.ms` (Kafka refuses it).
    #[error("delivery.timeout.ms must be at least linger.ms + request.timeout.ms ({0})")]
    DeliveryTimeout(u64),
    /// `max.in.flight.requests.per.connection` of zero, or above 5 with idempotence.
    #[error(
        "max.in.flight.requests.per.connection must be 1 to 5 with enable.idempotence (at least 1 without), not {0}"
    )]
    MaxInFlight(u32),
    /// No topic named.
    #[error("a client needs a topic")]
    NoTopic,
    /// `group.id` is empty.
    #[error("group.id is empty")]
    EmptyGroup,
    /// `heartbeat.interval.ms` must be positive and below `session.timeout.ms`.
    #[error("heartbeat.interval.ms must be positive and below session.timeout.ms, not {0}")]
    HeartbeatInterval(u64),
    /// `max.poll.records` of zero.
    #[error("max.poll.records must be positive")]
    MaxPollRecords,
    /// `auto.commit.interval.ms` or "commit every N" of zero.
    #[error("commit interval must be positive")]
    CommitInterval,
    /// `transactional.id` set to the empty string.
    #[error("transactional.id is empty")]
    EmptyTransactionalId,
    /// A `transactional.id` without idempotence (Kafka refuses it).
    #[error("transactional.id needs enable.idempotence=true and acks=all")]
    TransactionalNeedsIdempotence,
    /// `transaction.timeout.ms` of zero or beyond an int.
    #[error("transaction.timeout.ms must be 1 to 2147483647, not {0}")]
    TransactionTimeout(u64),
}

/// Why the lab refused a command; the message says what to do instead.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// A broker fault that cannot happen in the broker's state.
    #[error(transparent)]
    Fault(#[from] FaultError),
    /// A client's settings break a rule.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The topic does not exist.
    #[error("no topic {0:?}; create it first")]
    NoTopic(String),
    /// Kafka refused the topic.
    #[error("cannot create topic {name}: {error}")]
    CreateTopic {
        /// The topic asked for.
        name: String,
        /// Kafka's answer.
        error: KafkaError,
    },
    /// Kafka refused a change to an existing topic.
    #[error("cannot change topic {name}: {error}")]
    ChangeTopic {
        /// The topic.
        name: String,
        /// Kafka's answer, with its message when it has one.
        error: String,
    },
    /// `session.timeout.ms` outside the brokers' `group.min/max.session.timeout.ms`.
    #[error(
        "session.timeout.ms must be within group.min.session.timeout.ms={min} and group.max.session.timeout.ms={max}, not {value}"
    )]
    SessionTimeout {
        /// `group.min.session.timeout.ms`.
        min: i64,
        /// `group.max.session.timeout.ms`.
        max: i64,
        /// What the consumer asked for.
        value: u64,
    },
    /// No producer has this id.
    #[error("no producer {0}")]
    NoProducer(ClientId),
    /// The producer was stopped already.
    #[error("producer {0} is already stopped")]
    ProducerStopped(ClientId),
    /// The producer was killed: it does nothing more.
    #[error("producer {0} is killed")]
    ProducerKilled(ClientId),
    /// No consumer has this id.
    #[error("no consumer {0}")]
    NoConsumer(ClientId),
    /// The consumer is killed or closed already.
    #[error("consumer {id} is already {}", if *killed { "killed" } else { "closed" })]
    ConsumerStopped {
        /// The consumer.
        id: ClientId,
        /// Killed (crashed), or else closed with LeaveGroup.
        killed: bool,
    },
    /// The lab holds as many simulated clients as it may.
    #[error("the lab runs at most {0} simulated clients; stop one first")]
    TooManyClients(usize),
    /// A director command with no director attached.
    #[error("no lesson is running")]
    NoDirector,
    /// Rewind, scrub and undo replay the run's journal, and this run records none.
    #[error("this run records no journal (--no-record), so it cannot go back in time")]
    NoJournal,
    /// Going back in time is for the default lab; a lesson starts over with `b`.
    #[error("a lesson cannot go back in time: b starts it over")]
    TravelInLesson,
    /// The screen shows the past: it can be looked at, not changed.
    #[error("the screen shows the past: space resumes from here, or step forward to now")]
    PastIsReadOnly,
    /// Kafka resets the offsets of a group only while it has no active members.
    #[error(
        "Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}."
    )]
    GroupNotInactive {
        /// `group.id`.
        group: String,
        /// Kafka's name of its state (`Stable`, ...).
        state: String,
    },
    /// A reset of every topic of a group that has committed no offsets.
    #[error("group {0} has no committed offsets to reset: name a topic")]
    NothingToReset(String),
    /// A reset failed on Kafka's side (no leader, no coordinator).
    #[error("cannot reset the offsets of group {group}: {error}")]
    ResetFailed {
        /// `group.id`.
        group: String,
        /// Kafka's error name, with the partition when it is one's.
        error: String,
    },
    /// Undo found no fault or destructive action in the run.
    #[error(
        "nothing to undo: no broker, controller, consumer, producer or topic was stopped or deleted"
    )]
    NothingToUndo,
}
