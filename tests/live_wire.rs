//! The one live driver with real clients, in-process: a lesson serves the Kafka wire protocol
//! exactly like the default lab and shows a real producer in its panels; pausing the lab stops
//! everything a real client sees (its request waits until the lab resumes).

mod common;

use bytes::Bytes;
use kafka_lab::clients::view::ClientOrigin;
use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::TopicPartition;
use kafka_lab::lab::Lab;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::LabChannels;
use kafka_lab::lab::live::{self, LiveOptions, WireOptions};
use kafka_lab::lab::snapshot::LabSnapshot;
use kafka_lab::log::batch::encode_batch;
use kafka_lab::protocol::ListenerConfig;
use kafka_lab::protocol::frame::encode_request;
use kafka_lab::scenario::lessons;
use kafka_lab::scenario::live::LessonDirector;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, ProduceRequest, RequestHeader, RequestKind, TopicName};
use kafka_protocol::protocol::StrBytes;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn wire(port: u16) -> WireOptions {
    WireOptions {
        config: ListenerConfig::new(port),
        required: true,
    }
}

/// A Produce frame of one record to `test-0` with `acks=1`, from `client_id`.
fn produce_frame(client_id: &'static str) -> Bytes {
    let body = ProduceRequest::default()
        .with_acks(1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![
            TopicProduceData::default()
                .with_name(TopicName(StrBytes::from_static_str("test")))
                .with_partition_data(vec![
                    PartitionProduceData::default()
                        .with_index(0)
                        .with_records(Some(encode_batch(&[(
                            None,
                            Bytes::from_static(b"hello"),
                            1_000,
                        )]))),
                ]),
        ]);
    let header = RequestHeader::default()
        .with_request_api_key(ApiKey::Produce as i16)
        .with_request_api_version(9)
        .with_correlation_id(7)
        .with_client_id(Some(StrBytes::from_static_str(client_id)));
    encode_request(&header, &RequestKind::Produce(body)).expect("encode")
}

async fn read_frame(s: &mut TcpStream) -> Vec<u8> {
    let len = s.read_i32().await.expect("a response length");
    let mut buf = vec![0u8; len as usize];
    s.read_exact(&mut buf).await.expect("the response");
    buf
}

/// Waits (real time, bounded) for a snapshot that satisfies `want`.
async fn snapshot_where(front: &LabChannels, want: impl Fn(&LabSnapshot) -> bool) -> LabSnapshot {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let snap = tokio::time::timeout_at(deadline, front.snapshots.recv_async())
            .await
            .expect("no matching snapshot within 20 s")
            .expect("the driver runs");
        if want(&snap) {
            return snap;
        }
    }
}

fn leader_port(snap: &LabSnapshot, base: u16) -> u16 {
    let tp = TopicPartition::new("test", 0);
    let p = snap.partitions.iter().find(|p| p.tp == tp).expect("test-0");
    base + (p.leader.expect("a leader") as u16) - 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_serves_the_wire_protocol_and_shows_real_producers() {
    let port = common::free_ports();
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = lessons::resolve("experiment-1").expect("built-in lesson");
    let (director, lab) =
        LessonDirector::start(Arc::new(scenario), dir.path().to_path_buf(), None).expect("lesson");
    let options = LiveOptions {
        wire: Some(wire(port)),
        director: Some(Box::new(director)),
        schedule: Vec::new(),
        journal: None,
    };
    let (running, front) = live::start(lab, options).await.expect("live lesson");
    assert!(
        running
            .listener_status
            .as_ref()
            .is_some_and(|s| s.to_string().contains(&port.to_string())),
        "{:?}",
        running.listener_status
    );
    let snap = snapshot_where(&front, |s| {
        s.partitions
            .iter()
            .any(|p| p.tp.topic == "test" && p.leader.is_some())
    })
    .await;
    assert!(snap.lesson.is_some(), "the lesson directs this lab");
    assert!(
        snap.brokers.iter().all(|b| b.port.is_some()),
        "brokers show their ports"
    );
    let mut s = TcpStream::connect(("127.0.0.1", leader_port(&snap, port)))
        .await
        .expect("connect to the lesson's broker");
    s.write_all(&produce_frame("room-laptop"))
        .await
        .expect("send");
    let answer = read_frame(&mut s).await;
    assert_eq!(i32::from_be_bytes(answer[..4].try_into().unwrap()), 7);
    let snap = snapshot_where(&front, |s| {
        s.producers
            .iter()
            .any(|p| p.client_id == "room-laptop" && p.acknowledged == 1)
    })
    .await;
    let p = snap
        .producers
        .iter()
        .find(|p| p.client_id == "room-laptop")
        .unwrap();
    assert_eq!(p.origin, ClientOrigin::Wire);
    assert!(snap.lesson.is_some());
    drop(front);
    running.finish().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_lab_answers_no_real_client_until_it_resumes() {
    let port = common::free_ports();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = ClusterConfig::new(3, 7, dir.path());
    config.step_ms = 1;
    let mut lab = Lab::new(config).expect("lab");
    lab.create_topic(TopicSpec::new("test", 1, 3))
        .expect("topic");
    let options = LiveOptions {
        wire: Some(wire(port)),
        ..LiveOptions::default()
    };
    let (running, front) = live::start(lab, options).await.expect("live lab");
    let snap = snapshot_where(&front, |s| s.partitions.iter().any(|p| p.leader.is_some())).await;
    let mut s = TcpStream::connect(("127.0.0.1", leader_port(&snap, port)))
        .await
        .expect("connect");
    front
        .commands
        .send_async(Command::SetPaused(true))
        .await
        .unwrap();
    let frozen = snapshot_where(&front, |s| s.paused).await.now_ms;
    s.write_all(&produce_frame("paused-client"))
        .await
        .expect("send");
    let early = tokio::time::timeout(Duration::from_millis(800), read_frame(&mut s)).await;
    assert!(early.is_err(), "a paused lab answered a produce");
    let still = snapshot_where(&front, |s| s.paused).await;
    assert_eq!(still.now_ms, frozen, "simulated time stood still");
    assert!(
        still.producers.is_empty(),
        "the request was not taken while paused"
    );
    front
        .commands
        .send_async(Command::SetPaused(false))
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_frame(&mut s))
        .await
        .expect("answered after resuming");
    assert_eq!(i32::from_be_bytes(answer[..4].try_into().unwrap()), 7);
    drop(front);
    running.finish().await.expect("clean stop");
}

#[test]
fn kafka_lab_lesson_takes_the_same_listener_flags_as_the_default_lab() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Process, Stdio};
    let port = common::free_ports();
    // A taken --port stops a lesson with the same message as the default lab.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port + 1)).expect("take a port");
    let out = Process::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["lesson", "experiment-1", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&(port + 1).to_string()) && err.contains("--no-listen"),
        "{err}"
    );
    drop(squatter);
    // A free one is served while the lesson streams its story.
    let mut child = Process::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["lesson", "experiment-1", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let line = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("Kafka wire protocol on"));
    assert!(line.is_some_and(|l| l.contains(&port.to_string())));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    common::stop_lab(&mut child);
}
