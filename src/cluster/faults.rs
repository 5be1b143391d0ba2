//! Broker life cycle: start, crash, controlled shutdown, restart, and the slow-follower fault.

use super::broker::Replica;
use super::error::FaultError;
use super::event::{EventKind, NoteText, TruncationReason};
use super::lab::Cluster;
use super::snapshot::BrokerState;
use super::types::{BrokerId, TopicPartition};
use crate::log::PartitionLog;

/// How long a controlled shutdown shows as "shutting down" before the process stops.
const SHUTDOWN_VISIBLE_MS: i64 = 1_000;
/// Partitions a restart's catch-up note names before it says "N more".
const CATCH_UP_NAMED_MAX: usize = 4;

impl Cluster {
    /// Opens (recovering) one replica log on a running broker; failures become events.
    pub(crate) fn open_replica(&mut self, broker: BrokerId, tp: &TopicPartition) {
        let Some(b) = self.brokers.get(&broker) else {
            return;
        };
        if !b.is_running() || b.replicas.contains_key(tp) {
            return;
        }
        let dir = b.dir.join(tp.to_string());
        let log_config = self
            .topics
            .get(&tp.topic)
            .map(|t| t.log_config.clone())
            .unwrap_or_else(|| self.config.log.clone());
        match PartitionLog::open(&dir, log_config, self.now_ms) {
            Ok((log, report)) => {
                if report.bytes_truncated > 0 {
                    self.emit(EventKind::LogTruncated {
                        tp: tp.clone(),
                        broker,
                        to_offset: report.log_end_offset,
                        records_dropped: report.records_truncated,
                        reason: TruncationReason::Recovery {
                            bytes: report.bytes_truncated,
                        },
                    });
                }
                if let Some(b) = self.brokers.get_mut(&broker) {
                    b.replicas.insert(tp.clone(), Replica::new(log));
                }
            }
            Err(e) => self.emit(EventKind::Note {
                text: NoteText::CannotOpen {
                    broker,
                    tp: tp.clone(),
                    error: (&e).into(),
                },
            }),
        }
    }

    /// Starts a broker process: recovers every assigned replica and registers with the controller.
    pub(crate) fn start_broker(&mut self, id: BrokerId) {
        let Some(b) = self.brokers.get_mut(&id) else {
            return;
        };
        b.state = BrokerState::Up;
        b.starts += 1;
        self.last_known.forget(id);
        b.registered = true;
        b.last_heartbeat_ms = self.now_ms;
        b.fenced_since_ms = None;
        b.slow = false;
        self.start_quorum_node(id);
        let assigned: Vec<TopicPartition> = self
            .partitions
            .values()
            .filter(|p| p.replicas.contains(&id))
            .map(|p| p.tp.clone())
            .collect();
        for tp in &assigned {
            self.open_replica(id, tp);
        }
        // A new incarnation holds no leader state: partitions it led before the crash need a new
        // election (and epoch), even when no controller was around to notice the crash.
        for meta in self.partitions.values_mut() {
            if meta.leader == Some(id) {
                meta.leader = None;
            }
        }
        self.emit(EventKind::BrokerStarted { broker: id });
    }

    /// Crashes a broker: logs close, no goodbye; the controller notices at the session timeout.
    pub fn kill_broker(&mut self, id: BrokerId) -> Result<(), FaultError> {
        let b = self.brokers.get_mut(&id).ok_or(FaultError::NoBroker(id))?;
        if !b.is_running() {
            return Err(FaultError::AlreadyDown(id));
        }
        b.state = BrokerState::Down;
        b.clean_shutdown = false;
        self.last_known.note_closing(b);
        b.replicas.clear();
        self.quorum.stop_node(id);
        self.shutdowns.cancel(id);
        self.catch_ups.forget(id);
        self.emit(EventKind::BrokerKilled { broker: id });
        Ok(())
    }

    /// Controlled shutdown: leadership moves to other ISR members first, then the process stops.
    pub fn shutdown_broker(&mut self, id: BrokerId) -> Result<(), FaultError> {
        let b = self.brokers.get_mut(&id).ok_or(FaultError::NoBroker(id))?;
        if b.state != BrokerState::Up {
            return Err(FaultError::NotUp(id));
        }
        b.state = BrokerState::ShuttingDown;
        self.emit(EventKind::BrokerShuttingDown { broker: id });
        // The controller moves leadership away and takes the broker out of every ISR now, so
        // clients see no outage: that is the point of a controlled shutdown.
        self.remove_from_isrs(id, "controlled shutdown");
        self.reconcile_leaders();
        self.shutdowns.start(id, self.now_ms + SHUTDOWN_VISIBLE_MS);
        Ok(())
    }

