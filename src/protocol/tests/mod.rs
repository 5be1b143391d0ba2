//! Request → cluster mapping, through `WireHost` against a real (paused-clock) cluster, and
//! every response encoded at every advertised version: one file per API family, the shared lab
//! and request builders here.

use super::ListenerConfig;
use super::frame::{self};
use super::host::{Ctx, Outcome, WireHost};
use crate::cluster::config::ClusterConfig;
use crate::cluster::lab::Cluster;
use crate::cluster::topic::TopicSpec;
use crate::log::batch::{ProducerStamp, encode_stamped_records};
use bytes::Bytes;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;

mod codec;
mod configs;
mod consumer_groups;
mod fetch;
mod fetch_sessions;
mod kip848_offsets;
mod metadata;
mod offsets;
mod produce;
mod topic_changes;

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
            connection: 0,
            raw: Default::default(),
        },
    );
    rx
}
