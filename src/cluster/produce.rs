//! The data path clients use: produce to a leader, fetch below the HW, list offsets.

use super::broker::Broker;
use super::error::KafkaError;
use super::event::{EventKind, NoteText};
use super::idempotence::{SeqCheck, Written};
use super::lab::{Cluster, ProduceAck, ProduceOutcome};
use super::snapshot::BrokerState;
use super::tickets::PendingProduce;
use super::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::{parse_header, split_headers};
use crate::log::{FetchedBatches, LogError};
use std::collections::BTreeMap;

/// What a consumer fetch returns.
#[derive(Clone, Debug)]
pub struct FetchResult {
    /// Whole record batches (possibly starting before the requested offset, as Kafka does).
    pub batches: FetchedBatches,
    /// The leader's HW at fetch time.
    pub high_watermark: i64,
    /// The leader's log start offset.
    pub log_start_offset: i64,
    /// The leader's last stable offset: the HW, or the first offset of the oldest open
    /// transaction when that is lower. `read_committed` fetches stop there.
    pub last_stable_offset: i64,
    /// For a `read_committed` fetch, the aborted transactions overlapping the returned batches
    /// (the consumer drops their records); empty for `read_uncommitted`.
    pub aborted_transactions: Vec<crate::log::txn_index::AbortedTxn>,
}

/// Which offset ListOffsets asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The log start offset (`-2`).
    Earliest,
    /// The HW (`-1`): Kafka answers "latest" with the HW, not the LEO.
    Latest,
    /// "latest" for a `read_committed` consumer: the LSO.
    LastStable,
    /// The first offset with a timestamp at or after this one.
    Timestamp(i64),
}

impl Cluster {
    /// Checks that `broker` is running and leads `tp`, the way a broker answers a client.
    fn check_leader(&self, broker: BrokerId, tp: &TopicPartition) -> Result<(), KafkaError> {
        let meta = self
            .partitions
            .get(tp)
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
        let b = self
            .brokers
            .get(&broker)
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        if b.state == BrokerState::Down {
            // A real client gets a connection error; it refreshes metadata exactly as for this.
            return Err(KafkaError::NotLeaderOrFollower);
        }
        match meta.leader {
            None => Err(KafkaError::LeaderNotAvailable),
            Some(l) if l != broker => Err(KafkaError::NotLeaderOrFollower),
            Some(_) if !b.replicas.contains_key(tp) => Err(KafkaError::NotLeaderOrFollower),
            Some(_) => Ok(()),
        }
    }

    /// Whether a batch in `batches` is over `topic`'s `max.message.bytes` (which overrides the
    /// broker's `message.max.bytes`, as in Kafka): MESSAGE_TOO_LARGE.
    pub fn batch_too_large(&self, topic: &str, batches: &[u8]) -> bool {
        let max_bytes = self
            .topics
            .get(topic)
            .and_then(|t| t.spec.max_message_bytes)
            .unwrap_or(self.config.message_max_bytes);
        has_batch_over(batches, max_bytes)
    }

