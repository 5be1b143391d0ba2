//! `UndoneAction`: what the dashboard's undo took back, named for the timeline.

use crate::cluster::types::BrokerId;
use std::fmt;

/// The fault or destructive action `u` took back, by what it named.
#[derive(Clone, Debug, PartialEq)]
pub enum UndoneAction {
    /// A broker was killed.
    KillBroker(BrokerId),
    /// A broker was shut down.
    ShutdownBroker(BrokerId),
    /// A KRaft controller was killed.
    KillController(BrokerId),
    /// A topic was deleted.
    DeleteTopic(String),
    /// A producer was stopped.
    StopProducer(u32),
    /// A producer was killed (its transaction left open).
    KillProducer(u32),
    /// A consumer was killed.
    KillConsumer(u32),
    /// A consumer was closed.
    CloseConsumer(u32),
}

impl UndoneAction {
    /// The catalogue key (`[undone]`) and the value it names.
    pub fn key_and_value(&self) -> (&'static str, String) {
        match self {
            Self::KillBroker(id) => ("undone.kill_broker", id.to_string()),
            Self::ShutdownBroker(id) => ("undone.shutdown_broker", id.to_string()),
            Self::KillController(id) => ("undone.kill_controller", id.to_string()),
            Self::DeleteTopic(t) => ("undone.delete_topic", t.clone()),
            Self::StopProducer(id) => ("undone.stop_producer", id.to_string()),
            Self::KillProducer(id) => ("undone.kill_producer", id.to_string()),
            Self::KillConsumer(id) => ("undone.kill_consumer", id.to_string()),
            Self::CloseConsumer(id) => ("undone.close_consumer", id.to_string()),
        }
    }
}

impl fmt::Display for UndoneAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KillBroker(id) => write!(f, "the kill of broker {id}"),
            Self::ShutdownBroker(id) => write!(f, "the shutdown of broker {id}"),
            Self::KillController(id) => write!(f, "the kill of controller {id}"),
            Self::DeleteTopic(t) => write!(f, "the deletion of topic {t}"),
            Self::StopProducer(id) => write!(f, "the stop of producer {id}"),
            Self::KillProducer(id) => write!(f, "the kill of producer {id}"),
            Self::KillConsumer(id) => write!(f, "the kill of consumer {id}"),
            Self::CloseConsumer(id) => write!(f, "the close of consumer {id}"),
        }
    }
}
