//! Codecs: every response encodes at every advertised version, frames round-trip, and the
//! decoder survives random and mutated bytes.

use super::{batch, ctx, lab, leader, name, produce_req};
use crate::protocol::frame::{self, Decoded};
use crate::protocol::host::Outcome;
use crate::protocol::versions;
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, StrBytes};

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
                ApiKey::CreatePartitions => RequestKind::CreatePartitions(
                    CreatePartitionsRequest::default()
                        .with_topics(vec![
                            create_partitions_request::CreatePartitionsTopic::default()
                                .with_name(name("test"))
                                .with_count(3),
                        ])
                        .with_validate_only(true),
                ),
                ApiKey::IncrementalAlterConfigs => RequestKind::IncrementalAlterConfigs(
                    IncrementalAlterConfigsRequest::default()
                        .with_resources(vec![
                            incremental_alter_configs_request::AlterConfigsResource::default()
                                .with_resource_type(2)
                                .with_resource_name(StrBytes::from_static_str("test")),
                        ])
                        .with_validate_only(true),
                ),
                ApiKey::AlterConfigs => RequestKind::AlterConfigs(
                    AlterConfigsRequest::default()
                        .with_resources(vec![
                            alter_configs_request::AlterConfigsResource::default()
                                .with_resource_type(2)
                                .with_resource_name(StrBytes::from_static_str("test")),
                        ])
                        .with_validate_only(true),
                ),
                ApiKey::AddPartitionsToTxn => RequestKind::AddPartitionsToTxn(
                    kafka_protocol::messages::AddPartitionsToTxnRequest::default(),
                ),
                ApiKey::AddOffsetsToTxn => RequestKind::AddOffsetsToTxn(
                    kafka_protocol::messages::AddOffsetsToTxnRequest::default(),
                ),
                ApiKey::TxnOffsetCommit => RequestKind::TxnOffsetCommit(
                    kafka_protocol::messages::TxnOffsetCommitRequest::default(),
                ),
                ApiKey::EndTxn => {
                    RequestKind::EndTxn(kafka_protocol::messages::EndTxnRequest::default())
                }
                ApiKey::ConsumerGroupHeartbeat => RequestKind::ConsumerGroupHeartbeat(
                    ConsumerGroupHeartbeatRequest::default()
                        .with_group_id(GroupId(StrBytes::from_static_str("g848")))
                        .with_member_id(StrBytes::from_static_str("m-1"))
                        .with_rebalance_timeout_ms(30_000)
                        .with_subscribed_topic_names(Some(vec![name("test")]))
                        .with_topic_partitions(Some(vec![])),
                ),
                ApiKey::ConsumerGroupDescribe => RequestKind::ConsumerGroupDescribe(
                    ConsumerGroupDescribeRequest::default().with_group_ids(vec![
                        GroupId(StrBytes::from_static_str("g848")),
                        GroupId(StrBytes::from_static_str("g")),
                    ]),
                ),
                ApiKey::DescribeTopicPartitions => RequestKind::DescribeTopicPartitions(
                    DescribeTopicPartitionsRequest::default().with_response_partition_limit(1),
                ),
                ApiKey::OffsetForLeaderEpoch => RequestKind::OffsetForLeaderEpoch(
                    OffsetForLeaderEpochRequest::default().with_topics(vec![
                        offset_for_leader_epoch_request::OffsetForLeaderTopic::default()
                            .with_topic(name("test"))
                            .with_partitions(vec![
                                offset_for_leader_epoch_request::OffsetForLeaderPartition::default(
                                ),
                            ]),
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
    // Fetch 18 is coded by kafka-protocol but above what the lab serves.
    let too_new = header
        .clone()
        .with_request_api_key(ApiKey::Fetch as i16)
        .with_request_api_version(18);
    let b = frame::encode_request(&too_new, &RequestKind::Fetch(FetchRequest::default()))
        .expect("encode");
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
