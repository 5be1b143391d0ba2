//! Starting a live lab: the wire listener (when asked for and its port is free), the one driver
//! with its attachments, and the channels a front end (the dashboard, an event stream, a test)
//! holds. The binary and the tests start live labs the same way, in-process.

use super::command::Timed;
use super::core::Lab;
use super::driver::{Attachments, Director, LabChannels, channels, run};
use super::wire::WireAttachment;
use crate::cluster::event::{EventKind, ListenerError, NoteText};
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
    /// Where the wire listener runs, or why it does not (none without `wire`).
    pub listener_status: Option<ListenerStatus>,
}

/// Whether the Kafka wire listener runs: a code `text::io` says in the chosen language;
/// `Display` is the English line.
#[derive(Clone, Debug, PartialEq)]
pub enum ListenerStatus {
    /// Listening on every broker's port.
    On {
        /// The bind address.
        bind: String,
        /// Broker 1's port.
        first_port: i32,
        /// The last broker's port.
        last_port: i32,
        /// The advertised host.
        host: String,
        /// The bootstrap port (broker 1's).
        port: u16,
        /// `security.protocol` a client must use.
        security: crate::protocol::security::SecurityProtocol,
    },
    /// Not listening, and why.
    Off(ListenerError),
}

impl std::fmt::Display for ListenerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::On {
                bind,
                first_port,
                last_port,
                host,
                port,
                security,
            } => write!(
                f,
                "Kafka wire protocol on {bind}:{first_port}..{last_port}, {security} (bootstrap_servers='{host}:{port}')"
            ),
            Self::Off(error) => NoteText::ListenerOff {
                error: error.clone(),
            }
            .fmt(f),
        }
    }
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
                listener_status = Some(ListenerStatus::On {
                    bind: cfg.bind.to_string(),
                    first_port: i32::from(cfg.base_port),
                    last_port: cfg.port_of(brokers as i32),
                    host: cfg.advertised_host.clone(),
                    port: cfg.base_port,
                    security: cfg.security.protocol(),
                });
                let security = w.config.security.clone();
                attachments.wire = Some(WireAttachment::new(&mut lab, w.config, calls_rx));
                server = Some(tokio::spawn(listener::serve(sockets, calls_tx, security)));
            }
            Err(e) if !w.required => {
                listener_status = Some(ListenerStatus::Off(e.clone()));
                lab.emit_event(EventKind::Note {
                    text: NoteText::ListenerOff { error: e },
                });
            }
            Err(e) => return Err(e.into()),
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
