//! What a dashboard consumer does with the partitions it owns, whichever group protocol gave
//! them: positions (committed offsets, else `auto.offset.reset`), one Fetch per leader, and the
//! bookkeeping of what to commit and when. The classic and the KIP-848 consumer both read
//! through it; only how they join, heartbeat and commit (generation or member epoch) differs.

use super::ClientLink;
use super::consumer::ConsumerView;
use super::fetch::{by_leader, fetch, fetch_request, positions, read_response, reset_offsets};
use super::metadata::{TopicLeaders, leaders};
use crate::attach::poll::{EARLIEST, LATEST};
use crate::attach::session::{AttachError, Session};
use crate::clients::spec::{CommitMode, ConsumerSpec, OffsetReset};
use crate::cluster::types::{BrokerId, TopicPartition};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Positions, leaders and commit state of one consumer (every map is bounded by the partitions
/// it owns, at most [`super::metadata::PARTITIONS_MAX`] a topic).
pub struct Reader {
    /// Leaders of the subscribed topics, from the last Metadata.
    pub leaders: BTreeMap<String, TopicLeaders>,
    /// Whether Metadata must be asked again (a leader moved, a topic id is unknown).
    pub refresh: bool,
    /// Next offset per owned partition.
    positions: BTreeMap<TopicPartition, i64>,
    /// The offsets last committed, per owned partition.
    committed: BTreeMap<TopicPartition, i64>,
    since_commit: u32,
    last_commit: Instant,
}

impl Reader {
    /// Nothing owned, leaders still to ask.
    pub fn new(now: Instant) -> Self {
        Self {
            leaders: BTreeMap::new(),
            refresh: true,
            positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            since_commit: 0,
            last_commit: now,
        }
    }

    /// Asks Metadata for `topics` when a refresh is due.
    pub async fn refresh_leaders(
        &mut self,
        session: &mut Session,
        topics: &[String],
    ) -> Result<(), AttachError> {
        if self.refresh || self.leaders.is_empty() {
            self.leaders = leaders(session, topics).await?;
            self.refresh = false;
        }
        Ok(())
    }

    /// Whether `tp` is being read.
    pub fn reads(&self, tp: &TopicPartition) -> bool {
        self.positions.contains_key(tp)
    }

    /// Stops reading every partition but `owned` (and forgets their commits: whoever owns them
    /// next commits for them).
    pub fn keep_only(&mut self, owned: &[TopicPartition]) {
        self.positions.retain(|tp, _| owned.contains(tp));
        self.committed.retain(|tp, _| owned.contains(tp));
    }

    /// Starts reading `new` from the group's committed offsets (`auto.offset.reset` for the
    /// rest); returns how many had no offset under `auto.offset.reset=none`.
    pub async fn start(
        &mut self,
        session: &mut Session,
        coordinator: BrokerId,
        spec: &ConsumerSpec,
        new: &[TopicPartition],
    ) -> Result<usize, String> {
        if new.is_empty() {
            return Ok(0);
        }
        let (found, missing) = positions(
            session,
            coordinator,
            &spec.group_id,
            new,
            &self.leaders,
            spec.auto_offset_reset,
        )
        .await?;
        self.positions.extend(found);
        Ok(missing.len())
    }

    /// One Fetch to every leader of a partition being read.
    pub async fn poll(
        &mut self,
        session: &mut Session,
        spec: &ConsumerSpec,
        link: &mut ClientLink<ConsumerView>,
    ) {
        let tps: Vec<TopicPartition> = self.positions.keys().cloned().collect();
        for (broker, tps) in by_leader(&tps, &self.leaders) {
            let asked: BTreeMap<TopicPartition, i64> = tps
                .iter()
                .filter_map(|tp| self.positions.get(tp).map(|o| (tp.clone(), *o)))
                .collect();
            let pairs: Vec<(TopicPartition, i64)> =
                asked.iter().map(|(t, o)| (t.clone(), *o)).collect();
            let request = fetch_request(&pairs, &self.leaders, spec.read_committed());
            let r = match fetch(session, broker, request).await {
                Ok(r) => r,
                Err(e) => {
                    link.error(&e);
                    self.refresh = true;
                    continue;
                }
            };
            let got = read_response(&r, &asked);
            let n = got.records.len() as u64;
            let last = got.records.last().map(|r| format!("{}@{}", r.tp, r.offset));
            self.positions.extend(got.positions);
            self.since_commit = self.since_commit.saturating_add(n as u32);
            if n > 0 {
                link.update(|v| {
                    v.snapshot.consumed += n;
                    v.snapshot.last_record = last;
                });
            }
            if !got.errors.is_empty() {
                self.refresh = true;
            }
            if !got.out_of_range.is_empty() {
                let timestamp = match spec.auto_offset_reset {
                    OffsetReset::Earliest => EARLIEST,
                    OffsetReset::Latest => LATEST,
                    OffsetReset::None => {
                        link.error("OFFSET_OUT_OF_RANGE and auto.offset.reset=none");
                        for tp in &got.out_of_range {
                            self.positions.remove(tp);
                        }
                        continue;
                    }
                };
                match reset_offsets(session, &got.out_of_range, &self.leaders, timestamp).await {
                    Ok(reset) => self.positions.extend(reset),
                    Err(e) => link.error(&e),
                }
            }
        }
    }

    /// Whether the commit mode says to commit now.
    pub fn commit_due(&self, mode: CommitMode, now: Instant) -> bool {
        match mode {
            CommitMode::Auto { interval_ms } => {
                now.duration_since(self.last_commit) >= Duration::from_millis(interval_ms)
            }
            CommitMode::EveryRecords { records } => self.since_commit >= records.max(1),
            CommitMode::Never => false,
        }
    }

    /// The positions that moved since the last commit (of `only`, when given); restarts the
    /// commit interval.
    pub fn to_commit(&mut self, only: Option<&[TopicPartition]>) -> BTreeMap<TopicPartition, i64> {
        self.last_commit = Instant::now();
        self.since_commit = 0;
        self.positions
            .iter()
            .filter(|(tp, _)| only.is_none_or(|o| o.contains(tp)))
            .filter(|(tp, o)| self.committed.get(*tp) != Some(*o))
            .map(|(tp, o)| (tp.clone(), *o))
            .collect()
    }

    /// The coordinator accepted `offsets`.
    pub fn committed(&mut self, offsets: BTreeMap<TopicPartition, i64>) {
        self.committed.extend(offsets);
    }
}
