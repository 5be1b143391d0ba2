//! Request → cluster mapping, through `WireHost` against a real (paused-clock) cluster, and
//! every response encoded at every advertised version.

use super::frame::{self, Decoded};
use super::host::{Ctx, Outcome, WireHost};
use super::{ListenerConfig, versions};
use crate::cluster::config::ClusterConfig;
use crate::cluster::lab::Cluster;
use crate::cluster::topic::TopicSpec;
use crate::log::batch::{ProducerStamp, encode_stamped_records};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, StrBytes};

fn lab() -> (Cluster, WireHost, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = Cluster::new(ClusterConfig::new(3, 42, dir.path())).expect("lab");
    c.create_topic(TopicSpec::new("test", 2, 3)).expect("topic");
    c.advance_by(100);
    (c, WireHost::new(ListenerConfig::new(19092)), dir)
}

fn ctx(broker: i32, version: i16) -> Ctx {
    Ctx {
        broker,
        version,
        client_id: "unit-client".into(),
    }
}

fn name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.into()))
}

/// A v2 batch of `n` records from producer `pid` starting at sequence `seq` (no producer when
/// `pid` is negative).
fn batch(n: usize, pid: i64, seq: i32) -> Bytes {
    let recs: Vec<_> = (0..n)
        .map(|i| (None, Some(Bytes::from(format!("value-{i}"))), 1_000))
        .collect();
    let stamp = (pid >= 0).then_some(ProducerStamp {
        producer_id: pid,
        producer_epoch: 0,
        base_sequence: seq,
    });
    encode_stamped_records(&recs, 0, stamp).expect("encode batch")
}

fn produce_req(topic: &str, partition: i32, acks: i16, records: Bytes) -> ProduceRequest {
    ProduceRequest::default()
        .with_acks(acks)
        .with_timeout_ms(5_000)
        .with_topic_data(vec![
            TopicProduceData::default()
                .with_name(name(topic))
                .with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(partition)
                        .with_records(Some(records)),
                ]),
        ])
}

/// Runs a request that is answered at once.
fn call(c: &mut Cluster, h: &mut WireHost, cx: &Ctx, body: RequestKind) -> Option<ResponseKind> {
    match h.dispatch(c, cx, body) {
        Outcome::Done(r) => Some(r),
        Outcome::Nothing => None,
        Outcome::Park(..) => panic!("parked: use the ApiCall path for requests that wait"),
    }
}

fn leader(c: &Cluster, topic: &str, p: i32) -> i32 {
    c.leader_of(&crate::cluster::types::TopicPartition::new(topic, p))
        .expect("a leader")
}

#[test]
fn metadata_lists_every_broker_with_its_port_and_each_partitions_leader() {
    let (mut c, mut h, _d) = lab();
    let req = MetadataRequest::default().with_topics(Some(vec![
        MetadataRequestTopic::default().with_name(Some(name("test"))),
    ]));
    let Some(ResponseKind::Metadata(m)) =
        call(&mut c, &mut h, &ctx(1, 9), RequestKind::Metadata(req))
    else {
        panic!("metadata")
    };
    let ports: Vec<i32> = m.brokers.iter().map(|b| b.port).collect();
    assert_eq!(ports, vec![19092, 19093, 19094]);
    assert_eq!(m.controller_id.0, c.controller().expect("controller"));
    let t = &m.topics[0];
    assert_eq!(t.error_code, 0);
    assert_eq!(t.partitions.len(), 2);
    for p in &t.partitions {
        assert_eq!(p.leader_id.0, leader(&c, "test", p.partition_index));
        assert_eq!(p.replica_nodes.len(), 3);
        assert_eq!(p.isr_nodes.len(), 3);
    }
}

