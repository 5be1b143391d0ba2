//! Hosting the group coordinator in the cluster: each group lives on the broker leading its
//! `__consumer_offsets` partition, commits are records appended there with `acks=all`, and when
//! that partition's leader changes the new coordinator reloads the group's offsets from its log.

use super::error::KafkaError;
use super::event::{EventKind, NoteText};
use super::group::{
    CoordinatorConfig, GroupCoordinator, JoinRequest, JoinResponse, OffsetAndMetadata,
    OffsetCommitRecord, offsets_partition_for,
};
use super::lab::{Cluster, OFFSETS_TOPIC, ProduceOutcome};
use super::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::encode_records;
use std::collections::BTreeMap;

mod kip848;
mod reset;

/// How long an offset commit may wait for `__consumer_offsets` replication
/// (`offsets.commit.timeout.ms`, Kafka's default).
const OFFSETS_COMMIT_TIMEOUT_MS: i64 = 5_000;

/// What an accepted OffsetCommit turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Applied at once (nothing to commit, or a single-replica ISR).
    Done,
    /// Appended to `__consumer_offsets`; [`Cluster::take_commit_result`] answers once replicated.
    Pending(u64),
}

/// Commit results kept for requesters that have not asked yet; beyond it the oldest go.
pub const COMMIT_RESULTS_MAX: usize = 10_000;

/// A commit appended to `__consumer_offsets`, waiting for the HW to pass it.
#[derive(Clone, Debug)]
struct PendingCommit {
    pub ticket: u64,
    pub group: String,
    pub offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
    /// The requester went away: keep no result for it.
    pub forgotten: bool,
}

/// The group coordinator as the brokers host it: the coordinator's state, the commits waiting
/// for `__consumer_offsets` replication and their results, and which leader (and epoch) each
/// offsets partition's groups were loaded from. Only this file changes it, keeping the rule that
/// a commit takes effect once replicated and a coordinator move reloads from the new leader's log.
#[derive(Clone)]
pub(crate) struct GroupHosting {
    coordinator: GroupCoordinator,
    pending_commits: Vec<PendingCommit>,
    /// Bounded by [`COMMIT_RESULTS_MAX`].
    commit_results: BTreeMap<u64, Result<(), KafkaError>>,
    /// Per offsets partition: the (leader, epoch) whose log the coordinator's cache was loaded from.
    offsets_loaded: BTreeMap<i32, (BrokerId, i32)>,
    /// `offsets.retention.check.interval.ms`: when expired offsets are next removed.
    retention_check: super::timers::Periodic,
}

impl GroupHosting {
    /// Nothing hosted yet.
    pub(crate) fn new(config: CoordinatorConfig, retention_check_interval_ms: i64) -> Self {
        Self {
            coordinator: GroupCoordinator::new(config),
            pending_commits: Vec::new(),
            commit_results: BTreeMap::new(),
            offsets_loaded: BTreeMap::new(),
            retention_check: super::timers::Periodic::starting(retention_check_interval_ms),
        }
    }

    /// The coordinator's state, read-only.
    pub(crate) fn coordinator(&self) -> &GroupCoordinator {
        &self.coordinator
    }

    /// The coordinator's state, for a topic deletion's offset removal.
    pub(crate) fn coordinator_mut(&mut self) -> &mut GroupCoordinator {
        &mut self.coordinator
    }
}

impl Cluster {
    /// The `__consumer_offsets` partition holding `group`.
    pub fn offsets_partition(&self, group: &str) -> TopicPartition {
        TopicPartition::new(
            OFFSETS_TOPIC,
            offsets_partition_for(group, self.config.offsets_topic_partitions),
        )
    }

    /// FindCoordinator: the broker leading the group's offsets partition.
    pub fn coordinator_for(&self, group: &str) -> Result<BrokerId, KafkaError> {
        let tp = self.offsets_partition(group);
        let leader = self
            .leader_of(&tp)
            .ok_or(KafkaError::CoordinatorNotAvailable)?;
        match self.hosting.offsets_loaded.get(&tp.partition) {
            Some((b, _)) if *b == leader => Ok(leader),
            _ => Err(KafkaError::CoordinatorLoadInProgress),
        }
    }

    /// Whether `broker` is the loaded coordinator of `group` (NOT_COORDINATOR, or why not).
    pub(crate) fn check_group_coordinator(
        &self,
        broker: BrokerId,
        group: &str,
    ) -> Result<(), KafkaError> {
        self.check_coordinator(broker, group)
    }

    fn check_coordinator(&self, broker: BrokerId, group: &str) -> Result<(), KafkaError> {
        match self.coordinator_for(group) {
            Ok(b) if b == broker => Ok(()),
            Ok(_) => Err(KafkaError::NotCoordinator),
            Err(e) => Err(e),
        }
    }

