//! The cluster's side of KRaft: it steps the quorum, makes the quorum's leader the active
//! controller, appends every metadata change the controller makes to `__cluster_metadata`, and
//! kills and starts dedicated controllers.

use super::error::FaultError;
use super::event::{EventKind, NoteText, QuorumChange};
use super::kraft::{DEDICATED_CONTROLLER_BASE, QuorumEvent, Role, Timeouts};
use super::lab::Cluster;
use super::types::{BrokerId, TopicPartition};

/// Simulated latency of a message between two quorum nodes (one step of the default lab).
pub(crate) const QUORUM_LATENCY_MS: i64 = 10;

impl Cluster {
    /// The quorum this config asks for: its controllers vote, every other broker observes.
    pub(crate) fn new_quorum(config: &super::ClusterConfig) -> super::kraft::Quorum {
        let voters = config.controller_ids();
        let observers: Vec<BrokerId> = (1..=config.brokers as BrokerId)
            .filter(|b| !voters.contains(b))
            .collect();
        let data_dir = config.data_dir.clone();
        super::kraft::Quorum::new(
            &voters,
            &observers,
            move |id| {
                let node = if id > DEDICATED_CONTROLLER_BASE {
                    format!("controller-{id}")
                } else {
                    format!("broker-{id}")
                };
                data_dir.join(node).join("__cluster_metadata-0")
            },
            config.seed,
            Timeouts {
                election_ms: config.controller_quorum_election_timeout_ms,
                fetch_ms: config.controller_quorum_fetch_timeout_ms,
            },
            QUORUM_LATENCY_MS,
        )
    }

    /// Starts a node's KRaft process (a broker's, or a dedicated controller's).
    pub(crate) fn start_quorum_node(&mut self, id: BrokerId) {
        if let Err(error) = self.quorum.start_node(id, self.now_ms) {
            self.emit(EventKind::Note {
                text: NoteText::CannotOpen {
                    broker: id,
                    tp: TopicPartition::new("__cluster_metadata", 0),
                    error: crate::cluster::event::IoDetail {
                        english: error,
                        place: None,
                        kind: crate::cluster::event::IoKind::Other { os: None },
                    },
                },
            });
        }
    }

    /// One step of the quorum: messages arrive, timers fire; its leader is the active controller.
    pub(crate) fn step_quorum(&mut self) {
        self.quorum.step(self.now_ms);
        for e in self.quorum.drain_events() {
            let change = match e {
                // Below a majority a lone voter asks again at every election timeout: the
                // Quorum lines show it, the timeline says "quorum lost" once.
                QuorumEvent::ElectionStarted { .. } if self.quorum_lost => continue,
                QuorumEvent::ElectionStarted { candidate, epoch } => {
                    QuorumChange::ElectionStarted { candidate, epoch }
                }
                QuorumEvent::Elected {
                    leader,
                    epoch,
                    votes,
                } => QuorumChange::Elected {
                    controller: leader,
                    epoch,
                    votes,
                },
                QuorumEvent::Resigned { leader, epoch } => QuorumChange::Resigned {
                    controller: leader,
                    epoch,
                },
            };
            self.emit(EventKind::Quorum { change });
        }
        let (up, voters) = (self.quorum.voters_up(), self.quorum.voters().len());
        let lost = up < self.quorum.majority();
        if lost != self.quorum_lost {
            self.quorum_lost = lost;
            let change = if lost {
                QuorumChange::Lost { up, voters }
            } else {
                QuorumChange::Regained { up, voters }
            };
            self.emit(EventKind::Quorum { change });
        }
        self.reconcile_controller();
    }

    /// The active controller is the quorum's leader. A new one restarts every broker's session
    /// (Kafka's new active controller counts heartbeats afresh), so a broker that died while
    /// nobody led is fenced `broker.session.timeout.ms` after the new controller took over.
    pub(crate) fn reconcile_controller(&mut self) {
        let next = self.quorum.leader();
        if next == self.controller {
            return;
        }
        self.controller = next;
        if next.is_some() {
            let now = self.now_ms;
            for b in self.brokers.values_mut() {
                if b.registered && !b.is_running() {
                    b.last_heartbeat_ms = b.last_heartbeat_ms.max(now);
                }
            }
            self.register_pending();
        }
    }

