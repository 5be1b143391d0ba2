//! OffsetCommit and OffsetFetch: answered once replicated, with committed metadata and its limit.

use super::{call, ctx, lab, name, submit};
use crate::cluster::lab::Cluster;
use crate::protocol::Reply;
use crate::protocol::host::WireHost;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

/// OffsetFetch (v7) of partitions 0 and 1 of `test` for `group`, asked of broker `coord`.
fn fetch_test_offsets(
    c: &mut Cluster,
    h: &mut WireHost,
    coord: i32,
    group: &'static str,
) -> OffsetFetchResponse {
    let fetch = OffsetFetchRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str(group)))
        .with_topics(Some(vec![
            offset_fetch_request::OffsetFetchRequestTopic::default()
                .with_name(name("test"))
                .with_partition_indexes(vec![0, 1]),
        ]));
    match call(c, h, &ctx(coord, 7), RequestKind::OffsetFetch(fetch)) {
        Some(ResponseKind::OffsetFetch(f)) => f,
        other => panic!("{other:?}"),
    }
}

/// Sends an OffsetCommit through the driver's path and steps the lab (up to 500 ms) until it is
/// answered.
pub(super) fn commit_and_wait(
    c: &mut Cluster,
    h: &mut WireHost,
    coord: i32,
    commit: OffsetCommitRequest,
) -> Option<Reply> {
    let mut rx = submit(
        c,
        h,
        coord,
        ApiKey::OffsetCommit,
        8,
        RequestKind::OffsetCommit(commit),
    );
    for _ in 0..50 {
        c.advance_by(10);
        h.tick(c);
        if let Ok(r) = rx.try_recv() {
            return Some(r);
        }
    }
    None
}

#[test]
fn offset_commit_is_answered_once_replicated_and_offset_fetch_then_sees_it() {
    let (mut c, mut h, _d) = lab();
    let group = "committers";
    let coord = c.coordinator_for(group).expect("coordinator");
    let commit = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("committers")))
        .with_generation_id_or_member_epoch(-1)
        .with_topics(vec![
            offset_commit_request::OffsetCommitRequestTopic::default()
                .with_name(name("test"))
                .with_partitions(vec![
                    offset_commit_request::OffsetCommitRequestPartition::default()
                        .with_partition_index(1)
                        .with_committed_offset(7),
                ]),
        ]);
    let answered = commit_and_wait(&mut c, &mut h, coord, commit);
    match answered {
        Some(Reply::Response(r)) => match *r {
            ResponseKind::OffsetCommit(o) => assert_eq!(o.topics[0].partitions[0].error_code, 0),
            other => panic!("{other:?}"),
        },
        other => panic!("commit not answered: {other:?}"),
    }
    let f = fetch_test_offsets(&mut c, &mut h, coord, "committers");
    let offsets: Vec<i64> = f.topics[0]
        .partitions
        .iter()
        .map(|p| p.committed_offset)
        .collect();
    assert_eq!(offsets, vec![-1, 7]);
    // Another broker is not the coordinator.
    let other = (1..=3).find(|b| *b != coord).expect("another broker");
    let fetch = OffsetFetchRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("committers")));
    let Some(ResponseKind::OffsetFetch(f)) = call(
        &mut c,
        &mut h,
        &ctx(other, 7),
        RequestKind::OffsetFetch(fetch),
    ) else {
        panic!()
    };
    assert_eq!(f.error_code, 16, "NOT_COORDINATOR");
}

#[test]
fn offset_commit_keeps_metadata_and_refuses_metadata_over_offset_metadata_max_bytes() {
    let (mut c, mut h, _d) = lab();
    let group = "with-metadata";
    let coord = c.coordinator_for(group).expect("coordinator");
    let part = |index: i32, offset: i64, metadata: String| {
        offset_commit_request::OffsetCommitRequestPartition::default()
            .with_partition_index(index)
            .with_committed_offset(offset)
            .with_committed_metadata(Some(StrBytes::from_string(metadata)))
    };
    let too_long = "x".repeat(crate::cluster::group::OFFSET_METADATA_MAX_BYTES + 1);
    let commit = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("with-metadata")))
        .with_generation_id_or_member_epoch(-1)
        .with_topics(vec![
            offset_commit_request::OffsetCommitRequestTopic::default()
                .with_name(name("test"))
                .with_partitions(vec![part(0, 5, "ckpt-5".into()), part(1, 9, too_long)]),
        ]);
    let answered = commit_and_wait(&mut c, &mut h, coord, commit);
    let Some(Reply::Response(r)) = answered else {
        panic!("commit not answered");
    };
    let ResponseKind::OffsetCommit(o) = *r else {
        panic!("{r:?}")
    };
    let mut codes: Vec<(i32, i16)> = o
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(|p| (p.partition_index, p.error_code))
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![(0, 0), (1, 12)],
        "OFFSET_METADATA_TOO_LARGE for 1"
    );
    let f = fetch_test_offsets(&mut c, &mut h, coord, "with-metadata");
    let got: Vec<(i64, String)> = f.topics[0]
        .partitions
        .iter()
        .map(|p| {
            let m = p
                .metadata
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default();
            (p.committed_offset, m)
        })
        .collect();
    assert_eq!(got, vec![(5, "ckpt-5".to_string()), (-1, String::new())]);
}