    fn emit_all(&mut self, out: Vec<EventKind>) {
        for e in out {
            self.emit(e);
        }
    }

    /// JoinGroup sent to `broker`; returns the member id (the response comes later).
    pub fn join_group(
        &mut self,
        broker: BrokerId,
        group: &str,
        req: JoinRequest,
    ) -> Result<String, KafkaError> {
        self.check_coordinator(broker, group)?;
        let mut out = Vec::new();
        let r = self
            .hosting
            .coordinator
            .join(group, req, self.now_ms, &mut out);
        self.emit_all(out);
        r
    }

    /// The JoinGroup response once the join phase has completed.
    pub fn join_group_result(
        &self,
        broker: BrokerId,
        group: &str,
        member_id: &str,
    ) -> Result<Option<JoinResponse>, KafkaError> {
        self.check_coordinator(broker, group)?;
        self.hosting.coordinator.join_result(group, member_id)
    }

    /// SyncGroup; the leader passes the assignment. `Ok(None)` while waiting for the leader.
    pub fn sync_group(
        &mut self,
        broker: BrokerId,
        group: &str,
        member_id: &str,
        generation: i32,
        assignment: Option<&BTreeMap<String, Vec<TopicPartition>>>,
    ) -> Result<Option<Vec<TopicPartition>>, KafkaError> {
        self.check_coordinator(broker, group)?;
        let mut out = Vec::new();
        let r = self.hosting.coordinator.sync(
            group,
            member_id,
            generation,
            assignment,
            self.now_ms,
            &mut out,
        );
        self.emit_all(out);
        r
    }

    /// Heartbeat.
    pub fn group_heartbeat(
        &mut self,
        broker: BrokerId,
        group: &str,
        member_id: &str,
        generation: i32,
    ) -> Result<(), KafkaError> {
        self.check_coordinator(broker, group)?;
        self.hosting
            .coordinator
            .heartbeat(group, member_id, generation, self.now_ms)
    }

    /// LeaveGroup.
    pub fn leave_group(
        &mut self,
        broker: BrokerId,
        group: &str,
        member_id: &str,
    ) -> Result<(), KafkaError> {
        self.check_coordinator(broker, group)?;
        let mut out = Vec::new();
        let r = self
            .hosting
            .coordinator
            .leave(group, member_id, self.now_ms, &mut out);
        self.emit_all(out);
        r
    }

    /// OffsetCommit: validated by the coordinator, then appended to `__consumer_offsets` with
    /// `acks=all`; the coordinator's cache takes the offsets once the HW passes them.
    pub fn commit_offsets(
        &mut self,
        broker: BrokerId,
        group: &str,
        member_id: Option<&str>,
        generation: i32,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) -> Result<CommitOutcome, KafkaError> {
        self.check_coordinator(broker, group)?;
        self.hosting
            .coordinator
            .validate_commit(group, member_id, generation)?;
        if offsets.is_empty() {
            return Ok(CommitOutcome::Done);
        }
        // A commit for a new group takes a place among the coordinator's bounded groups now.
        self.hosting.coordinator.admit(group)?;
        let records: Vec<_> = offsets
            .iter()
            .map(|(tp, committed)| {
                let r = OffsetCommitRecord {
                    group: group.to_string(),
                    tp: tp.clone(),
                    committed: committed.clone(),
                    commit_timestamp: self.config.epoch.timestamp_millis() + self.now_ms,
                };
                (Some(r.key()), Some(r.value()), r.commit_timestamp)
            })
            .collect();
        let bytes = encode_records(&records, 0).map_err(|_| KafkaError::Unknown)?;
        let tp = self.offsets_partition(group);
        match self.produce(broker, &tp, &bytes, Acks::All, OFFSETS_COMMIT_TIMEOUT_MS) {
            ProduceOutcome::Pending(ticket) => {
                self.hosting.pending_commits.push(PendingCommit {
                    ticket,
                    group: group.to_string(),
                    offsets: offsets.to_vec(),
                    forgotten: false,
                });
                Ok(CommitOutcome::Pending(ticket))
            }
            ProduceOutcome::Done(Ok(_)) => {
                self.apply_commits(group, offsets);
                Ok(CommitOutcome::Done)
            }
            // The offsets partition moved under the coordinator: for the client that is
            // NOT_COORDINATOR, and it finds the new one (Kafka's coordinator answers the same).
            ProduceOutcome::Done(Err(KafkaError::NotLeaderOrFollower)) => {
                Err(KafkaError::NotCoordinator)
            }
            ProduceOutcome::Done(Err(e)) => Err(e),
        }
    }

