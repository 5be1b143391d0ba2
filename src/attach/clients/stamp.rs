//! What the dashboard knows of its own consumers' groups that a poller cannot see, written into
//! the polled groups: the classic generation (DescribeGroups does not tell it), and for KIP-848
//! members the protocol, each member's epoch and assignment (DescribeGroups lists no
//! consumer-protocol members; ConsumerGroupDescribe would, the poller does not send it yet).

use super::consumer::ConsumerView;
use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::{GroupSnapshot, MemberSnapshot};

/// Stamps the running consumers' `views` into the `groups` the poller saw (a group it did not
/// see gets nothing: only its coordinator's answers make a group).
pub fn stamp_groups(views: &[ConsumerView], groups: &mut [GroupSnapshot]) {
    for v in views {
        if v.snapshot.state != ConsumerState::Running {
            continue;
        }
        let Some(g) = groups
            .iter_mut()
            .find(|g| g.group_id == v.snapshot.group_id)
        else {
            continue;
        };
        // A KIP-848 group's epoch is at least its newest member epoch.
        g.generation = g.generation.max(v.generation);
        if !v.kip848 {
            continue;
        }
        g.protocol = "consumer".into();
        let Some(member_id) = v.snapshot.member_id.as_deref() else {
            continue;
        };
        let i = match g.members.iter().position(|m| m.member_id == member_id) {
            Some(i) => i,
            None => {
                g.members.push(MemberSnapshot {
                    member_id: member_id.to_string(),
                    client_id: v.snapshot.client_id.clone(),
                    group_instance_id: None,
                    assigned: Vec::new(),
                    last_heartbeat_ms: 0,
                    session_timeout_ms: 0,
                    rebalance_timeout_ms: 0,
                    member_epoch: None,
                    revoking: Vec::new(),
                });
                g.members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
                g.members
                    .iter()
                    .position(|m| m.member_id == member_id)
                    .unwrap_or_default()
            }
        };
        let m = &mut g.members[i];
        m.member_epoch = Some(v.generation);
        m.assigned = v.snapshot.assigned.clone();
        for p in g.partitions.iter_mut() {
            if m.assigned.contains(&p.tp) {
                p.owner = Some(m.member_id.clone());
            } else if p.owner.as_deref() == Some(&m.member_id) {
                p.owner = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::spec::ConsumerSpec;
    use crate::clients::view::{ClientOrigin, ConsumerSnapshot};
    use crate::cluster::snapshot::{GroupPartitionSnapshot, GroupState};
    use crate::cluster::types::TopicPartition;

    fn view(name: &str, kip848: bool, epoch: i32, assigned: &[i32]) -> ConsumerView {
        let spec = ConsumerSpec::new("g", "t");
        ConsumerView {
            snapshot: ConsumerSnapshot {
                id: 1,
                client_id: name.into(),
                origin: ClientOrigin::Dashboard,
                group_id: "g".into(),
                member_id: Some(format!("id-{name}")),
                topics: spec.topics.clone(),
                state: ConsumerState::Running,
                assigned: assigned
                    .iter()
                    .map(|p| TopicPartition::new("t", *p))
                    .collect(),
                consumed: 0,
                commit_mode: spec.commit_mode,
                assignor: spec.assignor,
                session_timeout_ms: spec.session_timeout_ms,
                heartbeat_interval_ms: spec.heartbeat_interval_ms,
                last_record: None,
            },
            generation: epoch,
            kip848,
        }
    }

    fn group() -> GroupSnapshot {
        GroupSnapshot {
            group_id: "g".into(),
            state: GroupState::Stable,
            generation: 0,
            assignor: None,
            coordinator: Some(1),
            leader_member: None,
            members: Vec::new(),
            partitions: (0..2)
                .map(|p| GroupPartitionSnapshot {
                    tp: TopicPartition::new("t", p),
                    owner: None,
                    committed: Some(0),
                    position: None,
                    high_watermark: 5,
                    lag: Some(5),
                    stale: false,
                    moved_at_ms: None,
                })
                .collect(),
            rebalance: None,
            protocol: "classic".into(),
            lag_history: Vec::new(),
        }
    }

    #[test]
    fn kip848_members_show_their_epoch_and_partitions_in_a_consumer_protocol_group() {
        let mut groups = vec![group()];
        stamp_groups(
            &[view("b", true, 3, &[1]), view("a", true, 2, &[0])],
            &mut groups,
        );
        let g = &groups[0];
        assert_eq!(g.protocol, "consumer");
        assert_eq!(g.generation, 3);
        let seen: Vec<(&str, Option<i32>, usize)> = g
            .members
            .iter()
            .map(|m| (m.client_id.as_str(), m.member_epoch, m.assigned.len()))
            .collect();
        assert_eq!(seen, vec![("a", Some(2), 1), ("b", Some(3), 1)]);
        assert_eq!(g.partitions[0].owner.as_deref(), Some("id-a"));
        assert_eq!(g.partitions[1].owner.as_deref(), Some("id-b"));
    }

    #[test]
    fn a_classic_member_only_lends_its_generation() {
        let mut groups = vec![group()];
        stamp_groups(&[view("a", false, 7, &[0])], &mut groups);
        assert_eq!(groups[0].generation, 7);
        assert_eq!(groups[0].protocol, "classic");
        assert!(groups[0].members.is_empty());
    }
}
