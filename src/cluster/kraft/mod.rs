//! KRaft: the controller quorum as Raft over the `__cluster_metadata` log (KIP-500, KIP-595).
//!
//! Controllers (voters) elect an active controller by votes with epochs; it appends metadata
//! records, followers and observers (broker-only nodes) fetch them, and a record is committed
//! once a majority of voters has it (the metadata log's high watermark). Messages between nodes
//! travel through [`message::Network`] with a simulated latency. Sans-I/O but for the logs: the
//! cluster steps it with its simulated `now`, and randomness comes from a seeded RNG.

mod fork;
pub mod message;
mod node;
#[cfg(test)]
mod tests;

use crate::log::LogConfig;
use message::{Message, Network};
use node::{Ctx, RaftNode};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A node id (`node.id`): brokers and controllers share one id space.
pub type NodeId = i32;

/// Dedicated controllers are numbered from here (`--controllers N`: 101..=100+N), clear of
/// broker ids 1..=9.
pub const DEDICATED_CONTROLLER_BASE: NodeId = 100;

/// A node's KRaft state (KIP-595).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Role {
    /// The active controller.
    Leader,
    /// A voter fetching from the leader.
    Follower,
    /// A voter asking for votes.
    Candidate,
    /// A voter that knows no leader in its epoch and has not voted: its election timer runs.
    Unattached,
    /// A broker-only node: it fetches committed metadata but never votes.
    Observer,
    /// The process is not running.
    Down,
}

/// The quorum's timers, with Kafka's config names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `controller.quorum.election.timeout.ms` (Kafka 1000), randomised up to twice that.
    pub election_ms: i64,
    /// `controller.quorum.fetch.timeout.ms` (Kafka 2000): a follower without a successful fetch
    /// for this long starts an election.
    pub fetch_ms: i64,
}

/// What the quorum reports to the cluster (which turns it into timeline events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuorumEvent {
    /// A voter became a candidate.
    ElectionStarted {
        /// The candidate.
        candidate: NodeId,
        /// Its new epoch.
        epoch: i32,
    },
    /// A candidate won a majority: the new active controller.
    Elected {
        /// The new leader.
        leader: NodeId,
        /// Its epoch.
        epoch: i32,
        /// The voters who voted for it.
        votes: Vec<NodeId>,
    },
    /// A leader stopped leading (it saw a higher epoch, or lost touch with a majority).
    Resigned {
        /// The old leader.
        leader: NodeId,
        /// The epoch it led.
        epoch: i32,
    },
}

/// One node as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControllerSnapshot {
    /// `node.id`.
    pub id: NodeId,
    /// Whether it votes (a controller) or observes (a broker-only node).
    pub voter: bool,
    /// Its KRaft state.
    pub role: Role,
    /// Its epoch.
    pub epoch: i32,
    /// Who it thinks leads.
    pub leader: Option<NodeId>,
    /// Its metadata log end offset.
    pub log_end_offset: i64,
    /// Its high watermark: the committed metadata it has applied.
    pub high_watermark: i64,
    /// Records behind the leader's log end offset.
    pub lag: i64,
    /// When its election timer (unattached, candidate) or fetch timer (follower) fires.
    pub timer_ms: Option<i64>,
}

/// The whole quorum: voters, observers and the network between them.
pub struct Quorum {
    nodes: BTreeMap<NodeId, RaftNode>,
    voters: Vec<NodeId>,
    net: Network,
    rng: ChaCha8Rng,
    timeouts: Timeouts,
    latency_ms: i64,
    log_config: LogConfig,
    events: Vec<QuorumEvent>,
}

