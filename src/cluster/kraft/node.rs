//! One KRaft node: a voter (controller) or an observer (broker-only node), with its replica of
//! `__cluster_metadata` on disk and KIP-595's states: unattached, candidate, leader, follower,
//! observer. It takes `now` and a seeded RNG and returns messages: no clock, no I/O but its log.

use super::message::Body;
use super::{NodeId, QuorumEvent, Role, Timeouts};
use crate::log::{LogConfig, PartitionLog};
use bytes::Bytes;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

mod handlers;

/// Bytes of metadata one fetch answer carries at most.
const FETCH_MAX_BYTES: usize = 64 * 1024;
/// A fetch unanswered this long is sent again (the request timed out or the packet was lost).
const FETCH_RETRY_MS: i64 = 500;
/// A caught-up fetcher waits this long before its next fetch (Kafka parks the fetch at the
/// leader instead; the effect on the HW's pace is the same).
const FETCH_IDLE_MS: i64 = 50;

/// What one step gives a node and collects from it.
pub(crate) struct Ctx<'a> {
    /// Simulated now.
    pub now_ms: i64,
    /// Every voter, in id order (`controller.quorum.voters`).
    pub voters: &'a [NodeId],
    /// The quorum's timers.
    pub timeouts: Timeouts,
    /// The quorum's seeded RNG, for randomised election timeouts.
    pub rng: &'a mut ChaCha8Rng,
    /// Messages to send.
    pub out: Vec<(NodeId, Body)>,
    /// What happened, for the timeline.
    pub events: Vec<QuorumEvent>,
}

impl Ctx<'_> {
    fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    /// `controller.quorum.election.timeout.ms` plus a random part of it, as Kafka randomises.
    fn election_deadline(&mut self) -> i64 {
        let t = self.timeouts.election_ms.max(1);
        self.now_ms + t + self.rng.random_range(0..t)
    }
}

/// The leader's view of one fetcher.
#[derive(Clone, Copy, Debug)]
struct Fetcher {
    log_end_offset: i64,
    last_fetch_ms: i64,
}

/// One node of the quorum.
#[derive(Debug)]
pub(crate) struct RaftNode {
    pub(crate) id: NodeId,
    pub(crate) voter: bool,
    dir: PathBuf,
    log: Option<PartitionLog>,
    pub(crate) role: Role,
    pub(crate) epoch: i32,
    voted_for: Option<NodeId>,
    pub(crate) leader: Option<NodeId>,
    pub(crate) high_watermark: i64,
    votes: BTreeSet<NodeId>,
    /// The election timer (unattached, candidate) or the fetch timer (follower, observer).
    pub(crate) deadline_ms: i64,
    fetch_sent_ms: Option<i64>,
    next_fetch_ms: i64,
    /// Leader only: each fetcher's LEO and last fetch (one entry per node of the quorum).
    fetchers: BTreeMap<NodeId, Fetcher>,
    epoch_start_offset: i64,
    epoch_start_ms: i64,
    /// Leader only: when BeginQuorumEpoch last went to voters that are not fetching.
    last_begin_ms: i64,
    probe: usize,
}

impl RaftNode {
    /// A node that has not started; `dir` holds its `__cluster_metadata-0` log and quorum-state.
    pub(crate) fn new(id: NodeId, voter: bool, dir: PathBuf) -> Self {
        Self {
            id,
            voter,
            dir,
            log: None,
            role: Role::Down,
            epoch: 0,
            voted_for: None,
            leader: None,
            high_watermark: 0,
            votes: BTreeSet::new(),
            deadline_ms: 0,
            fetch_sent_ms: None,
            next_fetch_ms: 0,
            fetchers: BTreeMap::new(),
            epoch_start_offset: 0,
            epoch_start_ms: 0,
            last_begin_ms: 0,
            probe: 0,
        }
    }

    /// Where its log and `quorum-state` live.
    pub(crate) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// This node with its log (forked) in `dir`, every other state the same.
    pub(crate) fn with_log(&self, dir: PathBuf, log: Option<PartitionLog>) -> Self {
        Self {
            id: self.id,
            voter: self.voter,
            dir,
            log,
            role: self.role,
            epoch: self.epoch,
            voted_for: self.voted_for,
            leader: self.leader,
            high_watermark: self.high_watermark,
            votes: self.votes.clone(),
            deadline_ms: self.deadline_ms,
            fetch_sent_ms: self.fetch_sent_ms,
            next_fetch_ms: self.next_fetch_ms,
            fetchers: self.fetchers.clone(),
            epoch_start_offset: self.epoch_start_offset,
            epoch_start_ms: self.epoch_start_ms,
            last_begin_ms: self.last_begin_ms,
            probe: self.probe,
        }
    }

