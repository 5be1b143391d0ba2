//! Commands: everything anyone (dashboard, scenario, schedule) may ask the lab to do, and the one
//! error type for refusals.

use crate::clients::spec::{ConsumerSpec, ProducerSpec, SpecError};
use crate::cluster::error::{FaultError, KafkaError};
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{BrokerId, ClientId};
use serde::{Deserialize, Serialize};

/// What anyone may ask the lab to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Crash a broker: no controlled shutdown, nothing flushed beyond the OS.
    KillBroker(BrokerId),
    /// Controlled shutdown: leadership moves away first.
    ShutdownBroker(BrokerId),
    /// Start a stopped broker: recover logs, rejoin, catch up.
    RestartBroker(BrokerId),
    /// Crash a KRaft controller (a combined one crashes with its broker).
    KillController(BrokerId),
    /// Start a stopped KRaft controller.
    RestartController(BrokerId),
    /// Make a broker's followers stop (or resume) fetching.
    SetBrokerSlow(BrokerId, bool),
    /// Create a topic.
    CreateTopic(TopicSpec),
    /// Start a simulated producer.
    SpawnProducer(ProducerSpec),
    /// Change a producer's rate.
    SetProducerRate(ClientId, f64),
    /// Stop a producer.
    StopProducer(ClientId),
    /// Start a simulated consumer.
    SpawnConsumer(ConsumerSpec),
    /// Crash a consumer: no LeaveGroup.
    KillConsumer(ClientId),
    /// Close a consumer gracefully: LeaveGroup.
    CloseConsumer(ClientId),
    /// Set simulated-time speed (clamped to [`super::clock::SPEED_RANGE`]).
    SetSpeed(f64),
    /// Pause or resume simulated time.
    SetPaused(bool),
    /// Add a line to the event stream (scenario captions).
    Note(String),
    /// For the director driving the lab (a lesson): next step, or start over.
    Director(DirectorCommand),
}

/// A command due at a simulated instant (`--kill-broker 1@5s`, headless schedules).
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    /// When, in simulated ms.
    pub at_ms: i64,
    /// What.
    pub command: Command,
}

/// What a front end may ask of the director attached to a live lab (today: a lesson).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectorCommand {
    /// Run the step waiting for a key press (`n`).
    Next,
    /// Start over on a fresh lab (`b`).
    Restart,
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
    /// No consumer has this id.
    #[error("no consumer {0}")]
    NoConsumer(ClientId),
    /// The consumer is killed or closed already.
    #[error("consumer {id} is already {state}")]
    ConsumerStopped {
        /// The consumer.
        id: ClientId,
        /// `killed` or `closed`.
        state: &'static str,
    },
    /// The lab holds as many simulated clients as it may.
    #[error("the lab runs at most {0} simulated clients; stop one first")]
    TooManyClients(usize),
    /// A director command with no director attached.
    #[error("no lesson is running")]
    NoDirector,
}