impl Quorum {
    /// A quorum of `voters` with `observers`, each node's log under the directory `dir_of` gives.
    pub fn new(
        voters: &[NodeId],
        observers: &[NodeId],
        dir_of: impl Fn(NodeId) -> PathBuf,
        seed: u64,
        timeouts: Timeouts,
        latency_ms: i64,
    ) -> Self {
        let mut nodes = BTreeMap::new();
        for &v in voters {
            nodes.insert(v, RaftNode::new(v, true, dir_of(v)));
        }
        for &o in observers {
            nodes
                .entry(o)
                .or_insert_with(|| RaftNode::new(o, false, dir_of(o)));
        }
        // Kafka keeps the metadata log until a snapshot covers it; the lab takes no snapshots.
        let log_config = LogConfig {
            retention_ms: -1,
            retention_bytes: -1,
            ..LogConfig::default()
        };
        Self {
            nodes,
            voters: voters.to_vec(),
            net: Network::default(),
            // Its own stream, so the quorum's draws do not move any other random choice.
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x4b52_4146_545f_5154),
            timeouts,
            latency_ms: latency_ms.max(1),
            log_config,
            events: Vec::new(),
        }
    }

    /// The voters, in id order (`controller.quorum.voters`).
    pub fn voters(&self) -> &[NodeId] {
        &self.voters
    }

    /// Whether `id` is a node of this quorum that votes.
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id)
    }

    /// Whether node `id` runs.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(RaftNode::is_up)
    }

    /// Votes needed to elect and to commit.
    pub fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    /// Voters whose process runs.
    pub fn voters_up(&self) -> usize {
        self.voters
            .iter()
            .filter(|v| self.nodes.get(v).is_some_and(RaftNode::is_up))
            .count()
    }

    fn ctx(&mut self, now_ms: i64) -> (Ctx<'_>, &mut BTreeMap<NodeId, RaftNode>) {
        (
            Ctx {
                now_ms,
                voters: &self.voters,
                timeouts: self.timeouts,
                rng: &mut self.rng,
                out: Vec::new(),
                events: Vec::new(),
            },
            &mut self.nodes,
        )
    }

    fn finish(&mut self, from: NodeId, now_ms: i64, out: Vec<(NodeId, message::Body)>) {
        for (to, body) in out {
            self.net.send(Message {
                from,
                to,
                deliver_at_ms: now_ms + self.latency_ms,
                body,
            });
        }
    }

    /// Starts node `id` (recovering its log); errors say why its log cannot open.
    pub fn start_node(&mut self, id: NodeId, now_ms: i64) -> Result<(), String> {
        let log_config = self.log_config.clone();
        let (mut ctx, nodes) = self.ctx(now_ms);
        let Some(n) = nodes.get_mut(&id) else {
            return Ok(());
        };
        n.start(&mut ctx, &log_config)
    }

    /// Stops node `id` (its process crashed or stopped).
    pub fn stop_node(&mut self, id: NodeId) {
        if let Some(n) = self.nodes.get_mut(&id) {
            n.stop();
        }
    }

    /// At start-up with every voter up: the most up-to-date voter leads the next epoch at once
    /// and the others follow, as the first election would decide a moment later.
    pub fn bootstrap(&mut self, now_ms: i64) {
        let up: Vec<NodeId> = self
            .voters
            .iter()
            .copied()
            .filter(|v| self.nodes.get(v).is_some_and(RaftNode::is_up))
            .collect();
        if up.len() < self.majority() {
            return;
        }
        let best = up.iter().copied().max_by_key(|v| {
            let n = &self.nodes[v];
            let last = n
                .log()
                .and_then(|l| l.epoch_entries().last().map(|e| e.0))
                .unwrap_or(0);
            // Ties go to the lowest id: max_by_key keeps the last maximum, so negate the id.
            (last, n.leo(), -v)
        });
        let Some(leader) = best else { return };
        let epoch = self.nodes.values().map(|n| n.epoch).max().unwrap_or(0) + 1;
        let (mut ctx, nodes) = self.ctx(now_ms);
        if let Some(n) = nodes.get_mut(&leader) {
            n.bootstrap_leader(&mut ctx, epoch);
        }
        for (id, n) in nodes.iter_mut() {
            if *id != leader && n.is_up() {
                n.bootstrap_follower(&mut ctx, epoch, leader);
            }
        }
        // The instant election is not news: the timeline starts with the lab, as before KRaft.
        ctx.events.clear();
    }

    /// One step: deliver due messages, then run every node's timers.
    pub fn step(&mut self, now_ms: i64) {
        let due = self.net.take_due(now_ms);
        for m in due {
            let (mut ctx, nodes) = self.ctx(now_ms);
            if let Some(n) = nodes.get_mut(&m.to) {
                n.handle(&m, &mut ctx);
            }
            let (out, events) = (ctx.out, ctx.events);
            self.events.extend(events);
            self.finish(m.to, now_ms, out);
        }
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        for id in ids {
            let (mut ctx, nodes) = self.ctx(now_ms);
            if let Some(n) = nodes.get_mut(&id) {
                n.tick(&mut ctx);
            }
            let (out, events) = (ctx.out, ctx.events);
            self.events.extend(events);
            self.finish(id, now_ms, out);
        }
    }

    /// The active controller: the voter that leads its epoch (None while no one does).
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .values()
            .filter(|n| n.role == Role::Leader)
            .max_by_key(|n| n.epoch)
            .map(|n| n.id)
    }

    /// The active controller's epoch.
    pub fn leader_epoch(&self) -> Option<i32> {
        self.leader()
            .and_then(|l| self.nodes.get(&l))
            .map(|n| n.epoch)
    }

    /// The active controller appends a metadata record; false when there is none.
    pub fn append(&mut self, key: &str, value: Vec<u8>, now_ms: i64) -> bool {
        let Some(l) = self.leader() else {
            return false;
        };
        self.nodes
            .get_mut(&l)
            .is_some_and(|n| n.append(key, value, now_ms))
    }

    /// Takes what happened since the last call.
    pub fn drain_events(&mut self) -> Vec<QuorumEvent> {
        std::mem::take(&mut self.events)
    }

    /// The committed metadata a node has applied (its high watermark), while it runs.
    pub fn applied_offset(&self, id: NodeId) -> Option<i64> {
        self.nodes
            .get(&id)
            .filter(|n| n.is_up())
            .map(|n| n.high_watermark)
    }

    /// A node's metadata log, while it runs (for checks and the log view).
    pub fn log(&self, id: NodeId) -> Option<&crate::log::PartitionLog> {
        self.nodes.get(&id)?.log()
    }

    /// Messages in flight, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = &Message> {
        self.net.in_flight()
    }

    /// Every node, voters first, for the dashboard.
    pub fn snapshot(&self) -> Vec<ControllerSnapshot> {
        let leader_leo = self
            .leader()
            .and_then(|l| self.nodes.get(&l))
            .map(RaftNode::leo);
        let mut out: Vec<ControllerSnapshot> = self
            .nodes
            .values()
            .map(|n| {
                let leo = n.leo();
                ControllerSnapshot {
                    id: n.id,
                    voter: n.voter,
                    role: n.role,
                    epoch: n.epoch,
                    leader: n.leader,
                    log_end_offset: leo,
                    high_watermark: n.high_watermark,
                    lag: if n.is_up() {
                        leader_leo.map_or(0, |l| (l - leo).max(0))
                    } else {
                        0
                    },
                    timer_ms: matches!(n.role, Role::Unattached | Role::Candidate | Role::Follower)
                        .then_some(n.deadline_ms),
                }
            })
            .collect();
        out.sort_by_key(|c| (!c.voter, c.id));
        out
    }

    /// The leader's view of each fetcher's LEO (for tests of the HW rule).
    #[cfg(test)]
    pub(crate) fn fetcher_leos(&self) -> Vec<(NodeId, i64)> {
        self.leader()
            .and_then(|l| self.nodes.get(&l))
            .map(|n| n.fetcher_leos().collect())
            .unwrap_or_default()
    }
}
