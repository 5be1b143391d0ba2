//! Producers and consumers the attached dashboard starts on a real cluster (`p`, `c` with
//! `--allow-writes`): real Kafka clients as tokio tasks, each with its own connections through
//! [`Session`] (so TLS and SASL work as for the poller). The runner merges their views into
//! every snapshot it publishes and puts their starts, stops and errors on the timeline.

pub mod assign;
pub mod consumer;
pub mod consumer848;
pub mod fetch;
pub mod group;
pub mod kip848;
pub mod metadata;
pub mod produce;
pub mod producer;
pub mod reader;
pub mod reconcile;
pub mod records;
mod registry;
pub mod stamp;

pub use registry::{CLIENTS_MAX, DashboardClients, is_client_command};

use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::types::ClientId;
use std::sync::{Arc, Mutex};

/// Timeline lines the clients may queue before the runner reads them; when full, new ones are
/// dropped (an error repeated every retry says nothing new).
pub const CLIENT_EVENTS_MAX: usize = 256;

/// A client task's link to the runner: its view (read at every publish) and the timeline.
#[derive(Clone, Debug)]
pub struct ClientLink<V> {
    /// The dashboard's number for the client.
    pub id: ClientId,
    /// Its `client.id`.
    pub client_id: String,
    view: Arc<Mutex<V>>,
    events: flume::Sender<EventKind>,
    last_error: Option<String>,
}

impl<V: Clone> ClientLink<V> {
    /// A link publishing into `view` and `events`.
    pub fn new(
        id: ClientId,
        client_id: String,
        view: Arc<Mutex<V>>,
        events: flume::Sender<EventKind>,
    ) -> Self {
        Self {
            id,
            client_id,
            view,
            events,
            last_error: None,
        }
    }

    /// Changes the view the dashboard shows.
    pub fn update(&self, f: impl FnOnce(&mut V)) {
        // A panic elsewhere poisons nothing worth refusing: the view is plain counters.
        let mut v = self.view.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut v);
    }

    /// A copy of the view.
    pub fn view(&self) -> V {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts an error on the timeline, once until it changes or the client recovers.
    pub fn error(&mut self, error: &str) {
        if self.last_error.as_deref() == Some(error) {
            return;
        }
        self.last_error = Some(error.to_string());
        self.emit(EventKind::Note {
            text: NoteText::AttachClientError {
                client: self.client_id.clone(),
                error: error.to_string(),
            },
        });
    }

    /// The client works again: its next error is news.
    pub fn clear_error(&mut self) {
        self.last_error = None;
    }

    /// Queues a timeline line (dropped when the runner is that far behind).
    pub fn emit(&self, kind: EventKind) {
        let _ = self.events.try_send(kind);
    }
}

/// Wall-clock ms since the epoch: record timestamps (attach talks to a real cluster, whose
/// clients stamp records with their own clock).
pub fn now_epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
