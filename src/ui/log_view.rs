//! The replica-log view's state (`l`): which partition it shows, how far it is scrolled back from
//! the tail, and what moved lately — records appended to a replica, a tail truncated, segments
//! deleted by retention, a group's position walking on — worked out by comparing each snapshot
//! with the one before, so the cluster sends no history.

use crate::cluster::event::{Event, EventKind};
use crate::cluster::snapshot::PartitionSnapshot;
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::lab::LabSnapshot;
use std::collections::VecDeque;

/// How many recent changes the view keeps; the oldest go first.
pub const FLOWS_MAX: usize = 64;
/// How long (simulated ms) new cells stay highlighted: half a second, so at `,` slow time a room
/// can follow one batch from the leader to its followers and on to a consumer.
pub const APPENDED_SHOWN_MS: i64 = 500;
/// How long (simulated ms) dropped cells (truncated or deleted) stay drawn, long enough to read.
pub const DROPPED_SHOWN_MS: i64 = 10_000;

/// Whose row a change happened on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A replica's strip, by broker.
    Replica(BrokerId),
    /// A consumer group's position line, by group id.
    Group(String),
}

/// What happened to a range of offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// Records appended (a leader taking a produce, a follower fetching).
    Appended,
    /// A divergent or torn tail cut off (KIP-101 truncation on a restarted replica).
    Truncated,
    /// The oldest segments deleted by retention: the log start moved.
    Deleted,
    /// A group's consumer read past these offsets (its position moved).
    Read,
}

/// One recent change: `from..to` (exclusive) on `row`, seen at simulated `at_ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Which row.
    pub row: Row,
    /// What happened.
    pub kind: FlowKind,
    /// First offset concerned.
    pub from: i64,
    /// One past the last offset concerned.
    pub to: i64,
    /// When the snapshot showing it arrived (simulated ms).
    pub at_ms: i64,
}

impl Flow {
    /// Whether `offset` on `row` is part of a change of `kind`.
    pub fn covers(&self, row: &Row, kind: FlowKind, offset: i64) -> bool {
        self.kind == kind && &self.row == row && (self.from..self.to).contains(&offset)
    }
}

/// The open log view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogView {
    /// The partition shown.
    pub tp: TopicPartition,
    /// Offsets scrolled back from the tail (0 follows the tail).
    pub scroll: i64,
    /// Recent changes, oldest first, at most [`FLOWS_MAX`].
    pub flows: VecDeque<Flow>,
    /// Each row's (log start, end) in the previous snapshot: a replica's log start and LEO, a
    /// group's committed offset and position.
    last: Vec<(Row, i64, i64)>,
}

impl LogView {
    /// A view of `tp`, following its tail.
    pub fn new(tp: TopicPartition) -> Self {
        Self {
            tp,
            scroll: 0,
            flows: VecDeque::with_capacity(FLOWS_MAX),
            last: Vec::new(),
        }
    }

