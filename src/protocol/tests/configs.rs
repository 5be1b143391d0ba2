//! The two profiles over the wire: DescribeConfigs tells a lab override from Kafka's default,
//! topics created without counts follow `num.partitions`/`default.replication.factor`, and the
//! Kafka profile keeps Kafka's limits (segment size, `message.max.bytes`, the offsets topic's RF).

use super::{call, ctx, name, produce_req};
use crate::cluster::config::{ClusterConfig, Profile};
use crate::cluster::lab::Cluster;
use crate::cluster::topic::TopicSpec;
use crate::protocol::ListenerConfig;
use crate::protocol::host::WireHost;
use bytes::Bytes;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

/// Kafka's config sources.
const STATIC_BROKER_CONFIG: i8 = 4;
const DEFAULT_CONFIG: i8 = 5;

fn lab_with(profile: Profile, brokers: usize) -> (Cluster, WireHost, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ClusterConfig::for_profile(profile, brokers, 42, dir.path());
    let mut c = Cluster::new(config).expect("lab");
    c.create_topic(TopicSpec::new("test", 2, brokers as i16))
        .expect("topic");
    c.advance_by(100);
    (c, WireHost::new(ListenerConfig::new(19092)), dir)
}

/// `(name, value, source)` of each config of one resource.
fn describe(c: &mut Cluster, h: &mut WireHost, kind: i8, res: &str) -> Vec<(String, String, i8)> {
    let req = DescribeConfigsRequest::default().with_resources(vec![
        DescribeConfigsResource::default()
            .with_resource_type(kind)
            .with_resource_name(StrBytes::from_string(res.into()))
            .with_configuration_keys(None),
    ]);
    let Some(ResponseKind::DescribeConfigs(r)) =
        call(c, h, &ctx(1, 1), RequestKind::DescribeConfigs(req))
    else {
        panic!("describe configs")
    };
    r.results[0]
        .configs
        .iter()
        .map(|e| {
            let v = e.value.as_ref().map(|v| v.to_string()).unwrap_or_default();
            (e.name.to_string(), v, e.config_source)
        })
        .collect()
}

fn find<'a>(all: &'a [(String, String, i8)], key: &str) -> (&'a str, i8) {
    let (_, v, s) = all.iter().find(|(n, ..)| n == key).expect(key);
    (v, *s)
}

#[test]
fn describe_configs_reports_a_teaching_override_as_broker_config_and_kafkas_as_default() {
    let (mut c, mut h, _d) = lab_with(Profile::Teaching, 3);
    let broker = describe(&mut c, &mut h, 4, "1");
    assert_eq!(
        find(&broker, "replica.lag.time.max.ms"),
        ("10000", STATIC_BROKER_CONFIG)
    );
    assert_eq!(
        find(&broker, "leader.imbalance.check.interval.seconds"),
        ("10", STATIC_BROKER_CONFIG)
    );
    assert_eq!(
        find(&broker, "broker.session.timeout.ms"),
        ("9000", DEFAULT_CONFIG)
    );
    let topic = describe(&mut c, &mut h, 2, "test");
    assert_eq!(
        find(&topic, "segment.bytes"),
        ("1048576", STATIC_BROKER_CONFIG)
    );
    assert_eq!(
        find(&topic, "max.message.bytes"),
        ("1048588", DEFAULT_CONFIG)
    );

    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 3);
    let broker = describe(&mut c, &mut h, 4, "1");
    assert_eq!(
        find(&broker, "replica.lag.time.max.ms"),
        ("30000", DEFAULT_CONFIG)
    );
    assert_eq!(
        find(&broker, "log.retention.check.interval.ms"),
        ("300000", DEFAULT_CONFIG)
    );
    let topic = describe(&mut c, &mut h, 2, "test");
    assert_eq!(
        find(&topic, "segment.bytes"),
        ("1073741824", DEFAULT_CONFIG)
    );
}

fn create(
    c: &mut Cluster,
    h: &mut WireHost,
    topic: &str,
    segment_bytes: Option<&str>,
) -> (i16, i32, i16, String) {
    let configs: Vec<(&str, &str)> = segment_bytes
        .map(|b| ("segment.bytes", b))
        .into_iter()
        .collect();
    create_with(c, h, topic, &configs)
}

/// CreateTopics of `topic` with `configs`: (error code, partitions, RF, error message).
pub(super) fn create_with(
    c: &mut Cluster,
    h: &mut WireHost,
    topic: &str,
    configs: &[(&str, &str)],
) -> (i16, i32, i16, String) {
    let t = CreatableTopic::default()
        .with_name(name(topic))
        .with_num_partitions(-1)
        .with_replication_factor(-1)
        .with_configs(
            configs
                .iter()
                .map(|(k, v)| {
                    CreatableTopicConfig::default()
                        .with_name(StrBytes::from_string((*k).into()))
                        .with_value(Some(StrBytes::from_string((*v).into())))
                })
                .collect(),
        );
    let req = CreateTopicsRequest::default().with_topics(vec![t]);
    let Some(ResponseKind::CreateTopics(r)) =
        call(c, h, &ctx(1, 5), RequestKind::CreateTopics(req))
    else {
        panic!("create topics")
    };
    let t = &r.topics[0];
    let msg = t
        .error_message
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_default();
    (t.error_code, t.num_partitions, t.replication_factor, msg)
}