    /// Whether the process runs.
    pub(crate) fn is_up(&self) -> bool {
        self.log.is_some()
    }

    /// The metadata log, while up.
    pub(crate) fn log(&self) -> Option<&PartitionLog> {
        self.log.as_ref()
    }

    /// Log end offset (0 while down).
    pub(crate) fn leo(&self) -> i64 {
        self.log.as_ref().map_or(0, |l| l.log_end_offset())
    }

    /// The epoch of the last record (0 for an empty log).
    fn last_epoch(&self) -> i32 {
        self.log
            .as_ref()
            .and_then(|l| l.epoch_entries().last().map(|e| e.0))
            .unwrap_or(0)
    }

    /// Starts the process: recovers the log and the persisted epoch and vote, then waits for a
    /// leader (a voter's election timer runs).
    pub(crate) fn start(&mut self, ctx: &mut Ctx, log_config: &LogConfig) -> Result<(), String> {
        let (log, _) = PartitionLog::open(&self.dir, log_config.clone(), ctx.now_ms)
            .map_err(|e| e.to_string())?;
        self.log = Some(log);
        let mut known_leader = None;
        if let Some((epoch, voted, leader)) = read_state(&self.dir) {
            self.epoch = epoch;
            self.voted_for = voted;
            known_leader = leader.filter(|l| *l != self.id);
        }
        // Kafka re-learns the HW from the leader; a follower never applies past it.
        self.high_watermark = 0;
        self.leader = None;
        self.votes.clear();
        self.fetchers.clear();
        self.fetch_sent_ms = None;
        self.next_fetch_ms = ctx.now_ms;
        self.role = if self.voter {
            Role::Unattached
        } else {
            Role::Observer
        };
        self.deadline_ms = ctx.election_deadline();
        // Kafka's quorum-state names the leader it followed: it resumes following it, and asks
        // for votes only if that leader is gone for controller.quorum.fetch.timeout.ms.
        if let Some(l) = known_leader {
            let epoch = self.epoch;
            self.become_follower(ctx, epoch, l);
        }
        Ok(())
    }

    /// Stops the process (a crash): the log closes, nothing is said to anyone.
    pub(crate) fn stop(&mut self) {
        if let Some(mut log) = self.log.take() {
            let _ = log.flush();
        }
        self.role = Role::Down;
        self.leader = None;
        self.votes.clear();
        self.fetchers.clear();
        self.fetch_sent_ms = None;
    }

    /// Makes this node leader at start-up, when every voter starts together: Kafka's first
    /// election, without the second it would take.
    pub(crate) fn bootstrap_leader(&mut self, ctx: &mut Ctx, epoch: i32) {
        self.epoch = epoch - 1;
        self.begin_candidacy(ctx);
        self.become_leader(ctx);
    }

    /// Makes this node a follower of `leader` in `epoch` at start-up.
    pub(crate) fn bootstrap_follower(&mut self, ctx: &mut Ctx, epoch: i32, leader: NodeId) {
        self.become_follower(ctx, epoch, leader);
    }

    /// The active controller appends one metadata record (key: its type, value: its content).
    pub(crate) fn append(&mut self, key: &str, value: Vec<u8>, now_ms: i64) -> bool {
        if self.role != Role::Leader {
            return false;
        }
        let epoch = self.epoch;
        let Some(log) = self.log.as_mut() else {
            return false;
        };
        let rec = (
            Some(Bytes::from(key.to_string())),
            Some(Bytes::from(value)),
            now_ms,
        );
        log.append_records(&[rec], epoch, now_ms).is_ok()
    }

