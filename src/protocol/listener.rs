//! Sockets: one TCP listener per broker, one task per connection. A connection's reader decodes
//! frames and sends them to the driver; its writer sends the answers back in request order.

use super::frame::{self, Decoded};
use super::host::{ApiCall, ListenerConfig, Reply};
use super::listener_security::ListenerSecurity;
use super::sasl::authenticator::is_sasl;
use super::sasl::{Authenticator, SaslStep};
use super::versions;
use crate::cluster::event::{IoDetail, IoKind, ListenerError};
use crate::cluster::types::BrokerId;
use kafka_protocol::messages::{ApiKey, ResponseKind};
use std::net::SocketAddr;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// Requests one connection may have in flight (answers are written in order).
const IN_FLIGHT_PER_CONNECTION: usize = 64;
/// Connections served at once per broker; more wait in the accept queue.
const MAX_CONNECTIONS_PER_BROKER: usize = 4096;
/// `connections.max.idle.ms`: Kafka closes a connection silent this long (default 10 minutes).
const CONNECTIONS_MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(600);
/// `connection.failed.authentication.delay.ms`: Kafka closes a connection that failed to
/// authenticate this long after its answer (default 100).
const FAILED_AUTHENTICATION_DELAY: std::time::Duration = std::time::Duration::from_millis(100);
/// How long a TLS client has to finish its handshake (a port scanner or a plaintext client
/// holds no connection slot longer).
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Binds every broker's port, failing with a message naming the port that is taken.
pub async fn bind(
    config: &ListenerConfig,
    brokers: usize,
) -> Result<Vec<(BrokerId, TcpListener)>, ListenerError> {
    let mut out = Vec::new();
    for b in 1..=brokers as BrokerId {
        let port = config.port_of(b);
        let port = u16::try_from(port).map_err(|_| ListenerError::PortOutOfRange {
            port: i64::from(port),
            broker: b,
        })?;
        let addr = SocketAddr::new(config.bind, port);
        let l = TcpListener::bind(addr)
            .await
            .map_err(|e| ListenerError::CannotListen {
                addr: addr.to_string(),
                broker: b,
                io: IoDetail {
                    english: e.to_string(),
                    place: None,
                    kind: IoKind::of(&e),
                },
            })?;
        out.push((b, l));
    }
    Ok(out)
}

/// Serves connections on every listener until the driver's channel closes, securing each as
/// `security` says (TLS first, then SASL).
pub async fn serve(
    listeners: Vec<(BrokerId, TcpListener)>,
    calls: flume::Sender<ApiCall>,
    security: ListenerSecurity,
) {
    let mut tasks = Vec::new();
    // Connections are numbered across every broker's port, for the journal.
    let numbers = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1));
    for (broker, l) in listeners {
        let calls = calls.clone();
        tasks.push(tokio::spawn(accept_loop(
            broker,
            l,
            calls,
            numbers.clone(),
            security.clone(),
        )));
    }
    drop(calls);
    for t in tasks {
        let _ = t.await;
    }
}

async fn accept_loop(
    broker: BrokerId,
    listener: TcpListener,
    calls: flume::Sender<ApiCall>,
    numbers: std::sync::Arc<std::sync::atomic::AtomicU64>,
    security: ListenerSecurity,
) {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS_PER_BROKER));
    let tls = security.tls().cloned().map(tokio_rustls::TlsAcceptor::from);
    let sasl = security.sasl().cloned();
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if calls.is_disconnected() {
            break;
        }
        let calls = calls.clone();
        let connection = numbers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tls = tls.clone();
        let auth = sasl.clone().map(Authenticator::new);
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            match tls {
                Some(acceptor) => {
                    // A client that is not speaking TLS fails here and is closed, as Kafka does.
                    let accepted =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = accepted {
                        serve_connection(broker, connection, stream, calls, auth).await;
                    }
                }
                None => serve_connection(broker, connection, stream, calls, auth).await,
            }
            drop(permit);
        });
    }
}

/// What the writer sends next, in request order.
enum Outgoing {
    /// The answer to a request, once the driver (or the authenticator) gives it.
    Answer {
        key: ApiKey,
        version: i16,
        correlation_id: i32,
        reply: tokio::sync::oneshot::Receiver<Reply>,
    },
    /// A raw SASL token after a SaslHandshake v0, length prefix included.
    Raw(bytes::Bytes),
}

