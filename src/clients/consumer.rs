//! A simulated consumer that behaves like Kafka's Java consumer: FindCoordinator, JoinGroup /
//! SyncGroup (the leader runs the assignor), heartbeats, a poll loop that fetches from partition
//! leaders below the HW, positions per partition, auto or manual commits, `auto.offset.reset`,
//! and eager or cooperative revocation.
//!
//! As in the Java client, group work (joining, revoking) happens inside `poll`, so a consumer busy
//! processing a slow batch delays its rebalance, while heartbeats go on in the background.

use crate::clients::committer::{CommitRequest, OffsetCommitter};
use crate::clients::spec::ConsumerSpec;
use crate::clients::spec::{CommitMode, GroupProtocol, OffsetReset};
use crate::clients::view::{ClientOrigin, ConsumerSnapshot, ConsumerState};
use crate::cluster::error::KafkaError;
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::lab::Cluster;
use crate::cluster::produce::OffsetSpec;
use crate::cluster::types::{AssignorKind, BrokerId, ClientId, TopicPartition};
use crate::log::batch::decode_records;
use bytes::Bytes;
use std::collections::{BTreeMap, VecDeque};

/// How many consumed records a consumer remembers for tests and checks.
mod group;
mod kip848;

const RECORD_HISTORY: usize = 100_000;
/// Bytes per fetch (`max.partition.fetch.bytes`, Kafka's default 1 MiB).
const MAX_PARTITION_FETCH_BYTES: usize = 1 << 20;
/// Backoff after a coordinator error (`retry.backoff.ms`).
const RETRY_BACKOFF_MS: i64 = 100;

/// One record a consumer processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumedRecord {
    /// Where it came from.
    pub tp: TopicPartition,
    /// Its offset.
    pub offset: i64,
    /// Its value.
    pub value: Option<Bytes>,
    /// The group generation the consumer was in.
    pub generation: i32,
}

/// Where the consumer is in the group protocol.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Needs to (re)join.
    Unjoined,
    /// JoinGroup sent; waiting for the join phase to complete.
    AwaitingJoin,
    /// SyncGroup sent (with the assignment, when leader).
    AwaitingSync(Option<BTreeMap<String, Vec<TopicPartition>>>),
    /// Has its assignment.
    Stable,
}

/// A simulated consumer.
#[derive(Clone)]
pub struct SimConsumer {
    /// Lab-wide id.
    pub id: ClientId,
    /// `client.id`.
    pub client_id: String,
    /// Settings.
    pub spec: ConsumerSpec,
    /// Running, killed or closed.
    pub state: ConsumerState,
    /// Member id once joined.
    pub member_id: Option<String>,
    /// Generation of the current assignment.
    pub generation: i32,
    phase: Phase,
    coordinator: Option<BrokerId>,
    /// As group leader: the partition count of every subscribed topic its last assignment was
    /// computed from (Kafka's `assignmentSnapshot`); empty when not the leader.
    assigned_counts: BTreeMap<String, i32>,
    /// Partitions owned now.
    pub assignment: Vec<TopicPartition>,
    /// Next offset to process per owned partition.
    pub positions: BTreeMap<TopicPartition, i64>,
    committer: OffsetCommitter,
    buffers: BTreeMap<TopicPartition, VecDeque<(i64, Option<Bytes>)>>,
    /// The batch handed out by the current poll, processed one record at a time.
    current_poll: VecDeque<(TopicPartition, i64, Option<Bytes>)>,
    poll_started_ms: i64,
    processing_credit_ms: i64,
    next_heartbeat_ms: i64,
    next_auto_commit_ms: i64,
    retry_at_ms: i64,
    since_commit: u32,
    /// Records processed since spawn.
    pub consumed: u64,
    /// The last record processed.
    pub last_record: Option<String>,
    /// The newest processed records, oldest first (bounded).
    pub history: VecDeque<ConsumedRecord>,
}

