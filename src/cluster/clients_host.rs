//! Hosting simulated clients: spawning, stepping and stopping them inside the deterministic loop.

use super::command::{ConsumerSpec, ProducerSpec};
use super::event::EventKind;
use super::lab::Cluster;
use super::types::ClientId;
use crate::clients::producer::SimProducer;

impl Cluster {
    fn next_client(&mut self) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        id
    }

    /// Starts a simulated producer; returns its id.
    pub fn spawn_producer(&mut self, spec: ProducerSpec) -> Result<ClientId, String> {
        if !self.topics.contains_key(&spec.topic) {
            return Err(format!("no topic {:?}; create it first", spec.topic));
        }
        if !(spec.rate_per_sec > 0.0 && spec.rate_per_sec <= 1_000_000.0) {
            return Err(format!(
                "producer rate must be in (0, 1000000] records/s, not {}",
                spec.rate_per_sec
            ));
        }
        let id = self.next_client();
        let client_id = spec
            .client_id
            .clone()
            .unwrap_or_else(|| format!("producer-{id}"));
        let description = format!(
            "producer → {} at {}/s, acks={}, {}",
            spec.topic, spec.rate_per_sec, spec.acks, spec.key_mode
        );
        self.producers
            .insert(id, SimProducer::new(id, client_id.clone(), spec));
        self.emit(EventKind::ClientSpawned {
            id,
            client_id,
            description,
        });
        Ok(id)
    }

    /// Changes a producer's rate.
    pub fn set_producer_rate(&mut self, id: ClientId, rate: f64) -> Result<(), String> {
        if !(rate > 0.0 && rate <= 1_000_000.0) {
            return Err(format!("producer rate must be in (0, 1000000], not {rate}"));
        }
        let p = self
            .producers
            .get_mut(&id)
            .ok_or_else(|| format!("no producer {id}"))?;
        p.spec.rate_per_sec = rate;
        Ok(())
    }

    /// Stops a producer (in-flight batches still complete).
    pub fn stop_producer(&mut self, id: ClientId) -> Result<(), String> {
        let p = self
            .producers
            .get_mut(&id)
            .ok_or_else(|| format!("no producer {id}"))?;
        if !p.running {
            return Err(format!("producer {id} is already stopped"));
        }
        p.running = false;
        let client_id = p.client_id.clone();
        self.emit(EventKind::ProducerStopped { client_id });
        Ok(())
    }

    /// A producer by id.
    pub fn producer(&self, id: ClientId) -> Option<&SimProducer> {
        self.producers.get(&id)
    }

    /// Steps every simulated client once.
    pub(crate) fn step_clients(&mut self) {
        let step = self.config.step_ms;
        let mut producers = std::mem::take(&mut self.producers);
        for p in producers.values_mut() {
            p.step(self, step);
        }
        self.producers = producers;
    }

    /// Starts a simulated consumer; returns its id.
    pub fn spawn_consumer(&mut self, _spec: ConsumerSpec) -> Result<ClientId, String> {
        Err("consumers are not available yet".into())
    }

    /// Crashes a consumer (no LeaveGroup).
    pub fn kill_consumer(&mut self, id: ClientId) -> Result<(), String> {
        Err(format!("no consumer {id}"))
    }

    /// Closes a consumer gracefully (LeaveGroup).
    pub fn close_consumer(&mut self, id: ClientId) -> Result<(), String> {
        Err(format!("no consumer {id}"))
    }
}
