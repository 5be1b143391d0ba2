//! What changed between two polls of a real cluster, told with the lab's event kinds: the
//! controller moved, a broker went or came back, topics came and went, ISRs shrank or expanded,
//! leaders were elected, members joined or went, a group got a new assignment, lag kept rising.
//! Pure: two snapshots in, events out, so the timeline of a real incident is testable.

use crate::cluster::event::{ElectionReason, ElectionSource, EventKind, NoteText, RemovalReason};
use crate::cluster::snapshot::{BrokerState, GroupSnapshot, PartitionSnapshot};
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::lab::LabSnapshot;
use std::collections::{BTreeMap, BTreeSet};

/// Polls in a row a group's lag must rise before the timeline says so.
pub const LAG_RISING_POLLS: u32 = 3;
/// Lag below this never counts as rising (a busy group's lag moves by a few records all the time).
pub const LAG_RISING_MIN: i64 = 100;

/// Lag watch per group: bounded by the groups in the newest snapshot.
#[derive(Clone, Debug, Default)]
pub struct LagWatch {
    /// group → (lag at the last poll, lag when it began rising, polls it rose in a row, said).
    groups: BTreeMap<String, (i64, i64, u32, bool)>,
}

impl LagWatch {
    /// The groups whose lag has risen [`LAG_RISING_POLLS`] polls in a row (said once per rise).
    pub fn observe(&mut self, snap: &LabSnapshot) -> Vec<EventKind> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for g in &snap.groups {
            let lag = total_lag(g);
            seen.insert(g.group_id.clone());
            let e = self
                .groups
                .entry(g.group_id.clone())
                .or_insert((lag, lag, 0, false));
            if lag > e.0 {
                if e.2 == 0 {
                    e.1 = e.0;
                }
                e.2 += 1;
            } else {
                *e = (lag, lag, 0, false);
                continue;
            }
            e.0 = lag;
            if e.2 >= LAG_RISING_POLLS && lag >= LAG_RISING_MIN && !e.3 {
                e.3 = true;
                out.push(EventKind::Note {
                    text: NoteText::LagRising {
                        group: g.group_id.clone(),
                        from: e.1,
                        to: lag,
                    },
                });
            }
        }
        self.groups.retain(|g, _| seen.contains(g));
        out
    }
}

fn total_lag(g: &GroupSnapshot) -> i64 {
    g.partitions.iter().filter_map(|p| p.lag).sum()
}

/// The events that turn `old` into `new`, in the order a reader follows them: brokers and the
/// controller, topics, ISR changes before the elections they allow, then groups.
pub fn diff(old: &LabSnapshot, new: &LabSnapshot) -> Vec<EventKind> {
    let mut out = Vec::new();
    brokers(old, new, &mut out);
    // Metadata says -1 while the quorum elects: only a new active controller is news.
    if old.controller != new.controller && new.controller.is_some() {
        out.push(EventKind::ControllerMoved {
            from: old.controller,
            to: new.controller,
        });
    }
    let recreated = topics(old, new, &mut out);
    // A recreated topic's partitions are new ones: nothing to compare with the old.
    let before: BTreeMap<&TopicPartition, &PartitionSnapshot> = old
        .partitions
        .iter()
        .filter(|p| !recreated.contains(p.tp.topic.as_str()))
        .map(|p| (&p.tp, p))
        .collect();
    let live: BTreeSet<BrokerId> = up(new);
    for p in &new.partitions {
        if let Some(o) = before.get(&p.tp) {
            partition(o, p, &live, &mut out);
        }
    }
    let groups: BTreeMap<&str, &GroupSnapshot> = old
        .groups
        .iter()
        .map(|g| (g.group_id.as_str(), g))
        .collect();
    for g in &new.groups {
        let empty;
        let o = match groups.get(g.group_id.as_str()) {
            Some(o) => *o,
            None => {
                empty = GroupSnapshot {
                    members: Vec::new(),
                    ..g.clone()
                };
                &empty
            }
        };
        group(o, g, &mut out);
    }
    out
}

fn up(s: &LabSnapshot) -> BTreeSet<BrokerId> {
    s.brokers
        .iter()
        .filter(|b| b.state == BrokerState::Up)
        .map(|b| b.id)
        .collect()
}