    /// Appends producer batches on `broker` as leader of `tp` with the given `acks`, after the
    /// idempotent producer's sequence check when the batches carry a producer id: a retry the log
    /// already has is answered with the original offsets (once the HW passes them for `acks=all`).
    pub fn produce(
        &mut self,
        broker: BrokerId,
        tp: &TopicPartition,
        batches: &[u8],
        acks: Acks,
        timeout_ms: i64,
    ) -> ProduceOutcome {
        if let Err(e) = self.check_leader(broker, tp) {
            return ProduceOutcome::Done(Err(e));
        }
        if self.batch_too_large(&tp.topic, batches) {
            return ProduceOutcome::Done(Err(KafkaError::MessageTooLarge));
        }
        let Some(meta) = self.partitions.get(tp) else {
            return ProduceOutcome::Done(Err(KafkaError::UnknownTopicOrPartition));
        };
        if acks == Acks::All && meta.isr.len() < meta.effective_min_isr() {
            return ProduceOutcome::Done(Err(KafkaError::NotEnoughReplicas));
        }
        let epoch = meta.leader_epoch;
        let now = self.now_ms;
        let stamp = producer_stamp(batches);
        if let Some(s) = stamp {
            let brokers = &self.brokers;
            let in_log = |w: &Written| {
                w.leader_epoch == epoch || still_in_log(brokers, broker, tp, s.producer_id, w)
            };
            match self
                .producer_states
                .check(tp, s.producer_id, s.epoch, s.seqs, in_log)
            {
                SeqCheck::Append if s.transactional => {
                    if let Err(e) = self.verify_txn_produce(tp, s.producer_id, s.epoch) {
                        return ProduceOutcome::Done(Err(e));
                    }
                }
                SeqCheck::Append => {}
                SeqCheck::Duplicate {
                    base_offset,
                    last_offset,
                } => {
                    return self.answer(
                        acks,
                        broker,
                        tp,
                        epoch,
                        (base_offset, last_offset),
                        timeout_ms,
                    );
                }
                SeqCheck::OutOfOrder => {
                    return ProduceOutcome::Done(Err(KafkaError::OutOfOrderSequence));
                }
                SeqCheck::FencedEpoch => {
                    return ProduceOutcome::Done(Err(KafkaError::InvalidProducerEpoch));
                }
            }
        }
        let Some(r) = self
            .brokers
            .get_mut(&broker)
            .and_then(|b| b.replicas.get_mut(tp))
        else {
            return ProduceOutcome::Done(Err(KafkaError::NotLeaderOrFollower));
        };
        let info = match r.log.append_as_leader(batches, epoch, now) {
            Ok(info) => info,
            Err(LogError::CorruptBatch { .. }) => {
                return ProduceOutcome::Done(Err(KafkaError::CorruptMessage));
            }
            Err(e) => {
                self.emit(EventKind::Note {
                    text: NoteText::AppendFailed {
                        broker,
                        tp: tp.clone(),
                        error: (&e).into(),
                    },
                });
                return ProduceOutcome::Done(Err(KafkaError::StorageError));
            }
        };
        if let Some(s) = stamp {
            let written = Written {
                first_seq: s.seqs.0,
                last_seq: s.seqs.1,
                base_offset: info.base_offset,
                last_offset: info.last_offset,
                leader_epoch: epoch,
            };
            self.producer_states
                .record(tp, s.producer_id, s.epoch, written);
        }
        self.note_leader_log(tp, broker);
        if let Some(base_offset) = info.rolled {
            self.emit(EventKind::SegmentRolled {
                tp: tp.clone(),
                broker,
                base_offset,
            });
        }
        // A single-replica ISR commits at once.
        self.maybe_advance_hw(tp, broker);
        self.answer(
            acks,
            broker,
            tp,
            epoch,
            (info.base_offset, info.last_offset),
            timeout_ms,
        )
    }

    /// InitProducerId: a producer id at epoch 0, or the same id with its epoch bumped (KIP-360).
    pub fn init_producer_id(&mut self, current: Option<(i64, i16)>) -> (i64, i16) {
        let (producer_id, epoch) = self.producer_states.init(current);
        // The same id back means a bumped epoch (KIP-360): worth a line, as it resets sequences.
        if current.is_some_and(|(id, _)| id == producer_id) {
            self.emit(EventKind::ProducerEpochBumped { producer_id, epoch });
        }
        (producer_id, epoch)
    }

    /// The answer to an append (or a duplicate of one) at `offsets`: at once for acks 0 and 1,
    /// a ticket waiting for the HW to pass them for `acks=all`.
    fn answer(
        &mut self,
        acks: Acks,
        broker: BrokerId,
        tp: &TopicPartition,
        leader_epoch: i32,
        (base_offset, last_offset): (i64, i64),
        timeout_ms: i64,
    ) -> ProduceOutcome {
        match acks {
            Acks::None => ProduceOutcome::Done(Ok(ProduceAck {
                base_offset: -1,
                last_offset: -1,
            })),
            Acks::Leader => ProduceOutcome::Done(Ok(ProduceAck {
                base_offset,
                last_offset,
            })),
            Acks::All => {
                let ticket = self.tickets.issue(PendingProduce {
                    ticket: 0,
                    tp: tp.clone(),
                    leader: broker,
                    leader_epoch,
                    base_offset,
                    last_offset,
                    deadline_ms: self.now_ms + timeout_ms,
                });
                ProduceOutcome::Pending(ticket)
            }
        }
    }

    /// Completes `acks=all` produces whose records the whole ISR now has, and fails the rest
    /// that lost their leader or timed out.
    pub(crate) fn complete_pending(&mut self) {
        let now = self.now_ms;
        let pending = self.tickets.take_waiting();
        for p in pending {
            let meta = self.partitions.get(&p.tp);
            let same_leader = meta
                .is_some_and(|m| m.leader == Some(p.leader) && m.leader_epoch == p.leader_epoch);
            let result = if !same_leader {
                Some(Err(KafkaError::NotLeaderOrFollower))
            } else if self
                .high_watermark(&p.tp)
                .is_some_and(|hw| hw > p.last_offset)
            {
                let isr_len = meta.map(|m| m.isr.len()).unwrap_or(0);
                let min_isr = meta.map(|m| m.effective_min_isr()).unwrap_or(1);
                if isr_len < min_isr {
                    Some(Err(KafkaError::NotEnoughReplicasAfterAppend))
                } else {
                    Some(Ok(ProduceAck {
                        base_offset: p.base_offset,
                        last_offset: p.last_offset,
                    }))
                }
            } else if now >= p.deadline_ms {
                Some(Err(KafkaError::RequestTimedOut))
            } else {
                None
            };
            match result {
                Some(r) => self.tickets.finish(p.ticket, r),
                None => self.tickets.wait(p),
            }
        }
    }