#[test]
fn metadata_auto_creates_a_missing_topic_unless_the_client_says_not_to() {
    let (mut c, mut h, _d) = lab();
    let ask = |auto: bool| {
        MetadataRequest::default()
            .with_allow_auto_topic_creation(auto)
            .with_topics(Some(vec![
                MetadataRequestTopic::default().with_name(Some(name("fresh"))),
            ]))
    };
    let Some(ResponseKind::Metadata(m)) = call(
        &mut c,
        &mut h,
        &ctx(1, 9),
        RequestKind::Metadata(ask(false)),
    ) else {
        panic!()
    };
    assert_eq!(m.topics[0].error_code, 3, "UNKNOWN_TOPIC_OR_PARTITION");
    assert!(c.topic("fresh").is_none());
    let Some(ResponseKind::Metadata(m)) =
        call(&mut c, &mut h, &ctx(1, 9), RequestKind::Metadata(ask(true)))
    else {
        panic!()
    };
    assert_eq!(m.topics[0].error_code, 0);
    assert!(c.topic("fresh").is_some());
}

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
        super::ApiCall {
            broker: l,
            request: Box::new(req),
            reply: tx,
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
        Ok(super::Reply::Response(r)) => match *r {
            ResponseKind::Produce(p) => {
                assert_eq!(p.responses[0].partition_responses[0].error_code, 0)
            }
            other => panic!("{other:?}"),
        },
        other => panic!("no answer: {other:?}"),
    }
}

#[test]
fn find_coordinator_names_the_leader_of_the_groups_offsets_partition() {
    let (mut c, mut h, _d) = lab();
    let Some(ResponseKind::FindCoordinator(f)) = call(
        &mut c,
        &mut h,
        &ctx(1, 3),
        RequestKind::FindCoordinator(
            FindCoordinatorRequest::default().with_key(StrBytes::from_static_str("g")),
        ),
    ) else {
        panic!()
    };
    assert_eq!(f.error_code, 0);
    assert_eq!(f.node_id.0, c.coordinator_for("g").expect("coordinator"));
    assert_eq!(f.port, 19092 + f.node_id.0 - 1);
}

#[test]
fn delete_topics_is_refused_clearly() {
    let (mut c, mut h, _d) = lab();
    let Some(ResponseKind::DeleteTopics(d)) = call(
        &mut c,
        &mut h,
        &ctx(1, 5),
        RequestKind::DeleteTopics(
            DeleteTopicsRequest::default().with_topic_names(vec![name("test")]),
        ),
    ) else {
        panic!()
    };
    assert_eq!(
        d.responses[0].error_code,
        super::admin::TOPIC_DELETION_DISABLED
    );
    assert!(c.topic("test").is_some());
}

