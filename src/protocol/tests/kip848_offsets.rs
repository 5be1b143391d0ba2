//! OffsetCommit v9 and OffsetFetch v8–9 against a KIP-848 group: the member id and member epoch
//! are checked, OffsetFetch answers a batch of groups each with its own error.

use super::{call, ctx, lab, name, submit};
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::protocol::Reply;
use crate::protocol::host::WireHost;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_string())
}

/// Joins `member` to the KIP-848 group `group`; returns its member epoch.
fn join(c: &mut Cluster, h: &mut WireHost, coord: i32, group: &str, member: &str) -> i32 {
    let r = ConsumerGroupHeartbeatRequest::default()
        .with_group_id(GroupId(s(group)))
        .with_member_id(s(member))
        .with_rebalance_timeout_ms(30_000)
        .with_subscribed_topic_names(Some(vec![name("test")]))
        .with_topic_partitions(Some(vec![]));
    match call(c, h, &ctx(coord, 1), RequestKind::ConsumerGroupHeartbeat(r)) {
        Some(ResponseKind::ConsumerGroupHeartbeat(r)) if r.error_code == 0 => r.member_epoch,
        other => panic!("{other:?}"),
    }
}

/// Commits offset `offset` of test-0 as `member` at `epoch` with OffsetCommit `version`; returns
/// the partition's error code once answered.
fn commit(
    c: &mut Cluster,
    h: &mut WireHost,
    coord: i32,
    version: i16,
    (group, member, epoch): (&str, &str, i32),
    offset: i64,
) -> i16 {
    let req = OffsetCommitRequest::default()
        .with_group_id(GroupId(s(group)))
        .with_member_id(s(member))
        .with_generation_id_or_member_epoch(epoch)
        .with_topics(vec![
            offset_commit_request::OffsetCommitRequestTopic::default()
                .with_name(name("test"))
                .with_partitions(vec![
                    offset_commit_request::OffsetCommitRequestPartition::default()
                        .with_partition_index(0)
                        .with_committed_offset(offset),
                ]),
        ]);
    let mut rx = submit(
        c,
        h,
        coord,
        ApiKey::OffsetCommit,
        version,
        RequestKind::OffsetCommit(req),
    );
    for _ in 0..50 {
        c.advance_by(10);
        h.tick(c);
        if let Ok(Reply::Response(r)) = rx.try_recv() {
            let ResponseKind::OffsetCommit(o) = *r else {
                panic!("{r:?}")
            };
            return o.topics[0].partitions[0].error_code;
        }
    }
    panic!("commit not answered")
}

#[test]
fn offset_commit_v9_checks_the_member_and_its_epoch_in_a_kip848_group() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("k848").expect("coordinator");
    let epoch = join(&mut c, &mut h, coord, "k848", "m1");
    assert!(epoch > 0);
    let ok = commit(&mut c, &mut h, coord, 9, ("k848", "m1", epoch), 3);
    assert_eq!(ok, 0);
    let stale = commit(&mut c, &mut h, coord, 9, ("k848", "m1", epoch + 1), 4);
    assert_eq!(stale, KafkaError::StaleMemberEpoch.code());
    let stranger = commit(&mut c, &mut h, coord, 9, ("k848", "who", epoch), 4);
    assert_eq!(stranger, KafkaError::UnknownMemberId.code());
    // A KIP-848 member must use v9, which carries its epoch (Kafka 4's rule).
    let old = commit(&mut c, &mut h, coord, 8, ("k848", "m1", epoch), 4);
    assert_eq!(old, KafkaError::UnsupportedVersion.code());
}

#[test]
fn offset_fetch_v9_answers_each_group_of_a_batch_with_its_own_error() {
    let (mut c, mut h, _d) = lab();
    let coord = c.coordinator_for("k848").expect("coordinator");
    let epoch = join(&mut c, &mut h, coord, "k848", "m1");
    assert_eq!(
        commit(&mut c, &mut h, coord, 9, ("k848", "m1", epoch), 11),
        0
    );
    let group = |id: &str, member: Option<&str>, epoch: i32| {
        offset_fetch_request::OffsetFetchRequestGroup::default()
            .with_group_id(GroupId(s(id)))
            .with_member_id(member.map(s))
            .with_member_epoch(epoch)
            .with_topics(Some(vec![
                offset_fetch_request::OffsetFetchRequestTopics::default()
                    .with_name(name("test"))
                    .with_partition_indexes(vec![0, 1]),
            ]))
    };
    // A group this broker does not coordinate.
    let elsewhere = (0..50)
        .map(|i| format!("g-{i}"))
        .find(|g| c.coordinator_for(g).is_ok_and(|b| b != coord))
        .expect("a group coordinated elsewhere");
    let req = OffsetFetchRequest::default().with_groups(vec![
        group("k848", Some("m1"), epoch),
        group("k848", Some("m1"), epoch - 1),
        group("k848", None, -1),
        group(&elsewhere, None, -1),
    ]);
    let Some(ResponseKind::OffsetFetch(f)) = call(
        &mut c,
        &mut h,
        &ctx(coord, 9),
        RequestKind::OffsetFetch(req),
    ) else {
        panic!()
    };
    let codes: Vec<i16> = f.groups.iter().map(|g| g.error_code).collect();
    assert_eq!(
        codes,
        vec![
            0,
            KafkaError::StaleMemberEpoch.code(),
            0,
            KafkaError::NotCoordinator.code()
        ]
    );
    let offsets: Vec<i64> = f.groups[0].topics[0]
        .partitions
        .iter()
        .map(|p| p.committed_offset)
        .collect();
    assert_eq!(offsets, vec![11, -1]);
}
