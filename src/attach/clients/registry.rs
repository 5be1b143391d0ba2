//! The clients the dashboard started: spawning them as tasks, the commands that change them
//! (rate, stop, close, kill) and their views for the runner's snapshots.

use super::consumer::{self, ConsumerView};
use super::consumer848;
use super::producer::{self, ProducerControl};
use super::stamp::stamp_groups;
use super::{CLIENT_EVENTS_MAX, ClientLink};
use crate::attach::session::Session;
use crate::clients::spec::{ConsumerSpec, GroupProtocol, ProducerSpec, validate_rate};
use crate::clients::view::{ClientOrigin, ConsumerSnapshot, ConsumerState, ProducerSnapshot};
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::refusal::CommandError;
use crate::cluster::snapshot::GroupSnapshot;
use crate::cluster::types::ClientId;
use crate::lab::command::Command;
use crate::protocol::client_transport::ClientSecurity;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The most clients one dashboard starts (stopped ones stay listed and count, as in the lab).
pub const CLIENTS_MAX: usize = 64;

/// Whether a command acts on the dashboard's own clients.
pub fn is_client_command(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::SpawnProducer(_)
            | Command::SetProducerRate(..)
            | Command::StopProducer(_)
            | Command::KillProducer(_)
            | Command::SpawnConsumer(_)
            | Command::KillConsumer(_)
            | Command::CloseConsumer(_)
    )
}

struct ProducerHandle {
    view: Arc<Mutex<ProducerSnapshot>>,
    control: watch::Sender<ProducerControl>,
    task: JoinHandle<()>,
}

