//! `ProduceTickets`: `acks=all` produces waiting for the ISR, and the results nobody has taken yet.
//!
//! Bounded on both sides: the waiting list is bounded by the requests clients may have in flight
//! (each waits at most its `timeout_ms`), and finished results by [`COMPLETIONS_MAX`]; a requester
//! that goes away [`forget`](ProduceTickets::forget)s its ticket.

use super::error::KafkaError;
use super::types::{BrokerId, TopicPartition};
use std::collections::BTreeMap;

/// The result of an accepted produce: the offsets the leader assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProduceAck {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Offset of the last record.
    pub last_offset: i64,
}

/// A produce answered now, or later through [`super::lab::Cluster::take_completion`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProduceOutcome {
    /// Done (acks=0 or 1, or failed before the append).
    Done(Result<ProduceAck, KafkaError>),
    /// `acks=all`: waiting for the ISR; poll the ticket.
    Pending(u64),
}

/// Finished results kept for their requesters at most; beyond it the oldest is dropped (its
/// requester, if still there, then times out as it would on a lost response).
pub const COMPLETIONS_MAX: usize = 100_000;

/// An `acks=all` produce waiting for the HW to pass its last offset.
#[derive(Clone, Debug)]
pub(crate) struct PendingProduce {
    pub ticket: u64,
    pub tp: TopicPartition,
    pub leader: BrokerId,
    pub leader_epoch: i32,
    pub base_offset: i64,
    pub last_offset: i64,
    pub deadline_ms: i64,
}

/// Tickets of `acks=all` produces, waiting or finished.
#[derive(Clone, Debug)]
pub(crate) struct ProduceTickets {
    waiting: Vec<PendingProduce>,
    finished: BTreeMap<u64, Result<ProduceAck, KafkaError>>,
    next: u64,
}

impl Default for ProduceTickets {
    fn default() -> Self {
        Self {
            waiting: Vec::new(),
            finished: BTreeMap::new(),
            next: 1,
        }
    }
}

impl ProduceTickets {
    /// Takes a new ticket for an append waiting for the ISR.
    pub fn issue(&mut self, mut p: PendingProduce) -> u64 {
        let ticket = self.next;
        self.next += 1;
        p.ticket = ticket;
        self.waiting.push(p);
        ticket
    }

    /// The produces still waiting.
    pub fn waiting(&self) -> &[PendingProduce] {
        &self.waiting
    }

    /// Takes every waiting produce out, to be decided and put back ([`Self::wait`]) or
    /// finished ([`Self::finish`]).
    pub fn take_waiting(&mut self) -> Vec<PendingProduce> {
        std::mem::take(&mut self.waiting)
    }

    /// Puts a produce back on the waiting list.
    pub fn wait(&mut self, p: PendingProduce) {
        self.waiting.push(p);
    }

    /// Records a produce's result for its requester.
    pub fn finish(&mut self, ticket: u64, result: Result<ProduceAck, KafkaError>) {
        self.finished.insert(ticket, result);
        while self.finished.len() > COMPLETIONS_MAX {
            self.finished.pop_first();
        }
    }

    /// Takes a finished result.
    pub fn take(&mut self, ticket: u64) -> Option<Result<ProduceAck, KafkaError>> {
        self.finished.remove(&ticket)
    }

    /// Drops a ticket whose requester went away, waiting or finished.
    pub fn forget(&mut self, ticket: u64) {
        self.finished.remove(&ticket);
        self.waiting.retain(|p| p.ticket != ticket);
    }

    /// Whether a ticket is still waiting.
    pub fn is_waiting(&self, ticket: u64) -> bool {
        self.waiting.iter().any(|p| p.ticket == ticket)
    }

    /// (waiting, finished) counts, for bounds checks.
    pub fn counts(&self) -> (usize, usize) {
        (self.waiting.len(), self.finished.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> PendingProduce {
        PendingProduce {
            ticket: 0,
            tp: TopicPartition::new("t", 0),
            leader: 1,
            leader_epoch: 0,
            base_offset: 0,
            last_offset: 0,
            deadline_ms: 0,
        }
    }

    #[test]
    fn forgotten_tickets_leave_nothing_behind() {
        let mut t = ProduceTickets::default();
        let a = t.issue(pending());
        let b = t.issue(pending());
        t.finish(a, Err(KafkaError::RequestTimedOut));
        t.forget(a);
        t.forget(b);
        assert_eq!(t.counts(), (0, 0));
        assert!(t.take(a).is_none());
    }

    #[test]
    fn finished_results_are_bounded_oldest_first() {
        let mut t = ProduceTickets::default();
        for ticket in 0..(COMPLETIONS_MAX as u64 + 10) {
            t.finish(ticket, Err(KafkaError::RequestTimedOut));
        }
        assert_eq!(t.counts().1, COMPLETIONS_MAX);
        assert!(t.take(0).is_none());
        assert!(t.take(COMPLETIONS_MAX as u64 + 9).is_some());
    }
}
