//! `OffsetCommitter`: a consumer's offset commits as Kafka's client makes them. A commit counts
//! once the coordinator has replicated it to `__consumer_offsets` (until then it is in flight);
//! a failed manual commit is retried after `retry.backoff.ms`, a failed auto-commit at the next
//! `auto.commit.interval.ms`, both carrying the newest positions.

use crate::cluster::CommitOutcome;
use crate::cluster::error::KafkaError;
use crate::cluster::group::OffsetAndMetadata;
use crate::cluster::lab::Cluster;
use crate::cluster::types::{BrokerId, TopicPartition};
use std::collections::BTreeMap;

/// Commits in flight at most; a consumer with this many unanswered skips committing until one
/// answers (the next commit carries the newest positions anyway). Processing does not wait for
/// answers: at the lab's 10 ms simulation step a round trip per record would starve consumers
/// that a real cluster's sub-millisecond commits keep up.
pub const COMMITS_IN_FLIGHT_MAX: usize = 64;

/// One commit waiting for replication.
#[derive(Clone, Debug)]
struct InFlight {
    ticket: u64,
    offsets: Vec<(TopicPartition, i64)>,
}

/// What a consumer knows of its commits.
#[derive(Clone, Debug, Default)]
pub struct OffsetCommitter {
    /// The offsets the coordinator has confirmed, per partition.
    confirmed: BTreeMap<TopicPartition, i64>,
    in_flight: Vec<InFlight>,
    /// A failed commit is retried from this simulated instant.
    retry_at_ms: Option<i64>,
}

/// Who commits, where, for which group generation.
pub struct CommitRequest<'a> {
    /// The group coordinator.
    pub coordinator: BrokerId,
    /// `group.id`.
    pub group: &'a str,
    /// The member id, once joined.
    pub member_id: Option<&'a str>,
    /// The generation the member belongs to.
    pub generation: i32,
}

impl OffsetCommitter {
    /// Records an offset the coordinator reported (OffsetFetch) as committed.
    pub fn confirm(&mut self, tp: TopicPartition, offset: i64) {
        self.confirmed.insert(tp, offset);
    }

    /// The confirmed offset of a partition.
    pub fn confirmed(&self, tp: &TopicPartition) -> Option<i64> {
        self.confirmed.get(tp).copied()
    }

    /// Positions that differ from what is confirmed or in flight.
    pub fn changed(&self, positions: &BTreeMap<TopicPartition, i64>) -> Vec<(TopicPartition, i64)> {
        positions
            .iter()
            .filter(|(tp, o)| {
                let in_flight = self
                    .in_flight
                    .iter()
                    .rev()
                    .find_map(|f| f.offsets.iter().find(|(t, _)| t == *tp).map(|(_, o)| *o));
                in_flight.or_else(|| self.confirmed(tp)) != Some(**o)
            })
            .map(|(tp, o)| (tp.clone(), *o))
            .collect()
    }

    /// Whether a commit is waiting for its answer.
    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// Whether a failed commit's retry is due.
    pub fn retry_due(&self, now_ms: i64) -> bool {
        self.retry_at_ms.is_some_and(|at| now_ms >= at)
    }

    /// Sends the changed positions; returns the error when the coordinator refused at once.
    pub fn commit(
        &mut self,
        lab: &mut Cluster,
        req: CommitRequest<'_>,
        positions: &BTreeMap<TopicPartition, i64>,
    ) -> Result<(), KafkaError> {
        self.retry_at_ms = None;
        let changed = self.changed(positions);
        if changed.is_empty() {
            return Ok(());
        }
        if self.in_flight.len() >= COMMITS_IN_FLIGHT_MAX {
            // Try again once an answer has come back, so the newest positions are not lost.
            self.retry_at_ms = Some(lab.now_ms());
            return Ok(());
        }
        let offsets: Vec<(TopicPartition, OffsetAndMetadata)> = changed
            .iter()
            .map(|(tp, o)| (tp.clone(), OffsetAndMetadata::new(*o)))
            .collect();
        match lab.commit_offsets(
            req.coordinator,
            req.group,
            req.member_id,
            req.generation,
            &offsets,
        )? {
            CommitOutcome::Done => self.confirmed.extend(changed),
            CommitOutcome::Pending(ticket) => self.in_flight.push(InFlight {
                ticket,
                offsets: changed,
            }),
        }
        Ok(())
    }

    /// Takes the answers of commits in flight; returns the first failure. After a failure a
    /// retry is due `retry_backoff_ms` later when `retry` is set (manual commits).
    pub fn poll(
        &mut self,
        lab: &mut Cluster,
        retry: bool,
        retry_backoff_ms: i64,
    ) -> Option<KafkaError> {
        let mut failure = None;
        let now = lab.now_ms();
        let in_flight = std::mem::take(&mut self.in_flight);
        for f in in_flight {
            match lab.take_commit_result(f.ticket) {
                None => self.in_flight.push(f),
                Some(Ok(())) => self.confirmed.extend(f.offsets),
                Some(Err(e)) => {
                    failure.get_or_insert(e);
                    if retry {
                        self.retry_at_ms = Some(now + retry_backoff_ms);
                    }
                }
            }
        }
        failure
    }

    /// A failure to send at all (no coordinator, refused): retry later when `retry` is set.
    pub fn failed(&mut self, now_ms: i64, retry: bool, retry_backoff_ms: i64) {
        if retry {
            self.retry_at_ms = Some(now_ms + retry_backoff_ms);
        }
    }

    /// Forgets what a crashed or closed consumer had in flight.
    pub fn abandon(&mut self, lab: &mut Cluster) {
        for f in self.in_flight.drain(..) {
            lab.forget_commit(f.ticket);
        }
    }
}