#[test]
fn topics_created_without_counts_follow_the_profiles_defaults_and_kafka_refuses_small_segments() {
    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 3);
    assert_eq!(
        create(&mut c, &mut h, "plain", None),
        (0, 1, 1, String::new())
    );
    let (code, _, _, msg) = create(&mut c, &mut h, "tiny", Some("4096"));
    assert_eq!(code, 40, "INVALID_CONFIG");
    assert_eq!(
        msg,
        "Invalid value 4096 for configuration segment.bytes: Value must be at least 1048576"
    );
    assert!(c.topic("tiny").is_none());

    let (mut c, mut h, _d) = lab_with(Profile::Teaching, 3);
    assert_eq!(
        create(&mut c, &mut h, "plain", None),
        (0, 1, 3, String::new())
    );
    assert_eq!(create(&mut c, &mut h, "tiny", Some("4096")).0, 0);
}

#[test]
fn a_batch_over_message_max_bytes_is_refused_with_message_too_large() {
    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 3);
    let l = super::leader(&c, "test", 0);
    let big = vec![(None, Some(Bytes::from(vec![b'x'; 1_100_000])), 1_000)];
    let records = crate::log::batch::encode_stamped_records(&big, 0, None).expect("batch");
    let Some(ResponseKind::Produce(p)) = call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, records)),
    ) else {
        panic!("produce")
    };
    assert_eq!(
        p.responses[0].partition_responses[0].error_code, 10,
        "MESSAGE_TOO_LARGE"
    );
}

/// Produces one batch holding a `value_bytes` value to `topic`-0; the partition's error code.
fn produce_sized(c: &mut Cluster, h: &mut WireHost, topic: &str, value_bytes: usize) -> i16 {
    let l = super::leader(c, topic, 0);
    let recs = vec![(None, Some(Bytes::from(vec![b'x'; value_bytes])), 1_000)];
    let records = crate::log::batch::encode_stamped_records(&recs, 0, None).expect("batch");
    let Some(ResponseKind::Produce(p)) = call(
        c,
        h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req(topic, 0, 1, records)),
    ) else {
        panic!("produce")
    };
    p.responses[0].partition_responses[0].error_code
}

#[test]
fn a_topics_max_message_bytes_overrides_the_brokers_and_is_described_as_a_topic_config() {
    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 3);
    let (code, _, _, msg) = create_with(&mut c, &mut h, "small", &[("max.message.bytes", "x1")]);
    assert_eq!(code, 40, "INVALID_CONFIG");
    assert_eq!(
        msg,
        "Invalid value x1 for configuration max.message.bytes: Not a number of type INT"
    );
    let (code, ..) = create_with(&mut c, &mut h, "small", &[("max.message.bytes", "2000")]);
    assert_eq!(code, 0);
    assert_eq!(produce_sized(&mut c, &mut h, "small", 1_500), 0);
    assert_eq!(
        produce_sized(&mut c, &mut h, "small", 2_500),
        10,
        "MESSAGE_TOO_LARGE"
    );
    // The broker's 1,048,588 still holds for a topic without its own value.
    assert_eq!(produce_sized(&mut c, &mut h, "test", 2_500), 0);
    const DYNAMIC_TOPIC_CONFIG: i8 = 1;
    let topic = describe(&mut c, &mut h, 2, "small");
    assert_eq!(
        find(&topic, "max.message.bytes"),
        ("2000", DYNAMIC_TOPIC_CONFIG)
    );
}

#[test]
fn a_batch_too_large_for_the_logs_parser_is_message_too_large_not_corrupt() {
    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 3);
    let l = super::leader(&c, "test", 0);
    // A batch header claiming 70 MB (over the log's 64 MiB parser limit): the size answers first.
    let mut records = vec![0u8; 61];
    records[8..12].copy_from_slice(&70_000_000_i32.to_be_bytes());
    let Some(ResponseKind::Produce(p)) = call(
        &mut c,
        &mut h,
        &ctx(l, 9),
        RequestKind::Produce(produce_req("test", 0, 1, Bytes::from(records))),
    ) else {
        panic!("produce")
    };
    assert_eq!(p.responses[0].partition_responses[0].error_code, 10);
}

#[test]
fn the_kafka_profile_has_no_group_coordinator_with_fewer_than_three_brokers() {
    let find = |c: &mut Cluster, h: &mut WireHost| {
        let req = FindCoordinatorRequest::default().with_key(StrBytes::from_static_str("g"));
        let Some(ResponseKind::FindCoordinator(f)) =
            call(c, h, &ctx(1, 3), RequestKind::FindCoordinator(req))
        else {
            panic!("find coordinator")
        };
        f.error_code
    };
    let (mut c, mut h, _d) = lab_with(Profile::Kafka, 1);
    assert_eq!(find(&mut c, &mut h), 15, "COORDINATOR_NOT_AVAILABLE");
    assert!(c.topic("__consumer_offsets").is_none());
    let (mut c, mut h, _d) = lab_with(Profile::Teaching, 1);
    assert_eq!(find(&mut c, &mut h), 0);
}