    /// The partition shown, in `snap`.
    pub fn partition<'a>(&self, snap: &'a LabSnapshot) -> Option<&'a PartitionSnapshot> {
        snap.partitions.iter().find(|p| p.tp == self.tp)
    }

    /// Compares a new snapshot with the previous one and records what moved.
    pub fn observe(&mut self, snap: &LabSnapshot) {
        let now = snap.now_ms;
        self.flows.retain(|f| {
            let shown = match f.kind {
                FlowKind::Appended | FlowKind::Read => APPENDED_SHOWN_MS,
                FlowKind::Truncated | FlowKind::Deleted => DROPPED_SHOWN_MS,
            };
            f.at_ms + shown > now && f.at_ms <= now
        });
        let Some(p) = self.partition(snap) else {
            self.last.clear();
            return;
        };
        let mut rows: Vec<(Row, i64, i64)> = p
            .replica_states
            .iter()
            .filter(|r| r.log_end_offset >= 0)
            .map(|r| (Row::Replica(r.broker), r.log_start_offset, r.log_end_offset))
            .collect();
        for g in &snap.groups {
            if let Some(gp) = g.partitions.iter().find(|gp| gp.tp == self.tp)
                && let Some(pos) = gp.position
            {
                rows.push((Row::Group(g.group_id.clone()), -1, pos));
            }
        }
        for (row, start, end) in &rows {
            let Some((_, was_start, was_end)) = self.last.iter().find(|(r, ..)| r == row) else {
                continue;
            };
            let mut push = |kind, from: i64, to: i64| {
                if self.flows.len() == FLOWS_MAX {
                    self.flows.pop_front();
                }
                self.flows.push_back(Flow {
                    row: row.clone(),
                    kind,
                    from,
                    to,
                    at_ms: now,
                });
            };
            let grown = if matches!(row, Row::Group(_)) {
                FlowKind::Read
            } else {
                FlowKind::Appended
            };
            if end > was_end {
                push(grown, *was_end, *end);
            } else if end < was_end && grown == FlowKind::Appended {
                push(FlowKind::Truncated, *end, *was_end);
            }
            if *was_start >= 0 && start > was_start {
                push(FlowKind::Deleted, *was_start, *start);
            }
        }
        self.last = rows;
    }

    /// Takes an event: a truncation of this partition is recorded from it too, since a
    /// restarted replica can truncate and fetch again between two snapshots (the cells it
    /// dropped would never show as a shrinking LEO).
    pub fn observe_event(&mut self, event: &Event) {
        if let EventKind::LogTruncated {
            tp,
            broker,
            to_offset,
            records_dropped,
            ..
        } = &event.kind
            && *tp == self.tp
            && *records_dropped > 0
        {
            self.push(Flow {
                row: Row::Replica(*broker),
                kind: FlowKind::Truncated,
                from: *to_offset,
                to: to_offset + records_dropped,
                at_ms: event.at_ms,
            });
        }
    }

    fn push(&mut self, flow: Flow) {
        if self.flows.len() == FLOWS_MAX {
            self.flows.pop_front();
        }
        self.flows.push_back(flow);
    }

    /// Whether `offset` on `row` changed in a way of `kind` lately.
    pub fn shows(&self, row: &Row, kind: FlowKind, offset: i64) -> bool {
        self.flows.iter().any(|f| f.covers(row, kind, offset))
    }

    /// One past the highest offset a dropped (truncated) cell of this view still shows, so the
    /// window keeps them in sight.
    pub fn dropped_end(&self) -> i64 {
        self.flows
            .iter()
            .filter(|f| f.kind == FlowKind::Truncated)
            .map(|f| f.to)
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture::snapshot as sample_snapshot;

    fn set_leo(snap: &mut LabSnapshot, broker: BrokerId, leo: i64, start: i64) {
        let r = snap.partitions[0]
            .replica_states
            .iter_mut()
            .find(|r| r.broker == broker)
            .unwrap();
        r.log_end_offset = leo;
        r.log_start_offset = start;
    }

    #[test]
    fn appended_records_show_then_fade_after_half_a_second() {
        let mut snap = sample_snapshot();
        let tp = snap.partitions[0].tp.clone();
        let mut view = LogView::new(tp);
        set_leo(&mut snap, 2, 412, 0);
        view.observe(&snap);
        assert!(view.flows.is_empty(), "the first snapshot is the baseline");
        set_leo(&mut snap, 2, 415, 0);
        snap.now_ms += 10;
        view.observe(&snap);
        let row = Row::Replica(2);
        assert!(view.shows(&row, FlowKind::Appended, 412));
        assert!(view.shows(&row, FlowKind::Appended, 414));
        assert!(!view.shows(&row, FlowKind::Appended, 415));
        assert!(!view.shows(&Row::Replica(1), FlowKind::Appended, 413));
        snap.now_ms += APPENDED_SHOWN_MS;
        view.observe(&snap);
        assert!(!view.shows(&row, FlowKind::Appended, 413));
    }

    #[test]
    fn a_shrinking_log_end_is_a_truncation_and_a_rising_start_a_deletion() {
        let mut snap = sample_snapshot();
        let mut view = LogView::new(snap.partitions[0].tp.clone());
        set_leo(&mut snap, 1, 411, 0);
        view.observe(&snap);
        set_leo(&mut snap, 1, 405, 100);
        snap.now_ms += 100;
        view.observe(&snap);
        let row = Row::Replica(1);
        assert!(view.shows(&row, FlowKind::Truncated, 405));
        assert!(view.shows(&row, FlowKind::Truncated, 410));
        assert!(!view.shows(&row, FlowKind::Truncated, 411));
        assert!(view.shows(&row, FlowKind::Deleted, 0));
        assert!(view.shows(&row, FlowKind::Deleted, 99));
        assert_eq!(view.dropped_end(), 411);
        snap.now_ms += DROPPED_SHOWN_MS;
        view.observe(&snap);
        assert!(view.flows.is_empty());
    }

    #[test]
    fn a_truncation_event_shows_even_when_the_log_end_never_shrank_between_snapshots() {
        let mut snap = sample_snapshot();
        let mut view = LogView::new(snap.partitions[0].tp.clone());
        view.observe(&snap);
        let event = |tp: TopicPartition| Event {
            at_ms: snap.now_ms,
            time: chrono::DateTime::default(),
            kind: EventKind::LogTruncated {
                tp,
                broker: 3,
                to_offset: 5,
                records_dropped: 4,
                reason: crate::cluster::event::TruncationReason::DivergentTail { leader_epoch: 4 },
            },
        };
        view.observe_event(&event(TopicPartition::new("other", 0)));
        assert!(view.flows.is_empty(), "another partition's truncation");
        view.observe_event(&event(view.tp.clone()));
        snap.now_ms += 100;
        view.observe(&snap);
        let row = Row::Replica(3);
        assert!(view.shows(&row, FlowKind::Truncated, 5));
        assert!(view.shows(&row, FlowKind::Truncated, 8));
        assert!(!view.shows(&row, FlowKind::Truncated, 9));
    }

    #[test]
    fn flows_are_bounded() {
        let mut snap = sample_snapshot();
        let mut view = LogView::new(snap.partitions[0].tp.clone());
        for i in 0..(FLOWS_MAX as i64 * 3) {
            set_leo(&mut snap, 2, 500 + i, 0);
            snap.now_ms += 1;
            view.observe(&snap);
        }
        assert_eq!(view.flows.len(), FLOWS_MAX);
    }
}
