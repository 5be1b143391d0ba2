//! `SimClients`: the lab's simulated producers and consumers, spawned, stepped and stopped inside
//! the deterministic loop. Each spec is checked by its own `validate`; what only the cluster can
//! know (does the topic exist, is the session timeout within the brokers' range) is checked here.

use super::command::CommandError;
use crate::clients::consumer::SimConsumer;
use crate::clients::producer::SimProducer;
use crate::clients::spec::{ConsumerSpec, ProducerSpec, validate_rate};
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;
use crate::cluster::types::ClientId;
use std::collections::BTreeMap;

/// Simulated clients a lab holds at most (producers and consumers together, stopped ones
/// included: their counters stay on the dashboard).
pub const MAX_SIM_CLIENTS: usize = 1_000;

/// The simulated clients, in spawn order.
#[derive(Clone, Default)]
pub struct SimClients {
    producers: BTreeMap<ClientId, SimProducer>,
    consumers: BTreeMap<ClientId, SimConsumer>,
    next_id: ClientId,
}

impl SimClients {
    fn next_client(&mut self) -> Result<ClientId, CommandError> {
        if self.producers.len() + self.consumers.len() >= MAX_SIM_CLIENTS {
            return Err(CommandError::TooManyClients(MAX_SIM_CLIENTS));
        }
        self.next_id += 1;
        Ok(self.next_id)
    }

    /// Starts a simulated producer; returns its id.
    pub fn spawn_producer(
        &mut self,
        cluster: &mut Cluster,
        spec: ProducerSpec,
    ) -> Result<ClientId, CommandError> {
        spec.validate()?;
        if cluster.topic(&spec.topic).is_none() {
            return Err(CommandError::NoTopic(spec.topic));
        }
        let id = self.next_client()?;
        let client_id = spec
            .client_id
            .clone()
            .unwrap_or_else(|| format!("producer-{id}"));
        let description = spec.description();
        self.producers
            .insert(id, SimProducer::new(id, client_id.clone(), spec));
        cluster.emit_event(EventKind::ClientSpawned {
            id,
            client_id,
            description,
        });
        Ok(id)
    }

    /// Changes a producer's rate.
    pub fn set_producer_rate(&mut self, id: ClientId, rate: f64) -> Result<(), CommandError> {
        validate_rate(rate)?;
        let p = self
            .producers
            .get_mut(&id)
            .ok_or(CommandError::NoProducer(id))?;
        p.spec.rate_per_sec = rate;
        Ok(())
    }

    /// Stops a producer (in-flight batches still complete).
    pub fn stop_producer(
        &mut self,
        cluster: &mut Cluster,
        id: ClientId,
    ) -> Result<(), CommandError> {
        let p = self
            .producers
            .get_mut(&id)
            .ok_or(CommandError::NoProducer(id))?;
        if !p.running {
            return Err(CommandError::ProducerStopped(id));
        }
        p.running = false;
        let client_id = p.client_id.clone();
        cluster.emit_event(EventKind::ProducerStopped { client_id });
        Ok(())
    }

    /// Crashes a producer: its batches are gone, and a transaction it had open stays open until
    /// `transaction.timeout.ms` or a successor's InitProducerId.
    pub fn kill_producer(
        &mut self,
        cluster: &mut Cluster,
        id: ClientId,
    ) -> Result<(), CommandError> {
        let p = self
            .producers
            .get_mut(&id)
            .ok_or(CommandError::NoProducer(id))?;
        if p.is_killed() {
            return Err(CommandError::ProducerKilled(id));
        }
        p.kill(cluster);
        let client_id = p.client_id.clone();
        cluster.emit_event(EventKind::ProducerKilled { client_id });
        Ok(())
    }