struct ConsumerHandle {
    view: Arc<Mutex<ConsumerView>>,
    close: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The dashboard's clients and the channel their timeline lines come in on.
pub struct DashboardClients {
    bootstrap: Vec<String>,
    security: ClientSecurity,
    next_id: ClientId,
    producers: BTreeMap<ClientId, ProducerHandle>,
    consumers: BTreeMap<ClientId, ConsumerHandle>,
    events_tx: flume::Sender<EventKind>,
    events_rx: flume::Receiver<EventKind>,
}

impl Drop for DashboardClients {
    fn drop(&mut self) {
        // The dashboard is gone: nothing may keep writing to the cluster after it.
        for p in self.producers.values() {
            p.task.abort();
        }
        for c in self.consumers.values() {
            c.task.abort();
        }
    }
}

fn refused(error: CommandError) -> Vec<EventKind> {
    vec![EventKind::Note {
        text: NoteText::Refused { error },
    }]
}

fn lock<V: Clone>(v: &Arc<Mutex<V>>) -> V {
    v.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

impl DashboardClients {
    /// None started yet; each will connect to `bootstrap` as `security` says.
    pub fn new(bootstrap: Vec<String>, security: ClientSecurity) -> Self {
        let (events_tx, events_rx) = flume::bounded(CLIENT_EVENTS_MAX);
        Self {
            bootstrap,
            security,
            next_id: 1,
            producers: BTreeMap::new(),
            consumers: BTreeMap::new(),
            events_tx,
            events_rx,
        }
    }

    /// Timeline lines from the clients.
    pub fn events(&self) -> &flume::Receiver<EventKind> {
        &self.events_rx
    }

    /// The producers' views, in start order.
    pub fn producers(&self) -> Vec<ProducerSnapshot> {
        self.producers.values().map(|p| lock(&p.view)).collect()
    }

    /// The consumers' views, in start order.
    pub fn consumers(&self) -> Vec<ConsumerSnapshot> {
        self.consumers
            .values()
            .map(|c| lock(&c.view).snapshot)
            .collect()
    }

    /// Gives the groups what the dashboard's members know and a poller cannot see: the
    /// generation they joined, and KIP-848 members with their epochs ([`stamp_groups`]).
    pub fn stamp_generations(&self, groups: &mut [GroupSnapshot]) {
        let views: Vec<ConsumerView> = self.consumers.values().map(|c| lock(&c.view)).collect();
        stamp_groups(&views, groups);
    }

    /// Applies a client command (the runner checked `--allow-writes`); returns the timeline lines.
    pub fn command(&mut self, cmd: Command) -> Vec<EventKind> {
        match cmd {
            Command::SpawnProducer(spec) => self.spawn_producer(spec),
            Command::SpawnConsumer(spec) => self.spawn_consumer(spec),
            Command::SetProducerRate(id, rate) => {
                if let Err(e) = validate_rate(rate) {
                    return refused(e.into());
                }
                match self.running_producer(id) {
                    Ok(p) => {
                        p.control.send_modify(|c| c.rate_per_sec = rate);
                        p.view
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .rate_per_sec = rate;
                        Vec::new()
                    }
                    Err(e) => refused(e),
                }
            }
            Command::StopProducer(id) => match self.running_producer(id) {
                Ok(p) => {
                    p.control.send_modify(|c| c.stop = true);
                    let client_id = lock(&p.view).client_id;
                    vec![EventKind::ProducerStopped { client_id }]
                }
                Err(e) => refused(e),
            },
            Command::KillProducer(id) => match self.running_producer(id) {
                Ok(p) => {
                    p.task.abort();
                    let mut v = p.view.lock().unwrap_or_else(|e| e.into_inner());
                    v.running = false;
                    v.killed = true;
                    vec![EventKind::ProducerKilled {
                        client_id: v.client_id.clone(),
                    }]
                }
                Err(e) => refused(e),
            },
            Command::KillConsumer(id) => match self.running_consumer(id) {
                Ok(c) => {
                    // No LeaveGroup: the task and its connections just go, as a crash would.
                    c.task.abort();
                    let mut v = c.view.lock().unwrap_or_else(|e| e.into_inner());
                    v.snapshot.state = ConsumerState::Killed;
                    v.snapshot.assigned.clear();
                    vec![EventKind::ConsumerKilled {
                        client_id: v.snapshot.client_id.clone(),
                    }]
                }
                Err(e) => refused(e),
            },
            Command::CloseConsumer(id) => match self.running_consumer(id) {
                Ok(c) => {
                    let _ = c.close.send(true);
                    vec![EventKind::ConsumerClosed {
                        client_id: lock(&c.view).snapshot.client_id,
                    }]
                }
                Err(e) => refused(e),
            },
            _ => vec![EventKind::Note {
                text: NoteText::AttachUnavailable,
            }],
        }
    }

    fn running_producer(&mut self, id: ClientId) -> Result<&mut ProducerHandle, CommandError> {
        let p = self
            .producers
            .get_mut(&id)
            .ok_or(CommandError::NoProducer(id))?;
        let v = lock(&p.view);
        if v.killed {
            return Err(CommandError::ProducerKilled(id));
        }
        if !v.running || p.control.borrow().stop {
            return Err(CommandError::ProducerStopped(id));
        }
        Ok(p)
    }

    fn running_consumer(&mut self, id: ClientId) -> Result<&mut ConsumerHandle, CommandError> {
        let c = self
            .consumers
            .get_mut(&id)
            .ok_or(CommandError::NoConsumer(id))?;
        let state = lock(&c.view).snapshot.state;
        if state != ConsumerState::Running || *c.close.borrow() {
            return Err(CommandError::ConsumerStopped {
                id,
                killed: state == ConsumerState::Killed,
            });
        }
        Ok(c)
    }

    fn next_client(&mut self) -> Result<ClientId, CommandError> {
        if self.producers.len() + self.consumers.len() >= CLIENTS_MAX {
            return Err(CommandError::TooManyClients(CLIENTS_MAX));
        }
        let id = self.next_id;
        self.next_id += 1;
        Ok(id)
    }

    /// A new client's id and `client.id` (`<kind>-<id>` unless the spec names one), or why it
    /// is refused: its spec is invalid or the dashboard runs its most clients.
    fn admit(
        &mut self,
        valid: Result<(), CommandError>,
        named: &Option<String>,
        kind: &str,
    ) -> Result<(ClientId, String), Vec<EventKind>> {
        valid.map_err(refused)?;
        let id = self.next_client().map_err(refused)?;
        let client_id = named.clone().unwrap_or_else(|| format!("{kind}-{id}"));
        Ok((id, client_id))
    }

    fn session(&self, client_id: &str) -> Session {
        Session::for_client(self.bootstrap.clone(), self.security.clone(), client_id)
    }

    fn spawn_producer(&mut self, spec: ProducerSpec) -> Vec<EventKind> {
        let (id, client_id) = match self.admit(
            spec.validate().map_err(Into::into),
            &spec.client_id,
            "producer",
        ) {
            Ok(named) => named,
            Err(refusal) => return refusal,
        };
        let view = Arc::new(Mutex::new(ProducerSnapshot {
            id,
            client_id: client_id.clone(),
            origin: ClientOrigin::Dashboard,
            topic: spec.topic.clone(),
            rate_per_sec: spec.rate_per_sec,
            acks: spec.acks,
            key_mode: spec.key_mode,
            partitioner: spec.partitioner,
            batch_size: spec.batch_size,
            sent: 0,
            acknowledged: 0,
            failed: 0,
            retried: 0,
            running: true,
            idempotent: false,
            producer_id: None,
            transactional_id: None,
            transaction: None,
            transactions_ended: (0, 0),
            paused: false,
            killed: false,
        }));
        let (control, rx) = watch::channel(ProducerControl {
            rate_per_sec: spec.rate_per_sec,
            stop: false,
        });
        let description = spec.description();
        let link = ClientLink::new(id, client_id.clone(), view.clone(), self.events_tx.clone());
        let task = tokio::spawn(producer::run(spec, self.session(&client_id), link, rx));
        self.producers.insert(
            id,
            ProducerHandle {
                view,
                control,
                task,
            },
        );
        vec![EventKind::ClientSpawned {
            id,
            client_id,
            description,
        }]
    }

    fn spawn_consumer(&mut self, spec: ConsumerSpec) -> Vec<EventKind> {
        let (id, client_id) = match self.admit(
            spec.validate().map_err(Into::into),
            &spec.client_id,
            "consumer",
        ) {
            Ok(named) => named,
            Err(refusal) => return refusal,
        };
        let view = Arc::new(Mutex::new(ConsumerView {
            snapshot: ConsumerSnapshot {
                id,
                client_id: client_id.clone(),
                origin: ClientOrigin::Dashboard,
                group_id: spec.group_id.clone(),
                member_id: None,
                topics: spec.topics.clone(),
                state: ConsumerState::Running,
                assigned: Vec::new(),
                consumed: 0,
                commit_mode: spec.commit_mode,
                assignor: spec.assignor,
                session_timeout_ms: spec.session_timeout_ms,
                heartbeat_interval_ms: spec.heartbeat_interval_ms,
                last_record: None,
            },
            generation: 0,
            kip848: spec.group_protocol == GroupProtocol::Consumer,
        }));
        let (close, rx) = watch::channel(false);
        let description = spec.description();
        let link = ClientLink::new(id, client_id.clone(), view.clone(), self.events_tx.clone());
        let session = self.session(&client_id);
        // A KIP-848 member refuses itself on the timeline once ApiVersions show the cluster
        // without ConsumerGroupHeartbeat (the registry cannot know before it connects).
        let task = if spec.group_protocol == GroupProtocol::Consumer {
            tokio::spawn(consumer848::run(spec, session, link, rx))
        } else {
            tokio::spawn(consumer::run(spec, session, link, rx))
        };
        self.consumers
            .insert(id, ConsumerHandle { view, close, task });
        vec![EventKind::ClientSpawned {
            id,
            client_id,
            description,
        }]
    }
}
