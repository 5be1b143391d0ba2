//! Bounded memory under clients that hang up: 100,000 `acks=all` produces whose connections close
//! before the answer leave nothing behind — no parked request, no waiting or finished ticket — and
//! the process's resident memory stays flat between the first 20,000 and the last. A real client's
//! records of each size class are answered as Kafka answers them, and the lab's memory returns
//! to its baseline after them.

mod common;

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

/// Resident memory of process `pid` in KiB (Linux).
fn rss_kib_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// confluent-kafka sends one record of `size` bytes to `test`; what the lab answered.
fn send_sized(py: &str, lab: &common::live_lab::LiveLab, size: usize) -> String {
    let mut cmd = std::process::Command::new(py);
    cmd.arg(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/size_limits.py"),
    )
    .args([lab.bootstrap(), "test".into(), size.to_string()]);
    let out =
        common::live_lab::run_bounded(cmd, "size_limits.py", std::time::Duration::from_secs(90));
    out.lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|r| r.split_whitespace().next().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no RESULT line: {out}"))
}

#[test]
fn each_size_class_is_answered_as_kafka_does_and_memory_returns_to_its_baseline() {
    let Some(py) = common::live_lab::env_or_skip("KAFKA_LAB_PYTHON", "real-client") else {
        return;
    };
    let lab = common::live_lab::LiveLab::start(7, 0, &[]);
    // Under max.message.bytes (1,048,588): stored.
    assert_eq!(send_sized(&py, &lab, 500_000), "ok");
    std::thread::sleep(std::time::Duration::from_secs(1));
    let baseline = rss_kib_of(lab.pid());
    // Over max.message.bytes: MESSAGE_TOO_LARGE (10), the record read and dropped.
    assert_eq!(send_sized(&py, &lab, 2_000_000), "10");
    // Just under socket.request.max.bytes (104,857,600): read whole, then refused the same way.
    assert_eq!(send_sized(&py, &lab, 90_000_000), "10");
    // Over socket.request.max.bytes: Kafka closes the connection without reading the frame; the
    // client sees its record time out. On the wire: the length alone closes the connection.
    assert_eq!(send_sized(&py, &lab, 110_000_000), "closed");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", lab.port)).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    std::io::Write::write_all(&mut s, &(104_857_601_i32).to_be_bytes()).expect("length");
    let mut buf = [0u8; 1];
    assert_eq!(
        std::io::Read::read(&mut s, &mut buf).expect("the lab closes, not times out"),
        0,
        "a frame over socket.request.max.bytes closes the connection"
    );
    // The lab still answers, and holds no more than it did before the large requests.
    assert_eq!(send_sized(&py, &lab, 500_000), "ok");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let after = rss_kib_of(lab.pid());
    let growth_kib = after.saturating_sub(baseline);
    eprintln!(
        "lab RSS {baseline} KiB before the large requests, {after} KiB after (+{growth_kib} KiB)"
    );
    assert!(
        growth_kib < 24 * 1024,
        "the lab kept {growth_kib} KiB after the large requests (baseline {baseline} KiB)"
    );
}