    /// Freezes a producer (it takes no step, as in a long GC pause) or resumes it.
    pub fn set_producer_paused(
        &mut self,
        cluster: &mut Cluster,
        id: ClientId,
        paused: bool,
    ) -> Result<(), CommandError> {
        let p = self
            .producers
            .get_mut(&id)
            .ok_or(CommandError::NoProducer(id))?;
        if p.is_killed() {
            return Err(CommandError::ProducerKilled(id));
        }
        if p.paused != paused {
            p.paused = paused;
            let client_id = p.client_id.clone();
            cluster.emit_event(EventKind::ProducerPaused { client_id, paused });
        }
        Ok(())
    }

    /// Starts a simulated consumer; returns its id.
    pub fn spawn_consumer(
        &mut self,
        cluster: &mut Cluster,
        spec: ConsumerSpec,
    ) -> Result<ClientId, CommandError> {
        spec.validate()?;
        if let Some(t) = spec.topics.iter().find(|t| cluster.topic(t).is_none()) {
            return Err(CommandError::NoTopic(t.clone()));
        }
        let (min, max) = (
            cluster.config().group_min_session_timeout_ms,
            cluster.config().group_max_session_timeout_ms,
        );
        if !(min..=max).contains(&(spec.session_timeout_ms as i64)) {
            return Err(CommandError::SessionTimeout {
                min,
                max,
                value: spec.session_timeout_ms,
            });
        }
        let id = self.next_client()?;
        let client_id = spec
            .client_id
            .clone()
            .unwrap_or_else(|| format!("consumer-{id}"));
        let description = spec.description();
        let now = cluster.now_ms();
        self.consumers
            .insert(id, SimConsumer::new(id, client_id.clone(), spec, now));
        cluster.emit_event(EventKind::ClientSpawned {
            id,
            client_id,
            description,
        });
        Ok(id)
    }

    fn running_consumer(&mut self, id: ClientId) -> Result<&mut SimConsumer, CommandError> {
        let c = self
            .consumers
            .get_mut(&id)
            .ok_or(CommandError::NoConsumer(id))?;
        if c.is_running() {
            Ok(c)
        } else {
            Err(CommandError::ConsumerStopped {
                id,
                killed: c.state == crate::clients::view::ConsumerState::Killed,
            })
        }
    }

    /// Crashes a consumer (no LeaveGroup).
    pub fn kill_consumer(
        &mut self,
        cluster: &mut Cluster,
        id: ClientId,
    ) -> Result<(), CommandError> {
        self.running_consumer(id)?.kill(cluster);
        Ok(())
    }

    /// Closes a consumer gracefully (LeaveGroup).
    pub fn close_consumer(
        &mut self,
        cluster: &mut Cluster,
        id: ClientId,
    ) -> Result<(), CommandError> {
        self.running_consumer(id)?.close(cluster);
        Ok(())
    }

    /// Steps every simulated client once, producers first (as before the lab owned them).
    pub fn step(&mut self, cluster: &mut Cluster) {
        let step = cluster.config().step_ms;
        for p in self.producers.values_mut() {
            // A frozen or killed producer takes no step: no request leaves it, no answer is read.
            if !p.paused && !p.is_killed() {
                p.step(cluster, step);
            }
        }
        for c in self.consumers.values_mut() {
            c.step(cluster, step);
        }
    }

    /// A producer by id.
    pub fn producer(&self, id: ClientId) -> Option<&SimProducer> {
        self.producers.get(&id)
    }

    /// Every producer, in spawn order.
    pub fn producers(&self) -> impl Iterator<Item = &SimProducer> {
        self.producers.values()
    }

    /// A consumer by id.
    pub fn consumer(&self, id: ClientId) -> Option<&SimConsumer> {
        self.consumers.get(&id)
    }

    /// Every consumer, in spawn order.
    pub fn consumers(&self) -> impl Iterator<Item = &SimConsumer> {
        self.consumers.values()
    }

    /// Records acknowledged to every simulated producer so far.
    pub fn acknowledged_total(&self) -> u64 {
        self.producers.values().map(|p| p.acknowledged).sum()
    }

    /// Records consumed by every simulated consumer so far.
    pub fn consumed_total(&self) -> u64 {
        self.consumers.values().map(|c| c.consumed).sum()
    }
}
