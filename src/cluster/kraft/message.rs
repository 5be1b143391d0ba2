//! Messages between quorum nodes: KRaft's Vote, BeginQuorumEpoch and Fetch, each delivered after
//! a simulated latency so the dashboard can show them in flight. No sockets: the cluster steps
//! them like everything else.

use super::NodeId;
use bytes::Bytes;
use std::collections::VecDeque;

/// Messages in flight at most; when full the oldest is dropped (a lost packet: Raft retries).
pub const MESSAGES_MAX: usize = 1_024;

/// What a message says (KRaft's RPCs, reduced to the fields the protocol needs).
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// A candidate asks for a vote in `epoch`; its log ends at (`last_epoch`, `last_offset`).
    VoteRequest {
        /// The candidate's epoch.
        epoch: i32,
        /// Epoch of the candidate's last record.
        last_epoch: i32,
        /// The candidate's log end offset.
        last_offset: i64,
    },
    /// A voter's answer.
    VoteResponse {
        /// The voter's epoch.
        epoch: i32,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// A new leader tells the voters at once, so they need not wait for a fetch timeout.
    BeginQuorumEpoch {
        /// The leader's epoch.
        epoch: i32,
    },
    /// A follower or observer fetches the metadata log from `fetch_offset`.
    FetchRequest {
        /// The fetcher's epoch (0 while it knows no leader).
        epoch: i32,
        /// Its log end offset.
        fetch_offset: i64,
        /// The epoch of its last record, to find a divergence (KIP-595).
        last_fetched_epoch: i32,
    },
    /// The leader's answer, or a non-leader's hint of who leads.
    FetchResponse {
        /// The responder's epoch.
        epoch: i32,
        /// Who leads in that epoch, as the responder knows.
        leader: Option<NodeId>,
        /// Whether the responder leads (else the fetcher should go to `leader`).
        from_leader: bool,
        /// Whole batches from `fetch_offset` (empty when caught up or diverging).
        records: Bytes,
        /// The leader's high watermark.
        high_watermark: i64,
        /// Set when the fetcher's log diverges: truncate to this offset and fetch again.
        truncate_to: Option<i64>,
    },
}

/// One message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Simulated instant it arrives.
    pub deliver_at_ms: i64,
    /// What it says.
    pub body: Body,
}

/// The network between quorum nodes: a bounded FIFO with delivery times.
#[derive(Clone, Debug, Default)]
pub struct Network {
    in_flight: VecDeque<Message>,
}

impl Network {
    /// Sends a message; a full network drops its oldest message.
    pub fn send(&mut self, m: Message) {
        if self.in_flight.len() >= MESSAGES_MAX {
            self.in_flight.pop_front();
        }
        self.in_flight.push_back(m);
    }

    /// Takes every message due by `now_ms`, in send order.
    pub fn take_due(&mut self, now_ms: i64) -> Vec<Message> {
        let (due, later): (Vec<Message>, Vec<Message>) = self
            .in_flight
            .drain(..)
            .partition(|m| m.deliver_at_ms <= now_ms);
        self.in_flight = later.into();
        due
    }

    /// Messages in flight now, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = &Message> {
        self.in_flight.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(at: i64) -> Message {
        Message {
            from: 1,
            to: 2,
            deliver_at_ms: at,
            body: Body::VoteResponse {
                epoch: 1,
                granted: true,
            },
        }
    }

    #[test]
    fn messages_arrive_when_due_and_a_full_network_drops_the_oldest() {
        let mut n = Network::default();
        n.send(vote(20));
        n.send(vote(10));
        assert_eq!(n.take_due(5).len(), 0);
        assert_eq!(n.take_due(10), vec![vote(10)]);
        assert_eq!(n.in_flight().count(), 1);
        for i in 0..MESSAGES_MAX as i64 + 5 {
            n.send(vote(100 + i));
        }
        assert_eq!(n.in_flight().count(), MESSAGES_MAX);
        assert_eq!(n.in_flight().next().map(|m| m.deliver_at_ms), Some(105));
    }
}