fn brokers(old: &LabSnapshot, new: &LabSnapshot, out: &mut Vec<EventKind>) {
    let (was, is) = (up(old), up(new));
    for &b in was.difference(&is) {
        // Metadata lists only registered, unfenced brokers: one that leaves it was fenced by
        // the controller (its session expired) or shut down.
        out.push(EventKind::BrokerSessionExpired { broker: b });
    }
    for &b in is.difference(&was) {
        if old.brokers.iter().any(|o| o.id == b) {
            out.push(EventKind::BrokerStarted { broker: b });
        }
    }
}

/// Tells topics created, grown, deleted and recreated; returns the recreated ones (same name,
/// a new topic id: deleted and created again between two polls).
fn topics<'a>(
    old: &LabSnapshot,
    new: &'a LabSnapshot,
    out: &mut Vec<EventKind>,
) -> BTreeSet<&'a str> {
    let before: BTreeMap<&str, _> = old.topics.iter().map(|t| (t.name.as_str(), t)).collect();
    let after: BTreeMap<&str, _> = new.topics.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut recreated = BTreeSet::new();
    for (name, t) in &after {
        match before.get(name) {
            // Only ids both polls know can differ: Uuid.ZERO is "no id" (Metadata before v10).
            Some(o) if o.topic_id != t.topic_id && o.topic_id.0 != 0 && t.topic_id.0 != 0 => {
                recreated.insert(*name);
                out.push(EventKind::TopicDeleted {
                    topic: o.name.clone(),
                    partitions: o.partitions,
                    offsets_removed: 0,
                });
                out.push(EventKind::TopicCreated {
                    topic: t.name.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                });
            }
            None => out.push(EventKind::TopicCreated {
                topic: t.name.clone(),
                partitions: t.partitions,
                replication_factor: t.replication_factor,
            }),
            Some(o) if o.partitions < t.partitions => out.push(EventKind::PartitionsAdded {
                topic: t.name.clone(),
                from: o.partitions,
                to: t.partitions,
            }),
            Some(_) => {}
        }
    }
    for (name, t) in &before {
        if !after.contains_key(name) {
            out.push(EventKind::TopicDeleted {
                topic: t.name.clone(),
                partitions: t.partitions,
                offsets_removed: 0,
            });
        }
    }
    recreated
}

fn partition(
    o: &PartitionSnapshot,
    p: &PartitionSnapshot,
    live: &BTreeSet<BrokerId>,
    out: &mut Vec<EventKind>,
) {
    let removed: Vec<BrokerId> = o
        .isr
        .iter()
        .filter(|b| !p.isr.contains(b))
        .copied()
        .collect();
    let added: Vec<BrokerId> = p
        .isr
        .iter()
        .filter(|b| !o.isr.contains(b))
        .copied()
        .collect();
    if !removed.is_empty() {
        out.push(EventKind::IsrShrunk {
            tp: p.tp.clone(),
            removed,
            isr: p.isr.clone(),
        });
    }
    if o.leader != p.leader || p.leader_epoch > o.leader_epoch && p.leader.is_some() {
        match p.leader {
            None => out.push(EventKind::PartitionOffline { tp: p.tp.clone() }),
            Some(leader) if o.leader != Some(leader) => {
                let reason = match o.leader {
                    None => ElectionReason::BackOnline,
                    Some(old) if !live.contains(&old) || !p.isr.contains(&old) => {
                        ElectionReason::LeaderUnavailable { leader: old }
                    }
                    Some(_) if p.replicas.first() == Some(&leader) => {
                        ElectionReason::PreferredLeader
                    }
                    Some(old) => ElectionReason::LeaderUnavailable { leader: old },
                };
                out.push(EventKind::LeaderElected {
                    tp: p.tp.clone(),
                    leader,
                    leader_epoch: p.leader_epoch,
                    reason,
                    source: if p.isr.contains(&leader) {
                        ElectionSource::Isr
                    } else {
                        ElectionSource::Unclean
                    },
                });
            }
            Some(_) => {}
        }
    }
    if !added.is_empty() {
        out.push(EventKind::IsrExpanded {
            tp: p.tp.clone(),
            added,
            isr: p.isr.clone(),
        });
    }
}

