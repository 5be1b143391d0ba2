//! Row lists derived from a snapshot, shared by the widgets (what to draw) and the app (what a
//! selection points at), so a selected row and a key always agree.

use crate::cluster::event::is_internal_topic;
use crate::cluster::types::ClientId;
use crate::lab::LabSnapshot;

/// Partition indices in display order: user topics first, internal ones (`__consumer_offsets`)
/// last, so the interesting partitions are visible on a small terminal.
pub fn partition_order(snap: &LabSnapshot) -> Vec<usize> {
    let (mut user, internal): (Vec<usize>, Vec<usize>) =
        (0..snap.partitions.len()).partition(|i| !is_internal(snap, *i));
    user.extend(internal);
    user
}

/// The partitions the tables list, in [`partition_order`]: internal topics only when
/// `show_internal` (the `i` key), so a room sees its own topics first and only.
pub fn partition_order_shown(snap: &LabSnapshot, show_internal: bool) -> Vec<usize> {
    let mut order = partition_order(snap);
    if !show_internal {
        order.retain(|i| !is_internal(snap, *i));
    }
    order
}

/// Internal partitions (`__consumer_offsets`) the tables hide unless `i` shows them.
pub fn internal_partitions(snap: &LabSnapshot) -> usize {
    (0..snap.partitions.len())
        .filter(|i| is_internal(snap, *i))
        .count()
}

fn is_internal(snap: &LabSnapshot, i: usize) -> bool {
    let topic = &snap.partitions[i].tp.topic;
    is_internal_topic(topic) || snap.topics.iter().any(|t| &t.name == topic && t.internal)
}

/// What one line of the groups panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupLineKind {
    /// The group's header: state, generation, assignor.
    Header,
    /// One partition of the group, with its owner (index into `members`) if any.
    Partition {
        /// Index into the group's `partitions`.
        partition: usize,
        /// Index into the group's `members` of the owner.
        member: Option<usize>,
        /// Whether this is the owner's first line (the owner's name is shown once).
        first: bool,
    },
    /// A member that owns nothing.
    IdleMember {
        /// Index into the group's `members`.
        member: usize,
    },
    /// A consumer of this group that is not a member (joining, killed or closed).
    Outsider {
        /// Index into the snapshot's `consumers`.
        consumer: usize,
    },
}

/// One line of the groups panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupLine {
    /// Index into the snapshot's `groups`.
    pub group: usize,
    /// The simulated consumer this line belongs to, if any (the target of `k` and `x`).
    pub consumer: Option<ClientId>,
    /// What the line shows.
    pub kind: GroupLineKind,
}

/// The groups panel's lines: per group a header, then partitions grouped by owner, idle members,
/// unowned partitions and consumers that are not members.
pub fn group_lines(snap: &LabSnapshot) -> Vec<GroupLine> {
    let mut lines = Vec::new();
    for (gi, g) in snap.groups.iter().enumerate() {
        lines.push(GroupLine {
            group: gi,
            consumer: None,
            kind: GroupLineKind::Header,
        });
        for (mi, m) in g.members.iter().enumerate() {
            let consumer = snap
                .consumers
                .iter()
                .find(|c| c.member_id.as_deref() == Some(m.member_id.as_str()))
                .map(|c| c.id);
            let mut first = true;
            for (pi, p) in g.partitions.iter().enumerate() {
                if p.owner.as_deref() == Some(m.member_id.as_str()) {
                    lines.push(GroupLine {
                        group: gi,
                        consumer,
                        kind: GroupLineKind::Partition {
                            partition: pi,
                            member: Some(mi),
                            first,
                        },
                    });
                    first = false;
                }
            }
            if first {
                lines.push(GroupLine {
                    group: gi,
                    consumer,
                    kind: GroupLineKind::IdleMember { member: mi },
                });
            }
        }
        for (pi, p) in g.partitions.iter().enumerate() {
            let owned = p
                .owner
                .as_deref()
                .is_some_and(|o| g.members.iter().any(|m| m.member_id == o));
            if !owned {
                lines.push(GroupLine {
                    group: gi,
                    consumer: None,
                    kind: GroupLineKind::Partition {
                        partition: pi,
                        member: None,
                        first: true,
                    },
                });
            }
        }
        for (ci, c) in snap.consumers.iter().enumerate() {
            let member = c
                .member_id
                .as_deref()
                .is_some_and(|id| g.members.iter().any(|m| m.member_id == id));
            if c.group_id == g.group_id && !member {
                lines.push(GroupLine {
                    group: gi,
                    consumer: Some(c.id),
                    kind: GroupLineKind::Outsider { consumer: ci },
                });
            }
        }
    }
    lines
}

/// The first visible row of a list of `visible` rows that keeps `selected` in view.
pub fn scroll_start(selected: usize, visible: usize) -> usize {
    if visible == 0 {
        return selected;
    }
    (selected + 1).saturating_sub(visible)
}
