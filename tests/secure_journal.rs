//! A secured listener's run is journaled without a secret: SASL frames never reach the journal,
//! the header records only the listener's `security.protocol`, and the run still replays exactly.

mod common;

use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::lab::Lab;
use kafka_lab::lab::journal::{self, Header, Input, JournalWriter, Start};
use kafka_lab::lab::live::{self, LiveOptions, WireOptions};
use kafka_lab::lab::replay::Replay;
use kafka_lab::protocol::client_transport::{
    ClientConnection, ClientSecurity, SaslCredentials, SaslMechanism, Secret, SecurityProtocol,
};
use kafka_lab::protocol::frame::{Decoded, decode_request};
use kafka_lab::protocol::sasl::SaslUsers;
use kafka_lab::protocol::{ListenerConfig, ListenerSecurity};
use kafka_lab::scenario::default_lab::DefaultLab;
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, MetadataRequest};
use std::time::Duration;

const PASSWORD: &str = "journal-secret-pw";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sasl_run_journals_no_secret_and_replays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run.journal");
    let port = common::free_ports();
    let mut config = ClusterConfig::new(3, 21, dir.path().join("live"));
    config.step_ms = 1;
    let mut lab = Lab::new(config).expect("lab");
    let setup = DefaultLab::default().commands(3);
    lab.set_up(&setup).expect("set up");
    let users = SaslUsers::parse(&format!("alice:{PASSWORD}\n")).expect("users");
    let mut wire = ListenerConfig::new(port);
    wire.security = ListenerSecurity::new(None, Some(users));
    let header = Header::new(
        lab.config().clone(),
        Start::Commands(setup),
        Some(&wire),
        true,
    );
    let options = LiveOptions {
        wire: Some(WireOptions {
            config: wire,
            required: true,
        }),
        journal: Some(JournalWriter::create(&path, &header).expect("journal")),
        ..LiveOptions::default()
    };
    let (running, front) = live::start(lab, options).await.expect("live lab");
    for mechanism in [SaslMechanism::Plain, SaslMechanism::ScramSha256] {
        let security = ClientSecurity::new(
            SecurityProtocol::SaslPlaintext,
            None,
            Some(SaslCredentials {
                mechanism,
                username: "alice".into(),
                password: Secret::new(PASSWORD),
            }),
        )
        .expect("security");
        let mut c = ClientConnection::connect(&format!("127.0.0.1:{port}"), &security, "j")
            .await
            .expect("authenticates");
        c.call(ApiVersionsRequest::default(), 3)
            .await
            .expect("ApiVersions");
        let m = c
            .call(MetadataRequest::default(), 9)
            .await
            .expect("Metadata");
        assert_eq!(m.brokers.len(), 3);
    }
    // A couple of simulated seconds, so the journal carries fingerprints to check.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    while front.events.try_recv().is_ok() {}
    drop(front);
    running.finish().await.expect("driver");

    let text = std::fs::read_to_string(&path).expect("journal text");
    assert!(!text.contains(PASSWORD), "the password is in the journal");
    assert!(text.contains("\"security_protocol\":\"SASL_PLAINTEXT\""));
    let journal = journal::read(&path).expect("journal reads back");
    let mut wire_requests = Vec::new();
    for line in &journal.lines {
        if let Input::Wire { frame, .. } = &line.input {
            use base64::Engine;
            let raw = base64::engine::general_purpose::STANDARD
                .decode(frame)
                .expect("base64");
            let Decoded::Request(r) = decode_request(raw.into()) else {
                panic!("a journaled frame does not decode");
            };
            wire_requests.push(r.api_key);
        }
    }
    assert!(
        wire_requests.contains(&ApiKey::Metadata),
        "{wire_requests:?}"
    );
    assert!(
        !wire_requests
            .iter()
            .any(|k| matches!(k, ApiKey::SaslHandshake | ApiKey::SaslAuthenticate)),
        "{wire_requests:?}"
    );
    let checks = journal
        .lines
        .iter()
        .filter(|l| matches!(l.input, Input::Check(_)))
        .count();
    assert!(checks > 0);
    let replay_lab =
        Replay::start_lab(&journal.header, &dir.path().join("replay")).expect("replay lab");
    let mut replay = Replay::new(replay_lab, None, journal);
    replay
        .finish()
        .unwrap_or_else(|e| panic!("the replay diverged: {e}"));
    assert_eq!(replay.checks_passed(), checks);
}