fn group(o: &GroupSnapshot, g: &GroupSnapshot, out: &mut Vec<EventKind>) {
    let before: BTreeSet<&str> = o.members.iter().map(|m| m.member_id.as_str()).collect();
    let after: BTreeSet<&str> = g.members.iter().map(|m| m.member_id.as_str()).collect();
    for m in &o.members {
        if !after.contains(m.member_id.as_str()) {
            out.push(EventKind::MemberRemoved {
                group: g.group_id.clone(),
                member_id: m.member_id.clone(),
                reason: RemovalReason::NoLongerListed,
            });
        }
    }
    for m in &g.members {
        if !before.contains(m.member_id.as_str()) {
            out.push(EventKind::MemberJoined {
                group: g.group_id.clone(),
                member_id: m.member_id.clone(),
                client_id: m.client_id.clone(),
            });
        }
    }
    let assignment = |s: &GroupSnapshot| -> Vec<(String, Vec<TopicPartition>)> {
        s.members
            .iter()
            .map(|m| {
                let mut tps = m.assigned.clone();
                tps.sort();
                (m.member_id.clone(), tps)
            })
            .collect()
    };
    let now = assignment(g);
    // A rebalance shows once it is done: the members hold a new assignment (a group that just
    // emptied has none to show).
    if now != assignment(o) && !now.is_empty() && now.iter().any(|(_, tps)| !tps.is_empty()) {
        out.push(EventKind::Note {
            text: NoteText::GroupRebalanced {
                group: g.group_id.clone(),
                assignment: now,
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attach::build::Builder;
    use crate::attach::poll::{GroupView, MemberView, PartitionView, View};
    use crate::lab::BrokerAddress;

    /// Three brokers, topic `test` with two partitions led by 1 and 2, group `g` with two members
    /// owning one partition each, 500 records behind.
    fn snapshot() -> LabSnapshot {
        let tp = |p| TopicPartition::new("test", p);
        let view = View {
            controller: Some(1),
            brokers: (1..=3)
                .map(|id| BrokerAddress {
                    id,
                    host: "h".into(),
                    port: 9091 + id,
                    rack: None,
                })
                .collect(),
            partitions: (0..2)
                .map(|p| PartitionView {
                    tp: tp(p),
                    leader: Some(p + 1),
                    leader_epoch: 0,
                    replicas: vec![p + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1],
                    isr: vec![p + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1],
                    offline: Vec::new(),
                    log_start_offset: Some(0),
                    high_watermark: Some(1_000),
                })
                .collect(),
            groups: vec![GroupView {
                group_id: "g".into(),
                coordinator: 1,
                state: "Stable".into(),
                protocol_type: "consumer".into(),
                assignor: "range".into(),
                members: (0..2)
                    .map(|p| MemberView {
                        member_id: format!("m{p}"),
                        client_id: format!("c{p}"),
                        assigned: vec![tp(p)],
                        ..MemberView::default()
                    })
                    .collect(),
                committed: (0..2).map(|p| (tp(p), 750)).collect(),
                ..GroupView::default()
            }],
            ..View::default()
        };
        Builder::default().build(&view, 0, Default::default())
    }

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("test", p)
    }

    #[test]
    fn a_topic_with_a_new_id_reads_as_deleted_and_created_again() {
        let with_id = |id: u128| {
            let mut s = snapshot();
            s.cluster.topics[0].topic_id = crate::cluster::TopicId(id);
            s
        };
        let (old, new) = (with_id(7), with_id(8));
        let mut recreated = new.clone();
        // The new topic's partitions start over: no ISR or election news from the old ones.
        recreated.cluster.partitions[0].isr = vec![1];
        recreated.cluster.partitions[0].leader_epoch = 0;
        let said: Vec<String> = diff(&old, &recreated)
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(matches!(
            diff(&old, &new)[0],
            EventKind::TopicDeleted { .. }
        ));
        assert!(matches!(
            diff(&old, &new)[1],
            EventKind::TopicCreated { .. }
        ));
        // No id known on either side (Metadata before v10): the same topic.
        assert!(diff(&with_id(0), &with_id(8)).is_empty());
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn the_same_view_twice_says_nothing() {
        let s = snapshot();
        assert!(diff(&s, &s).is_empty());
    }

    #[test]
    fn a_broker_gone_shrinks_the_isr_then_elects_a_leader() {
        let old = snapshot();
        let mut new = old.clone();
        let p = new.partitions.iter_mut().find(|p| p.tp == tp(0)).unwrap();
        let gone = p.leader.unwrap();
        p.isr.retain(|b| *b != gone);
        let leader = p.isr[0];
        p.leader = Some(leader);
        p.leader_epoch += 1;
        let epoch = p.leader_epoch;
        for b in new.brokers.iter_mut().filter(|b| b.id == gone) {
            b.state = BrokerState::Down;
        }
        let events = diff(&old, &new);
        let at = |pred: &dyn Fn(&EventKind) -> bool| events.iter().position(pred);
        let expired =
            at(&|e| matches!(e, EventKind::BrokerSessionExpired { broker } if *broker == gone));
        let shrunk = at(
            &|e| matches!(e, EventKind::IsrShrunk { tp: t, removed, .. } if *t == tp(0) && removed == &vec![gone]),
        );
        let elected = at(&|e| {
            matches!(e, EventKind::LeaderElected { tp: t, leader: l, leader_epoch, reason: ElectionReason::LeaderUnavailable { leader: old }, source: ElectionSource::Isr }
                if *t == tp(0) && *l == leader && *leader_epoch == epoch && *old == gone)
        });
        assert!(
            expired.is_some() && shrunk.is_some() && elected.is_some(),
            "{events:?}"
        );
        assert!(expired < shrunk && shrunk < elected, "{events:?}");
    }

    #[test]
    fn no_leader_is_an_offline_partition_and_a_returning_broker_expands_the_isr() {
        let old = snapshot();
        let mut new = old.clone();
        new.partitions[0].leader = None;
        assert!(diff(&old, &new).iter().any(
            |e| matches!(e, EventKind::PartitionOffline { tp: t } if *t == old.partitions[0].tp)
        ));
        let mut shrunk = old.clone();
        let b = shrunk.partitions[0].isr.pop().unwrap();
        let events = diff(&shrunk, &old);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EventKind::IsrExpanded { added, .. } if added == &vec![b])),
            "{events:?}"
        );
    }

    #[test]
    fn a_member_gone_is_removed_and_the_new_assignment_is_told() {
        let old = snapshot();
        let g = old
            .groups
            .iter()
            .position(|g| g.members.len() >= 2)
            .unwrap();
        let mut new = old.clone();
        let gone = new.groups[g].members.remove(0);
        new.groups[g].members[0]
            .assigned
            .extend(gone.assigned.clone());
        let events = diff(&old, &new);
        let group = old.groups[g].group_id.clone();
        assert!(events.iter().any(|e| matches!(e, EventKind::MemberRemoved { member_id, reason: RemovalReason::NoLongerListed, .. } if *member_id == gone.member_id)), "{events:?}");
        let told = events.iter().find_map(|e| match e {
            EventKind::Note {
                text:
                    NoteText::GroupRebalanced {
                        group: g2,
                        assignment,
                    },
            } if *g2 == group => Some(assignment.clone()),
            _ => None,
        });
        let told = told.expect("a rebalance note");
        assert_eq!(told.len(), 1);
        assert!(gone.assigned.iter().all(|tp| told[0].1.contains(tp)));
    }

    #[test]
    fn topics_created_grown_and_deleted_are_told() {
        let old = snapshot();
        let mut new = old.clone();
        let mut t = new.topics[0].clone();
        t.name = "orders".into();
        new.topics.push(t);
        new.topics[0].partitions += 2;
        let events = diff(&old, &new);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EventKind::TopicCreated { topic, .. } if topic == "orders")),
            "{events:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EventKind::PartitionsAdded { from: 2, to: 4, .. })),
            "{events:?}"
        );
        let back = diff(&new, &old);
        assert!(
            back.iter()
                .any(|e| matches!(e, EventKind::TopicDeleted { topic, .. } if topic == "orders")),
            "{back:?}"
        );
    }

    #[test]
    fn lag_rising_is_told_once_after_three_rising_polls() {
        let mut snap = snapshot();
        let g = 0;
        let mut watch = LagWatch::default();
        let mut told = 0;
        for lag in [0, 50, 120, 400, 900, 2000, 10] {
            for p in &mut snap.groups[g].partitions {
                p.lag = Some(lag);
            }
            told += watch.observe(&snap).iter().filter(|e| matches!(e, EventKind::Note { text: NoteText::LagRising { group, .. } } if *group == snap.groups[g].group_id)).count();
        }
        assert_eq!(told, 1);
    }
}
