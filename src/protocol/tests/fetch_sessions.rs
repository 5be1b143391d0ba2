//! Fetch v13+ through the wire host: topics by id, sessions (KIP-227) opened by a full fetch,
//! incremental answers leaving out what did not change, a recreated topic's old id, and a
//! restarted broker's forgotten sessions.

use super::{batch, call, ctx, lab, leader, produce_req};
use crate::cluster::TopicId;
use crate::cluster::config::ClusterConfig;
use crate::cluster::lab::Cluster;
use crate::cluster::topic::TopicSpec;
use crate::protocol::WireHost;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic, ForgottenTopic};
use kafka_protocol::messages::fetch_response::FetchResponse;
use kafka_protocol::messages::*;

fn by_id(id: TopicId, partitions: &[(i32, i64)]) -> FetchTopic {
    FetchTopic::default()
        .with_topic_id(uuid::Uuid::from_u128(id.0))
        .with_partitions(
            partitions
                .iter()
                .map(|(p, offset)| {
                    FetchPartition::default()
                        .with_partition(*p)
                        .with_fetch_offset(*offset)
                        .with_partition_max_bytes(1 << 20)
                })
                .collect(),
        )
}

fn fetch(
    c: &mut Cluster,
    h: &mut WireHost,
    broker: i32,
    session: (i32, i32),
    topics: Vec<FetchTopic>,
) -> FetchResponse {
    let req = FetchRequest::default()
        .with_max_wait_ms(0)
        .with_session_id(session.0)
        .with_session_epoch(session.1)
        .with_topics(topics);
    match call(c, h, &ctx(broker, 17), RequestKind::Fetch(req)) {
        Some(ResponseKind::Fetch(f)) => f,
        other => panic!("{other:?}"),
    }
}

fn partitions(f: &FetchResponse) -> Vec<(u128, i32, i16)> {
    f.responses
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(move |p| (t.topic_id.as_u128(), p.partition_index, p.error_code))
        })
        .collect()
}

/// A lab whose topic "test" has both partitions led by the same broker, so one session holds
/// both; returns that broker.
fn one_leader_lab() -> (Cluster, WireHost, tempfile::TempDir, i32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = Cluster::new(ClusterConfig::new(1, 42, dir.path())).expect("lab");
    c.create_topic(TopicSpec::new("test", 2, 1)).expect("topic");
    c.advance_by(100);
    let l = leader(&c, "test", 0);
    assert_eq!(l, leader(&c, "test", 1));
    (
        c,
        WireHost::new(super::super::ListenerConfig::new(19092)),
        dir,
        l,
    )
}

#[test]
fn a_session_answers_only_partitions_that_changed() {
    let (mut c, mut h, _d, l) = one_leader_lab();
    let id = c.topic_id("test").expect("id");
    let full = fetch(
        &mut c,
        &mut h,
        l,
        (0, 0),
        vec![by_id(id, &[(0, 0), (1, 0)])],
    );
    assert_eq!(full.error_code, 0);
    assert_ne!(
        full.session_id, 0,
        "a full fetch with epoch 0 opens a session"
    );
    assert_eq!(partitions(&full), vec![(id.0, 0, 0), (id.0, 1, 0)]);
    let session = full.session_id;
    // Nothing changed: an incremental fetch naming nothing gets an empty answer.
    let inc = fetch(&mut c, &mut h, l, (session, 1), vec![]);
    assert_eq!((inc.error_code, inc.session_id), (0, session));
    assert!(partitions(&inc).is_empty());
    // Records on partition 1 only: only partition 1 comes back, by id, with its records.
    call(
        &mut c,
        &mut h,
        &ctx(l, 11),
        RequestKind::Produce(produce_req("test", 1, 1, batch(2, -1, 0))),
    );
    c.advance_by(50);
    let inc = fetch(&mut c, &mut h, l, (session, 2), vec![]);
    assert_eq!(partitions(&inc), vec![(id.0, 1, 0)]);
    let p = &inc.responses[0].partitions[0];
    assert_eq!(p.high_watermark, 2);
    assert!(p.records.as_ref().is_some_and(|r| !r.is_empty()));
    // The client moves on to offset 2: nothing new, nothing sent.
    let inc = fetch(&mut c, &mut h, l, (session, 3), vec![by_id(id, &[(1, 2)])]);
    assert!(partitions(&inc).is_empty());
    // A replayed epoch, an unknown session.
    let stale = fetch(&mut c, &mut h, l, (session, 3), vec![]);
    assert_eq!(stale.error_code, 71, "INVALID_FETCH_SESSION_EPOCH");
    let unknown = fetch(&mut c, &mut h, l, (session ^ 1, 1), vec![]);
    assert_eq!(unknown.error_code, 70, "FETCH_SESSION_ID_NOT_FOUND");
    // Forgetting partition 0 then 1 ends the session.
    let req = |epoch, p| {
        FetchRequest::default()
            .with_session_id(session)
            .with_session_epoch(epoch)
            .with_forgotten_topics_data(vec![
                ForgottenTopic::default()
                    .with_topic_id(uuid::Uuid::from_u128(id.0))
                    .with_partitions(vec![p]),
            ])
    };
    let Some(ResponseKind::Fetch(f)) =
        call(&mut c, &mut h, &ctx(l, 17), RequestKind::Fetch(req(4, 0)))
    else {
        panic!()
    };
    assert_eq!((f.error_code, f.session_id), (0, session));
    let Some(ResponseKind::Fetch(f)) =
        call(&mut c, &mut h, &ctx(l, 17), RequestKind::Fetch(req(5, 1)))
    else {
        panic!()
    };
    assert_eq!(
        (f.error_code, f.session_id),
        (0, 0),
        "the emptied session is closed"
    );
    assert_eq!(h.sessions.count(l, c.broker_starts(l)), 0);
}

