//! The data path clients use: produce to a leader, fetch below the HW, list offsets.

use super::error::KafkaError;
use super::event::EventKind;
use super::lab::{Cluster, ProduceAck, ProduceOutcome};
use super::snapshot::BrokerState;
use super::tickets::PendingProduce;
use super::types::{Acks, BrokerId, TopicPartition};
use crate::log::{FetchedBatches, LogError};

/// What a consumer fetch returns.
#[derive(Clone, Debug)]
pub struct FetchResult {
    /// Whole record batches (possibly starting before the requested offset, as Kafka does).
    pub batches: FetchedBatches,
    /// The leader's HW at fetch time.
    pub high_watermark: i64,
    /// The leader's log start offset.
    pub log_start_offset: i64,
}

/// Which offset ListOffsets asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The log start offset (`-2`).
    Earliest,
    /// The HW (`-1`): Kafka answers "latest" with the HW, not the LEO.
    Latest,
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

    /// Appends producer batches on `broker` as leader of `tp` with the given `acks`.
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
        let Some(meta) = self.partitions.get(tp) else {
            return ProduceOutcome::Done(Err(KafkaError::UnknownTopicOrPartition));
        };
        if acks == Acks::All && meta.isr.len() < meta.effective_min_isr() {
            return ProduceOutcome::Done(Err(KafkaError::NotEnoughReplicas));
        }
        let epoch = meta.leader_epoch;
        let now = self.now_ms;
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
                    text: format!("broker {broker}: append to {tp} failed: {e}"),
                });
                return ProduceOutcome::Done(Err(KafkaError::StorageError));
            }
        };
        self.note_leader_log(tp, broker);
        if let Some(base_offset) = info.rolled {
            self.emit(EventKind::SegmentRolled {
                tp: tp.clone(),
                broker,
                base_offset,
            });
        }
        let ack = ProduceAck {
            base_offset: info.base_offset,
            last_offset: info.last_offset,
        };
        // A single-replica ISR commits at once.
        self.maybe_advance_hw(tp, broker);
        match acks {
            Acks::None => ProduceOutcome::Done(Ok(ProduceAck {
                base_offset: -1,
                last_offset: -1,
            })),
            Acks::Leader => ProduceOutcome::Done(Ok(ack)),
            Acks::All => {
                let ticket = self.tickets.issue(PendingProduce {
                    ticket: 0,
                    tp: tp.clone(),
                    leader: broker,
                    leader_epoch: epoch,
                    base_offset: info.base_offset,
                    last_offset: info.last_offset,
                    deadline_ms: now + timeout_ms,
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
        self.check_leader(broker, tp)?;
        let r = self
            .brokers
            .get(&broker)
            .and_then(|b| b.replicas.get(tp))
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        let hw = r.high_watermark;
        let start = r.log.log_start_offset();
        if offset < start || offset > r.leo() {
            return Err(KafkaError::OffsetOutOfRange);
        }
        let batches = if offset >= hw {
            FetchedBatches {
                bytes: bytes::Bytes::new(),
                first_offset: offset,
                next_offset: offset,
            }
        } else {
            r.log.read(offset, max_bytes, hw).map_err(|e| match e {
                LogError::OffsetOutOfRange { .. } => KafkaError::OffsetOutOfRange,
                LogError::CorruptBatch { .. } => KafkaError::CorruptMessage,
                _ => KafkaError::StorageError,
            })?
        };
        Ok(FetchResult {
            batches,
            high_watermark: hw,
            log_start_offset: start,
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
            OffsetSpec::Timestamp(ts) => Ok(r
                .log
                .offset_for_timestamp(ts)
                .map_err(|_| KafkaError::StorageError)?
                .filter(|o| *o < r.high_watermark)
                .unwrap_or(-1)),
        }
    }

    /// The leader of a partition, if it has one.
    pub fn leader_of(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.partitions.get(tp)?.leader
    }
}