    /// Stops brokers whose controlled shutdown has finished.
    pub(crate) fn finish_shutdowns(&mut self) {
        for id in self.shutdowns.take_due(self.now_ms) {
            if let Some(b) = self.brokers.get_mut(&id) {
                if b.state != BrokerState::ShuttingDown {
                    continue;
                }
                for r in b.replicas.values_mut() {
                    let _ = r.log.flush();
                }
                self.last_known.note_closing(b);
                b.replicas.clear();
                b.state = BrokerState::Down;
                b.registered = false;
                b.clean_shutdown = true;
            }
            self.quorum.stop_node(id);
            self.catch_ups.forget(id);
            self.emit(EventKind::BrokerStopped { broker: id });
        }
    }

    /// Starts a stopped broker again. It registers fenced, as a KRaft broker does: it recovers
    /// its logs, and only its next heartbeat (`broker.heartbeat.interval.ms` later) unfences it,
    /// so it cannot lead, fetch or rejoin an ISR before then. The room sees it out of sync.
    pub fn restart_broker(&mut self, id: BrokerId) -> Result<(), FaultError> {
        let b = self.brokers.get(&id).ok_or(FaultError::NoBroker(id))?;
        if b.is_running() {
            return Err(FaultError::StillRunning(id));
        }
        let crashed = !b.clean_shutdown;
        if self.controller.is_none() {
            // No controller to register with: the old incarnation is fenced when one is elected.
            let led = self
                .partitions
                .values()
                .filter(|p| p.leader == Some(id))
                .map(|p| p.tp.clone())
                .collect();
            self.pending_registrations.insert(id, (crashed, led));
        }
        self.fence_old_incarnation(id);
        self.start_broker(id);
        let now = self.now_ms;
        if let Some(b) = self.brokers.get_mut(&id) {
            b.fenced_since_ms = Some(now);
        }
        self.reconcile_controller();
        if crashed {
            self.forget_unclean_shutdown(id);
        }
        self.reconcile_leaders();
        self.note_catch_up(id);
        Ok(())
    }

    /// Tells the room how far behind a restarted broker starts on the partitions it follows, so
    /// its catch-up (fetching, then rejoining the ISR) is expected rather than missed. One event;
    /// internal topics left out, at most [`CATCH_UP_NAMED_MAX`] partitions named.
    fn note_catch_up(&mut self, id: BrokerId) {
        let mut behind: Vec<(TopicPartition, i64)> = Vec::new();
        for meta in self.partitions.values() {
            if meta.tp.topic.starts_with("__") || meta.leader == Some(id) {
                continue;
            }
            let leo_on = |b: Option<BrokerId>| {
                let broker = self.brokers.get(&b?)?;
                broker.replicas.get(&meta.tp).map(Replica::leo)
            };
            // Counted from where its log agrees with the leader's: a divergent tail is truncated
            // and fetched again, so it is part of what it has to catch up.
            let agreed = |mine: i64| {
                meta.leader
                    .and_then(|l| self.divergence_point(&meta.tp, l, id))
                    .map_or(mine, |p| p.min(mine))
            };
            if let (Some(leader), Some(mine)) = (leo_on(meta.leader), leo_on(Some(id)).map(agreed))
                && leader > mine
            {
                behind.push((meta.tp.clone(), leader - mine));
            }
        }
        if behind.is_empty() {
            return;
        }
        for (tp, _) in &behind {
            self.catch_ups.start(id, tp, self.now_ms);
        }
        let more = behind.len().saturating_sub(CATCH_UP_NAMED_MAX);
        behind.truncate(CATCH_UP_NAMED_MAX);
        self.emit(EventKind::Note {
            text: NoteText::RestartsBehind {
                broker: id,
                behind,
                more,
            },
        });
    }

    /// Makes a broker's followers stop (or resume) fetching, to show the ISR shrinking without a crash.
    pub fn set_broker_slow(&mut self, id: BrokerId, slow: bool) -> Result<(), FaultError> {
        let b = self.brokers.get_mut(&id).ok_or(FaultError::NoBroker(id))?;
        if b.slow == slow {
            return Ok(());
        }
        b.slow = slow;
        self.emit(EventKind::BrokerSlow { broker: id, slow });
        Ok(())
    }

    /// Turns `unclean.leader.election.enable` on or off while the lab runs (a dynamic broker config
    /// in Kafka); the next election uses it.
    pub fn set_unclean_leader_election(&mut self, enabled: bool) {
        if self.config.unclean_leader_election != enabled {
            self.config.unclean_leader_election = enabled;
            self.emit(EventKind::Note {
                text: NoteText::UncleanConfig { enabled },
            });
        }
    }
}
