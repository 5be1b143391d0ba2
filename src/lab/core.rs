//! `Lab`: the cluster with its simulated clients, stepped as one deterministic state machine.
//!
//! Time moves only when the caller says so, one `step_ms` at a time: the brokers step, then the
//! clients, then the throughput meter. Commands from every front end enter through
//! [`Lab::apply`]; everything observable leaves through [`Lab::snapshot`].

use super::clients_host::SimClients;
use super::command::{Command, CommandError};
use super::lag_history::LagHistory;
use super::snapshot::LabSnapshot;
use super::throughput::ThroughputMeter;
use crate::clients::consumer::SimConsumer;
use crate::clients::producer::SimProducer;
use crate::clients::spec::{ConsumerSpec, ProducerSpec};
use crate::cluster::config::ClusterConfig;
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::lab::Cluster;
use crate::cluster::types::ClientId;

/// The lab: a cluster, the simulated clients using it, and what the dashboard measures of them.
///
/// A lab reads as its cluster (`lab.partition(..)`, `lab.kill_broker(..)`): broker faults and
/// queries go straight to the brokers, while stepping time and client commands are the lab's.
pub struct Lab {
    cluster: Cluster,
    clients: SimClients,
    throughput: ThroughputMeter,
    lag_history: LagHistory,
    /// Records acknowledged to real clients, as the wire host last reported.
    wire_acknowledged: u64,
    speed: f64,
    paused: bool,
}

impl Lab {
    /// Starts the brokers of `config` with no clients yet.
    pub fn new(config: ClusterConfig) -> Result<Self, String> {
        Ok(Self::from_cluster(Cluster::new(config)?))
    }

    /// A lab around a running cluster.
    pub fn from_cluster(cluster: Cluster) -> Self {
        Self {
            cluster,
            clients: SimClients::default(),
            throughput: ThroughputMeter::default(),
            lag_history: LagHistory::default(),
            wire_acknowledged: 0,
            speed: 1.0,
            paused: false,
        }
    }

    /// An independent lab, equal in every state to this one, whose brokers' and controllers'
    /// logs live under `data_dir` (see [`Cluster::fork`]): a checkpoint of time travel.
    pub fn fork(&self, data_dir: &std::path::Path) -> Result<Lab, String> {
        Ok(Self {
            cluster: self.cluster.fork(data_dir)?,
            clients: self.clients.clone(),
            throughput: self.throughput.clone(),
            lag_history: self.lag_history.clone(),
            wire_acknowledged: self.wire_acknowledged,
            speed: self.speed,
            paused: self.paused,
        })
    }

    /// The brokers.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The brokers, for faults and for attachments that answer real clients.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    /// Runs steps until simulated time reaches `target_ms`.
    pub fn advance_to(&mut self, target_ms: i64) {
        let step = self.cluster.config().step_ms;
        while self.cluster.now_ms() + step <= target_ms {
            self.step();
        }
    }

    /// Runs simulated time forward by `ms`.
    pub fn advance_by(&mut self, ms: i64) {
        self.advance_to(self.cluster.now_ms() + ms);
    }

    /// One step: the brokers, then every client, then the throughput meter and lag history.
    pub fn step(&mut self) {
        self.cluster.step();
        self.clients.step(&mut self.cluster);
        let produced = self.clients.acknowledged_total() + self.wire_acknowledged;
        let consumed = self.clients.consumed_total();
        self.throughput
            .observe(self.cluster.now_ms(), produced, consumed);
        let now = self.cluster.now_ms();
        // Groups are built only when a sample is due: once a simulated second, not every step.
        if self.lag_history.due(now) {
            self.lag_history
                .observe(now, &self.cluster.group_snapshots());
        }
    }

    /// Records what real clients have had acknowledged so far (for the throughput sparkline).
    pub fn set_wire_acknowledged(&mut self, total: u64) {
        self.wire_acknowledged = total;
    }

    /// The clock's speed and pause, as the driver runs it, so snapshots show them.
    pub fn set_clock(&mut self, speed: f64, paused: bool) {
        self.speed = speed;
        self.paused = paused;
    }

    /// Whether the driver has paused simulated time.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Sets a lab up before its first step (the default lab's topic and clients, or a journal's
    /// start): a topic that exists already (a rerun on the same data dir) is kept as it is.
    pub fn set_up(&mut self, commands: &[Command]) -> Result<(), String> {
        for cmd in commands {
            match cmd {
                Command::CreateTopic(spec) => match self.cluster.create_topic(spec.clone()) {
                    Ok(()) | Err(crate::cluster::error::KafkaError::TopicAlreadyExists) => {}
                    Err(e) => return Err(format!("cannot create topic {}: {e}", spec.name)),
                },
                other => self.apply(other.clone()).map_err(|e| e.to_string())?,
            }
        }
        Ok(())
    }

