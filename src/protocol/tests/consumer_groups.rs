//! ConsumerGroupHeartbeat and ConsumerGroupDescribe: joins with client-made and server-made
//! member ids, assignments by topic id, fencing, static members, regex subscriptions, and the
//! errors Kafka's coordinator answers with.

use super::{call, ctx, lab, name};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::protocol::host::WireHost;
use kafka_protocol::messages::consumer_group_heartbeat_request::TopicPartitions;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use uuid::Uuid;

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_string())
}

fn join(group: &str, member: &str) -> ConsumerGroupHeartbeatRequest {
    ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s(group)))
        .with_member_id(s(member))
        .with_member_epoch(0)
        .with_rebalance_timeout_ms(30_000)
        .with_subscribed_topic_names(Some(vec![name("test")]))
        .with_topic_partitions(Some(vec![]))
}

fn beat(
    c: &mut Cluster,
    h: &mut WireHost,
    broker: i32,
    version: i16,
    r: ConsumerGroupHeartbeatRequest,
) -> ConsumerGroupHeartbeatResponse {
    match call(
        c,
        h,
        &ctx(broker, version),
        RequestKind::ConsumerGroupHeartbeat(r),
    ) {
        Some(ResponseKind::ConsumerGroupHeartbeat(r)) => r,
        other => panic!("{other:?}"),
    }
}

/// The partitions of `test` an answer assigns, after checking it names `test` by its id.
fn assigned(c: &Cluster, r: &ConsumerGroupHeartbeatResponse) -> Option<Vec<i32>> {
    let id = Uuid::from_u128(c.topic_id("test").expect("id").0);
    let a = r.assignment.as_ref()?;
    let mut out = Vec::new();
    for t in &a.topic_partitions {
        assert_eq!(t.topic_id, id, "assignments name topics by id");
        out.extend(&t.partitions);
    }
    out.sort_unstable();
    Some(out)
}

fn owned(c: &Cluster, ps: &[i32]) -> Option<Vec<TopicPartitions>> {
    let id = Uuid::from_u128(c.topic_id("test").expect("id").0);
    Some(vec![
        TopicPartitions::default()
            .with_topic_id(id)
            .with_partitions(ps.to_vec()),
    ])
}

#[test]
fn two_members_split_the_partitions_by_topic_id_and_reconcile_incrementally() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("g848").expect("coordinator");
    let a = beat(&mut c, &mut h, coord, 1, join("g848", "member-a"));
    assert_eq!(a.error_code, 0, "{a:?}");
    assert_eq!(a.member_id.as_deref(), Some("member-a"));
    assert_eq!(a.member_epoch, 1);
    assert_eq!(
        i64::from(a.heartbeat_interval_ms),
        c.config().group_consumer_heartbeat_interval_ms
    );
    assert_eq!(assigned(&c, &a), Some(vec![0, 1]));

    let b = beat(&mut c, &mut h, coord, 1, join("g848", "member-b"));
    assert_eq!(b.error_code, 0);
    // b's partition still belongs to a: b is at the new epoch with nothing until a revokes.
    assert_eq!(b.member_epoch, 2);
    assert_eq!(assigned(&c, &b), Some(vec![]));

    let hb = |epoch: i32, ps: &[i32], c: &Cluster| {
        ConsumerGroupHeartbeatRequest::default()
            .with_group_id(GroupId(s("g848")))
            .with_member_id(s("member-a"))
            .with_member_epoch(epoch)
            .with_rebalance_timeout_ms(-1)
            .with_topic_partitions(owned(c, ps))
    };
    let r = hb(1, &[0, 1], &c);
    let a2 = beat(&mut c, &mut h, coord, 1, r);
    assert_eq!(a2.member_epoch, 1, "the epoch waits for the revocation");
    let kept = assigned(&c, &a2).expect("a revocation is an assignment");
    assert_eq!(kept.len(), 1);
    let r = hb(1, &kept, &c);
    let a3 = beat(&mut c, &mut h, coord, 1, r);
    assert_eq!(a3.member_epoch, 2);

    let r = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s("g848")))
        .with_member_id(s("member-b"))
        .with_member_epoch(2)
        .with_rebalance_timeout_ms(-1)
        .with_topic_partitions(owned(&c, &[]));
    let b2 = beat(&mut c, &mut h, coord, 1, r);
    let got = assigned(&c, &b2).expect("b gets the released partition");
    assert_eq!(got.len(), 1);
    assert_ne!(got, kept);

    let d = match call(
        &mut c,
        &mut h,
        &ctx(coord, 1),
        RequestKind::ConsumerGroupDescribe(
            ConsumerGroupDescribeRequest::default().with_group_ids(vec![GroupId(s("g848"))]),
        ),
    ) {
        Some(ResponseKind::ConsumerGroupDescribe(d)) => d,
        other => panic!("{other:?}"),
    };
    let g = &d.groups[0];
    assert_eq!(g.error_code, 0);
    assert_eq!(g.group_state.as_str(), "Stable");
    assert_eq!(g.group_epoch, 2);
    assert_eq!(g.assignor_name.as_str(), "uniform");
    assert_eq!(g.members.len(), 2);
    assert!(
        g.members.iter().all(|m| m.member_type == 1
            && m.assignment.topic_partitions[0].topic_name.0.as_str() == "test")
    );
}