impl SimConsumer {
    /// A consumer that has not joined yet.
    pub fn new(id: ClientId, client_id: String, spec: ConsumerSpec, now_ms: i64) -> Self {
        let auto = match spec.commit_mode {
            CommitMode::Auto { interval_ms } => now_ms + interval_ms as i64,
            _ => i64::MAX,
        };
        Self {
            id,
            client_id,
            spec,
            state: ConsumerState::Running,
            member_id: None,
            generation: -1,
            phase: Phase::Unjoined,
            coordinator: None,
            assigned_counts: BTreeMap::new(),
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            committer: OffsetCommitter::default(),
            buffers: BTreeMap::new(),
            current_poll: VecDeque::new(),
            poll_started_ms: now_ms,
            processing_credit_ms: 0,
            next_heartbeat_ms: 0,
            next_auto_commit_ms: auto,
            retry_at_ms: 0,
            since_commit: 0,
            consumed: 0,
            last_record: None,
            history: VecDeque::new(),
        }
    }

    /// Whether the consumer still runs.
    pub fn is_running(&self) -> bool {
        self.state == ConsumerState::Running
    }

    /// What the dashboard shows.
    pub fn snapshot(&self) -> ConsumerSnapshot {
        ConsumerSnapshot {
            id: self.id,
            client_id: self.client_id.clone(),
            origin: ClientOrigin::Simulated,
            group_id: self.spec.group_id.clone(),
            member_id: self.member_id.clone(),
            topics: self.spec.topics.clone(),
            state: self.state,
            assigned: self.assignment.clone(),
            consumed: self.consumed,
            commit_mode: self.spec.commit_mode,
            assignor: self.spec.assignor,
            session_timeout_ms: self.spec.session_timeout_ms,
            heartbeat_interval_ms: self.spec.heartbeat_interval_ms,
            last_record: self.last_record.clone(),
        }
    }

    fn cooperative(&self) -> bool {
        self.spec.assignor == AssignorKind::CooperativeSticky
    }

    /// One step of the consumer's life: group protocol, fetching, processing, committing.
    pub fn step(&mut self, lab: &mut Cluster, step_ms: i64) {
        if !self.is_running() {
            return;
        }
        let now = lab.now_ms();
        let kip848 = self.spec.group_protocol == GroupProtocol::Consumer;
        if kip848 {
            // The background thread heartbeats and reconciles; nothing waits for the group.
            self.consumer_protocol_step(lab, now);
        } else {
            self.heartbeat(lab, now);
            // Group work happens in poll(), between batches.
            if self.current_poll.is_empty() && now >= self.retry_at_ms {
                self.group_step(lab, now);
            }
        }
        let may_fetch = self.phase == Phase::Stable || self.cooperative() || kip848;
        if self.current_poll.is_empty() && may_fetch {
            self.poll(lab, now);
        }
        self.process(lab, step_ms);
        let manual = self.manual_commits();
        if let Some(e) = self.committer.poll(lab, manual, RETRY_BACKOFF_MS) {
            lab.emit_event(EventKind::Note {
                text: NoteText::CommitFailed {
                    client: self.client_id.clone(),
                    error: e.to_string(),
                },
            });
        }
        if let CommitMode::Auto { interval_ms } = self.spec.commit_mode
            && now >= self.next_auto_commit_ms
        {
            self.next_auto_commit_ms = now + interval_ms as i64;
            self.commit(lab);
        } else if self.committer.retry_due(now) {
            self.commit(lab);
        }
    }

    /// `enable.auto.commit=false`: the application commits, and retries what fails.
    fn manual_commits(&self) -> bool {
        matches!(self.spec.commit_mode, CommitMode::EveryRecords { .. })
    }

    /// Finds a starting position: the committed offset, else `auto.offset.reset`.
    fn resolve_position(&mut self, lab: &mut Cluster, tp: &TopicPartition) -> Option<i64> {
        let coord = self.coordinator?;
        match lab.committed_offset(coord, &self.spec.group_id, tp) {
            Ok(Some(c)) => {
                let o = c.offset;
                self.committer.confirm(tp.clone(), o);
                return Some(o);
            }
            Ok(None) => {}
            Err(_) => return None,
        }
        self.reset_position(lab, tp, None)
    }