/// Every API at every advertised version: the handler's response encodes, and the frame
/// decodes back with kafka-protocol's own response types.
#[test]
fn every_response_encodes_at_every_advertised_version() {
    let (mut c, mut h, _d) = lab();
    let l = leader(&c, "test", 0);
    for (key, lo, hi) in versions::SUPPORTED {
        for v in *lo..=*hi {
            let body = match key {
                ApiKey::Produce => RequestKind::Produce(produce_req("test", 0, 1, batch(1, -1, 0))),
                ApiKey::Fetch => RequestKind::Fetch(FetchRequest::default().with_topics(vec![
                        FetchTopic::default()
                            .with_topic(name("test"))
                            .with_partitions(vec![FetchPartition::default().with_partition(0)]),
                    ])),
                ApiKey::ListOffsets => {
                    RequestKind::ListOffsets(ListOffsetsRequest::default().with_topics(vec![
                        list_offsets_request::ListOffsetsTopic::default()
                            .with_name(name("test"))
                            .with_partitions(vec![
                                list_offsets_request::ListOffsetsPartition::default()
                                    .with_timestamp(-1),
                            ]),
                    ]))
                }
                ApiKey::Metadata => RequestKind::Metadata(MetadataRequest::default()),
                ApiKey::OffsetCommit => RequestKind::OffsetCommit(
                    OffsetCommitRequest::default()
                        .with_group_id(GroupId(StrBytes::from_static_str("nobody"))),
                ),
                ApiKey::OffsetFetch => RequestKind::OffsetFetch(
                    OffsetFetchRequest::default()
                        .with_group_id(GroupId(StrBytes::from_static_str("g"))),
                ),
                ApiKey::FindCoordinator => RequestKind::FindCoordinator(
                    FindCoordinatorRequest::default().with_key(StrBytes::from_static_str("g")),
                ),
                ApiKey::JoinGroup => RequestKind::JoinGroup(JoinGroupRequest::default()),
                ApiKey::Heartbeat => RequestKind::Heartbeat(HeartbeatRequest::default()),
                ApiKey::LeaveGroup => RequestKind::LeaveGroup(LeaveGroupRequest::default()),
                ApiKey::SyncGroup => RequestKind::SyncGroup(SyncGroupRequest::default()),
                ApiKey::DescribeGroups => RequestKind::DescribeGroups(
                    DescribeGroupsRequest::default()
                        .with_groups(vec![GroupId(StrBytes::from_static_str("g"))]),
                ),
                ApiKey::ListGroups => RequestKind::ListGroups(ListGroupsRequest::default()),
                ApiKey::ApiVersions => RequestKind::ApiVersions(ApiVersionsRequest::default()),
                ApiKey::CreateTopics => RequestKind::CreateTopics(
                    CreateTopicsRequest::default()
                        .with_topics(vec![
                            create_topics_request::CreatableTopic::default()
                                .with_name(name("made"))
                                .with_num_partitions(-1)
                                .with_replication_factor(-1),
                        ])
                        .with_validate_only(true),
                ),
                ApiKey::DeleteTopics => RequestKind::DeleteTopics(DeleteTopicsRequest::default()),
                ApiKey::InitProducerId => RequestKind::InitProducerId(
                    InitProducerIdRequest::default().with_producer_id(ProducerId(-1)),
                ),
                ApiKey::DescribeConfigs => RequestKind::DescribeConfigs(
                    DescribeConfigsRequest::default().with_resources(vec![
                        describe_configs_request::DescribeConfigsResource::default()
                            .with_resource_type(2)
                            .with_resource_name(StrBytes::from_static_str("test")),
                        describe_configs_request::DescribeConfigsResource::default()
                            .with_resource_type(4)
                            .with_resource_name(StrBytes::from_static_str("1")),
                    ]),
                ),
                other => panic!("no request for {other:?}"),
            };
            let cx = ctx(l, v);
            let resp = match h.dispatch(&mut c, &cx, body) {
                Outcome::Done(r) => r,
                Outcome::Nothing => continue,
                Outcome::Park(..) => continue,
            };
            let bytes = frame::encode_response(*key, v, 7, &resp)
                .unwrap_or_else(|e| panic!("{key:?} v{v}: {e}"));
            let mut body = bytes.slice(4..);
            let header =
                ResponseHeader::decode(&mut body, key.response_header_version(v)).expect("header");
            assert_eq!(header.correlation_id, 7);
            let decoded = ResponseKind::decode(*key, &mut body, v);
            assert!(
                decoded.is_ok(),
                "{key:?} v{v} does not decode back: {decoded:?}"
            );
        }
    }
}