#[test]
fn v0_gets_a_member_id_from_the_coordinator_and_v1_must_bring_its_own() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("g0").expect("coordinator");
    let r = beat(&mut c, &mut h, coord, 0, join("g0", ""));
    assert_eq!(r.error_code, 0);
    assert!(r.member_id.as_ref().is_some_and(|m| !m.is_empty()));
    let r = beat(&mut c, &mut h, coord, 1, join("g0", ""));
    assert_eq!(r.error_code, KafkaError::InvalidRequest.code());
    assert!(r.error_message.is_some());
}

#[test]
fn requests_that_break_the_rules_get_kafkas_errors() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("g").expect("coordinator");
    let other = (1..=3).find(|b| *b != coord).expect("another broker");
    let code = |r: ConsumerGroupHeartbeatResponse| r.error_code;
    assert_eq!(
        code(beat(&mut c, &mut h, other, 1, join("g", "m"))),
        KafkaError::NotCoordinator.code()
    );
    let bad = join("g", "m").with_server_assignor(Some(s("sticky")));
    assert_eq!(
        code(beat(&mut c, &mut h, coord, 1, bad)),
        KafkaError::UnsupportedAssignor.code()
    );
    let no_sub = join("g", "m").with_subscribed_topic_names(None);
    assert_eq!(
        code(beat(&mut c, &mut h, coord, 1, no_sub)),
        KafkaError::InvalidRequest.code()
    );
    assert_eq!(code(beat(&mut c, &mut h, coord, 1, join("g", "m"))), 0);
    let ahead = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s("g")))
        .with_member_id(s("m"))
        .with_member_epoch(7);
    assert_eq!(
        code(beat(&mut c, &mut h, coord, 1, ahead)),
        KafkaError::FencedMemberEpoch.code()
    );
    let stranger = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s("g")))
        .with_member_id(s("stranger"))
        .with_member_epoch(1);
    assert_eq!(
        code(beat(&mut c, &mut h, coord, 1, stranger)),
        KafkaError::UnknownMemberId.code()
    );
    let bad_regex = join("g", "r")
        .with_subscribed_topic_names(None)
        .with_subscribed_topic_regex(Some(s("te(st")));
    assert_eq!(
        code(beat(&mut c, &mut h, coord, 1, bad_regex)),
        KafkaError::InvalidRegularExpression.code()
    );
    let leave = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s("g")))
        .with_member_id(s("m"))
        .with_member_epoch(-1);
    let left = beat(&mut c, &mut h, coord, 1, leave);
    assert_eq!((left.error_code, left.member_epoch), (0, -1));
}

#[test]
fn a_regex_subscription_matches_whole_topic_names() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("rx").expect("coordinator");
    let r = join("rx", "m")
        .with_subscribed_topic_names(None)
        .with_subscribed_topic_regex(Some(s("te.t")));
    let a = beat(&mut c, &mut h, coord, 1, r);
    assert_eq!(assigned(&c, &a), Some(vec![0, 1]));
    let none = join("rx2", "m")
        .with_subscribed_topic_names(None)
        .with_subscribed_topic_regex(Some(s("tes")));
    let coord2 = c.coordinator_for("rx2").expect("coordinator");
    let b = beat(&mut c, &mut h, coord2, 1, none);
    assert_eq!(b.error_code, 0);
    assert_eq!(assigned(&c, &b).unwrap_or_default(), Vec::<i32>::new());
}

#[test]
fn a_static_member_that_left_with_epoch_minus_two_is_replaced_by_its_next_instance() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("st").expect("coordinator");
    let first = join("st", "old").with_instance_id(Some(s("instance-1")));
    let a = beat(&mut c, &mut h, coord, 1, first);
    assert_eq!(assigned(&c, &a), Some(vec![0, 1]));
    // While the first instance is active, its instance id is not free.
    let early = join("st", "new").with_instance_id(Some(s("instance-1")));
    assert_eq!(
        beat(&mut c, &mut h, coord, 1, early).error_code,
        KafkaError::UnreleasedInstanceId.code()
    );
    let leave = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s("st")))
        .with_member_id(s("old"))
        .with_member_epoch(-2)
        .with_instance_id(Some(s("instance-1")));
    let l = beat(&mut c, &mut h, coord, 1, leave);
    assert_eq!((l.error_code, l.member_epoch), (0, -2));
    let back = join("st", "new").with_instance_id(Some(s("instance-1")));
    let b = beat(&mut c, &mut h, coord, 1, back);
    assert_eq!(b.error_code, 0);
    assert_eq!(
        b.member_epoch, 1,
        "it takes the old member's epoch: no rebalance"
    );
    assert_eq!(assigned(&c, &b), Some(vec![0, 1]));
}

#[test]
fn a_classic_group_with_members_is_not_found_by_the_consumer_protocol() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("classic").expect("coordinator");
    let req = crate::cluster::group::JoinRequest {
        member_id: None,
        group_instance_id: None,
        client_id: "old-client".into(),
        protocols: vec!["range".into()],
        topics: vec!["test".into()],
        owned: vec![],
        session_timeout_ms: 45_000,
        rebalance_timeout_ms: 30_000,
    };
    c.join_group(coord, "classic", req).expect("classic join");
    let r = beat(&mut c, &mut h, coord, 1, join("classic", "new-member"));
    assert_eq!(r.error_code, KafkaError::GroupIdNotFound.code());
    let d = match call(
        &mut c,
        &mut h,
        &ctx(coord, 0),
        RequestKind::ConsumerGroupDescribe(
            ConsumerGroupDescribeRequest::default().with_group_ids(vec![GroupId(s("classic"))]),
        ),
    ) {
        Some(ResponseKind::ConsumerGroupDescribe(d)) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d.groups[0].error_code, KafkaError::GroupIdNotFound.code());
}