    /// Takes the result of a finished `acks=all` produce, if it has finished.
    pub fn take_completion(&mut self, ticket: u64) -> Option<Result<ProduceAck, KafkaError>> {
        self.tickets.take(ticket)
    }

    /// Drops a ticket whose requester went away (a closed connection, a timed-out request), so
    /// nothing is kept for it.
    pub fn forget_ticket(&mut self, ticket: u64) {
        self.tickets.forget(ticket);
    }

    /// Whether a ticket is still waiting.
    pub fn is_pending(&self, ticket: u64) -> bool {
        self.tickets.is_waiting(ticket)
    }

    /// (waiting, finished) `acks=all` tickets held, to check that they stay bounded.
    pub fn ticket_counts(&self) -> (usize, usize) {
        self.tickets.counts()
    }

    /// A consumer fetch from `broker` as leader: whole batches from `offset`, below the HW.
    pub fn fetch(
        &self,
        broker: BrokerId,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchResult, KafkaError> {
        self.fetch_isolated(broker, tp, offset, max_bytes, false)
    }

    /// A consumer fetch with `isolation.level`: `read_committed` stops below the LSO instead of
    /// the HW and carries the aborted transactions of what it returns.
    pub fn fetch_isolated(
        &self,
        broker: BrokerId,
        tp: &TopicPartition,
        offset: i64,
        max_bytes: usize,
        read_committed: bool,
    ) -> Result<FetchResult, KafkaError> {
        self.check_leader(broker, tp)?;
        let r = self
            .brokers
            .get(&broker)
            .and_then(|b| b.replicas.get(tp))
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        let hw = r.high_watermark;
        let lso = last_stable_offset(r);
        let bound = if read_committed { lso } else { hw };
        let start = r.log.log_start_offset();
        if offset < start || offset > r.leo() {
            return Err(KafkaError::OffsetOutOfRange);
        }
        let batches = if offset >= bound {
            FetchedBatches {
                bytes: bytes::Bytes::new(),
                first_offset: offset,
                next_offset: offset,
            }
        } else {
            r.log.read(offset, max_bytes, bound).map_err(|e| match e {
                LogError::OffsetOutOfRange { .. } => KafkaError::OffsetOutOfRange,
                LogError::CorruptBatch { .. } => KafkaError::CorruptMessage,
                _ => KafkaError::StorageError,
            })?
        };
        let aborted_transactions = if read_committed && batches.next_offset > offset {
            r.log.aborted_transactions(offset, batches.next_offset)
        } else {
            Vec::new()
        };
        Ok(FetchResult {
            batches,
            high_watermark: hw,
            log_start_offset: start,
            last_stable_offset: lso,
            aborted_transactions,
        })
    }

    /// ListOffsets on the leader: earliest, latest (= HW) or by timestamp.
    pub fn list_offset(
        &self,
        broker: BrokerId,
        tp: &TopicPartition,
        spec: OffsetSpec,
    ) -> Result<i64, KafkaError> {
        self.check_leader(broker, tp)?;
        let r = self
            .brokers
            .get(&broker)
            .and_then(|b| b.replicas.get(tp))
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        match spec {
            OffsetSpec::Earliest => Ok(r.log.log_start_offset()),
            OffsetSpec::Latest => Ok(r.high_watermark),
            OffsetSpec::LastStable => Ok(last_stable_offset(r)),
            OffsetSpec::Timestamp(ts) => Ok(r
                .log
                .offset_for_timestamp(ts)
                .map_err(|_| KafkaError::StorageError)?
                .filter(|o| *o < r.high_watermark)
                .unwrap_or(-1)),
        }
    }

    /// OffsetsForLeaderEpoch on the leader `broker`: the largest epoch of its log at or below
    /// `epoch` and where it ends (the next epoch's start, else the LEO); (-1, -1) when the log
    /// knows no such epoch (Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET).
    pub fn end_offset_for_epoch(
        &self,
        broker: BrokerId,
        tp: &TopicPartition,
        epoch: i32,
    ) -> Result<(i32, i64), KafkaError> {
        self.check_leader(broker, tp)?;
        let r = self
            .brokers
            .get(&broker)
            .and_then(|b| b.replicas.get(tp))
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        Ok(r.log.end_offset_for_epoch(epoch).unwrap_or((-1, -1)))
    }

    /// The leader's last stable offset of a partition (None when offline or unknown).
    pub fn last_stable_offset(&self, tp: &TopicPartition) -> Option<i64> {
        let leader = self.partitions.get(tp)?.leader?;
        Some(last_stable_offset(
            self.brokers.get(&leader)?.replicas.get(tp)?,
        ))
    }

    /// The leader of a partition, if it has one.
    pub fn leader_of(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.partitions.get(tp)?.leader
    }
}

/// The idempotent producer's stamp on a produce: id, epoch and the sequences it spans.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    producer_id: i64,
    epoch: i16,
    seqs: (i32, i32),
    /// Written inside a transaction (data, not a marker: markers carry no sequence).
    transactional: bool,
}

