//! The transport's own tests: properties parsing and hidden passwords; a plaintext exchange with
//! a fake broker (the real listener's are in `tests/client_transport.rs`).

use super::*;
use crate::protocol::security::SecurityValueError;
use std::path::Path;

#[test]
fn properties_give_bootstrap_servers_and_sasl_ssl() {
    let text = "# a librdkafka file\n\
                bootstrap.servers = a:9092, b:9093\n\
                security.protocol=sasl_ssl\n\
                sasl.mechanisms=SCRAM-SHA-512\n\
                sasl.username=alice\n\
                sasl.password=s3cr=t\n\
                ssl.ca.location=/etc/ca.pem\n\
                client.id=ignored\n";
    let (servers, sec) = ClientSecurity::from_properties_text(text).unwrap();
    assert_eq!(servers, vec!["a:9092", "b:9093"]);
    assert_eq!(sec.protocol(), SecurityProtocol::SaslSsl);
    assert_eq!(sec.ca_file(), Some(Path::new("/etc/ca.pem")));
    let sasl = sec.sasl().unwrap();
    assert_eq!(sasl.mechanism, SaslMechanism::ScramSha512);
    assert_eq!(sasl.username, "alice");
    assert_eq!(sasl.password.expose(), "s3cr=t");
}

#[test]
fn java_jaas_config_gives_the_user() {
    let text = "bootstrap.servers=h:1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n\
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
                username=\"bob\" password=\"pw\";\n";
    let (_, sec) = ClientSecurity::from_properties_text(text).unwrap();
    let sasl = sec.sasl().unwrap();
    assert_eq!(
        (sasl.username.as_str(), sasl.password.expose()),
        ("bob", "pw")
    );
}

#[test]
fn unknown_security_values_are_refused_in_kafkas_words() {
    let e = ClientSecurity::from_properties_text("bootstrap.servers=h:1\nsecurity.protocol=TLS\n")
        .unwrap_err();
    assert!(matches!(
        e,
        ClientConfigError::Value(SecurityValueError::UnknownSecurityProtocol(_))
    ));
    assert!(
        e.to_string()
            .contains("PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL")
    );
    let e = ClientSecurity::from_properties_text(
        "bootstrap.servers=h:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n",
    )
    .unwrap_err();
    assert!(
        matches!(e, ClientConfigError::Value(SecurityValueError::UnsupportedSaslMechanism(m)) if m == "GSSAPI")
    );
    // SASL without a mechanism is Kafka's default, GSSAPI: refused the same way.
    let e = ClientSecurity::from_properties_text(
        "bootstrap.servers=h:1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.username=u\nsasl.password=p\n",
    )
    .unwrap_err();
    assert!(matches!(
        e,
        ClientConfigError::Value(SecurityValueError::UnsupportedSaslMechanism(_))
    ));
    let e = ClientSecurity::from_properties_text(
        "bootstrap.servers=h:1\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n",
    )
    .unwrap_err();
    assert!(matches!(e, ClientConfigError::MissingSasl { .. }));
    assert!(matches!(
        ClientSecurity::from_properties_text("security.protocol=SSL\n").unwrap_err(),
        ClientConfigError::NoBootstrapServers
    ));
    assert!(matches!(
        ClientSecurity::from_properties_text("bootstrap.servers=nohost\n").unwrap_err(),
        ClientConfigError::BadBootstrapServer(_)
    ));
}

#[test]
fn no_debug_or_error_shows_a_password() {
    let text = "bootstrap.servers=h:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n\
                sasl.username=u\nsasl.password=hunter2-very-secret\n";
    let (_, sec) = ClientSecurity::from_properties_text(text).unwrap();
    let shown = format!("{sec:?} {:?} {:#?}", sec.sasl(), sec);
    assert!(shown.contains("[hidden]"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let e = ClientSecurity::from_properties_text("bootstrap.servers=h:1\nsasl.password hunter2\n")
        .unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn properties_file_resolves_a_relative_ca_next_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("client.properties");
    std::fs::write(
        &path,
        "bootstrap.servers=h:1\nsecurity.protocol=SSL\nssl.ca.location=ca.pem\n",
    )
    .unwrap();
    let (_, sec) = ClientSecurity::from_properties(&path).unwrap();
    assert_eq!(sec.ca_file(), Some(dir.path().join("ca.pem").as_path()));
    let missing = ClientSecurity::from_properties(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(missing, ClientConfigError::Read { .. }));
}

/// A fake broker that answers one ApiVersions with the correlation id it is told to use.
async fn fake_broker(correlation_offset: i32) -> String {
    use crate::protocol::frame;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut len = [0u8; 4];
        s.read_exact(&mut len).await.unwrap();
        let mut body = vec![0u8; i32::from_be_bytes(len) as usize];
        s.read_exact(&mut body).await.unwrap();
        let frame::Decoded::Request(req) = frame::decode_request(body.into()) else {
            panic!("not a request")
        };
        let resp = kafka_protocol::messages::ResponseKind::ApiVersions(
            crate::protocol::versions::api_versions_response(0, false),
        );
        let out = frame::encode_response(
            req.api_key,
            req.version(),
            req.header.correlation_id + correlation_offset,
            &resp,
        )
        .unwrap();
        s.write_all(&out).await.unwrap();
    });
    addr
}

#[tokio::test]
async fn plaintext_call_decodes_the_response_and_checks_its_correlation_id() {
    use kafka_protocol::messages::ApiVersionsRequest;
    let addr = fake_broker(0).await;
    let mut c = ClientConnection::connect(&addr, &ClientSecurity::plaintext(), "t")
        .await
        .unwrap();
    let r = c.call(ApiVersionsRequest::default(), 3).await.unwrap();
    assert_eq!(r.error_code, 0);
    assert!(!r.api_keys.is_empty());

    let addr = fake_broker(7).await;
    let mut c = ClientConnection::connect(&addr, &ClientSecurity::plaintext(), "t")
        .await
        .unwrap();
    let e = c.call(ApiVersionsRequest::default(), 3).await.unwrap_err();
    assert!(
        matches!(e, TransportError::CorrelationMismatch { got: 7, .. }),
        "{e}"
    );
}

#[tokio::test]
async fn a_response_longer_than_the_limit_is_refused_before_reading_it() {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        // A TLS alert or HTTP answer read as a length is huge: say so instead of allocating.
        let _ = s.write_all(b"HTTP/1.1 400 Bad").await;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    });
    let mut c = ClientConnection::connect(&addr, &ClientSecurity::plaintext(), "t")
        .await
        .unwrap();
    let e = c
        .call(kafka_protocol::messages::ApiVersionsRequest::default(), 3)
        .await
        .unwrap_err();
    assert!(matches!(e, TransportError::FrameTooLarge { .. }), "{e}");
}
