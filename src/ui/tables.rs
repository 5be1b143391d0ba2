//! The rows each table lists and the widths of their columns, derived when a snapshot arrives or
//! the `/` filter or `i` changes, never per frame: a frame then formats only the rows on screen,
//! however many partitions, groups or clients the cluster holds (2,000 partitions and 200 groups
//! stay under the 2 ms frame target). The widgets read it; the selections index into it.

use super::pulses::Pulses;
use super::rows::{GroupLine, GroupLineKind, group_lines, internal_partitions, partition_order};
use super::widgets::countdown::Countdown;
use super::widgets::{groups, partition_map, partitions};
use crate::lab::LabSnapshot;
use std::cell::Cell;

/// The longest filter `/` takes, in chars: Kafka's names are at most 249 long.
pub const FILTER_CHARS_MAX: usize = 249;

/// What `/` filters the tables by: a substring of topic, group or client names, ASCII case
/// ignored (a room types `orders` for `Orders-EU`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameFilter {
    text: String,
}

impl NameFilter {
    /// A filter for `text` (cut at [`FILTER_CHARS_MAX`]).
    pub fn new(text: &str) -> Self {
        Self {
            text: text.chars().take(FILTER_CHARS_MAX).collect(),
        }
    }

    /// What was typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Types one more character (none past [`FILTER_CHARS_MAX`], none that is a control).
    pub fn push(&mut self, c: char) {
        if !c.is_control() && self.text.chars().count() < FILTER_CHARS_MAX {
            self.text.push(c);
        }
    }

    /// Deletes the last character.
    pub fn pop(&mut self) {
        self.text.pop();
    }

    /// Whether `name` contains the filter (everything matches an empty filter).
    pub fn matches(&self, name: &str) -> bool {
        let (hay, needle) = (name.as_bytes(), self.text.as_bytes());
        needle.is_empty()
            || hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    }
}

/// The widths the partition table's columns need for the rows it lists (all of them, so the
/// columns do not jump as the table pages).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartitionColumns {
    /// The longest `topic-N`, in chars.
    pub name_chars: usize,
    /// The longest log start offset, in digits (with a stale mark).
    pub start_digits: usize,
    /// The longest `HW` or `HW/LSO` cell.
    pub hw_chars: usize,
    /// The longest LEO.
    pub leo_digits: usize,
    /// Some listed partition's leader is down.
    pub any_down: bool,
    /// Some listed partition has eligible leader replicas.
    pub any_elr: bool,
    /// Some listed partition's LSO is below its HW (an open transaction).
    pub any_lso: bool,
}

/// Everything the tables list, for one snapshot, filter and `i`.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// Indices into the snapshot's `partitions`, in display order, filtered.
    pub partitions: Vec<usize>,
    /// How many partitions the tables list without the filter.
    pub partitions_unfiltered: usize,
    /// Internal partitions `i` hides or shows.
    pub internal: usize,
    /// The partition table's column widths.
    pub columns: PartitionColumns,
    /// The partition map's cell width with followers' countdowns, and without.
    pub map_cells: (u16, u16),
    /// The first follower falling behind among the listed partitions, for the map's border.
    pub lagging: Option<(String, Countdown)>,
    /// The groups panel's lines, filtered.
    pub group_lines: Vec<GroupLine>,
    /// Groups with a line listed.
    pub groups_shown: usize,
    /// The member-name column of the groups panel.
    pub group_name_chars: usize,
    /// The clocks of the listed groups and members, for the groups panel's border.
    pub group_waits: Vec<(String, Countdown)>,
    /// Indices into the snapshot's `producers`, filtered.
    pub producers: Vec<usize>,
}

impl Tables {
    /// The rows of `snap` that `filter` keeps, with internal topics when `show_internal`.
    pub fn build(
        snap: &LabSnapshot,
        pulses: &Pulses,
        show_internal: bool,
        filter: &NameFilter,
    ) -> Self {
        let internal = internal_partitions(snap);
        let mut order = partition_order(snap);
        if !show_internal {
            // `partition_order` puts internal partitions last.
            order.truncate(order.len() - internal);
        }
        let partitions_unfiltered = order.len();
        order.retain(|i| filter.matches(&snap.partitions[*i].tp.to_string()));
        let group_lines = filter_group_lines(snap, group_lines(snap), filter);
        let groups_shown = group_lines
            .iter()
            .filter(|l| l.kind == GroupLineKind::Header)
            .count();
        let producers = (0..snap.producers.len())
            .filter(|i| {
                let p = &snap.producers[*i];
                filter.matches(&p.client_id) || filter.matches(&p.topic)
            })
            .collect();
        Self {
            columns: partitions::columns(snap, &order),
            map_cells: partition_map::cell_widths(snap, pulses),
            lagging: partition_map::first_lagging(snap, &order),
            group_name_chars: groups::name_chars(snap),
            group_waits: groups::waits(snap, &group_lines),
            partitions: order,
            partitions_unfiltered,
            internal,
            group_lines,
            groups_shown,
            producers,
        }
    }
}

/// The lines of the groups the filter names: a group whose id matches keeps every line; another
/// keeps the lines whose topic or client matches, under its header.
fn filter_group_lines(
    snap: &LabSnapshot,
    lines: Vec<GroupLine>,
    filter: &NameFilter,
) -> Vec<GroupLine> {
    if filter.is_empty() {
        return lines;
    }
    let mut out = Vec::new();
    let mut header: Option<GroupLine> = None;
    let mut whole = false;
    for l in lines {
        let g = &snap.groups[l.group];
        let keep = match l.kind {
            GroupLineKind::Header => {
                whole = filter.matches(&g.group_id);
                header = Some(l);
                whole
            }
            _ if whole => true,
            GroupLineKind::Partition {
                partition, member, ..
            } => {
                filter.matches(&g.partitions[partition].tp.topic)
                    || member.is_some_and(|m| filter.matches(&g.members[m].client_id))
            }
            GroupLineKind::IdleMember { member } => filter.matches(&g.members[member].client_id),
            GroupLineKind::Outsider { consumer } => {
                filter.matches(&snap.consumers[consumer].client_id)
            }
        };
        if keep {
            // The group's header goes first, once, so a line is never without its group.
            if let Some(h) = header.take() {
                out.push(h);
            }
            if l.kind != GroupLineKind::Header {
                out.push(l);
            }
        }
    }
    out
}

thread_local! {
    /// Table rows formatted on this thread: what a frame's cost grows with.
    static ROWS_FORMATTED: Cell<usize> = const { Cell::new(0) };
}

/// Counts one table row formatted for drawing (the widgets call it per row they build).
pub fn note_row_formatted() {
    ROWS_FORMATTED.with(|n| n.set(n.get() + 1));
}

/// Table rows formatted on this thread since [`reset_rows_formatted`].
pub fn rows_formatted() -> usize {
    ROWS_FORMATTED.with(Cell::get)
}

/// Starts counting formatted rows from zero on this thread.
pub fn reset_rows_formatted() {
    ROWS_FORMATTED.with(|n| n.set(0));
}
