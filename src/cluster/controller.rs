//! The controller: broker liveness, leader elections, ISR changes and preferred-leader moves.

use super::event::{ElectionReason, ElectionSource, EventKind};
use super::lab::Cluster;
use super::placement::{Candidates, Election, elect_leader};
use super::types::{BrokerId, TopicPartition};

impl Cluster {
    /// Running brokers heartbeat; the quorum expires silent ones after `broker.session.timeout.ms`.
    pub(crate) fn step_heartbeats(&mut self) {
        // Heartbeats go to the active controller: without one, nobody is fenced or unfenced.
        if self.controller.is_none() {
            return;
        }
        let now = self.now_ms;
        let interval = self.config.broker_heartbeat_interval_ms;
        let timeout = self.config.broker_session_timeout_ms;
        let mut expired = Vec::new();
        let mut unfenced = Vec::new();
        for b in self.brokers.values_mut() {
            if b.is_running() && now - b.last_heartbeat_ms >= interval {
                b.last_heartbeat_ms = now;
                // The first heartbeat after a restart, its log recovered: the controller unfences it.
                if let Some(since) = b.fenced_since_ms.take() {
                    unfenced.push((b.id, now - since));
                }
            }
            if b.registered && !b.is_running() && now - b.last_heartbeat_ms > timeout {
                b.registered = false;
                expired.push(b.id);
            }
        }
        for id in expired {
            self.emit(EventKind::BrokerSessionExpired { broker: id });
            self.remove_from_isrs(id, "session expired");
        }
        for (broker, fenced_ms) in unfenced {
            self.emit(EventKind::BrokerUnfenced { broker, fenced_ms });
        }
    }

    /// Ends a crashed broker's old session at once because it is registering again (Kafka fences
    /// the old incarnation): it leaves every ISR and loses leadership, with a new epoch elsewhere.
    pub(crate) fn fence_old_incarnation(&mut self, id: BrokerId) {
        if self.controller.is_none() {
            return;
        }
        let Some(b) = self.brokers.get_mut(&id) else {
            return;
        };
        if !b.registered {
            return;
        }
        b.registered = false;
        self.emit(EventKind::BrokerSessionExpired { broker: id });
        self.remove_from_isrs(id, "re-registered");
        self.reconcile_controller();
        self.reconcile_leaders();
    }

    /// Takes a broker out of every ISR. Without ELR the last member stays (so it can be elected
    /// cleanly when it returns, as KRaft did before 4.1); with ELR the ISR may become empty and
    /// the ELR says who may lead cleanly.
    pub(crate) fn remove_from_isrs(&mut self, id: BrokerId, _why: &str) {
        if self.controller.is_none() {
            return;
        }
        let elr_on = self.config.eligible_leader_replicas;
        let tps: Vec<TopicPartition> = self
            .partitions
            .values()
            .filter(|p| p.isr.contains(&id) && (elr_on || p.isr.len() > 1))
            .map(|p| p.tp.clone())
            .collect();
        for tp in tps {
            let Some(meta) = self.partitions.get(&tp) else {
                continue;
            };
            let target: Vec<BrokerId> = meta.isr.iter().copied().filter(|b| *b != id).collect();
            let isr = self.set_isr(&tp, target);
            self.emit(EventKind::IsrShrunk {
                tp: tp.clone(),
                removed: vec![id],
                isr,
            });
            self.emit_elr_change(&tp);
        }
    }

    /// Every ISR change goes through here: the ISR becomes `target` and the ELR follows Kafka's
    /// rules (`elr.rs`). Returns the new ISR; an ELR change waits in `elr_changed` for
    /// [`Self::emit_elr_change`], so the ISR line comes first on the timeline.
    pub(crate) fn set_isr(&mut self, tp: &TopicPartition, target: Vec<BrokerId>) -> Vec<BrokerId> {
        let elr_on = self.config.eligible_leader_replicas;
        let Some(meta) = self.partitions.get_mut(tp) else {
            return target;
        };
        if meta.change_isr(target, elr_on) {
            self.elr_changed.insert(tp.clone());
        }
        meta.isr.clone()
    }

    /// Reports the ELR of `tp` if it changed since it was last reported.
    pub(crate) fn emit_elr_change(&mut self, tp: &TopicPartition) {
        if !self.elr_changed.remove(tp) {
            return;
        }
        if let Some(meta) = self.partitions.get(tp) {
            let (elr, isr) = (meta.elr.clone(), meta.isr.clone());
            self.emit(EventKind::ElrChanged {
                tp: tp.clone(),
                elr,
                isr,
            });
        }
    }