    /// One step: timers fire, fetches go out, the leader moves its HW and checks its quorum.
    pub(crate) fn tick(&mut self, ctx: &mut Ctx) {
        if !self.is_up() {
            return;
        }
        match self.role {
            Role::Down => {}
            Role::Leader => {
                self.update_high_watermark(ctx);
                self.begin_epoch_again(ctx);
                self.check_quorum(ctx);
            }
            Role::Unattached | Role::Candidate => {
                if ctx.now_ms >= self.deadline_ms {
                    self.begin_candidacy(ctx);
                }
            }
            Role::Follower => {
                if ctx.now_ms >= self.deadline_ms {
                    // controller.quorum.fetch.timeout.ms without a successful fetch: elect.
                    self.begin_candidacy(ctx);
                } else {
                    self.maybe_fetch(ctx);
                }
            }
            Role::Observer => {
                if self.leader.is_some() && ctx.now_ms >= self.deadline_ms {
                    self.leader = None;
                }
                self.maybe_fetch(ctx);
            }
        }
    }

    fn maybe_fetch(&mut self, ctx: &mut Ctx) {
        if ctx.now_ms < self.next_fetch_ms
            || self
                .fetch_sent_ms
                .is_some_and(|t| ctx.now_ms - t < FETCH_RETRY_MS)
        {
            return;
        }
        let to = match self.leader {
            Some(l) => l,
            // An observer that knows no leader asks the voters in turn who leads.
            None if !ctx.voters.is_empty() => {
                self.probe = (self.probe + 1) % ctx.voters.len();
                ctx.voters[self.probe]
            }
            None => return,
        };
        if to == self.id {
            return;
        }
        ctx.out.push((
            to,
            Body::FetchRequest {
                epoch: self.epoch,
                fetch_offset: self.leo(),
                last_fetched_epoch: self.last_epoch(),
            },
        ));
        self.fetch_sent_ms = Some(ctx.now_ms);
    }

