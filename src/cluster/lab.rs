//! `Cluster`: the whole simulated lab as one deterministic state machine.
//!
//! Time only moves when the caller says so ([`Cluster::advance_to`]), in fixed steps of
//! `step_ms`; randomness only comes from the seeded RNG. The same seed and the same commands at
//! the same instants replay the same story, event for event.

use super::broker::{Broker, PartitionMeta};
use super::config::ClusterConfig;
use super::error::KafkaError;
use super::event::{Event, EventKind, NoteText};
use super::placement::assign_replicas;
use super::snapshot::BrokerState;
use super::topic::TopicSpec;
use super::types::{BrokerId, TopicPartition};
use crate::log::LogConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// The name of Kafka's internal offsets topic.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// A topic's settings as the controller keeps them.
#[derive(Clone, Debug)]
pub struct TopicMeta {
    /// The creation request.
    pub spec: TopicSpec,
    /// Log settings of its replicas.
    pub log_config: LogConfig,
    /// Internal topics are hidden from some views.
    pub internal: bool,
    /// The topic's id (KIP-516): a topic deleted and created again under the same name gets a
    /// new one.
    pub topic_id: super::topic_id::TopicId,
}

pub use super::tickets::{ProduceAck, ProduceOutcome};

/// The lab: brokers, controller state, topics, and (through other modules) groups and clients.
pub struct Cluster {
    pub(crate) config: ClusterConfig,
    pub(crate) now_ms: i64,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) brokers: BTreeMap<BrokerId, Broker>,
    pub(crate) controller: Option<BrokerId>,
    pub(crate) topics: BTreeMap<String, TopicMeta>,
    pub(crate) partitions: BTreeMap<TopicPartition, PartitionMeta>,
    /// The last leader's log per partition: what an unclean election is measured against.
    pub(crate) leader_history: super::timers::LeaderHistory,
    /// Stopped brokers' last known offsets and sizes, for the snapshot.
    pub(crate) last_known: super::timers::LastKnown,
    /// `acks=all` produces waiting for the ISR, and their results.
    pub(crate) tickets: super::tickets::ProduceTickets,
    /// Idempotent producers' ids and the sequences they wrote, for every produce.
    pub(crate) producer_states: super::idempotence::ProducerStates,
    pub(crate) events: Vec<Event>,
    pub(crate) shutdowns: super::timers::Shutdowns,
    pub(crate) retention_check: super::timers::Periodic,
    pub(crate) preferred_leader_check: super::timers::Periodic,
    /// Restarted replicas catching up, for the "rejoined the ISR after …" line.
    pub(crate) catch_ups: super::catch_up::CatchUps,
    /// Every consumer group, hosted by the leaders of `__consumer_offsets` partitions.
    pub(crate) hosting: super::groups_host::GroupHosting,
    /// The transaction coordinators, hosted by the leaders of `__transaction_state` partitions.
    pub(crate) txn_hosting: super::txn::TxnHosting,
    /// Partitions whose ELR changed and is not reported yet (at most one entry per partition).
    pub(crate) elr_changed: std::collections::BTreeSet<TopicPartition>,
    /// Broker N's wire-protocol port is `base + N - 1` while a listener runs.
    pub(crate) listener_base_port: Option<u16>,
    /// The KRaft controller quorum over `__cluster_metadata`; its leader is `controller`.
    pub(crate) quorum: super::kraft::Quorum,
    /// Whether fewer than a majority of controllers run (reported once per change).
    pub(crate) quorum_lost: bool,
    /// Brokers restarted while no controller was active: whether each had crashed and the
    /// partitions its old incarnation led. Their registration (fencing the old incarnation) waits
    /// for the next active controller. At most one entry per broker.
    pub(crate) pending_registrations: BTreeMap<BrokerId, (bool, Vec<TopicPartition>)>,
}

