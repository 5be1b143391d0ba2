//! Replication: followers fetch from leaders, leaders move the HW and grow the ISR.

use super::broker::FollowerState;
use super::event::{EventKind, NoteText, TruncationReason};
use super::lab::Cluster;
use super::snapshot::BrokerState;
use super::types::{BrokerId, TopicPartition};

impl Cluster {
    /// One fetch round: every live follower fetches once from its partition's leader.
    pub(crate) fn step_replication(&mut self) {
        let work: Vec<(TopicPartition, BrokerId, Vec<BrokerId>, i32)> = self
            .partitions
            .values()
            .filter_map(|m| Some((m.tp.clone(), m.leader?, m.followers(), m.leader_epoch)))
            .collect();
        for (tp, leader, followers, epoch) in work {
            self.fetch_round(&tp, leader, &followers, epoch);
        }
    }

    /// Kafka parks a follower's fetch at the leader and answers it the moment an append
    /// arrives; the follower's next fetch, sent at once, reports its new LEO and lets the HW
    /// move. This runs those two fetch rounds now, at the current instant, for every partition
    /// with an `acks=all` produce waiting, then completes what they committed. A live lab serving
    /// real clients calls it after each batch of requests, so an `acks=all` round trip costs
    /// what it costs between brokers on one host instead of two simulation steps. Seeded runs
    /// never call it, so their stories do not change.
    pub fn replicate_waiting(&mut self) {
        if self.tickets.waiting().is_empty() {
            return;
        }
        let mut tps: Vec<TopicPartition> = self
            .tickets
            .waiting()
            .iter()
            .map(|p| p.tp.clone())
            .collect();
        tps.sort();
        tps.dedup();
        for tp in tps {
            let Some(m) = self.partitions.get(&tp) else {
                continue;
            };
            let Some(leader) = m.leader else { continue };
            let (followers, epoch) = (m.followers(), m.leader_epoch);
            for _ in 0..2 {
                self.fetch_round(&tp, leader, &followers, epoch);
            }
        }
        self.complete_pending();
    }

    /// Every follower of `tp` fetches once from `leader`; then the HW and ISR are updated.
    fn fetch_round(
        &mut self,
        tp: &TopicPartition,
        leader: BrokerId,
        followers: &[BrokerId],
        epoch: i32,
    ) {
        if !self.brokers.get(&leader).is_some_and(|b| b.is_running()) {
            return;
        }
        let mut fetched = Vec::new();
        for &f in followers {
            if self.follower_fetch(tp, leader, f, epoch) {
                fetched.push(f);
            }
        }
        self.maybe_advance_hw(tp, leader);
        // Kafka decides ISR expansion when a follower fetches, so only those count.
        self.maybe_expand_isr(tp, leader, &fetched);
    }

    /// KIP-101: before fetching under a new epoch, a follower asks the leader where its latest
    /// epoch ends and truncates anything past that point (a divergent tail).
    fn reconcile_follower_epoch(
        &mut self,
        tp: &TopicPartition,
        leader: BrokerId,
        follower: BrokerId,
        epoch: i32,
    ) {
        // Asked again after each truncation (KIP-279): after unclean elections two logs can
        // diverge in an older epoch than the follower's latest, found only on a second round.
        for _ in 0..16 {
            let Some(point) = self.divergence_point(tp, leader, follower) else {
                break;
            };
            let result = self
                .brokers
                .get_mut(&follower)
                .and_then(|b| b.replicas.get_mut(tp))
                .map(|r| {
                    let res = r.log.truncate_to(point);
                    r.high_watermark = r.high_watermark.min(r.leo());
                    (res, r.leo())
                });
            match result {
                Some((Ok(dropped), new_leo)) => self.emit(EventKind::LogTruncated {
                    tp: tp.clone(),
                    broker: follower,
                    to_offset: new_leo,
                    records_dropped: dropped,
                    reason: TruncationReason::DivergentTail {
                        leader_epoch: epoch,
                    },
                }),
                Some((Err(e), _)) => {
                    self.emit(EventKind::Note {
                        text: NoteText::TruncateFailed {
                            broker: follower,
                            tp: tp.clone(),
                            error: (&e).into(),
                        },
                    });
                    break;
                }
                None => break,
            }
        }
        if let Some(r) = self
            .brokers
            .get_mut(&follower)
            .and_then(|b| b.replicas.get_mut(tp))
        {
            r.synced_epoch = Some(epoch);
        }
    }