    pub(crate) fn apply_commits(
        &mut self,
        group: &str,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) {
        for (tp, committed) in offsets {
            let before = self
                .hosting
                .coordinator
                .group(group)
                .and_then(|g| g.committed.get(tp))
                .map(|c| c.offset);
            self.hosting
                .coordinator
                .apply_commit(group, tp.clone(), committed, self.now_ms);
            if before != Some(committed.offset) {
                self.emit(EventKind::OffsetCommitted {
                    group: group.to_string(),
                    tp: tp.clone(),
                    offset: committed.offset,
                });
            }
        }
    }

    /// The result of a commit that was [`CommitOutcome::Pending`], once replicated or failed: a
    /// commit counts only when `__consumer_offsets` has it, as in Kafka.
    pub fn take_commit_result(&mut self, ticket: u64) -> Option<Result<(), KafkaError>> {
        self.hosting.commit_results.remove(&ticket)
    }

    /// Drops what is kept for a commit whose requester went away (the commit itself still
    /// takes effect once replicated).
    pub fn forget_commit(&mut self, ticket: u64) {
        self.hosting.commit_results.remove(&ticket);
        if let Some(c) = self
            .hosting
            .pending_commits
            .iter_mut()
            .find(|c| c.ticket == ticket)
        {
            c.forgotten = true;
        }
    }

    fn record_commit_result(&mut self, c: &PendingCommit, result: Result<(), KafkaError>) {
        if c.forgotten {
            return;
        }
        self.hosting.commit_results.insert(c.ticket, result);
        while self.hosting.commit_results.len() > COMMIT_RESULTS_MAX {
            self.hosting.commit_results.pop_first();
        }
    }

    /// OffsetFetch: the group's committed offset for `tp` with its metadata, if any.
    pub fn committed_offset(
        &self,
        broker: BrokerId,
        group: &str,
        tp: &TopicPartition,
    ) -> Result<Option<OffsetAndMetadata>, KafkaError> {
        self.check_coordinator(broker, group)?;
        Ok(self
            .hosting
            .coordinator
            .group(group)
            .and_then(|g| g.committed.get(tp))
            .cloned())
    }

    /// The group coordinator's state (read-only), for snapshots and checks.
    pub fn group_coordinator(&self) -> &super::group::GroupCoordinator {
        &self.hosting.coordinator
    }

    /// Reads every offset commit in the new leader's log, up to its log end: as leader, all of it
    /// will be committed, and its own HW may still lag the old leader's by a fetch.
    fn load_offsets(
        &self,
        leader: BrokerId,
        tp: &TopicPartition,
    ) -> BTreeMap<String, BTreeMap<TopicPartition, OffsetAndMetadata>> {
        let mut out: BTreeMap<String, BTreeMap<TopicPartition, OffsetAndMetadata>> =
            BTreeMap::new();
        let Some(r) = self.brokers.get(&leader).and_then(|b| b.replicas.get(tp)) else {
            return out;
        };
        let end = r.leo();
        let mut offset = r.log.log_start_offset();
        let mut in_txn: BTreeMap<i64, Vec<(String, TopicPartition, OffsetAndMetadata)>> =
            BTreeMap::new();
        while offset < end {
            let Ok(records) = r.log.read_records(offset, 1 << 20, end) else {
                break;
            };
            let Some(last) = records.last() else { break };
            offset = last.offset + 1;
            for rec in &records {
                let Some(key) = &rec.key else { continue };
                if rec.control {
                    // A marker: a committed transaction's offsets count, an aborted one's go.
                    let commit = key.len() >= 4 && key[2..4] == [0, 1];
                    for (group, tp, c) in in_txn.remove(&rec.producer_id).unwrap_or_default() {
                        if commit {
                            out.entry(group).or_default().insert(tp, c);
                        }
                    }
                    continue;
                }
                if rec.transactional {
                    // TxnOffsetCommit: counts only once its transaction commits (the coordinator
                    // keeps offsets of transactions still open in memory).
                    if let Some(c) = OffsetCommitRecord::parse(key, rec.value.as_deref()) {
                        in_txn.entry(rec.producer_id).or_default().push((
                            c.group,
                            c.tp,
                            c.committed,
                        ));
                    }
                    continue;
                }
                if let Some(c) = OffsetCommitRecord::parse(key, rec.value.as_deref()) {
                    out.entry(c.group).or_default().insert(c.tp, c.committed);
                } else if rec.value.is_none()
                    && let Some((group, tp)) = OffsetCommitRecord::parse_key(key)
                    && let Some(offsets) = out.get_mut(&group)
                {
                    // A tombstone: the offset expired (or was deleted) after that commit.
                    offsets.remove(&tp);
                }
            }
        }
        out
    }