impl Cluster {
    /// Starts every broker, creates `__consumer_offsets`, and records `LabStarted`.
    pub fn new(config: ClusterConfig) -> Result<Self, String> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", config.data_dir.display()))?;
        let rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut brokers = BTreeMap::new();
        for id in 1..=config.brokers as BrokerId {
            brokers.insert(
                id,
                Broker::new(id, config.data_dir.join(format!("broker-{id}"))),
            );
        }
        let mut lab = Self {
            now_ms: 0,
            rng,
            brokers,
            controller: None,
            topics: BTreeMap::new(),
            partitions: BTreeMap::new(),
            leader_history: Default::default(),
            last_known: Default::default(),
            tickets: Default::default(),
            producer_states: Default::default(),
            events: Vec::new(),
            shutdowns: Default::default(),
            catch_ups: Default::default(),
            retention_check: super::timers::Periodic::starting(config.retention_check_interval_ms),
            preferred_leader_check: super::timers::Periodic::starting(
                config.leader_imbalance_check_interval_ms,
            ),
            hosting: super::groups_host::GroupHosting::new(
                super::group::CoordinatorConfig {
                    initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
                    min_session_timeout_ms: config.group_min_session_timeout_ms,
                    max_session_timeout_ms: config.group_max_session_timeout_ms,
                    consumer_heartbeat_interval_ms: config.group_consumer_heartbeat_interval_ms,
                    consumer_session_timeout_ms: config.group_consumer_session_timeout_ms,
                },
                config.offsets_retention_check_interval_ms,
            ),
            elr_changed: Default::default(),
            txn_hosting: Default::default(),
            listener_base_port: None,
            quorum: Self::new_quorum(&config),
            quorum_lost: false,
            pending_registrations: BTreeMap::new(),
            config,
        };
        lab.emit(EventKind::LabStarted {
            brokers: lab.config.brokers,
            seed: lab.config.seed,
        });
        // Topics and assignments are remembered in the data dir so a restarted lab finds its logs.
        lab.load_topics_file();
        let ids: Vec<BrokerId> = lab.brokers.keys().copied().collect();
        for id in ids {
            lab.start_broker(id);
        }
        for id in lab.config.controller_ids() {
            if !lab.brokers.contains_key(&id) {
                lab.start_quorum_node(id);
            }
        }
        lab.quorum.bootstrap(0);
        lab.reconcile_controller();
        if !lab.topics.contains_key(OFFSETS_TOPIC) {
            // Every broker has just started, so all of them are alive.
            match lab.config.offsets_topic_rf(lab.config.brokers) {
                Ok(rf) => {
                    let parts = lab.config.offsets_topic_partitions;
                    let mut spec = TopicSpec::new(OFFSETS_TOPIC, parts, rf);
                    spec.min_insync_replicas = 1;
                    lab.create_topic_internal(spec, true)
                        .map_err(|e| format!("cannot create {OFFSETS_TOPIC}: {e}"))?;
                }
                // The same sentence as the config's refusal, as a code the catalogue can say.
                Err(_) => lab.emit(EventKind::Note {
                    text: NoteText::NoOffsetsTopic {
                        wanted: lab.config.offsets_topic_replication_factor,
                        live: lab.config.brokers,
                    },
                }),
            }
        }
        Ok(lab)
    }

    /// Simulated milliseconds since start.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The configuration the lab runs with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Takes the events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Records an event at the current instant.
    pub(crate) fn emit(&mut self, kind: EventKind) {
        self.record_metadata(&kind);
        let time = self.config.epoch + chrono::Duration::milliseconds(self.now_ms);
        self.events.push(Event {
            at_ms: self.now_ms,
            time,
            kind,
        });
    }

    /// Runs steps until simulated time reaches `target_ms` (the brokers alone: a `Lab` also steps
    /// its clients).
    pub fn advance_to(&mut self, target_ms: i64) {
        let step = self.config.step_ms;
        while self.now_ms + step <= target_ms {
            self.step();
        }
    }

    /// Runs simulated time forward by `ms`.
    pub fn advance_by(&mut self, ms: i64) {
        self.advance_to(self.now_ms + ms);
    }

    /// Moves simulated time one `step_ms` on and runs one step: controller, replication, produce
    /// completion, housekeeping, groups.
    pub fn step(&mut self) {
        self.now_ms += self.config.step_ms;
        self.step_quorum();
        self.step_heartbeats();
        self.finish_shutdowns();
        self.reconcile_controller();
        self.reconcile_leaders();
        self.step_replication();
        self.step_isr_shrink();
        self.complete_pending();
        self.step_housekeeping();
        self.step_preferred_leaders();
        self.step_groups();
        self.step_transactions();
    }

    /// The lab's seeded RNG, for clients that make random choices (e.g. the sticky partitioner).
    pub fn rng_mut(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// Records an event from outside the core (clients, scenarios).
    pub fn emit_event(&mut self, kind: EventKind) {
        self.emit(kind);
    }

    /// Draws a random number in `0..n` from the lab's seeded RNG.
    pub(crate) fn random_below(&mut self, n: usize) -> usize {
        if n <= 1 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    /// Brokers that are running, registered and unfenced: the ones the controller may give
    /// leadership to or add to an ISR (KRaft never picks a fenced broker).
    pub fn is_available(&self, id: BrokerId) -> bool {
        self.brokers.get(&id).is_some_and(|b| {
            b.state == BrokerState::Up && b.registered && b.fenced_since_ms.is_none()
        })
    }

    /// Remembers the leader's LEO and epoch cache, so an unclean election can count what it loses.
    pub(crate) fn note_leader_log(&mut self, tp: &TopicPartition, leader: BrokerId) {
        let Some(log) = self.replica_log(leader, tp) else {
            return;
        };
        let leo = log.log_end_offset();
        let epochs = log.epoch_entries().to_vec();
        self.leader_history.note(tp, leo, &epochs);
    }

    /// Whether the controller believes a broker can lead: registered and not shutting down.
    pub(crate) fn controller_sees_alive(&self, id: BrokerId) -> bool {
        self.brokers
            .get(&id)
            .is_some_and(|b| b.registered && b.state != BrokerState::ShuttingDown)
    }

    /// Creates a topic with Kafka's checks; its replicas open on the live brokers.
    pub fn create_topic(&mut self, spec: TopicSpec) -> Result<(), KafkaError> {
        if spec.name.starts_with("__") {
            return Err(KafkaError::InvalidTopic);
        }
        self.create_topic_internal(spec, false)
    }

    pub(crate) fn create_topic_internal(
        &mut self,
        spec: TopicSpec,
        internal: bool,
    ) -> Result<(), KafkaError> {
        spec.validate()?;
        // Only the active controller creates topics: without a quorum the forwarded request
        // waits and times out, as Kafka's broker answers it.
        if self.controller.is_none() {
            return Err(KafkaError::RequestTimedOut);
        }
        if let Some(b) = spec.segment_bytes {
            super::config::check_segment_bytes(self.config.profile, "segment.bytes", b)
                .map_err(|_| KafkaError::InvalidConfig)?;
        }
        if self.topics.contains_key(&spec.name) {
            return Err(KafkaError::TopicAlreadyExists);
        }
        if self.partitions.len() + spec.partitions as usize > super::topic::PARTITIONS_TOTAL_MAX {
            return Err(KafkaError::InvalidPartitions);
        }
        let live: Vec<BrokerId> = self
            .brokers
            .values()
            .filter(|b| b.state == BrokerState::Up)
            .map(|b| b.id)
            .collect();
        if spec.replication_factor < 1 || spec.replication_factor as usize > live.len() {
            return Err(KafkaError::InvalidReplicationFactor);
        }
        let start = self.random_below(live.len());
        let shift = self.random_below(live.len());
        let assignment = assign_replicas(
            &live,
            spec.partitions,
            spec.replication_factor as usize,
            start,
            shift,
        );
        let mut log_config = self.config.log.clone();
        if let Some(b) = spec.segment_bytes {
            log_config.segment_bytes = b;
        }
        if let Some(ms) = spec.retention_ms {
            log_config.retention_ms = ms;
        }
        if let Some(b) = spec.retention_bytes {
            log_config.retention_bytes = b;
        }
        let topic_id = self.new_topic_id(&spec.name);
        self.topics.insert(
            spec.name.clone(),
            TopicMeta {
                spec: spec.clone(),
                log_config,
                internal,
                topic_id,
            },
        );
        for (p, replicas) in assignment.into_iter().enumerate() {
            let tp = TopicPartition::new(spec.name.clone(), p as i32);
            self.partitions.insert(
                tp.clone(),
                PartitionMeta::assigned(tp.clone(), replicas.clone(), spec.min_insync_replicas),
            );
            for b in replicas {
                self.open_replica(b, &tp);
            }
        }
        self.save_topics_file();
        self.emit(EventKind::TopicCreated {
            topic: spec.name.clone(),
            partitions: spec.partitions,
            replication_factor: spec.replication_factor,
        });
        self.reconcile_leaders();
        Ok(())
    }

    /// Topic settings by name.
    pub fn topic(&self, name: &str) -> Option<&TopicMeta> {
        self.topics.get(name)
    }

    /// A topic's id (KIP-516), by name.
    pub fn topic_id(&self, name: &str) -> Option<super::topic_id::TopicId> {
        self.topics.get(name).map(|t| t.topic_id)
    }

    /// A topic's name, by id (Fetch v13+ and KIP-848 name topics by id). Linear in the topic
    /// count, which `PARTITIONS_TOTAL_MAX` bounds.
    pub fn topic_name(&self, id: super::topic_id::TopicId) -> Option<&str> {
        self.topics
            .values()
            .find(|t| t.topic_id == id)
            .map(|t| t.spec.name.as_str())
    }

    /// A new id for a topic being created now, unique among the topics that exist.
    fn new_topic_id(&self, name: &str) -> super::topic_id::TopicId {
        let mut salt = self.topics.len() as u64;
        loop {
            let id = super::topic_id::TopicId::derive(self.config.seed, name, self.now_ms, salt);
            if !self.topics.values().any(|t| t.topic_id == id) {
                return id;
            }
            salt += 1;
        }
    }

    /// Partition count of a topic.
    pub fn partition_count(&self, topic: &str) -> Option<i32> {
        self.topics.get(topic).map(|t| t.spec.partitions)
    }

    /// The controller's record of a partition.
    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionMeta> {
        self.partitions.get(tp)
    }

    /// Every partition's controller record.
    pub fn partitions(&self) -> impl Iterator<Item = &PartitionMeta> {
        self.partitions.values()
    }

    /// Broker ids with their state.
    pub fn broker_states(&self) -> Vec<(BrokerId, BrokerState)> {
        self.brokers.values().map(|b| (b.id, b.state)).collect()
    }

    /// How many times broker `id`'s process has started (0 for no such broker): a listener's
    /// in-memory state (fetch sessions) belongs to one start.
    pub fn broker_starts(&self, id: BrokerId) -> u64 {
        self.brokers.get(&id).map_or(0, |b| b.starts)
    }

    /// Brokers the controller has registered (a crashed broker stays until its session expires):
    /// the brokers Kafka's metadata lists.
    pub fn registered_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .values()
            .filter(|b| b.registered)
            .map(|b| b.id)
            .collect()
    }

    /// The active controller (a broker id in combined mode, 101.. for dedicated controllers).
    pub fn controller(&self) -> Option<BrokerId> {
        self.controller
    }

    /// The leader's high watermark of a partition (None when offline or unknown).
    pub fn high_watermark(&self, tp: &TopicPartition) -> Option<i64> {
        let leader = self.partitions.get(tp)?.leader?;
        Some(self.brokers.get(&leader)?.replicas.get(tp)?.high_watermark)
    }

    /// A replica's LEO on a running broker.
    pub fn replica_leo(&self, broker: BrokerId, tp: &TopicPartition) -> Option<i64> {
        Some(self.brokers.get(&broker)?.replicas.get(tp)?.leo())
    }

    /// Read access to a running broker's replica log, for checks and tests.
    pub fn replica_log(
        &self,
        broker: BrokerId,
        tp: &TopicPartition,
    ) -> Option<&crate::log::PartitionLog> {
        Some(&self.brokers.get(&broker)?.replicas.get(tp)?.log)
    }

    /// Tells the cluster the wire listener runs with broker N on `base + N - 1` (None: off).
    pub fn set_listener_base_port(&mut self, base: Option<u16>) {
        self.listener_base_port = base;
    }

    /// The wire port of broker `b`, when the listener is on.
    pub fn wire_port(&self, b: BrokerId) -> Option<u16> {
        let base = self.listener_base_port?;
        u16::try_from(i64::from(base) + i64::from(b) - 1).ok()
    }

    fn topics_file(&self) -> std::path::PathBuf {
        self.config.data_dir.join("topics.json")
    }

    /// Persists topic specs and assignments (Kafka keeps them in its metadata log).
    pub(crate) fn save_topics_file(&self) {
        let topics: Vec<serde_json::Value> = self
            .topics
            .values()
            .map(|t| {
                let assignment: Vec<&Vec<BrokerId>> = self
                    .partitions
                    .values()
                    .filter(|p| p.tp.topic == t.spec.name)
                    .map(|p| &p.replicas)
                    .collect();
                serde_json::json!({
                    "spec": t.spec,
                    "internal": t.internal,
                    "topic_id": t.topic_id,
                    "replicas": assignment,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&topics).unwrap_or_default();
        // Best effort: a lab that cannot save its topic list still runs; the next start recreates them.
        let _ = std::fs::write(self.topics_file(), text);
    }

    /// Loads topics saved by an earlier run on the same data dir, so logs on disk are found again.
    fn load_topics_file(&mut self) {
        let Ok(text) = std::fs::read_to_string(self.topics_file()) else {
            return;
        };
        let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(&text) else {
            self.emit(EventKind::Note {
                text: NoteText::TopicsFileUnreadable,
            });
            return;
        };
        for v in values {
            let Ok(spec) = serde_json::from_value::<TopicSpec>(v["spec"].clone()) else {
                continue;
            };
            let Ok(replicas) = serde_json::from_value::<Vec<Vec<BrokerId>>>(v["replicas"].clone())
            else {
                continue;
            };
            if replicas.len() != spec.partitions.max(0) as usize
                || replicas
                    .iter()
                    .flatten()
                    .any(|b| !self.brokers.contains_key(b))
            {
                continue;
            }
            let internal = v["internal"].as_bool().unwrap_or(false);
            let mut log_config = self.config.log.clone();
            if let Some(b) = spec.segment_bytes {
                log_config.segment_bytes = b;
            }
            if let Some(ms) = spec.retention_ms {
                log_config.retention_ms = ms;
            }
            if let Some(b) = spec.retention_bytes {
                log_config.retention_bytes = b;
            }
            for (p, reps) in replicas.into_iter().enumerate() {
                let tp = TopicPartition::new(spec.name.clone(), p as i32);
                self.partitions.insert(
                    tp.clone(),
                    PartitionMeta::assigned(tp, reps, spec.min_insync_replicas),
                );
            }
            // Files written before topic ids existed get one now, saved with the next change.
            let topic_id = serde_json::from_value(v["topic_id"].clone())
                .ok()
                .filter(|id| !self.topics.values().any(|t: &TopicMeta| t.topic_id == *id))
                .unwrap_or_else(|| self.new_topic_id(&spec.name));
            self.topics.insert(
                spec.name.clone(),
                TopicMeta {
                    spec,
                    log_config,
                    internal,
                    topic_id,
                },
            );
        }
    }
}
