//! Bounded memory under clients that hang up: 100,000 `acks=all` produces whose connections close
//! before the answer leave nothing behind — no parked request, no waiting or finished ticket — and
//! the process's resident memory stays flat between the first 20,000 and the last.

use bytes::Bytes;
use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::lab::Cluster;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::log::batch::encode_batch;
use kafka_lab::protocol::frame::Request;
use kafka_lab::protocol::{ApiCall, ListenerConfig, WireHost};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, ProduceRequest, RequestHeader, RequestKind, TopicName};
use kafka_protocol::protocol::StrBytes;

const REQUESTS: usize = 100_000;
const PER_STEP: usize = 1_000;

/// Resident memory of this process in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn produce_call(broker: i32, records: Bytes) -> ApiCall {
    let body = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![
            TopicProduceData::default()
                .with_name(TopicName(StrBytes::from_static_str("test")))
                .with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(0)
                        .with_records(Some(records)),
                ]),
        ]);
    let (reply, rx) = tokio::sync::oneshot::channel();
    // The client hangs up before the answer.
    drop(rx);
    ApiCall {
        broker,
        request: Box::new(Request {
            header: RequestHeader::default()
                .with_request_api_key(ApiKey::Produce as i16)
                .with_request_api_version(9)
                .with_client_id(Some(StrBytes::from_static_str("hang-up"))),
            api_key: ApiKey::Produce,
            body: RequestKind::Produce(body),
        }),
        reply,
        connection: 0,
        raw: Bytes::new(),
    }
}

#[test]
fn acks_all_produces_from_clients_that_hang_up_leave_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ClusterConfig::new(3, 42, dir.path());
    config.log.segment_bytes = 64 << 20;
    let mut c = Cluster::new(config).expect("lab");
    c.create_topic(TopicSpec::new("test", 1, 3)).expect("topic");
    c.advance_by(100);
    let mut host = WireHost::new(ListenerConfig::new(19092));
    let tp = TopicPartition::new("test", 0);
    let leader = c.leader_of(&tp).expect("a leader");
    let followers: Vec<i32> = (1..=3).filter(|b| *b != leader).collect();
    let records = encode_batch(&[(None, Bytes::from_static(b"value"), 1_000)]);
    let mut rss_at_20k = 0;
    let mut most_parked = 0;
    for sent in (0..REQUESTS).step_by(PER_STEP) {
        // The second half waits on followers that stopped fetching: those tickets are still
        // waiting when their clients are gone. The first half's finish first.
        if sent == REQUESTS / 2 {
            for f in &followers {
                c.set_broker_slow(*f, true).expect("slow follower");
            }
        }
        for _ in 0..PER_STEP {
            host.handle(&mut c, produce_call(leader, records.clone()));
        }
        most_parked = most_parked.max(host.parked_count());
        c.step();
        host.tick(&mut c);
        assert_eq!(host.parked_count(), 0, "hung-up requests are dropped");
        assert_eq!(
            c.ticket_counts(),
            (0, 0),
            "no ticket kept for a gone client"
        );
        if sent + PER_STEP == 20_000 {
            rss_at_20k = rss_kib();
        }
    }
    let rss_end = rss_kib();
    let growth_kib = rss_end.saturating_sub(rss_at_20k);
    eprintln!(
        "{REQUESTS} hung-up acks=all produces: at most {most_parked} parked at once; RSS {rss_at_20k} KiB at 20k, {rss_end} KiB at 100k (+{growth_kib} KiB)"
    );
    assert_eq!(most_parked, PER_STEP, "every request waited for acks=all");
    assert!(
        growth_kib < 32 * 1024,
        "memory grew {growth_kib} KiB over 80,000 hung-up produces"
    );
    assert!(c.high_watermark(&tp).is_some());
}