    /// OffsetsForLeaderEpoch: where the follower's log stops agreeing with the leader's, if it
    /// holds anything past that point.
    pub(super) fn divergence_point(
        &self,
        tp: &TopicPartition,
        leader: BrokerId,
        follower: BrokerId,
    ) -> Option<i64> {
        let f_replica = self.brokers.get(&follower)?.replicas.get(tp)?;
        let f_leo = f_replica.leo();
        let f_epoch = f_replica.log.epoch_entries().last()?.0;
        let l_log = self.replica_log(leader, tp)?;
        let point = match l_log.end_offset_for_epoch(f_epoch) {
            Some((l_epoch, l_end)) if l_epoch == f_epoch => l_end.min(f_leo),
            Some((l_epoch, l_end)) => {
                let f_end = f_replica
                    .log
                    .end_offset_for_epoch(l_epoch)
                    .map(|(_, end)| end)
                    .unwrap_or(0);
                l_end.min(f_end).min(f_leo)
            }
            // The leader knows no epoch this old: nothing of the follower's log can be trusted.
            None => l_log.log_start_offset().min(f_leo),
        };
        (point < f_leo).then_some(point)
    }

    /// One follower fetch; returns whether the follower fetched.
    fn follower_fetch(
        &mut self,
        tp: &TopicPartition,
        leader: BrokerId,
        follower: BrokerId,
        epoch: i32,
    ) -> bool {
        let Some(fb) = self.brokers.get(&follower) else {
            return false;
        };
        // A fenced broker (restarted, not yet unfenced by a heartbeat) has not started its
        // replica fetchers: it stays out of sync until the controller lets it in.
        if !fb.is_running()
            || fb.slow
            || fb.state == BrokerState::Down
            || fb.fenced_since_ms.is_some()
        {
            return false;
        }
        if !fb.replicas.contains_key(tp) {
            return false;
        }
        if fb.replicas.get(tp).and_then(|r| r.synced_epoch) != Some(epoch) {
            self.reconcile_follower_epoch(tp, leader, follower, epoch);
        }
        let now = self.now_ms;
        let max_bytes = self.config.replica_fetch_max_bytes;
        let Some(fetch_offset) = self.replica_leo(follower, tp) else {
            return false;
        };
        let (data, leader_leo, leader_hw) = {
            let Some(lr) = self.brokers.get(&leader).and_then(|b| b.replicas.get(tp)) else {
                return false;
            };
            let leo = lr.leo();
            let data = if fetch_offset < leo {
                lr.log.read(fetch_offset, max_bytes, leo).ok()
            } else {
                None
            };
            (data, leo, lr.high_watermark)
        };
        // The leader learns the follower's position from the fetch offset, as in Kafka: what the
        // follower receives now is only acknowledged by its next fetch.
        if let Some(lr) = self
            .brokers
            .get_mut(&leader)
            .and_then(|b| b.replicas.get_mut(tp))
        {
            let st = lr.followers.entry(follower).or_insert(FollowerState {
                log_end_offset: 0,
                last_caught_up_ms: now,
            });
            st.log_end_offset = fetch_offset;
            if fetch_offset >= leader_leo {
                st.last_caught_up_ms = now;
            }
        }
        let mut rolled = None;
        let mut error = None;
        let mut appended = 0;
        if let Some(r) = self
            .brokers
            .get_mut(&follower)
            .and_then(|b| b.replicas.get_mut(tp))
        {
            if let Some(fetched) = data
                && !fetched.bytes.is_empty()
            {
                match r.log.append_replicated(&fetched.bytes, now) {
                    Ok(info) => {
                        rolled = info.rolled;
                        appended = r.leo() - fetch_offset;
                    }
                    Err(e) => error = Some(crate::cluster::event::IoDetail::from(&e)),
                }
            }
            r.high_watermark = leader_hw.min(r.leo());
        }
        self.catch_ups.fetched(follower, tp, appended);
        if let Some(base_offset) = rolled {
            self.emit(EventKind::SegmentRolled {
                tp: tp.clone(),
                broker: follower,
                base_offset,
            });
        }
        if let Some(e) = error {
            self.emit(EventKind::Note {
                text: NoteText::ReplicateFailed {
                    broker: follower,
                    tp: tp.clone(),
                    error: e,
                },
            });
        }
        true
    }

