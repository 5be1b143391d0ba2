//! KIP-848 groups as the poller sees them: ConsumerGroupDescribe, batched per coordinator. Kafka 4
//! answers DescribeGroups for such a group with GROUP_ID_NOT_FOUND ("is not a classic group", v6)
//! or as Dead with no members (v5 and older), so their members and epochs come only from here.

use super::poll::{GroupView, MemberView};
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::protocol::client_transport::ClientConnection;
use kafka_protocol::messages::consumer_group_describe_response::DescribedGroup;
use kafka_protocol::messages::{ConsumerGroupDescribeRequest, GroupId};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// Groups per ConsumerGroupDescribe request (as for DescribeGroups).
pub const KIP848_GROUPS_PER_REQUEST: usize = 100;

/// Kafka's GROUP_ID_NOT_FOUND: DescribeGroups v6 says it for a group that is not classic.
const GROUP_ID_NOT_FOUND: i16 = 69;

/// Whether a DescribeGroups answer may hide a KIP-848 group: "not a classic group" (v6), or Dead
/// with no protocol type although ListGroups listed it (v5 and older).
pub fn maybe_kip848(error_code: i16, state: &str, protocol_type: &str) -> bool {
    error_code == GROUP_ID_NOT_FOUND
        || (error_code == 0 && state == "Dead" && protocol_type.is_empty())
}

/// ConsumerGroupDescribe for `ids` on their coordinator `broker`: the groups it describes (ids it
/// does not know, or that are not KIP-848 groups, are left out). Counts each request sent.
pub async fn describe(
    broker: BrokerId,
    conn: &mut ClientConnection,
    ids: &[String],
    version: i16,
    requests: &mut usize,
) -> Result<Vec<GroupView>, String> {
    let mut out = Vec::new();
    for chunk in ids.chunks(KIP848_GROUPS_PER_REQUEST) {
        let request = ConsumerGroupDescribeRequest::default().with_group_ids(
            chunk
                .iter()
                .map(|g| GroupId(StrBytes::from_string(g.clone())))
                .collect(),
        );
        *requests += 1;
        let r = super::session::timed(conn.call(request, version)).await?;
        out.extend(
            r.groups
                .iter()
                .filter(|g| g.error_code == 0)
                .map(|g| group_view(broker, g)),
        );
    }
    Ok(out)
}

/// One described group as the poller's view: the group epoch, the server-side assignor, each
/// member's epoch and current assignment.
pub fn group_view(broker: BrokerId, g: &DescribedGroup) -> GroupView {
    let mut members: Vec<MemberView> = g
        .members
        .iter()
        .map(|m| {
            let mut assigned: Vec<TopicPartition> = m
                .assignment
                .topic_partitions
                .iter()
                .flat_map(|t| {
                    t.partitions
                        .iter()
                        .map(|p| TopicPartition::new(t.topic_name.0.to_string(), *p))
                })
                .collect();
            assigned.sort();
            MemberView {
                member_id: m.member_id.to_string(),
                client_id: m.client_id.to_string(),
                client_host: m.client_host.to_string(),
                group_instance_id: m.instance_id.as_ref().map(|s| s.to_string()),
                assigned,
                member_epoch: Some(m.member_epoch),
            }
        })
        .collect();
    members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    GroupView {
        group_id: g.group_id.0.to_string(),
        coordinator: broker,
        state: g.group_state.to_string(),
        protocol_type: "consumer".into(),
        assignor: g.assignor_name.to_string(),
        group_type: "consumer".into(),
        epoch: Some(g.group_epoch),
        members,
        committed: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::TopicName;
    use kafka_protocol::messages::consumer_group_describe_response::{
        Assignment, Member, TopicPartitions,
    };

    #[test]
    fn hidden_kip848_groups_are_told_by_the_error_or_a_dead_typeless_answer() {
        assert!(maybe_kip848(69, "Dead", ""));
        assert!(maybe_kip848(0, "Dead", ""));
        assert!(!maybe_kip848(0, "Dead", "consumer"));
        assert!(!maybe_kip848(0, "Stable", "consumer"));
        assert!(!maybe_kip848(16, "", ""));
    }

    #[test]
    fn a_described_group_carries_epochs_assignor_and_assignments() {
        let member = |id: &str, epoch: i32, parts: Vec<i32>| {
            Member::default()
                .with_member_id(StrBytes::from_string(id.into()))
                .with_client_id(StrBytes::from_string(format!("client-{id}")))
                .with_member_epoch(epoch)
                .with_assignment(Assignment::default().with_topic_partitions(vec![
                    TopicPartitions::default()
                        .with_topic_name(TopicName(StrBytes::from_static_str("t")))
                        .with_partitions(parts),
                ]))
        };
        let g = DescribedGroup::default()
            .with_group_id(GroupId(StrBytes::from_static_str("g")))
            .with_group_state(StrBytes::from_static_str("Reconciling"))
            .with_group_epoch(7)
            .with_assignor_name(StrBytes::from_static_str("uniform"))
            .with_members(vec![member("m2", 6, vec![1]), member("m1", 7, vec![2, 0])]);
        let v = group_view(3, &g);
        assert_eq!(
            (
                v.coordinator,
                v.epoch,
                v.assignor.as_str(),
                v.group_type.as_str()
            ),
            (3, Some(7), "uniform", "consumer")
        );
        assert_eq!(v.members[0].member_id, "m1");
        assert_eq!(v.members[0].member_epoch, Some(7));
        assert_eq!(
            v.members[0].assigned,
            vec![TopicPartition::new("t", 0), TopicPartition::new("t", 2)]
        );
        assert_eq!(v.members[1].client_id, "client-m2");
    }
}