    /// Coordinator moves and reloads, commit completions, and the coordinator's timers.
    pub(crate) fn step_groups(&mut self) {
        let now = self.now_ms;
        for p in 0..self.config.offsets_topic_partitions {
            let tp = TopicPartition::new(OFFSETS_TOPIC, p);
            let current = self
                .partitions
                .get(&tp)
                .and_then(|m| m.leader.map(|l| (l, m.leader_epoch)));
            if self.hosting.offsets_loaded.get(&p).copied() == current {
                continue;
            }
            let groups_here: Vec<String> = self
                .hosting
                .coordinator
                .groups()
                .map(|g| g.group_id.clone())
                .filter(|g| self.offsets_partition(g).partition == p)
                .collect();
            match current {
                Some((leader, epoch)) => {
                    let mut loaded = self.load_offsets(leader, &tp);
                    let mut names: Vec<String> = loaded.keys().cloned().collect();
                    names.extend(groups_here.iter().cloned());
                    names.sort();
                    names.dedup();
                    for g in names {
                        let committed = loaded.remove(&g).unwrap_or_default();
                        self.hosting.coordinator.load(&g, committed, now);
                    }
                    let moved =
                        self.hosting.offsets_loaded.get(&p).map(|(b, _)| *b) != Some(leader);
                    self.hosting.offsets_loaded.insert(p, (leader, epoch));
                    if moved {
                        for g in groups_here {
                            self.emit(EventKind::CoordinatorMoved {
                                group: g,
                                broker: Some(leader),
                            });
                        }
                    }
                }
                None => {
                    self.hosting.offsets_loaded.remove(&p);
                    for g in groups_here {
                        self.emit(EventKind::CoordinatorMoved {
                            group: g,
                            broker: None,
                        });
                    }
                }
            }
        }
        let pending = std::mem::take(&mut self.hosting.pending_commits);
        for c in pending {
            match self.take_completion(c.ticket) {
                None => self.hosting.pending_commits.push(c),
                Some(Ok(_)) => {
                    self.apply_commits(&c.group, &c.offsets);
                    self.record_commit_result(&c, Ok(()));
                }
                Some(Err(e)) => {
                    self.emit(EventKind::Note {
                        text: NoteText::GroupCommitFailed {
                            group: c.group.clone(),
                            error: e.to_string(),
                        },
                    });
                    // The client sees what Kafka's coordinator answers for a failed append.
                    let e = match e {
                        KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
                        other => other,
                    };
                    self.record_commit_result(&c, Err(e));
                }
            }
        }
        let loaded: Vec<i32> = self.hosting.offsets_loaded.keys().copied().collect();
        let parts = self.config.offsets_topic_partitions;
        self.expire_offsets(&loaded);
        let mut out = Vec::new();
        self.hosting.coordinator.tick(
            now,
            |g| loaded.contains(&offsets_partition_for(g, parts)),
            &mut out,
        );
        let counts = self.partition_counts();
        self.hosting.coordinator.tick_consumer_groups(
            now,
            &counts,
            |g| loaded.contains(&offsets_partition_for(g, parts)),
            &mut out,
        );
        self.emit_all(out);
    }

    /// Every `offsets.retention.check.interval.ms`: offsets older than `offsets.retention.minutes`
    /// in Empty groups go, each with a tombstone in `__consumer_offsets` (appended without
    /// waiting, as Kafka's coordinator does) so a coordinator that reloads does not bring it back.
    fn expire_offsets(&mut self, loaded: &[i32]) {
        let now = self.now_ms;
        let interval = self.config.offsets_retention_check_interval_ms;
        if !self.hosting.retention_check.due(now, interval) {
            return;
        }
        let retention_ms = self.config.offsets_retention_minutes.saturating_mul(60_000);
        let parts = self.config.offsets_topic_partitions;
        let expired = self
            .hosting
            .coordinator
            .expire_offsets(now, retention_ms, |g| {
                loaded.contains(&offsets_partition_for(g, parts))
            });
        let mut by_group: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
        for (group, tp) in expired {
            by_group.entry(group).or_default().push(tp);
        }
        for (group, tps) in by_group {
            let ts = self.config.epoch.timestamp_millis() + now;
            let records: Vec<_> = tps
                .iter()
                .map(|tp| {
                    let r = OffsetCommitRecord {
                        group: group.clone(),
                        tp: tp.clone(),
                        committed: OffsetAndMetadata::new(0),
                        commit_timestamp: ts,
                    };
                    (Some(r.key()), None, ts)
                })
                .collect();
            let offsets_tp = self.offsets_partition(&group);
            if let (Ok(bytes), Some(leader)) =
                (encode_records(&records, 0), self.leader_of(&offsets_tp))
            {
                let _ = self.produce(leader, &offsets_tp, &bytes, Acks::None, 0);
            }
            self.emit(EventKind::OffsetsExpired {
                group,
                partitions: tps,
                retention_minutes: self.config.offsets_retention_minutes,
            });
        }
    }
}