    /// A broker registering after a crash (an unclean shutdown) may have lost unflushed records:
    /// the controller takes it out of every ELR (KIP-966). A controlled shutdown keeps it there.
    pub(crate) fn forget_unclean_shutdown(&mut self, id: BrokerId) {
        if !self.config.eligible_leader_replicas || self.controller.is_none() {
            return;
        }
        let tps: Vec<TopicPartition> = self
            .partitions
            .values()
            .filter(|p| p.elr.contains(&id))
            .map(|p| p.tp.clone())
            .collect();
        for tp in tps {
            if let Some(meta) = self.partitions.get_mut(&tp)
                && meta.forget_unclean_replica(id)
            {
                self.elr_changed.insert(tp.clone());
            }
            self.emit_elr_change(&tp);
        }
    }

    /// Elects leaders wherever the current one is unavailable (and a controller exists to do it).
    pub(crate) fn reconcile_leaders(&mut self) {
        if self.controller.is_none() {
            return;
        }
        let tps: Vec<TopicPartition> = self.partitions.keys().cloned().collect();
        for tp in tps {
            let Some(meta) = self.partitions.get(&tp) else {
                continue;
            };
            // The controller only knows what sessions and shutdowns tell it: a crashed leader keeps
            // its role until its session expires, which is the outage a crash causes in Kafka.
            if meta.leader.is_some_and(|l| self.controller_sees_alive(l)) {
                continue;
            }
            let old_leader = meta.leader;
            let election = elect_leader(
                Candidates {
                    replicas: &meta.replicas,
                    isr: &meta.isr,
                    elr: &meta.elr,
                    last_known_leader: meta.last_known_leader,
                },
                |b| self.is_available(b),
                self.config.unclean_leader_election,
            );
            let reason = match old_leader {
                Some(leader) => ElectionReason::LeaderUnavailable { leader },
                None if meta.leader_epoch < 0 => ElectionReason::NewPartition,
                None => ElectionReason::BackOnline,
            };
            match election {
                Election::Clean(b) => self.make_leader(&tp, b, reason, ElectionSource::Isr),
                Election::FromElr(b) => {
                    if let Some(meta) = self.partitions.get_mut(&tp) {
                        meta.lead_from_elr(b);
                    }
                    self.elr_changed.insert(tp.clone());
                    self.make_leader(&tp, b, reason, ElectionSource::Elr);
                    self.emit_elr_change(&tp);
                }
                Election::LastKnownLeader(b) => {
                    // Kafka resets the ISR to the returning leader (as after an unclean election)
                    // but needs no unclean.leader.election.enable: it was the last to hold every
                    // committed record, so only records never committed can go.
                    if let Some(meta) = self.partitions.get_mut(&tp) {
                        meta.lead_unclean(b);
                    }
                    self.make_leader(&tp, b, reason, ElectionSource::LastKnownLeader);
                }
                Election::Unclean(b) => {
                    let (first_lost_offset, lost) = self.records_lost_to(&tp, b);
                    let had_elr = self
                        .partitions
                        .get_mut(&tp)
                        .map(|meta| {
                            let had = !meta.elr.is_empty();
                            meta.lead_unclean(b);
                            had
                        })
                        .unwrap_or(false);
                    if had_elr {
                        self.elr_changed.insert(tp.clone());
                    }
                    self.make_leader(&tp, b, ElectionReason::Unclean, ElectionSource::Unclean);
                    self.emit(EventKind::UncleanLeaderElected {
                        tp: tp.clone(),
                        leader: b,
                        records_lost: lost,
                        first_lost_offset,
                    });
                    self.emit_elr_change(&tp);
                }
                Election::Offline => {
                    if old_leader.is_some() || meta.leader_epoch < 0 {
                        if let Some(meta) = self.partitions.get_mut(&tp) {
                            meta.leader = None;
                            if meta.leader_epoch < 0 {
                                meta.leader_epoch = 0;
                            }
                        }
                        self.emit(EventKind::PartitionOffline { tp: tp.clone() });
                    }
                }
            }
        }
    }

    /// Records of the last leader's log that `new_leader` does not have: everything past the point
    /// where their epoch histories diverge (the same rule followers use to truncate), as the first
    /// such offset and their count.
    fn records_lost_to(&self, tp: &TopicPartition, new_leader: BrokerId) -> (i64, i64) {
        let old_leo = self.leader_history.leo(tp);
        let Some(new_log) = self.replica_log(new_leader, tp) else {
            return (0, old_leo);
        };
        let old_epochs = self.leader_history.epochs(tp);
        let end_in_old = |epoch: i32| -> Option<i64> {
            let i = old_epochs.partition_point(|(e, _)| *e <= epoch);
            let idx = i.checked_sub(1)?;
            Some(old_epochs.get(idx + 1).map_or(old_leo, |(_, s)| *s))
        };
        let common = match old_epochs.last() {
            None => 0,
            Some(&(old_latest, _)) => match new_log.end_offset_for_epoch(old_latest) {
                Some((e, end)) if e == old_latest => end.min(old_leo),
                Some((e, end)) => end.min(end_in_old(e).unwrap_or(0)).min(old_leo),
                None => 0,
            },
        };
        let first_lost = common.min(new_log.log_end_offset());
        (first_lost, (old_leo - first_lost).max(0))
    }

