//! Hosting simulated clients: spawning, stepping and stopping them inside the deterministic loop.

use super::command::{ConsumerSpec, ProducerSpec};
use super::event::EventKind;
use super::lab::Cluster;
use super::types::ClientId;
use crate::clients::consumer::SimConsumer;
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
        let mut consumers = std::mem::take(&mut self.consumers);
        for c in consumers.values_mut() {
            c.step(self, step);
        }
        self.consumers = consumers;
        self.sample_throughput();
    }

    /// Starts a simulated consumer; returns its id.
    pub fn spawn_consumer(&mut self, spec: ConsumerSpec) -> Result<ClientId, String> {
        if spec.group_id.is_empty() {
            return Err("group.id is empty".into());
        }
        if spec.topics.is_empty() {
            return Err("a consumer must subscribe to at least one topic".into());
        }
        if let Some(t) = spec.topics.iter().find(|t| !self.topics.contains_key(*t)) {
            return Err(format!("no topic {t:?}; create it first"));
        }
        let (min, max) = (
            self.config.group_min_session_timeout_ms,
            self.config.group_max_session_timeout_ms,
        );
        if !(min..=max).contains(&(spec.session_timeout_ms as i64)) {
            return Err(format!(
                "session.timeout.ms must be within group.min.session.timeout.ms={min} and group.max.session.timeout.ms={max}, not {}",
                spec.session_timeout_ms
            ));
        }
        if spec.heartbeat_interval_ms == 0 || spec.heartbeat_interval_ms >= spec.session_timeout_ms
        {
            return Err(format!(
                "heartbeat.interval.ms must be positive and below session.timeout.ms, not {}",
                spec.heartbeat_interval_ms
            ));
        }
        let id = self.next_client();
        let client_id = spec
            .client_id
            .clone()
            .unwrap_or_else(|| format!("consumer-{id}"));
        let description = format!(
            "consumer in group {} ← {}, {}, commit {}, auto.offset.reset={}",
            spec.group_id,
            spec.topics.join(","),
            spec.assignor,
            spec.commit_mode,
            spec.auto_offset_reset
        );
        let now = self.now_ms;
        self.consumers
            .insert(id, SimConsumer::new(id, client_id.clone(), spec, now));
        self.emit(EventKind::ClientSpawned {
            id,
            client_id,
            description,
        });
        Ok(id)
    }

    fn running_consumer(&mut self, id: ClientId) -> Result<SimConsumer, String> {
        match self.consumers.remove(&id) {
            Some(c) if c.is_running() => Ok(c),
            Some(c) => {
                let state = format!("{:?}", c.state).to_lowercase();
                self.consumers.insert(id, c);
                Err(format!("consumer {id} is already {state}"))
            }
            None => Err(format!("no consumer {id}")),
        }
    }

    /// Crashes a consumer (no LeaveGroup).
    pub fn kill_consumer(&mut self, id: ClientId) -> Result<(), String> {
        let mut c = self.running_consumer(id)?;
        c.kill(self);
        self.consumers.insert(id, c);
        Ok(())
    }

    /// Closes a consumer gracefully (LeaveGroup).
    pub fn close_consumer(&mut self, id: ClientId) -> Result<(), String> {
        let mut c = self.running_consumer(id)?;
        c.close(self);
        self.consumers.insert(id, c);
        Ok(())
    }

    /// A consumer by id.
    pub fn consumer(&self, id: ClientId) -> Option<&SimConsumer> {
        self.consumers.get(&id)
    }

    /// Every consumer, in spawn order.
    pub fn consumers(&self) -> impl Iterator<Item = &SimConsumer> {
        self.consumers.values()
    }

    /// Adds one records/s sample per simulated second (the last 120 are kept).
    fn sample_throughput(&mut self) {
        let (at, produced_before, consumed_before) = self.throughput_mark;
        if self.now_ms - at < 1_000 {
            return;
        }
        let produced: u64 = self.producers.values().map(|p| p.acknowledged).sum::<u64>()
            + self.wire.acknowledged_total();
        let consumed: u64 = self.consumers.values().map(|c| c.consumed).sum();
        let t = &mut self.throughput;
        t.produced_per_sec
            .push(produced.saturating_sub(produced_before));
        t.consumed_per_sec
            .push(consumed.saturating_sub(consumed_before));
        for v in [&mut t.produced_per_sec, &mut t.consumed_per_sec] {
            if v.len() > 120 {
                v.remove(0);
            }
        }
        self.throughput_mark = (self.now_ms, produced, consumed);
    }
}