    /// Brokers that restarted while nobody led register with the new controller, which fences
    /// their old incarnations as it would have at once: each leaves every ISR (every ELR after a
    /// crash). The old incarnations' leaderships count until then, so a partition whose ISR
    /// empties remembers its real last leader; the new incarnations lead nothing.
    fn register_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending_registrations);
        for (id, (_, led)) in &pending {
            for tp in led {
                if let Some(meta) = self.partitions.get_mut(tp)
                    && meta.leader.is_none()
                {
                    meta.leader = Some(*id);
                }
            }
        }
        for (&id, (crashed, _)) in &pending {
            self.emit(EventKind::BrokerSessionExpired { broker: id });
            self.remove_from_isrs(id, "re-registered");
            if *crashed {
                self.forget_unclean_shutdown(id);
            }
        }
        for (id, (_, led)) in &pending {
            for tp in led {
                if let Some(meta) = self.partitions.get_mut(tp)
                    && meta.leader == Some(*id)
                {
                    meta.leader = None;
                }
            }
        }
    }

    /// The active controller writes a metadata change as a record of `__cluster_metadata`
    /// (named as Kafka's record types); brokers apply it once a majority has it.
    pub(crate) fn record_metadata(&mut self, kind: &EventKind) {
        use EventKind::*;
        let record_type = match kind {
            TopicCreated { .. } => "TopicRecord",
            LeaderElected { .. }
            | IsrShrunk { .. }
            | IsrExpanded { .. }
            | ElrChanged { .. }
            | UncleanLeaderElected { .. }
            | PartitionOffline { .. } => "PartitionChangeRecord",
            BrokerStarted { .. } => "RegisterBrokerRecord",
            BrokerSessionExpired { .. } | BrokerUnfenced { .. } | BrokerShuttingDown { .. } => {
                "BrokerRegistrationChangeRecord"
            }
            _ => return,
        };
        if self.controller.is_none() {
            return;
        }
        let value = serde_json::to_vec(kind).unwrap_or_default();
        self.quorum.append(record_type, value, self.now_ms);
    }

    /// Crashes a controller: a dedicated one alone, a combined one with its broker.
    pub fn kill_controller(&mut self, id: BrokerId) -> Result<(), FaultError> {
        if self.brokers.contains_key(&id) {
            return self.kill_broker(id);
        }
        if !self.quorum.is_voter(id) {
            return Err(FaultError::NoController(id));
        }
        if !self.quorum.is_up(id) {
            return Err(FaultError::ControllerDown(id));
        }
        self.quorum.stop_node(id);
        self.emit(EventKind::Quorum {
            change: QuorumChange::ControllerKilled { controller: id },
        });
        Ok(())
    }

    /// Starts a stopped controller again: a dedicated one alone, a combined one with its broker.
    pub fn restart_controller(&mut self, id: BrokerId) -> Result<(), FaultError> {
        if self.brokers.contains_key(&id) {
            return self.restart_broker(id);
        }
        if !self.quorum.is_voter(id) {
            return Err(FaultError::NoController(id));
        }
        if self.quorum.is_up(id) {
            return Err(FaultError::ControllerRunning(id));
        }
        self.start_quorum_node(id);
        self.emit(EventKind::Quorum {
            change: QuorumChange::ControllerStarted { controller: id },
        });
        Ok(())
    }

    /// The controller id Metadata answers: the active controller when it is a broker (combined
    /// mode); with dedicated controllers, which clients cannot reach, a live broker, as Kafka's
    /// brokers answer so admin requests reach one that forwards them. -1 while no broker runs.
    pub fn wire_controller_id(&self) -> BrokerId {
        if let Some(c) = self.controller
            && self.brokers.get(&c).is_some_and(|b| b.is_running())
        {
            return c;
        }
        if self.controller.is_none() && self.config.controllers == 0 {
            return -1;
        }
        self.brokers
            .values()
            .find(|b| b.is_running())
            .map_or(-1, |b| b.id)
    }

    /// The KRaft quorum, read-only (for checks, tests and the wire host).
    pub fn quorum(&self) -> &super::kraft::Quorum {
        &self.quorum
    }

    /// Whether a majority of controllers runs (else no election and no topic creation).
    pub fn has_quorum(&self) -> bool {
        !self.quorum_lost
    }

    /// The role of a controller node, for scenario checks.
    pub fn controller_role(&self, id: BrokerId) -> Option<Role> {
        self.quorum
            .snapshot()
            .into_iter()
            .find(|n| n.id == id)
            .map(|n| n.role)
    }
}
