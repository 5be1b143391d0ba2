//! The lab's listener secured (TLS, SASL PLAIN and SCRAM), driven by the client transport
//! `kafka-lab attach` uses: every `security.protocol`, wrong passwords, requests before
//! authentication, and the port Metadata advertises. Each test starts the real binary.

mod common;

use common::live_lab::LiveLab;
use common::secure::TestPki;
use kafka_lab::protocol::client_transport::{
    ClientConnection, ClientSecurity, SaslCredentials, SaslMechanism, Secret, SecurityProtocol,
    TransportError,
};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, MetadataRequest};

fn start(pki: &TestPki, protocol: &str, seed: u64) -> LiveLab {
    let flags = pki.lab_flags(protocol);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    LiveLab::start(seed, 0, &flags)
}

fn security(
    pki: &TestPki,
    protocol: SecurityProtocol,
    user: Option<(SaslMechanism, &str, &str)>,
) -> ClientSecurity {
    let sasl = user.map(|(mechanism, username, password)| SaslCredentials {
        mechanism,
        username: username.into(),
        password: Secret::new(password),
    });
    ClientSecurity::new(protocol, Some(pki.ca.clone()), sasl).expect("valid security")
}

/// Connects, checks ApiVersions (SASL listed or not) and that Metadata advertises the lab's
/// ports, as a client reaching the lab through this listener would use them.
async fn serves_metadata(lab: &LiveLab, security: &ClientSecurity, sasl_listed: bool) {
    let mut c = ClientConnection::connect(&lab.bootstrap(), security, "secure-test")
        .await
        .unwrap_or_else(|e| panic!("connect with {:?}: {e}", security.protocol()));
    let versions = c
        .call(ApiVersionsRequest::default(), 3)
        .await
        .expect("ApiVersions");
    assert_eq!(versions.error_code, 0);
    let listed = |k: ApiKey| versions.api_keys.iter().any(|v| v.api_key == k as i16);
    assert_eq!(listed(ApiKey::SaslHandshake), sasl_listed);
    assert_eq!(listed(ApiKey::SaslAuthenticate), sasl_listed);
    assert!(listed(ApiKey::Metadata));
    let metadata = c
        .call(MetadataRequest::default().with_topics(None), 9)
        .await
        .expect("Metadata");
    let mut ports: Vec<i32> = metadata.brokers.iter().map(|b| b.port).collect();
    ports.sort();
    let first = i32::from(lab.port);
    assert_eq!(ports, vec![first, first + 1, first + 2]);
    assert!(
        metadata
            .topics
            .iter()
            .any(|t| t.name.as_ref().is_some_and(|n| n.as_str() == "test"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_lab_serves_the_transport_and_refuses_tls() {
    let pki = TestPki::new();
    let lab = start(&pki, "PLAINTEXT", 11);
    serves_metadata(&lab, &ClientSecurity::plaintext(), false).await;
    let tls = security(&pki, SecurityProtocol::Ssl, None);
    let e = ClientConnection::connect(&lab.bootstrap(), &tls, "t")
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::Tls { .. }), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_lab_serves_tls_clients_and_drops_plaintext_ones() {
    let pki = TestPki::new();
    let lab = start(&pki, "SSL", 12);
    serves_metadata(&lab, &security(&pki, SecurityProtocol::Ssl, None), false).await;
    // A client that does not speak TLS gets no Kafka answer.
    let mut c = ClientConnection::connect(&lab.bootstrap(), &ClientSecurity::plaintext(), "t")
        .await
        .expect("TCP connects");
    let e = c.call(ApiVersionsRequest::default(), 3).await.unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Disconnected { .. } | TransportError::FrameTooLarge { .. }
        ),
        "{e}"
    );
    // A CA that did not sign the lab's certificate is refused.
    let other = TestPki::new();
    let e = ClientConnection::connect(
        &lab.bootstrap(),
        &security(&other, SecurityProtocol::Ssl, None),
        "t",
    )
    .await
    .unwrap_err();
    assert!(matches!(e, TransportError::Tls { .. }), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_plaintext_lab_authenticates_plain_and_scram_sha_512() {
    let pki = TestPki::new();
    let lab = start(&pki, "SASL_PLAINTEXT", 13);
    let p = SecurityProtocol::SaslPlaintext;
    let plain = security(
        &pki,
        p,
        Some((SaslMechanism::Plain, "alice", "alice-secret")),
    );
    serves_metadata(&lab, &plain, true).await;
    let scram = security(
        &pki,
        p,
        Some((SaslMechanism::ScramSha512, "bob", "bob-secret")),
    );
    serves_metadata(&lab, &scram, true).await;
    // alice may use every mechanism, including SCRAM-SHA-512.
    let alice = security(
        &pki,
        p,
        Some((SaslMechanism::ScramSha512, "alice", "alice-secret")),
    );
    serves_metadata(&lab, &alice, true).await;

    for (mechanism, user, password) in [
        (SaslMechanism::Plain, "alice", "wrong"),
        (SaslMechanism::ScramSha512, "bob", "wrong"),
        (SaslMechanism::ScramSha512, "nobody", "bob-secret"),
        // bob is SCRAM-SHA-512 only: PLAIN with his password is refused.
        (SaslMechanism::Plain, "bob", "bob-secret"),
    ] {
        let wrong = security(&pki, p, Some((mechanism, user, password)));
        let e = ClientConnection::connect(&lab.bootstrap(), &wrong, "t")
            .await
            .unwrap_err();
        let TransportError::SaslAuthenticationFailed { message } = &e else {
            panic!("{mechanism} {user}: {e}");
        };
        assert!(message.starts_with("Authentication failed"), "{message}");
        assert!(!message.contains(password), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_lab_closes_a_connection_that_skips_authentication() {
    let pki = TestPki::new();
    let lab = start(&pki, "SASL_PLAINTEXT", 14);
    let mut c = ClientConnection::connect(&lab.bootstrap(), &ClientSecurity::plaintext(), "t")
        .await
        .expect("TCP connects");
    // ApiVersions is served before authentication, and lists SASL.
    let v = c
        .call(ApiVersionsRequest::default(), 3)
        .await
        .expect("ApiVersions");
    assert!(
        v.api_keys
            .iter()
            .any(|k| k.api_key == ApiKey::SaslHandshake as i16)
    );
    let e = c.call(MetadataRequest::default(), 9).await.unwrap_err();
    assert!(matches!(e, TransportError::Disconnected { .. }), "{e}");
    // A mechanism the users file does not enable.
    let only_256 = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(only_256.path(), "SCRAM-SHA-256 carol:pw\n").expect("write");
    let lab2 = LiveLab::start(
        15,
        0,
        &[
            "--sasl-users",
            only_256.path().to_str().expect("utf-8 path"),
        ],
    );
    let plain = security(
        &pki,
        SecurityProtocol::SaslPlaintext,
        Some((SaslMechanism::Plain, "carol", "pw")),
    );
    let e = ClientConnection::connect(&lab2.bootstrap(), &plain, "t")
        .await
        .unwrap_err();
    let TransportError::UnsupportedSaslMechanism { enabled, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(enabled, "SCRAM-SHA-256");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_ssl_lab_authenticates_scram_sha_256_inside_tls() {
    let pki = TestPki::new();
    let lab = start(&pki, "SASL_SSL", 16);
    let p = SecurityProtocol::SaslSsl;
    let carol = security(
        &pki,
        p,
        Some((SaslMechanism::ScramSha256, "carol", "carol-secret")),
    );
    serves_metadata(&lab, &carol, true).await;
    let wrong = security(&pki, p, Some((SaslMechanism::ScramSha256, "carol", "nope")));
    let e = ClientConnection::connect(&lab.bootstrap(), &wrong, "t")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, TransportError::SaslAuthenticationFailed { message }
            if message.contains("invalid credentials with SASL mechanism SCRAM-SHA-256")),
        "{e}"
    );
}

#[test]
fn status_line_names_the_security_protocol() {
    use std::io::BufRead;
    let pki = TestPki::new();
    let port = common::free_ports();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["--ephemeral", "--port", &port.to_string()])
        .args(pki.lab_flags("SASL_SSL"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn kafka-lab");
    let stderr = child.stderr.take().expect("stderr");
    let line = std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("Kafka wire protocol on"));
    common::stop_lab(&mut child);
    let line = line.expect("a status line");
    assert!(line.contains(", SASL_SSL ("), "{line}");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
}

#[test]
fn unusable_security_files_stop_the_lab_with_a_clear_error() {
    let pki = TestPki::new();
    let bad_users = pki.dir.path().join("bad-users.txt");
    std::fs::write(&bad_users, "GSSAPI eve:topsecret\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["--ephemeral", "--port", "1", "--sasl-users"])
        .arg(&bad_users)
        .output()
        .expect("run kafka-lab");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("line 1"), "{err}");
    assert!(!err.contains("topsecret"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
        .args(["--ephemeral", "--port", "1", "--tls-cert"])
        .arg(&pki.cert)
        .args(["--tls-key"])
        .arg(&pki.ca)
        .output()
        .expect("run kafka-lab");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("no PEM private key"), "{err}");
}

/// Runs `tests/python/secure_clients.py` with the real clients against a SASL_SSL lab.
fn real_client(py: &str, lab: &LiveLab, pki: &TestPki, args: [&str; 5]) -> String {
    let mut cmd = std::process::Command::new(py);
    cmd.arg(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/secure_clients.py"),
    )
    .arg(args[0])
    .arg(lab.bootstrap())
    .arg(&pki.ca)
    .args(&args[1..]);
    common::live_lab::run_bounded(cmd, args[0], std::time::Duration::from_secs(120))
}

#[test]
fn kafka_python_and_confluent_produce_and_consume_over_sasl_ssl_with_scram() {
    let Some(py) = common::live_lab::env_or_skip("KAFKA_LAB_PYTHON", "secured real-client") else {
        return;
    };
    let pki = TestPki::new();
    let lab = start(&pki, "SASL_SSL", 17);
    let out = real_client(
        &py,
        &lab,
        &pki,
        [
            "kafka-python",
            "SCRAM-SHA-256",
            "carol",
            "carol-secret",
            "ok",
        ],
    );
    assert!(out.contains("OK kafka-python 20 records"), "{out}");
    let out = real_client(
        &py,
        &lab,
        &pki,
        ["confluent", "SCRAM-SHA-512", "bob", "bob-secret", "ok"],
    );
    assert!(out.contains("OK confluent 20 records"), "{out}");
    for client in ["kafka-python", "confluent"] {
        let out = real_client(
            &py,
            &lab,
            &pki,
            [client, "SCRAM-SHA-512", "bob", "not-bobs-password", "fail"],
        );
        assert!(
            out.contains("AUTH_FAILED") && out.contains("invalid credentials"),
            "{client}: {out}"
        );
        assert!(!out.contains("not-bobs-password"), "{out}");
    }
}