#[test]
fn frames_round_trip_and_bad_frames_are_rejected() {
    let header = RequestHeader::default()
        .with_request_api_key(ApiKey::Metadata as i16)
        .with_request_api_version(9)
        .with_correlation_id(42)
        .with_client_id(Some(StrBytes::from_static_str("me")));
    let body = RequestKind::Metadata(MetadataRequest::default().with_topics(None));
    let bytes = frame::encode_request(&header, &body).expect("encode");
    let len = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    assert_eq!(frame::check_length(len), Ok(bytes.len() - 4));
    match frame::decode_request(bytes.slice(4..)) {
        Decoded::Request(r) => {
            assert_eq!(r.header, header);
            assert_eq!(r.body, body);
        }
        other => panic!("{other:?}"),
    }
    assert!(frame::check_length(-1).is_err());
    assert!(frame::check_length(frame::MAX_REQUEST_BYTES + 1).is_err());
    // Unknown API key, unsupported version, truncated body.
    assert!(matches!(
        frame::decode_request(Bytes::from_static(&[0x7f, 0x7f, 0, 0, 0, 0, 0, 1])),
        Decoded::Reject(_)
    ));
    let too_new = header.clone().with_request_api_version(10);
    let b = frame::encode_request(&too_new, &body).expect("encode");
    assert!(matches!(
        frame::decode_request(b.slice(4..)),
        Decoded::Reject(_)
    ));
    assert!(matches!(
        frame::decode_request(bytes.slice(4..bytes.len() - 3)),
        Decoded::Reject(_)
    ));
    // ApiVersions newer than the lab knows gets the v0 error answer, not a closed connection.
    let av = RequestHeader::default()
        .with_request_api_key(18)
        .with_request_api_version(9)
        .with_correlation_id(5);
    let mut raw = BytesMut::new();
    raw.extend_from_slice(&18i16.to_be_bytes());
    raw.extend_from_slice(&9i16.to_be_bytes());
    raw.extend_from_slice(&5i32.to_be_bytes());
    let _ = av;
    assert!(matches!(
        frame::decode_request(raw.freeze()),
        Decoded::ApiVersionsTooNew { correlation_id: 5 }
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
    /// Random frames and mutated valid ones never panic the decoder.
    #[test]
    fn decoder_survives_random_and_mutated_frames(
        random in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
        flips in proptest::collection::vec((0usize..64, proptest::prelude::any::<u8>()), 0..6),
        key in 0i16..20,
        version in 0i16..10,
    ) {
        let _ = frame::decode_request(Bytes::from(random));
        let header = RequestHeader::default().with_request_api_key(key).with_request_api_version(version).with_correlation_id(1);
        let Ok(api_key) = ApiKey::try_from(key) else { return Ok(()) };
        if !versions::supports(api_key, version) { return Ok(()) }
        let body = match api_key {
            ApiKey::Metadata => RequestKind::Metadata(MetadataRequest::default()),
            ApiKey::ApiVersions => RequestKind::ApiVersions(ApiVersionsRequest::default()),
            ApiKey::Heartbeat => RequestKind::Heartbeat(HeartbeatRequest::default()),
            _ => return Ok(()),
        };
        let Ok(bytes) = frame::encode_request(&header, &body) else { return Ok(()) };
        let mut m = bytes.slice(4..).to_vec();
        for (at, b) in flips {
            if !m.is_empty() {
                let i = at % m.len();
                m[i] ^= b;
            }
        }
        let _ = frame::decode_request(Bytes::from(m));
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
    assert!(p.id >= super::wire_clients::WIRE_CLIENT_ID_BASE);
    assert_eq!((p.sent, p.acknowledged), (12, 12));
    assert!(p.rate_per_sec > 0.0);
    let ports: Vec<Option<u16>> = snap.brokers.iter().map(|b| b.port).collect();
    assert_eq!(ports, vec![Some(19092), Some(19093), Some(19094)]);
}

/// Sends a request through the driver's path (`WireHost::handle`), returning its reply channel.
fn submit(
    c: &mut Cluster,
    h: &mut WireHost,
    broker: i32,
    key: ApiKey,
    version: i16,
    body: RequestKind,
) -> tokio::sync::oneshot::Receiver<super::Reply> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let req = frame::Request {
        header: RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_client_id(Some(StrBytes::from_static_str("unit-client"))),
        api_key: key,
        body,
    };
    h.handle(
        c,
        super::ApiCall {
            broker,
            request: Box::new(req),
            reply: tx,
        },
    );
    rx
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
        Ok(super::Reply::Response(r)) => match *r {
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
fn commit_and_wait(
    c: &mut Cluster,
    h: &mut WireHost,
    coord: i32,
    commit: OffsetCommitRequest,
) -> Option<super::Reply> {
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
        Some(super::Reply::Response(r)) => match *r {
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
    let Some(super::Reply::Response(r)) = answered else {
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
