//! The attach loop: poll every interval, publish the snapshot and the changes, answer commands.
//! Ends when the front end drops its command sender.

use super::build::Builder;
use super::clients::{DashboardClients, is_client_command};
use super::degrade::Degraded;
use super::diff::{LagWatch, diff};
use super::poll::poll;
use super::session::Session;
use super::writes;
use crate::cluster::event::{Event, EventKind, NoteText};
use crate::lab::command::Command;
use crate::lab::driver::{DriverChannels, LabChannels, channels};
use crate::lab::{AttachedCluster, LabSnapshot};
use crate::protocol::client_transport::ClientSecurity;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// The shortest poll interval (`--interval`): one cycle of a big cluster takes longer.
pub const INTERVAL_MIN: Duration = Duration::from_millis(100);

/// What to attach to and how.
#[derive(Clone, Debug)]
pub struct AttachOptions {
    /// `bootstrap.servers`.
    pub bootstrap: Vec<String>,
    /// How to connect.
    pub security: ClientSecurity,
    /// How often to poll.
    pub interval: Duration,
    /// Whether the dashboard may write to the cluster.
    pub allow_writes: bool,
}

/// Starts polling on the current runtime; returns the task and the front end's channels.
pub fn start(options: AttachOptions) -> (JoinHandle<()>, LabChannels) {
    let (driver, front) = channels();
    let task = tokio::spawn(run(options, driver));
    (task, front)
}

struct Poller {
    options: AttachOptions,
    session: Session,
    builder: Builder,
    lag: LagWatch,
    /// The APIs the cluster does not serve, each told once.
    degraded: Degraded,
    last: Option<LabSnapshot>,
    failing: Option<String>,
    started: Instant,
    /// The producers and consumers this dashboard started (`p`, `c`).
    clients: DashboardClients,
}

async fn run(options: AttachOptions, ch: DriverChannels) {
    let interval = options.interval.max(INTERVAL_MIN);
    let mut p = Poller {
        session: Session::new(options.bootstrap.clone(), options.security.clone()),
        clients: DashboardClients::new(options.bootstrap.clone(), options.security.clone()),
        options,
        builder: Builder::default(),
        lag: LagWatch::default(),
        degraded: Degraded::default(),
        last: None,
        failing: None,
        started: Instant::now(),
    };
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => p.poll_once(&ch).await,
            cmd = ch.commands().recv_async() => match cmd {
                Ok(cmd) => {
                    let client = is_client_command(&cmd);
                    let kinds = p.command(cmd).await;
                    p.publish(&ch, kinds);
                    if client {
                        p.republish(&ch);
                    }
                }
                Err(_) => break,
            },
            Ok(kind) = p.clients.events().recv_async() => p.publish(&ch, vec![kind]),
        }
    }
}

impl Poller {
    fn now_ms(&self) -> i64 {
        self.started.elapsed().as_millis() as i64
    }

    fn attached(&self, poll_ms: i64) -> AttachedCluster {
        AttachedCluster {
            bootstrap: self.options.bootstrap.join(","),
            interval_ms: self.options.interval.max(INTERVAL_MIN).as_millis() as i64,
            writes_allowed: self.options.allow_writes,
            last_poll_ms: poll_ms,
            poll_error: self.failing.clone(),
            ..AttachedCluster::default()
        }
    }

    async fn poll_once(&mut self, ch: &DriverChannels) {
        let began = Instant::now();
        let result = poll(&mut self.session).await;
        let poll_ms = began.elapsed().as_millis() as i64;
        let mut kinds = Vec::new();
        match result {
            Ok(view) => {
                if self.failing.take().is_some() {
                    kinds.push(note(NoteText::AttachPollRecovered));
                }
                let snap = self
                    .builder
                    .build(&view, self.now_ms(), self.attached(poll_ms));
                match &self.last {
                    Some(old) => kinds.extend(diff(old, &snap)),
                    None => kinds.push(note(NoteText::Attached {
                        bootstrap: self.options.bootstrap.join(","),
                        brokers: view.brokers.len(),
                        interval_ms: self.options.interval.max(INTERVAL_MIN).as_millis() as i64,
                        writes: self.options.allow_writes,
                    })),
                }
                kinds.extend(self.degraded.observe(&view.missing));
                kinds.extend(self.lag.observe(&snap));
                let snap = self.with_clients(snap);
                ch.publish_snapshot(snap.clone());
                self.last = Some(snap);
            }
            Err(e) => {
                let error = e.to_string();
                if self.failing.as_deref() != Some(&error) {
                    kinds.push(note(NoteText::AttachPollFailed {
                        error: error.clone(),
                    }));
                }
                self.failing = Some(error);
                let status = self.attached(poll_ms);
                if let Some(last) = &mut self.last {
                    let before = last.attached.take().unwrap_or_default();
                    last.attached = Some(AttachedCluster {
                        brokers: before.brokers,
                        cluster_id: before.cluster_id,
                        sizes_unknown: before.sizes_unknown,
                        ..status
                    });
                    ch.publish_snapshot(last.clone());
                }
            }
        }
        self.publish(ch, kinds);
    }

    fn publish(&self, ch: &DriverChannels, kinds: Vec<EventKind>) {
        if kinds.is_empty() {
            return;
        }
        let at_ms = self.now_ms();
        let time = chrono::Utc::now();
        ch.publish_events(
            kinds
                .into_iter()
                .map(|kind| Event { at_ms, time, kind })
                .collect(),
        );
    }

    /// A command from the dashboard: a write the cluster allows, or why not.
    async fn command(&mut self, cmd: Command) -> Vec<EventKind> {
        if !writes::is_write(&cmd) {
            return match cmd {
                // The dashboard's own clock keys change nothing on a real cluster.
                Command::SetSpeed(_) | Command::SetPaused(_) | Command::Note(_) => Vec::new(),
                _ => vec![note(NoteText::AttachUnavailable)],
            };
        }
        if !self.options.allow_writes {
            return vec![note(NoteText::AttachReadOnly)];
        }
        if is_client_command(&cmd) {
            return self.clients.command(cmd);
        }
        writes::apply(&mut self.session, cmd).await
    }

    /// The snapshot with this dashboard's own clients in its producer and consumer tables.
    fn with_clients(&self, mut snap: LabSnapshot) -> LabSnapshot {
        snap.producers = self.clients.producers();
        snap.consumers = self.clients.consumers();
        self.clients.stamp_generations(&mut snap.cluster.groups);
        snap
    }

    /// Publishes the last view again with the clients as they are now (after a client command,
    /// so the tables change without waiting for the next poll).
    fn republish(&mut self, ch: &DriverChannels) {
        if let Some(last) = self.last.take() {
            let snap = self.with_clients(last);
            ch.publish_snapshot(snap.clone());
            self.last = Some(snap);
        }
    }
}

fn note(text: NoteText) -> EventKind {
    EventKind::Note { text }
}
