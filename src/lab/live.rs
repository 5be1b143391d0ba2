//! Starting a live lab: the wire listener (when asked for and its port is free), the one driver
//! with its attachments, and the channels a front end (the dashboard, an event stream, a test)
//! holds. The binary and the tests start live labs the same way, in-process.

use super::command::Timed;
use super::core::Lab;
use super::driver::{Attachments, Director, LabChannels, channels, run};
use super::wire::WireAttachment;
use crate::cluster::event::{EventKind, NoteText};
use crate::protocol::host::API_CHANNEL_CAPACITY;
use crate::protocol::{ListenerConfig, listener};
use tokio::task::JoinHandle;

/// How the wire listener should run.
#[derive(Clone, Debug)]
pub struct WireOptions {
    /// Ports, bind address, auto-creation defaults.
    pub config: ListenerConfig,
    /// The port was asked for (`--port`): failing to bind it is an error. The default port may be
    /// taken (a local Kafka, say); the lab then runs without real clients and says why.
    pub required: bool,
}

/// What a live lab runs with.
#[derive(Default)]
pub struct LiveOptions {
    /// The wire listener, or none (`--no-listen`).
    pub wire: Option<WireOptions>,
    /// A lesson directing the lab.
    pub director: Option<Box<dyn Director>>,
    /// Commands due at simulated instants.
    pub schedule: Vec<Timed>,
    /// Where to record the run (see [`super::journal`]).
    pub journal: Option<super::journal::JournalWriter>,
}

/// A running live lab: the driver task and the listener task. Drop every command sender (the
/// front end's [`LabChannels`]) and [`LiveLab::finish`] returns the lab.
pub struct LiveLab {
    driver: JoinHandle<Lab>,
    server: Option<JoinHandle<()>>,
    /// "Kafka wire protocol on …" when the listener runs, or why it does not.
    pub listener_status: Option<String>,
}

/// Starts a live lab on the current tokio runtime; returns it with the front end's channels.
pub async fn start(mut lab: Lab, options: LiveOptions) -> anyhow::Result<(LiveLab, LabChannels)> {
    let (driver_ch, front) = channels();
    let mut attachments = Attachments {
        wire: None,
        director: options.director,
        schedule: options.schedule,
        journal: options.journal,
    };
    let mut server = None;
    let mut listener_status = None;
    if let Some(w) = options.wire {
        let brokers = lab.config().brokers;
        match listener::bind(&w.config, brokers).await {
            Ok(sockets) => {
                let (calls_tx, calls_rx) = flume::bounded(API_CHANNEL_CAPACITY);
                let cfg = &w.config;
                listener_status = Some(format!(
                    "Kafka wire protocol on {}:{}..{} (bootstrap_servers='{}:{}')",
                    cfg.bind,
                    cfg.base_port,
                    cfg.port_of(brokers as i32),
                    cfg.advertised_host,
                    cfg.base_port
                ));
                attachments.wire = Some(WireAttachment::new(&mut lab, w.config, calls_rx));
                server = Some(tokio::spawn(listener::serve(sockets, calls_tx)));
            }
            Err(e) if !w.required => {
                let note = NoteText::ListenerOff {
                    error: format!("{e:#}"),
                };
                listener_status = Some(note.to_string());
                lab.emit_event(EventKind::Note { text: note });
            }
            Err(e) => return Err(e),
        }
    }
    let driver = tokio::spawn(run(lab, driver_ch, attachments));
    Ok((
        LiveLab {
            driver,
            server,
            listener_status,
        },
        front,
    ))
}

impl LiveLab {
    /// Waits for the driver to stop (every command sender dropped), stops the listener and
    /// returns the lab.
    pub async fn finish(self) -> anyhow::Result<Lab> {
        let lab = self.driver.await;
        if let Some(s) = self.server {
            s.abort();
            let _ = s.await;
        }
        lab.map_err(|e| anyhow::anyhow!("the lab's driver stopped: {e}"))
    }
}
