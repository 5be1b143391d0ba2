//! Commands: everything anyone (dashboard, scenario, schedule) may ask the lab to do. The one
//! error type for refusals, `CommandError`, is a code in `cluster::refusal` so the timeline note
//! that reports it can carry it; it is re-exported here.

use crate::clients::spec::{ConsumerSpec, ProducerSpec};
use crate::cluster::group::reset::ResetTo;
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{BrokerId, ClientId};
use serde::{Deserialize, Serialize};

pub use crate::cluster::refusal::CommandError;

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
    /// Delete a topic (DeleteTopics): its logs and the groups' offsets for it go.
    DeleteTopic(String),
    /// Grow a topic to this many partitions (CreatePartitions).
    AddPartitions {
        /// The topic.
        topic: String,
        /// Its new partition count.
        partitions: i32,
    },
    /// Start a simulated producer.
    SpawnProducer(ProducerSpec),
    /// Change a producer's rate.
    SetProducerRate(ClientId, f64),
    /// Stop a producer.
    StopProducer(ClientId),
    /// Crash a producer: nothing flushed, no EndTxn.
    KillProducer(ClientId),
    /// Freeze (true) or resume (false) a producer, as a long GC pause would.
    SetProducerPaused(ClientId, bool),
    /// Start a simulated consumer.
    SpawnConsumer(ConsumerSpec),
    /// Crash a consumer: no LeaveGroup.
    KillConsumer(ClientId),
    /// Close a consumer gracefully: LeaveGroup.
    CloseConsumer(ClientId),
    /// Reset a group's committed offsets (`kafka-consumer-groups.sh --reset-offsets`): on one
    /// topic, or on every topic it committed offsets for; only while it has no active members.
    ResetOffsets {
        /// `group.id`.
        group: String,
        /// The topic, or none for all the group's topics (`--all-topics`).
        topic: Option<String>,
        /// Where to.
        to: ResetTo,
    },
    /// Set simulated-time speed (clamped to [`super::clock::SPEED_RANGE`]).
    SetSpeed(f64),
    /// Pause or resume simulated time.
    SetPaused(bool),
    /// Add a line to the event stream (scenario captions).
    Note(String),
    /// For the director driving the lab (a lesson): next step, or start over.
    Director(DirectorCommand),
    /// For the live driver: view the run's past, resume from it, or undo the last fault. Never
    /// journaled: a resumed run's journal says where it forked instead.
    Travel(Travel),
}

/// Moving through a recorded run on the dashboard (the live driver keeps the journal it needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Travel {
    /// Move the screen by this many simulated ms from the instant it shows (back when negative);
    /// forward past the live instant returns to the live lab.
    By(i64),
    /// Show the run at this simulated instant (a timeline event's).
    To(i64),
    /// Start a new future from the instant on screen: the journal forks, the lab shown goes live.
    Resume,
    /// Rewind to just before the last fault or destructive action and resume from there.
    Undo,
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