/// The stamp of the first batch (clients send one batch per partition), or `None` for a
/// producer that is not idempotent or bytes the log will refuse anyway.
fn producer_stamp(batches: &[u8]) -> Option<Stamp> {
    let (headers, _) = split_headers(batches);
    let first = headers.first()?.1;
    if first.producer_id < 0 || first.base_sequence < 0 {
        return None;
    }
    let last = headers.last()?.1;
    let last_seq = crate::log::batch::increment_sequence(
        last.base_sequence,
        (last.last_offset - last.base_offset) as i32,
    );
    Some(Stamp {
        producer_id: first.producer_id,
        epoch: first.producer_epoch,
        seqs: (first.base_sequence, last_seq),
        transactional: first.is_transactional() && !first.is_control(),
    })
}

/// A replica's LSO: its HW, or the first offset of its oldest open transaction if lower.
fn last_stable_offset(r: &super::broker::Replica) -> i64 {
    let hw = r.high_watermark;
    r.log.first_unstable_offset().map_or(hw, |f| f.min(hw))
}

/// Whether `leader`'s log still holds the batch `w` from `pid` (a failover may have truncated it).
fn still_in_log(
    brokers: &BTreeMap<BrokerId, Broker>,
    leader: BrokerId,
    tp: &TopicPartition,
    pid: i64,
    w: &Written,
) -> bool {
    let Some(log) = brokers
        .get(&leader)
        .and_then(|b| b.replicas.get(tp))
        .map(|r| &r.log)
    else {
        return false;
    };
    let Ok(read) = log.read(w.base_offset, 1, log.log_end_offset()) else {
        return false;
    };
    parse_header(&read.bytes).is_ok_and(|h| {
        h.base_offset == w.base_offset && h.producer_id == pid && h.base_sequence == w.first_seq
    })
}

/// Whether any record batch in `batches` is larger than `max_bytes` (Kafka refuses the whole
/// request with MESSAGE_TOO_LARGE before any other check). Reads only each batch's length field,
/// so a batch too large for the log's own parser is still answered as too large, not corrupt.
fn has_batch_over(batches: &[u8], max_bytes: usize) -> bool {
    /// baseOffset (8) and batchLength (4) precede the length's count.
    const LOG_OVERHEAD: usize = 12;
    let mut rest = batches;
    while let Some(len) = rest.get(8..LOG_OVERHEAD) {
        let declared = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        let Ok(declared) = usize::try_from(declared) else {
            return false;
        };
        let total = LOG_OVERHEAD + declared;
        if total > max_bytes {
            return true;
        }
        let Some(next) = rest.get(total..) else {
            return false;
        };
        rest = next;
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::cluster::event::EventKind;
    use crate::cluster::test_support::lab_with_leader;

    #[test]
    fn an_epoch_bump_gets_its_own_line_and_a_new_id_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (mut lab, _, _) = lab_with_leader(dir.path(), 3);
        lab.drain_events();
        let (pid, epoch) = lab.init_producer_id(None);
        assert!(
            !lab.drain_events()
                .iter()
                .any(|e| matches!(e.kind, EventKind::ProducerEpochBumped { .. }))
        );
        assert_eq!(lab.init_producer_id(Some((pid, epoch))), (pid, epoch + 1));
        let bumped: Vec<EventKind> = lab
            .drain_events()
            .into_iter()
            .map(|e| e.kind)
            .filter(|k| matches!(k, EventKind::ProducerEpochBumped { .. }))
            .collect();
        assert_eq!(
            bumped,
            vec![EventKind::ProducerEpochBumped {
                producer_id: pid,
                epoch: epoch + 1
            }]
        );
    }
}