#[test]
fn a_recreated_topics_old_id_never_reads_the_new_topics_records() {
    let (mut c, mut h, _d, l) = one_leader_lab();
    let old = c.topic_id("test").expect("id");
    let full = fetch(&mut c, &mut h, l, (0, 0), vec![by_id(old, &[(0, 0)])]);
    let session = full.session_id;
    c.delete_topic("test").expect("delete");
    c.advance_by(100);
    c.create_topic(TopicSpec::new("test", 2, 1))
        .expect("recreate");
    c.advance_by(100);
    let new = c.topic_id("test").expect("new id");
    assert_ne!(old, new);
    let l = leader(&c, "test", 0);
    call(
        &mut c,
        &mut h,
        &ctx(l, 11),
        RequestKind::Produce(produce_req("test", 0, 1, batch(3, -1, 0))),
    );
    c.advance_by(50);
    // The session still holds the old id under the name "test": INCONSISTENT_TOPIC_ID.
    assert_eq!(h.sessions.count(l, c.broker_starts(l)), 1);
    let inc = fetch(&mut c, &mut h, l, (session, 1), vec![]);
    assert_eq!(partitions(&inc), vec![(old.0, 0, 103)]);
    assert!(
        inc.responses[0].partitions[0]
            .records
            .as_ref()
            .is_none_or(|r| r.is_empty())
    );
    // A full fetch naming the old id: UNKNOWN_TOPIC_ID; the new id reads the new records.
    let f = fetch(&mut c, &mut h, l, (0, -1), vec![by_id(old, &[(0, 0)])]);
    assert_eq!(partitions(&f), vec![(old.0, 0, 100)]);
    let f = fetch(&mut c, &mut h, l, (0, -1), vec![by_id(new, &[(0, 0)])]);
    assert_eq!(partitions(&f), vec![(new.0, 0, 0)]);
    assert_eq!(f.responses[0].partitions[0].high_watermark, 3);
    assert_eq!(f.session_id, 0, "epoch -1 fetches without a session");
}

#[test]
fn a_restarted_broker_has_forgotten_its_sessions() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    let id = c.topic_id("test").expect("id");
    let full = fetch(&mut c, &mut h, l, (0, 0), vec![by_id(id, &[(0, 0)])]);
    assert_ne!(full.session_id, 0);
    c.kill_broker(l).expect("kill");
    c.advance_by(1_000);
    c.restart_broker(l).expect("restart");
    c.advance_by(1_000);
    let inc = fetch(&mut c, &mut h, l, (full.session_id, 1), vec![]);
    assert_eq!(inc.error_code, 70, "FETCH_SESSION_ID_NOT_FOUND");
}

#[test]
fn an_incremental_fetch_switching_to_topic_names_gets_fetch_session_topic_id_error() {
    let (mut c, mut h, _d, l) = one_leader_lab();
    let id = c.topic_id("test").expect("id");
    let full = fetch(&mut c, &mut h, l, (0, 0), vec![by_id(id, &[(0, 0)])]);
    let req = FetchRequest::default()
        .with_session_id(full.session_id)
        .with_session_epoch(1);
    let Some(ResponseKind::Fetch(f)) = call(&mut c, &mut h, &ctx(l, 12), RequestKind::Fetch(req))
    else {
        panic!()
    };
    assert_eq!(f.error_code, 106, "FETCH_SESSION_TOPIC_ID_ERROR");
}
