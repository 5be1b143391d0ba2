//! Produce: leadership and unknown topics, idempotent retries, acks=all waiting for the ISR,
//! and the wire producer's row in the snapshot.

use super::{batch, call, ctx, lab, leader, produce_req};
use crate::cluster::lab::Cluster;
use crate::protocol::frame::{self};
use crate::protocol::host::WireHost;
use crate::protocol::{ApiCall, Reply};
use kafka_protocol::messages::*;

#[test]
fn produce_to_a_follower_is_not_leader_and_to_an_unknown_topic_is_unknown() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    let follower = (1..=3).find(|b| *b != l).expect("a follower");
    let r = call(
        &mut c,
        &mut h,
        &ctx(follower, 9),
        RequestKind::Produce(produce_req("test", 0, 1, batch(2, -1, 0))),
    );
    let Some(ResponseKind::Produce(p)) = r else {
        panic!()
    };
    assert_eq!(
        p.responses[0].partition_responses[0].error_code, 6,
        "NOT_LEADER_OR_FOLLOWER"
    );
    let r = call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("nope", 0, 1, batch(2, -1, 0))),
    );
    let Some(ResponseKind::Produce(p)) = r else {
        panic!()
    };
    assert_eq!(p.responses[0].partition_responses[0].error_code, 3);
}

#[test]
fn idempotent_retry_is_answered_with_the_first_offsets_and_a_gap_is_out_of_order() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 1);
    let Some(ResponseKind::InitProducerId(ip)) = call(
        &mut c,
        &mut h,
        &ctx(l, 4),
        RequestKind::InitProducerId(
            InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_producer_id(ProducerId(-1))
                .with_producer_epoch(-1),
        ),
    ) else {
        panic!()
    };
    let pid = ip.producer_id.0;
    assert!(pid > 0);
    let send = |c: &mut Cluster, h: &mut WireHost, seq: i32| {
        let Some(ResponseKind::Produce(p)) = call(
            c,
            h,
            &ctx(l, 9),
            RequestKind::Produce(produce_req("test", 1, 1, batch(2, pid, seq))),
        ) else {
            panic!()
        };
        let r = &p.responses[0].partition_responses[0];
        (r.error_code, r.base_offset)
    };
    assert_eq!(send(&mut c, &mut h, 0), (0, 0));
    assert_eq!(send(&mut c, &mut h, 2), (0, 2));
    // The same batch again (a retry): not written twice, answered with its offsets.
    assert_eq!(send(&mut c, &mut h, 2), (0, 2));
    assert_eq!(
        c.replica_leo(l, &crate::cluster::types::TopicPartition::new("test", 1)),
        Some(4)
    );
    // Sequence 10 skips 4..9.
    assert_eq!(
        send(&mut c, &mut h, 10).0,
        45,
        "OUT_OF_ORDER_SEQUENCE_NUMBER"
    );
}

#[test]
fn acks_all_produce_waits_for_the_isr_and_is_answered_by_the_tick() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let req = frame::Request {
        header: RequestHeader::default()
            .with_request_api_key(0)
            .with_request_api_version(9),
        api_key: ApiKey::Produce,
        body: RequestKind::Produce(produce_req("test", 0, -1, batch(1, -1, 0))),
    };
    h.handle(
        &mut c,
        ApiCall {
            broker: l,
            request: Box::new(req),
            reply: tx,
            connection: 0,
            raw: Default::default(),
        },
    );
    assert!(
        rx.try_recv().is_err(),
        "acks=all answers only after replication"
    );
    for _ in 0..20 {
        c.advance_by(10);
        h.tick(&mut c);
    }
    match rx.try_recv() {
        Ok(Reply::Response(r)) => match *r {
            ResponseKind::Produce(p) => {
                assert_eq!(p.responses[0].partition_responses[0].error_code, 0)
            }
            other => panic!("{other:?}"),
        },
        other => panic!("no answer: {other:?}"),
    }
}

#[test]
fn a_wire_producer_shows_in_the_snapshot_by_client_id_with_its_counts() {
    let (mut c, mut h, _d) = lab();
    c.set_listener_base_port(Some(19092));
    let l = leader(&c, "test", 0);
    for _ in 0..3 {
        call(
            &mut c,
            &mut h,
            &ctx(l, 9),
            RequestKind::Produce(produce_req("test", 0, 1, batch(4, -1, 0))),
        );
    }
    c.advance_by(1_000);
    let snap = c.snapshot();
    let p = h
        .clients
        .producer_views(c.now_ms())
        .into_iter()
        .find(|p| p.client_id == "unit-client")
        .expect("the wire producer");
    assert!(p.id >= crate::protocol::wire_clients::WIRE_CLIENT_ID_BASE);
    assert_eq!((p.sent, p.acknowledged), (12, 12));
    assert!(p.rate_per_sec > 0.0);
    let ports: Vec<Option<u16>> = snap.brokers.iter().map(|b| b.port).collect();
    assert_eq!(ports, vec![Some(19092), Some(19093), Some(19094)]);
}
