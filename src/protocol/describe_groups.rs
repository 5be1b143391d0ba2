//! Groups as an operator sees them: DescribeGroups and ListGroups.

use super::consumer_protocol::{encode_assignment, encode_subscription};
use super::groups::{CONSUMER, coordinated_here};
use super::host::{Ctx, WireHost};
use super::metadata::sb;
use crate::cluster::lab::Cluster;
use kafka_protocol::messages::describe_groups_response::{
    DescribeGroupsResponse, DescribedGroup, DescribedGroupMember,
};
use kafka_protocol::messages::list_groups_response::{ListGroupsResponse, ListedGroup};
use kafka_protocol::messages::{DescribeGroupsRequest, GroupId, ListGroupsRequest};

/// DescribeGroups.
pub fn describe_groups(
    host: &WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    r: &DescribeGroupsRequest,
) -> DescribeGroupsResponse {
    let groups = r
        .groups
        .iter()
        .map(|gid| {
            let name = gid.0.to_string();
            let d = DescribedGroup::default().with_group_id(gid.clone());
            if let Err(e) = coordinated_here(cluster, ctx, &name) {
                return d
                    .with_error_code(e.code())
                    .with_group_state(sb(""))
                    .with_protocol_type(sb(""))
                    .with_protocol_data(sb(""));
            }
            let Some(g) = cluster.group_coordinator().group(&name) else {
                return d
                    .with_group_state(sb("Dead"))
                    .with_protocol_type(sb(""))
                    .with_protocol_data(sb(""));
            };
            // Kafka 4 does not describe a KIP-848 group here: "not a classic group" from v6, Dead
            // with no members before (ConsumerGroupDescribe tells it).
            if g.consumer.is_some() {
                return d
                    .with_group_state(sb("Dead"))
                    .with_protocol_type(sb(""))
                    .with_protocol_data(sb(""));
            }
            let protocol = g.protocol.clone().unwrap_or_default();
            let members = g
                .members
                .values()
                .map(|m| {
                    let metadata = host
                        .members
                        .metadata(&name, &m.member_id, &protocol)
                        .unwrap_or_else(|| encode_subscription(&m.topics, &m.owned));
                    DescribedGroupMember::default()
                        .with_member_id(sb(&m.member_id))
                        .with_group_instance_id(
                            m.group_instance_id
                                .as_deref()
                                .filter(|_| ctx.version >= 4)
                                .map(sb),
                        )
                        .with_client_id(sb(&m.client_id))
                        .with_client_host(sb("/127.0.0.1"))
                        .with_member_metadata(metadata)
                        .with_member_assignment(encode_assignment(&m.assignment))
                })
                .collect();
            d.with_group_state(sb(&g.state.to_string()))
                .with_protocol_type(sb(CONSUMER))
                .with_protocol_data(sb(&protocol))
                .with_members(members)
        })
        .collect();
    DescribeGroupsResponse::default().with_groups(groups)
}

/// ListGroups: the groups this broker coordinates.
pub fn list_groups(cluster: &Cluster, ctx: &Ctx, r: &ListGroupsRequest) -> ListGroupsResponse {
    let groups = cluster
        .group_coordinator()
        .groups()
        .filter(|g| coordinated_here(cluster, ctx, &g.group_id).is_ok())
        .filter(|g| {
            r.states_filter.is_empty()
                || r.states_filter
                    .iter()
                    .any(|s| s.as_str().eq_ignore_ascii_case(&g.state.to_string()))
        })
        // v5 (KIP-848): `classic` or `consumer`, and a filter on it.
        .map(|g| {
            (
                g,
                if g.consumer.is_some() {
                    "consumer"
                } else {
                    "classic"
                },
            )
        })
        .filter(|(_, group_type)| {
            r.types_filter.is_empty()
                || r.types_filter
                    .iter()
                    .any(|t| t.as_str().eq_ignore_ascii_case(group_type))
        })
        .map(|(g, group_type)| {
            ListedGroup::default()
                .with_group_id(GroupId(sb(&g.group_id)))
                .with_protocol_type(sb(CONSUMER))
                .with_group_state(sb(&g.state.to_string()))
                .with_group_type(sb(group_type))
        })
        .collect();
    ListGroupsResponse::default().with_groups(groups)
}