    /// A voter starts an election: a new epoch, its own vote, a Vote request to every voter.
    fn begin_candidacy(&mut self, ctx: &mut Ctx) {
        self.epoch += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.leader = None;
        self.votes = BTreeSet::from([self.id]);
        self.deadline_ms = ctx.election_deadline();
        self.persist();
        ctx.events.push(QuorumEvent::ElectionStarted {
            candidate: self.id,
            epoch: self.epoch,
        });
        let (last_epoch, last_offset) = (self.last_epoch(), self.leo());
        for &v in ctx.voters {
            if v != self.id {
                ctx.out.push((
                    v,
                    Body::VoteRequest {
                        epoch: self.epoch,
                        last_epoch,
                        last_offset,
                    },
                ));
            }
        }
        if self.votes.len() >= ctx.majority() {
            self.become_leader(ctx);
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.fetchers.clear();
        self.epoch_start_ms = ctx.now_ms;
        self.last_begin_ms = ctx.now_ms;
        self.persist();
        self.epoch_start_offset = self.leo();
        // Kafka's LeaderChangeMessage: the first record of every epoch; the HW moves only once
        // a majority has it, so nothing from an older epoch is counted committed by this leader.
        let voters: Vec<NodeId> = self.votes.iter().copied().collect();
        let value = serde_json::json!({"leaderId": self.id, "voters": voters}).to_string();
        self.append("LeaderChangeMessage", value.into_bytes(), ctx.now_ms);
        ctx.events.push(QuorumEvent::Elected {
            leader: self.id,
            epoch: self.epoch,
            votes: voters,
        });
        for &v in ctx.voters {
            if v != self.id {
                ctx.out
                    .push((v, Body::BeginQuorumEpoch { epoch: self.epoch }));
            }
        }
        self.update_high_watermark(ctx);
    }

    fn become_follower(&mut self, ctx: &mut Ctx, epoch: i32, leader: NodeId) {
        if epoch != self.epoch {
            self.voted_for = None;
        }
        self.epoch = epoch;
        self.leader = Some(leader);
        self.role = if self.voter {
            Role::Follower
        } else {
            Role::Observer
        };
        self.votes.clear();
        self.fetchers.clear();
        self.deadline_ms = ctx.now_ms + ctx.timeouts.fetch_ms;
        self.fetch_sent_ms = None;
        self.next_fetch_ms = ctx.now_ms;
        self.persist();
    }

    /// A higher epoch was seen: no leader known in it yet, no vote cast.
    fn become_unattached(&mut self, ctx: &mut Ctx, epoch: i32) {
        let was_leader = self.role == Role::Leader;
        self.epoch = epoch;
        self.voted_for = None;
        self.leader = None;
        self.votes.clear();
        self.fetchers.clear();
        self.role = if self.voter {
            Role::Unattached
        } else {
            Role::Observer
        };
        self.deadline_ms = ctx.election_deadline();
        self.persist();
        if was_leader {
            ctx.events.push(QuorumEvent::Resigned {
                leader: self.id,
                epoch,
            });
        }
    }

    /// The leader's HW: the highest offset a majority of voters has, once it is past the start
    /// of this epoch (Raft's rule: a leader commits only through a record of its own epoch).
    fn update_high_watermark(&mut self, ctx: &Ctx) {
        let mut leos: Vec<i64> = ctx
            .voters
            .iter()
            .map(|v| {
                if *v == self.id {
                    self.leo()
                } else {
                    self.fetchers.get(v).map_or(0, |f| f.log_end_offset)
                }
            })
            .collect();
        leos.sort_unstable_by(|a, b| b.cmp(a));
        let Some(&majority_has) = leos.get(ctx.majority() - 1) else {
            return;
        };
        if majority_has > self.epoch_start_offset && majority_has > self.high_watermark {
            self.high_watermark = majority_has;
        }
    }

    /// A voter that does not fetch may have missed the BeginQuorumEpoch (it was down): the
    /// leader sends it again, so a restarted voter follows instead of starting an election.
    fn begin_epoch_again(&mut self, ctx: &mut Ctx) {
        if ctx.now_ms - self.last_begin_ms < FETCH_RETRY_MS {
            return;
        }
        self.last_begin_ms = ctx.now_ms;
        for &v in ctx.voters {
            let fetching = self
                .fetchers
                .get(&v)
                .is_some_and(|f| ctx.now_ms - f.last_fetch_ms < FETCH_RETRY_MS);
            if v != self.id && !fetching {
                ctx.out
                    .push((v, Body::BeginQuorumEpoch { epoch: self.epoch }));
            }
        }
    }

    /// KIP-996's check: a leader that has not heard a fetch from a majority of voters within
    /// 1.5 × `controller.quorum.fetch.timeout.ms` resigns, so a cut-off leader stops acting.
    fn check_quorum(&mut self, ctx: &mut Ctx) {
        // When did a majority (this leader included) last hear from each other: the
        // majority-th most recent fetch; a voter that never fetched counts from the epoch start.
        let mut heard: Vec<i64> = ctx
            .voters
            .iter()
            .map(|v| {
                if *v == self.id {
                    ctx.now_ms
                } else {
                    self.fetchers
                        .get(v)
                        .map_or(self.epoch_start_ms, |f| f.last_fetch_ms)
                }
            })
            .collect();
        heard.sort_unstable_by(|a, b| b.cmp(a));
        let Some(&majority_heard) = heard.get(ctx.majority() - 1) else {
            return;
        };
        if ctx.now_ms - majority_heard > ctx.timeouts.fetch_ms * 3 / 2 {
            ctx.events.push(QuorumEvent::Resigned {
                leader: self.id,
                epoch: self.epoch,
            });
            self.role = Role::Unattached;
            self.leader = None;
            self.fetchers.clear();
            self.deadline_ms = ctx.election_deadline();
        }
    }

    /// The epoch and vote survive a restart (Kafka's `quorum-state` file), so a voter never
    /// votes twice in one epoch.
    fn persist(&self) {
        let state = serde_json::json!({
            "leaderEpoch": self.epoch,
            "votedId": self.voted_for,
            "leaderId": self.leader,
        });
        // Best effort: a lab that cannot write it still runs; a restart then starts at epoch 0
        // and learns the current epoch from the first message it gets.
        let _ = std::fs::write(self.dir.join("quorum-state"), state.to_string());
    }

    /// Each fetcher's LEO as the leader last heard it.
    #[cfg(test)]
    pub(crate) fn fetcher_leos(&self) -> impl Iterator<Item = (NodeId, i64)> + '_ {
        self.fetchers.iter().map(|(id, f)| (*id, f.log_end_offset))
    }
}

fn read_state(dir: &std::path::Path) -> Option<(i32, Option<NodeId>, Option<NodeId>)> {
    let text = std::fs::read_to_string(dir.join("quorum-state")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let epoch = i32::try_from(v["leaderEpoch"].as_i64()?).ok()?;
    let voted = v["votedId"].as_i64().and_then(|i| NodeId::try_from(i).ok());
    let leader = v["leaderId"]
        .as_i64()
        .and_then(|i| NodeId::try_from(i).ok());
    Some((epoch, voted, leader))
}
