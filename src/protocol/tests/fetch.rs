//! Fetch: produced batches come back once replicated, and `min_bytes` waits for a produce.

use super::{batch, call, ctx, lab, leader, name, produce_req, submit};
use crate::protocol::Reply;
use bytes::Bytes;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::*;

#[test]
fn produced_batch_comes_back_from_fetch_once_replicated() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    let r = call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(3, -1, 0))),
    );
    let Some(ResponseKind::Produce(p)) = r else {
        panic!()
    };
    assert_eq!(p.responses[0].partition_responses[0].error_code, 0);
    assert_eq!(p.responses[0].partition_responses[0].base_offset, 0);
    c.advance_by(100);
    let fetch = FetchRequest::default()
        .with_max_wait_ms(0)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(name("test"))
                .with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(0)
                        .with_fetch_offset(0)
                        .with_partition_max_bytes(1 << 20),
                ]),
        ]);
    let Some(ResponseKind::Fetch(f)) = call(&mut c, &mut h, &ctx(l, 12), RequestKind::Fetch(fetch))
    else {
        panic!()
    };
    let part = &f.responses[0].partitions[0];
    assert_eq!(part.high_watermark, 3);
    let mut records = part.records.clone().expect("records");
    let batches =
        kafka_protocol::records::RecordBatchDecoder::decode(&mut records).expect("decode");
    let values: Vec<_> = batches
        .records
        .iter()
        .map(|r| r.value.clone().expect("value"))
        .collect();
    assert_eq!(
        values,
        vec![
            Bytes::from("value-0"),
            Bytes::from("value-1"),
            Bytes::from("value-2")
        ]
    );
}

#[test]
fn fetch_waits_for_min_bytes_and_answers_when_a_produce_arrives() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    let fetch = FetchRequest::default()
        .with_max_wait_ms(30_000)
        .with_min_bytes(1)
        .with_topics(vec![
            FetchTopic::default()
                .with_topic(name("test"))
                .with_partitions(vec![
                    FetchPartition::default()
                        .with_partition(0)
                        .with_fetch_offset(0)
                        .with_partition_max_bytes(1 << 20),
                ]),
        ]);
    let mut rx = submit(
        &mut c,
        &mut h,
        l,
        ApiKey::Fetch,
        12,
        RequestKind::Fetch(fetch),
    );
    for _ in 0..5 {
        c.advance_by(10);
        h.tick(&mut c);
    }
    assert!(
        rx.try_recv().is_err(),
        "an empty partition keeps the fetch waiting"
    );
    call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(2, -1, 0))),
    );
    for _ in 0..20 {
        c.advance_by(10);
        h.tick(&mut c);
    }
    match rx.try_recv() {
        Ok(Reply::Response(r)) => match *r {
            ResponseKind::Fetch(f) => {
                let p = &f.responses[0].partitions[0];
                assert_eq!(p.high_watermark, 2);
                assert!(p.records.as_ref().is_some_and(|b| !b.is_empty()));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("the fetch was not answered when data arrived: {other:?}"),
    }
}

#[test]
fn offset_for_leader_epoch_answers_where_the_epoch_ends_on_the_leader_only() {
    use kafka_protocol::messages::offset_for_leader_epoch_request::{
        OffsetForLeaderPartition, OffsetForLeaderTopic,
    };
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(4, -1, 0))),
    );
    c.advance_by(100);
    let epoch = c
        .partition(&crate::cluster::types::TopicPartition::new("test", 0))
        .expect("partition")
        .leader_epoch;
    let ask = |current: i32, wanted: i32| {
        RequestKind::OffsetForLeaderEpoch(OffsetForLeaderEpochRequest::default().with_topics(vec![
                OffsetForLeaderTopic::default()
                    .with_topic(name("test"))
                    .with_partitions(vec![
                        OffsetForLeaderPartition::default()
                            .with_partition(0)
                            .with_current_leader_epoch(current)
                            .with_leader_epoch(wanted),
                    ]),
            ]))
    };
    let answer = |c: &mut _, h: &mut _, body| match call(c, h, &ctx(l, 4), body) {
        Some(ResponseKind::OffsetForLeaderEpoch(r)) => r.topics[0].partitions[0].clone(),
        other => panic!("{other:?}"),
    };
    let p = answer(&mut c, &mut h, ask(epoch, epoch));
    assert_eq!((p.error_code, p.leader_epoch, p.end_offset), (0, epoch, 4));
    let p = answer(&mut c, &mut h, ask(epoch + 1, epoch));
    assert_eq!(p.error_code, 76, "UNKNOWN_LEADER_EPOCH");
    let follower = c
        .partition(&crate::cluster::types::TopicPartition::new("test", 0))
        .expect("partition")
        .replicas
        .iter()
        .copied()
        .find(|b| *b != l)
        .expect("a follower");
    let Some(ResponseKind::OffsetForLeaderEpoch(r)) =
        call(&mut c, &mut h, &ctx(follower, 4), ask(-1, epoch))
    else {
        panic!()
    };
    assert_eq!(
        r.topics[0].partitions[0].error_code, 6,
        "NOT_LEADER_OR_FOLLOWER"
    );
}
