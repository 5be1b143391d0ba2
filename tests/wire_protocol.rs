//! The wire listener of the real binary, driven with raw frames (no client library needed):
//! ApiVersions, and bad input — negative and oversized lengths, unknown APIs, garbage bodies,
//! silent connections, a thousand connections at once — never stop the broker serving others.

mod common;

use common::free_ports;
use common::live_lab::LiveLab;

use kafka_lab::protocol::frame::encode_request;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse,
    RequestHeader, RequestKind, ResponseHeader,
};
use kafka_protocol::protocol::Decodable;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

fn connect(lab: &LiveLab) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", lab.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

fn read_frame(s: &mut TcpStream) -> Option<bytes::Bytes> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut buf = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut buf).ok()?;
    Some(bytes::Bytes::from(buf))
}

fn api_versions(s: &mut TcpStream, version: i16, correlation_id: i32) -> ApiVersionsResponse {
    let req = if version <= 3 {
        let header = RequestHeader::default()
            .with_request_api_key(ApiKey::ApiVersions as i16)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id);
        encode_request(
            &header,
            &RequestKind::ApiVersions(ApiVersionsRequest::default()),
        )
        .expect("encode")
        .to_vec()
    } else {
        // A version no codec knows: header (key, version, correlation id, null client id, no
        // tags) and an empty body, as a newer client would start it.
        let mut f = vec![0, 18];
        f.extend_from_slice(&version.to_be_bytes());
        f.extend_from_slice(&correlation_id.to_be_bytes());
        f.extend_from_slice(&[0xff, 0xff, 0, 0]);
        [&(f.len() as i32).to_be_bytes()[..], &f].concat()
    };
    s.write_all(&req).expect("send");
    let mut body = read_frame(s).expect("an ApiVersions response");
    let h = ResponseHeader::decode(&mut body, 0).expect("header");
    assert_eq!(h.correlation_id, correlation_id);
    ApiVersionsResponse::decode(&mut body, if version > 3 { 0 } else { version }).expect("body")
}

/// The broker still answers a fresh client.
fn still_serves(lab: &LiveLab) {
    let mut s = connect(lab);
    let r = api_versions(&mut s, 3, 99);
    assert_eq!(r.error_code, 0);
}

/// Whether the server closed the connection (EOF) rather than answering.
fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    matches!(s.read(&mut b), Ok(0) | Err(_))
}

#[test]
fn api_versions_lists_the_served_apis_and_metadata_names_every_broker() {
    let lab = LiveLab::start(9, 0, &[]);
    let mut s = connect(&lab);
    let r = api_versions(&mut s, 3, 1);
    assert_eq!(r.error_code, 0);
    let keys: Vec<i16> = r.api_keys.iter().map(|k| k.api_key).collect();
    for k in [
        ApiKey::Produce,
        ApiKey::Fetch,
        ApiKey::Metadata,
        ApiKey::JoinGroup,
        ApiKey::InitProducerId,
    ] {
        assert!(keys.contains(&(k as i16)), "{k:?} missing");
    }
    let header = RequestHeader::default()
        .with_request_api_key(ApiKey::Metadata as i16)
        .with_request_api_version(9)
        .with_correlation_id(2);
    let req = encode_request(
        &header,
        &RequestKind::Metadata(MetadataRequest::default().with_topics(None)),
    )
    .expect("encode");
    s.write_all(&req).expect("send");
    let mut body = read_frame(&mut s).expect("metadata");
    ResponseHeader::decode(&mut body, 1).expect("header");
    let m = MetadataResponse::decode(&mut body, 9).expect("metadata body");
    let ports: Vec<i32> = m.brokers.iter().map(|b| b.port).collect();
    let base = i32::from(lab.port);
    assert_eq!(ports, vec![base, base + 1, base + 2]);
    assert!(
        m.topics
            .iter()
            .any(|t| t.name.as_ref().is_some_and(|n| n.0.as_str() == "test"))
    );
}

#[test]
fn bad_frames_get_kafkas_answer_or_a_closed_connection_and_the_broker_keeps_serving() {
    let lab = LiveLab::start(9, 0, &[]);
    // ApiVersions newer than the broker: version-0 answer with UNSUPPORTED_VERSION and the list.
    let mut s = connect(&lab);
    let r = api_versions(&mut s, 99, 3);
    assert_eq!(r.error_code, 35);
    assert!(!r.api_keys.is_empty());
    // Negative length, oversized length, unknown API key, garbage body: the connection closes.
    for frame in [
        (-5i32).to_be_bytes().to_vec(),
        (200 * 1024 * 1024i32).to_be_bytes().to_vec(),
        [
            &12i32.to_be_bytes()[..],
            &[0x7f, 0x00, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0],
        ]
        .concat(),
        [
            &16i32.to_be_bytes()[..],
            &[
                0, 3, 0, 9, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0x7f, 0xde, 0xad, 0xbe, 0xef,
            ],
        ]
        .concat(),
    ] {
        let mut s = connect(&lab);
        s.write_all(&frame).expect("send");
        assert!(closed(&mut s), "frame {frame:?} was not refused");
    }
    still_serves(&lab);
    // A client that connects and sends nothing, and a truncated frame, hold nobody up.
    let _idle = connect(&lab);
    let mut half = connect(&lab);
    half.write_all(&[0, 0, 0, 50, 0, 18]).expect("send");
    still_serves(&lab);
}

#[test]
fn a_thousand_connections_at_once_do_not_stop_the_broker() {
    let lab = LiveLab::start(9, 0, &[]);
    let conns: Vec<TcpStream> = (0..1000)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", lab.port)).ok())
        .collect();
    assert!(
        conns.len() >= 900,
        "only {} connections accepted",
        conns.len()
    );
    still_serves(&lab);
    drop(conns);
    still_serves(&lab);
}

#[test]
fn a_taken_port_stops_the_lab_with_a_message_naming_it() {
    let port = free_ports();
    let _squatter = TcpListener::bind(("127.0.0.1", port + 1)).expect("take broker 2's port");
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args([
            "--ephemeral",
            "--port",
            &port.to_string(),
            "--consumers",
            "0",
            "--rate",
            "0",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&(port + 1).to_string())
            && err.contains("--port")
            && err.contains("--no-listen"),
        "{err}"
    );
}

#[test]
fn a_taken_default_port_leaves_the_lab_running_without_the_listener() {
    // Take 9092 (or find it taken already, by a local Kafka, say).
    let _squatter = TcpListener::bind(("127.0.0.1", 9092));
    let taken = TcpListener::bind(("127.0.0.1", 9092)).is_err();
    if !common::require::available_or_skip(
        taken,
        "port 9092 could not be taken",
        "taken default port",
    ) {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["--ephemeral", "--consumers", "0", "--rate", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let still_running = child.try_wait().expect("try_wait").is_none();
    common::stop_lab(&mut child);
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(still_running, "the lab stopped: {stderr}");
    assert!(
        stderr.contains("wire listener off") && stderr.contains("--port"),
        "{stderr}"
    );
    assert!(
        stdout.contains("wire listener off"),
        "the timeline says so too: {stdout}"
    );
}