    /// Applies `auto.offset.reset` for `tp`: with nothing committed (`out_of_range` None) or
    /// when the position `out_of_range` is no longer in the log. With `none` the consumer stops
    /// with the error Kafka's consumer throws: `NoOffsetForPartitionException` in the first case,
    /// `OffsetOutOfRangeException` in the second.
    fn reset_position(
        &mut self,
        lab: &mut Cluster,
        tp: &TopicPartition,
        out_of_range: Option<i64>,
    ) -> Option<i64> {
        let spec = match self.spec.auto_offset_reset {
            OffsetReset::Earliest => OffsetSpec::Earliest,
            OffsetReset::Latest => OffsetSpec::Latest,
            OffsetReset::None => {
                let error = match out_of_range {
                    None => KafkaError::NoOffsetForPartition,
                    Some(_) => KafkaError::OffsetOutOfRange,
                };
                let text = NoteText::ResetNone {
                    client: self.client_id.clone(),
                    tp: tp.clone(),
                    position: out_of_range,
                    error: error.to_string(),
                };
                lab.emit_event(EventKind::Note { text });
                self.state = ConsumerState::Killed;
                return None;
            }
        };
        let leader = lab.leader_of(tp)?;
        let offset = lab.list_offset(leader, tp, spec).ok()?;
        lab.emit_event(EventKind::OffsetReset {
            group: self.spec.group_id.clone(),
            tp: tp.clone(),
            offset,
            policy: self.spec.auto_offset_reset.to_string(),
        });
        Some(offset)
    }

    /// One `poll()`: fill buffers from partition leaders, hand out up to `max.poll.records`.
    fn poll(&mut self, lab: &mut Cluster, now: i64) {
        let owned = self.assignment.clone();
        for tp in &owned {
            if !self.positions.contains_key(tp) {
                match self.resolve_position(lab, tp) {
                    Some(o) => {
                        self.positions.insert(tp.clone(), o);
                    }
                    None => continue,
                }
            }
            if self.buffers.get(tp).is_some_and(|b| !b.is_empty()) {
                continue;
            }
            let pos = self.positions[tp];
            let Some(leader) = lab.leader_of(tp) else {
                continue;
            };
            let read_committed = self.spec.read_committed();
            match lab.fetch_isolated(leader, tp, pos, MAX_PARTITION_FETCH_BYTES, read_committed) {
                Ok(res) => {
                    let Ok(records) = decode_records(&res.batches.bytes) else {
                        continue;
                    };
                    let records: Vec<_> = records.into_iter().filter(|r| r.offset >= pos).collect();
                    let visible = crate::clients::read_committed::visible_records(
                        records,
                        &res.aborted_transactions,
                        read_committed,
                    );
                    if visible.is_empty() && res.batches.next_offset > pos {
                        // Only markers or aborted records: the position moves past them, as
                        // Kafka's fetcher does, or the consumer would fetch them for ever.
                        self.positions.insert(tp.clone(), res.batches.next_offset);
                        continue;
                    }
                    let buf = self.buffers.entry(tp.clone()).or_default();
                    buf.extend(visible.into_iter().map(|r| (r.offset, r.value)));
                }
                Err(KafkaError::OffsetOutOfRange) => {
                    lab.emit_event(EventKind::Note {
                        text: NoteText::OutOfRange {
                            client: self.client_id.clone(),
                            tp: tp.clone(),
                            position: pos,
                        },
                    });
                    if let Some(o) = self.reset_position(lab, tp, Some(pos)) {
                        self.positions.insert(tp.clone(), o);
                    }
                }
                Err(_) => {}
            }
        }
        let max = self.spec.max_poll_records.max(1) as usize;
        // Round-robin over partitions, as the Java consumer's fetcher drains completed fetches.
        while self.current_poll.len() < max {
            let mut took = false;
            for tp in &owned {
                if self.current_poll.len() >= max {
                    break;
                }
                if let Some((o, v)) = self.buffers.get_mut(tp).and_then(|b| b.pop_front()) {
                    self.current_poll.push_back((tp.clone(), o, v));
                    took = true;
                }
            }
            if !took {
                break;
            }
        }
        if !self.current_poll.is_empty() {
            self.poll_started_ms = now;
        }
    }