/// One connection (numbered `connection`): read frames, authenticate when `auth` is given, hand
/// requests to the driver, write answers in order.
pub async fn serve_connection<S>(
    broker: BrokerId,
    connection: u64,
    stream: S,
    calls: flume::Sender<ApiCall>,
    mut auth: Option<Authenticator>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let (order_tx, mut order_rx) = tokio::sync::mpsc::channel::<Outgoing>(IN_FLIGHT_PER_CONNECTION);
    let writer = tokio::spawn(async move {
        while let Some(out) = order_rx.recv().await {
            let bytes = match out {
                Outgoing::Raw(bytes) => bytes,
                Outgoing::Answer {
                    key,
                    version,
                    correlation_id,
                    reply,
                } => {
                    let Ok(reply) = reply.await else { break };
                    let body = match reply {
                        Reply::Response(body) => body,
                        Reply::Nothing => continue,
                        Reply::Close => break,
                    };
                    let Ok(bytes) = frame::encode_response(key, version, correlation_id, &body)
                    else {
                        break;
                    };
                    bytes
                }
            };
            if wr.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    let sasl_enabled = auth.is_some();
    // An answer the connection gives itself (SASL, a too-new ApiVersions), queued in order.
    let answer_now = |key, version, correlation_id, body: ResponseKind| {
        let (tx, reply) = tokio::sync::oneshot::channel();
        let _ = tx.send(Reply::Response(Box::new(body)));
        Outgoing::Answer {
            key,
            version,
            correlation_id,
            reply,
        }
    };
    loop {
        let mut len = [0u8; 4];
        match tokio::time::timeout(CONNECTIONS_MAX_IDLE, rd.read_exact(&mut len)).await {
            Ok(Ok(_)) => {}
            _ => break,
        }
        let Ok(n) = frame::check_length(i32::from_be_bytes(len)) else {
            break;
        };
        // Memory follows the bytes that actually arrive, not the length a client claims.
        let mut buf = Vec::with_capacity(n.min(64 * 1024));
        let mut body = (&mut rd).take(n as u64);
        match tokio::time::timeout(CONNECTIONS_MAX_IDLE, body.read_to_end(&mut buf)).await {
            Ok(Ok(got)) if got == n => {}
            _ => break,
        }
        if let Some(a) = auth.as_mut().filter(|a| a.expects_raw_token()) {
            let Some(token) = a.on_raw_token(&buf) else {
                break;
            };
            let mut out = Vec::with_capacity(token.len() + 4);
            out.extend_from_slice(&(token.len() as u32).to_be_bytes());
            out.extend_from_slice(&token);
            if order_tx.send(Outgoing::Raw(out.into())).await.is_err() {
                break;
            }
            continue;
        }
        // `Bytes` is shared, not copied: the journal keeps the frame as it came.
        let raw = bytes::Bytes::from(buf);
        match frame::decode_request(raw.clone()) {
            Decoded::Request(request) => {
                let key = request.api_key;
                let version = request.version();
                let correlation_id = request.header.correlation_id;
                // SASL is answered here, so its tokens never reach the driver or the journal.
                let step = match auth.as_mut() {
                    Some(a) => a.on_request(&request),
                    None if is_sasl(key) => SaslStep::Close,
                    None => SaslStep::Forward,
                };
                match step {
                    SaslStep::Forward => {}
                    SaslStep::Close => break,
                    SaslStep::Answer(body) => {
                        let out = answer_now(key, version, correlation_id, *body);
                        if order_tx.send(out).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    // Kafka sends the error, then closes after
                    // `connection.failed.authentication.delay.ms`: a client that sees the close
                    // with the answer (kafka-python) would otherwise miss the answer.
                    SaslStep::AnswerAndClose(body) => {
                        let _ = order_tx
                            .send(answer_now(key, version, correlation_id, *body))
                            .await;
                        tokio::time::sleep(FAILED_AUTHENTICATION_DELAY).await;
                        break;
                    }
                }
                let (tx, rx) = tokio::sync::oneshot::channel();
                if order_tx
                    .send(Outgoing::Answer {
                        key,
                        version,
                        correlation_id,
                        reply: rx,
                    })
                    .await
                    .is_err()
                {
                    break;
                }
                if calls
                    .send_async(ApiCall {
                        broker,
                        request,
                        reply: tx,
                        connection,
                        raw,
                    })
                    .await
                    .is_err()
                {
                    break;
                }
            }
            Decoded::ApiVersionsTooNew { correlation_id } => {
                let body = ResponseKind::ApiVersions(versions::api_versions_response(
                    frame::UNSUPPORTED_VERSION,
                    sasl_enabled,
                ));
                let out = answer_now(ApiKey::ApiVersions, 0, correlation_id, body);
                if order_tx.send(out).await.is_err() {
                    break;
                }
            }
            Decoded::Reject(_) => break,
        }
    }
    drop(order_tx);
    let _ = writer.await;
}