    /// Carries out a command; a refusal comes back as an error and is also put on the event stream.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        let result = self.apply_inner(command);
        if let Err(e) = &result {
            self.cluster.emit_event(EventKind::Note {
                text: NoteText::Refused { error: e.clone() },
            });
        }
        result
    }

    fn apply_inner(&mut self, command: Command) -> Result<(), CommandError> {
        let c = &mut self.cluster;
        match command {
            Command::KillBroker(id) => Ok(c.kill_broker(id)?),
            Command::ShutdownBroker(id) => Ok(c.shutdown_broker(id)?),
            Command::RestartBroker(id) => Ok(c.restart_broker(id)?),
            Command::KillController(id) => Ok(c.kill_controller(id)?),
            Command::RestartController(id) => Ok(c.restart_controller(id)?),
            Command::SetBrokerSlow(id, slow) => Ok(c.set_broker_slow(id, slow)?),
            Command::CreateTopic(spec) => {
                let name = spec.name.clone();
                c.create_topic(spec)
                    .map_err(|error| CommandError::CreateTopic { name, error })
            }
            Command::DeleteTopic(name) => c.delete_topic(&name).map_err(|e| change_error(name, e)),
            Command::AddPartitions { topic, partitions } => c
                .create_partitions(&topic, partitions, false)
                .map_err(|e| change_error(topic, e)),
            Command::SpawnProducer(spec) => self.spawn_producer(spec).map(|_| ()),
            Command::SetProducerRate(id, rate) => self.clients.set_producer_rate(id, rate),
            Command::StopProducer(id) => self.clients.stop_producer(c, id),
            Command::KillProducer(id) => self.clients.kill_producer(c, id),
            Command::SetProducerPaused(id, paused) => {
                self.clients.set_producer_paused(c, id, paused)
            }
            Command::SpawnConsumer(spec) => self.spawn_consumer(spec).map(|_| ()),
            Command::KillConsumer(id) => self.clients.kill_consumer(c, id),
            Command::CloseConsumer(id) => self.clients.close_consumer(c, id),
            Command::ResetOffsets { group, topic, to } => c
                .reset_group_offsets(&group, topic.as_deref(), to)
                .map(|_| ()),
            Command::SetSpeed(speed) => {
                self.speed = speed;
                Ok(())
            }
            Command::SetPaused(paused) => {
                self.paused = paused;
                Ok(())
            }
            Command::Note(text) => {
                c.emit_event(EventKind::Note { text: text.into() });
                Ok(())
            }
            Command::Director(_) => Err(CommandError::NoDirector),
            // Only the live driver travels; a lab alone has no journal to travel through.
            Command::Travel(_) => Err(CommandError::NoJournal),
        }
    }

    /// Starts a simulated producer; returns its id.
    pub fn spawn_producer(&mut self, spec: ProducerSpec) -> Result<ClientId, CommandError> {
        self.clients.spawn_producer(&mut self.cluster, spec)
    }

    /// Changes a producer's rate.
    pub fn set_producer_rate(&mut self, id: ClientId, rate: f64) -> Result<(), CommandError> {
        self.clients.set_producer_rate(id, rate)
    }

    /// Stops a producer (in-flight batches still complete).
    pub fn stop_producer(&mut self, id: ClientId) -> Result<(), CommandError> {
        self.clients.stop_producer(&mut self.cluster, id)
    }

    /// Crashes a producer: nothing flushed, a transaction it had open stays open.
    pub fn kill_producer(&mut self, id: ClientId) -> Result<(), CommandError> {
        self.clients.kill_producer(&mut self.cluster, id)
    }

    /// Freezes (or resumes) a producer, as a long GC pause would.
    pub fn set_producer_paused(&mut self, id: ClientId, paused: bool) -> Result<(), CommandError> {
        self.clients
            .set_producer_paused(&mut self.cluster, id, paused)
    }

    /// Starts a simulated consumer; returns its id.
    pub fn spawn_consumer(&mut self, spec: ConsumerSpec) -> Result<ClientId, CommandError> {
        self.clients.spawn_consumer(&mut self.cluster, spec)
    }

    /// Crashes a consumer (no LeaveGroup).
    pub fn kill_consumer(&mut self, id: ClientId) -> Result<(), CommandError> {
        self.clients.kill_consumer(&mut self.cluster, id)
    }

    /// Closes a consumer gracefully (LeaveGroup).
    pub fn close_consumer(&mut self, id: ClientId) -> Result<(), CommandError> {
        self.clients.close_consumer(&mut self.cluster, id)
    }

    /// A producer by id.
    pub fn producer(&self, id: ClientId) -> Option<&SimProducer> {
        self.clients.producer(id)
    }

    /// Every producer, in spawn order.
    pub fn producers(&self) -> impl Iterator<Item = &SimProducer> {
        self.clients.producers()
    }

    /// A consumer by id.
    pub fn consumer(&self, id: ClientId) -> Option<&SimConsumer> {
        self.clients.consumer(id)
    }

    /// Every consumer, in spawn order.
    pub fn consumers(&self) -> impl Iterator<Item = &SimConsumer> {
        self.clients.consumers()
    }

    /// Everything observable right now: the cluster's snapshot, with each group partition's
    /// position taken from the simulated consumer that owns it.
    pub fn snapshot(&self) -> LabSnapshot {
        let mut cluster = self.cluster.snapshot();
        for g in &mut cluster.groups {
            for p in &mut g.partitions {
                let Some(owner) = &p.owner else { continue };
                p.position = self
                    .clients
                    .consumers()
                    .find(|c| c.is_running() && c.member_id.as_ref() == Some(owner))
                    .and_then(|c| c.positions.get(&p.tp).copied());
            }
        }
        self.lag_history.fill(&mut cluster.groups);
        LabSnapshot {
            cluster,
            speed: self.speed,
            paused: self.paused,
            producers: self.clients.producers().map(|p| p.snapshot()).collect(),
            consumers: self.clients.consumers().map(|c| c.snapshot()).collect(),
            throughput: self.throughput.history().clone(),
            lesson: None,
            attached: None,
            travel: None,
        }
    }
}

/// A refused topic change as a command error: Kafka's code, then its message if it has one.
fn change_error(name: String, e: crate::cluster::topic_changes::TopicChangeError) -> CommandError {
    let error = if e.message.is_empty() {
        e.error.to_string()
    } else {
        format!("{}: {}", e.error, e.message)
    };
    CommandError::ChangeTopic { name, error }
}

impl std::ops::Deref for Lab {
    type Target = Cluster;
    fn deref(&self) -> &Cluster {
        &self.cluster
    }
}

impl std::ops::DerefMut for Lab {
    fn deref_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }
}