    fn process(&mut self, lab: &mut Cluster, step_ms: i64) {
        let per = self.spec.processing_ms_per_record as i64;
        let mut budget = if per == 0 {
            usize::MAX
        } else {
            self.processing_credit_ms =
                (self.processing_credit_ms + step_ms).min(per.max(step_ms) * 2);
            let n = self.processing_credit_ms / per;
            self.processing_credit_ms -= n * per;
            n as usize
        };
        while budget > 0 {
            let Some((tp, offset, value)) = self.current_poll.pop_front() else {
                break;
            };
            budget -= 1;
            self.positions.insert(tp.clone(), offset + 1);
            self.consumed += 1;
            self.last_record = Some(format!("{tp}@{offset}"));
            if self.history.len() >= RECORD_HISTORY {
                self.history.pop_front();
            }
            self.history.push_back(ConsumedRecord {
                tp,
                offset,
                value,
                generation: self.generation,
            });
            if let CommitMode::EveryRecords { records } = self.spec.commit_mode {
                self.since_commit += 1;
                if self.since_commit >= records.max(1) {
                    self.since_commit = 0;
                    self.commit(lab);
                }
            }
        }
    }

    fn commit_if_auto(&mut self, lab: &mut Cluster) {
        if matches!(self.spec.commit_mode, CommitMode::Auto { .. }) {
            self.commit(lab);
        }
    }

    /// Commits every position that moved since the last confirmed commit.
    fn commit(&mut self, lab: &mut Cluster) {
        let manual = self.manual_commits();
        let now = lab.now_ms();
        if self.committer.changed(&self.positions).is_empty() {
            return;
        }
        let Some(coordinator) = self.find_coordinator(lab) else {
            self.committer.failed(now, manual, RETRY_BACKOFF_MS);
            return;
        };
        let member = self.member_id.clone();
        let req = CommitRequest {
            coordinator,
            group: &self.spec.group_id,
            member_id: member.as_deref(),
            generation: self.generation,
        };
        if let Err(e) = self.committer.commit(lab, req, &self.positions) {
            self.committer.failed(now, manual, RETRY_BACKOFF_MS);
            lab.emit_event(EventKind::Note {
                text: NoteText::CommitFailed {
                    client: self.client_id.clone(),
                    error: e.to_string(),
                },
            });
        }
    }

    /// Crash: no commit, no LeaveGroup; the coordinator finds out when the session expires.
    pub fn kill(&mut self, lab: &mut Cluster) {
        self.state = ConsumerState::Killed;
        self.committer.abandon(lab);
        lab.emit_event(EventKind::ConsumerKilled {
            client_id: self.client_id.clone(),
        });
    }

    /// Graceful close: commit (with auto-commit on), then LeaveGroup, so the group rebalances now.
    pub fn close(&mut self, lab: &mut Cluster) {
        self.current_poll.clear();
        self.commit_if_auto(lab);
        if self.spec.group_protocol == GroupProtocol::Consumer {
            self.leave_consumer_group(lab);
        } else if let (Some(member), Some(coord)) =
            (self.member_id.clone(), self.find_coordinator(lab))
            && self.spec.group_instance_id.is_none()
        {
            let _ = lab.leave_group(coord, &self.spec.group_id, &member);
        }
        self.state = ConsumerState::Closed;
        // The commit made at close still lands once replicated; nobody waits for its answer.
        self.committer.abandon(lab);
        lab.emit_event(EventKind::ConsumerClosed {
            client_id: self.client_id.clone(),
        });
    }
}