    /// Makes `broker` the leader of `tp` with a bumped epoch; followers will reconcile by epoch.
    pub(crate) fn make_leader(
        &mut self,
        tp: &TopicPartition,
        broker: BrokerId,
        reason: ElectionReason,
        source: ElectionSource,
    ) {
        let now = self.now_ms;
        // A new epoch must exceed every epoch already in the replica logs (a restarted lab may
        // find higher epochs on disk than it remembers).
        let on_disk = self
            .replica_log(broker, tp)
            .and_then(|l| l.epoch_entries().last().map(|e| e.0))
            .unwrap_or(-1);
        let Some(meta) = self.partitions.get_mut(tp) else {
            return;
        };
        let epoch = meta.leader_epoch.max(on_disk) + 1;
        meta.leader = Some(broker);
        meta.leader_epoch = epoch;
        // A partition with a leader needs no last known leader (Kafka clears `lastKnownElr`).
        meta.last_known_leader = None;
        let followers = meta.followers();
        if let Some(r) = self
            .brokers
            .get_mut(&broker)
            .and_then(|b| b.replicas.get_mut(tp))
        {
            r.followers.clear();
            for f in followers {
                r.followers.insert(
                    f,
                    super::broker::FollowerState {
                        log_end_offset: 0,
                        last_caught_up_ms: now,
                    },
                );
            }
            r.synced_epoch = Some(epoch);
            self.note_leader_log(tp, broker);
        }
        // Every other replica must reconcile against the new epoch before fetching again.
        for b in self.brokers.values_mut() {
            if b.id != broker
                && let Some(r) = b.replicas.get_mut(tp)
            {
                r.synced_epoch = None;
                r.followers.clear();
            }
        }
        self.emit(EventKind::LeaderElected {
            tp: tp.clone(),
            leader: broker,
            leader_epoch: epoch,
            reason,
            source,
        });
    }

    /// Followers that have not caught up within `replica.lag.time.max.ms` leave the ISR.
    pub(crate) fn step_isr_shrink(&mut self) {
        if self.controller.is_none() {
            return;
        }
        let now = self.now_ms;
        let lag_max = self.config.replica_lag_time_max_ms;
        let mut shrinks = Vec::new();
        for meta in self.partitions.values() {
            let Some(leader) = meta.leader else { continue };
            let Some(r) = self
                .brokers
                .get(&leader)
                .and_then(|b| b.replicas.get(&meta.tp))
            else {
                continue;
            };
            let removed: Vec<BrokerId> = meta
                .isr
                .iter()
                .copied()
                .filter(|f| *f != leader)
                .filter(|f| {
                    r.followers
                        .get(f)
                        .is_none_or(|s| now - s.last_caught_up_ms > lag_max)
                })
                .collect();
            if !removed.is_empty() {
                shrinks.push((meta.tp.clone(), removed));
            }
        }
        for (tp, removed) in shrinks {
            let Some(meta) = self.partitions.get(&tp) else {
                continue;
            };
            let target = meta
                .isr
                .iter()
                .copied()
                .filter(|b| !removed.contains(b))
                .collect();
            let isr = self.set_isr(&tp, target);
            self.emit(EventKind::IsrShrunk {
                tp: tp.clone(),
                removed,
                isr,
            });
            self.emit_elr_change(&tp);
        }
    }

    /// `auto.leader.rebalance.enable`: leadership returns to the preferred (first) replica once it
    /// is alive and in the ISR.
    pub(crate) fn step_preferred_leaders(&mut self) {
        let interval = self.config.leader_imbalance_check_interval_ms;
        if !self.config.auto_leader_rebalance
            || !self.preferred_leader_check.due(self.now_ms, interval)
        {
            return;
        }
        if self.controller.is_none() {
            return;
        }
        let moves: Vec<(TopicPartition, BrokerId)> = self
            .partitions
            .values()
            .filter_map(|m| {
                let preferred = *m.replicas.first()?;
                (m.leader != Some(preferred)
                    && m.isr.contains(&preferred)
                    && self.is_available(preferred))
                .then(|| (m.tp.clone(), preferred))
            })
            .collect();
        for (tp, b) in moves {
            self.make_leader(&tp, b, ElectionReason::PreferredLeader, ElectionSource::Isr);
        }
    }
}