    /// Leader HW = smallest LEO across the ISR; frozen while the ISR is below `min.insync.replicas`.
    pub(crate) fn maybe_advance_hw(&mut self, tp: &TopicPartition, leader: BrokerId) {
        let Some(meta) = self.partitions.get(tp) else {
            return;
        };
        let isr = meta.isr.clone();
        let min_isr = meta.effective_min_isr();
        let interval = self.config.hw_event_interval_ms;
        let now = self.now_ms;
        self.note_leader_log(tp, leader);
        let Some(lr) = self
            .brokers
            .get_mut(&leader)
            .and_then(|b| b.replicas.get_mut(tp))
        else {
            return;
        };
        let leo = lr.leo();
        if isr.len() < min_isr {
            return;
        }
        let mut hw = leo;
        for b in &isr {
            if *b == leader {
                continue;
            }
            hw = hw.min(lr.followers.get(b).map(|s| s.log_end_offset).unwrap_or(0));
        }
        if hw > lr.high_watermark {
            lr.high_watermark = hw;
            if now - lr.last_hw_event.1 >= interval {
                lr.last_hw_event = (hw, now);
                self.emit(EventKind::HighWatermarkAdvanced {
                    tp: tp.clone(),
                    high_watermark: hw,
                });
            }
        }
    }

    /// A follower rejoins the ISR once its LEO reaches the HW and the current epoch's start.
    fn maybe_expand_isr(&mut self, tp: &TopicPartition, leader: BrokerId, fetched: &[BrokerId]) {
        if self.controller.is_none() {
            return;
        }
        let Some(meta) = self.partitions.get(tp) else {
            return;
        };
        let Some(lr) = self.brokers.get(&leader).and_then(|b| b.replicas.get(tp)) else {
            return;
        };
        let epoch_start = lr
            .log
            .epoch_entries()
            .iter()
            .rev()
            .find(|e| e.0 <= meta.leader_epoch)
            .map(|e| e.1)
            .unwrap_or(0);
        let added: Vec<BrokerId> = meta
            .replicas
            .iter()
            .copied()
            .filter(|b| *b != leader && !meta.isr.contains(b) && fetched.contains(b))
            .filter(|b| self.is_available(*b))
            .filter(|b| {
                lr.followers.get(b).is_some_and(|s| {
                    s.log_end_offset >= lr.high_watermark && s.log_end_offset >= epoch_start
                })
            })
            .collect();
        if added.is_empty() {
            return;
        }
        // A follower that just rejoined counts as caught up now, or the next shrink check would
        // judge it by the stale time from before it fell behind.
        let now = self.now_ms;
        if let Some(lr) = self
            .brokers
            .get_mut(&leader)
            .and_then(|b| b.replicas.get_mut(tp))
        {
            for b in &added {
                if let Some(s) = lr.followers.get_mut(b) {
                    s.last_caught_up_ms = now;
                }
            }
        }
        let mut target = meta.isr.clone();
        target.extend(&added);
        // `set_isr` keeps the ISR in assignment order and the ELR by KIP-966's rules.
        let isr = self.set_isr(tp, target);
        self.emit(EventKind::IsrExpanded {
            tp: tp.clone(),
            added: added.clone(),
            isr,
        });
        self.emit_elr_change(tp);
        // A restarted replica back in sync: how long it took and how much it fetched.
        for b in added {
            if let Some(c) = self.catch_ups.finish(b, tp) {
                self.emit(EventKind::ReplicaCaughtUp {
                    tp: tp.clone(),
                    broker: b,
                    after_ms: self.now_ms - c.since_ms,
                    records: c.fetched,
                });
            }
        }
    }

    /// Time-based rolls, flush policy and retention on every running replica.
    pub(crate) fn step_housekeeping(&mut self) {
        let now = self.now_ms;
        let run_retention = self
            .retention_check
            .due(now, self.config.retention_check_interval_ms);
        let mut out = Vec::new();
        for b in self.brokers.values_mut() {
            if !b.is_running() {
                continue;
            }
            for (tp, r) in b.replicas.iter_mut() {
                if let Ok(Some(base)) = r.log.tick(now) {
                    out.push(EventKind::SegmentRolled {
                        tp: tp.clone(),
                        broker: b.id,
                        base_offset: base,
                    });
                }
                if run_retention
                    && let Ok((deleted, start)) = r.log.apply_retention(now)
                    && deleted > 0
                {
                    out.push(EventKind::SegmentsDeleted {
                        tp: tp.clone(),
                        broker: b.id,
                        segments: deleted,
                        log_start_offset: start,
                    });
                }
            }
        }
        for e in out {
            self.emit(e);
        }
    }
}
