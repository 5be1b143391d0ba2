//! Sockets: one TCP listener per broker, one task per connection. A connection's reader decodes
//! frames and sends them to the driver; its writer sends the answers back in request order.

use super::frame::{self, Decoded};
use super::host::{ApiCall, ListenerConfig, Reply};
use super::versions;
use crate::cluster::event::{IoDetail, IoKind, ListenerError};
use crate::cluster::types::BrokerId;
use kafka_protocol::messages::{ApiKey, ResponseKind};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Requests one connection may have in flight (answers are written in order).
const IN_FLIGHT_PER_CONNECTION: usize = 64;
/// Connections served at once per broker; more wait in the accept queue.
const MAX_CONNECTIONS_PER_BROKER: usize = 4096;
/// `connections.max.idle.ms`: Kafka closes a connection silent this long (default 10 minutes).
const CONNECTIONS_MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(600);

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

/// Serves connections on every listener until the driver's channel closes. Every change of
/// `close_all` closes every open connection (the lab they talked to went back in time or started
/// over), so clients reconnect and ask the new lab for metadata.
pub async fn serve(
    listeners: Vec<(BrokerId, TcpListener)>,
    calls: flume::Sender<ApiCall>,
    close_all: tokio::sync::watch::Receiver<u64>,
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
            close_all.clone(),
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
    close_all: tokio::sync::watch::Receiver<u64>,
) {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS_PER_BROKER));
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
        let mut close = close_all.clone();
        // Only a change after this connection was accepted closes it.
        close.mark_unchanged();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            serve_connection(broker, connection, stream, calls, close).await;
            drop(permit);
        });
    }
}

/// One connection (numbered `connection`): read frames, hand them to the driver, write answers
/// in order, until the client hangs up or `close` changes.
pub async fn serve_connection(
    broker: BrokerId,
    connection: u64,
    stream: TcpStream,
    calls: flume::Sender<ApiCall>,
    mut close: tokio::sync::watch::Receiver<u64>,
) {
    let (mut rd, mut wr) = stream.into_split();
    let (order_tx, mut order_rx) =
        tokio::sync::mpsc::channel::<(ApiKey, i16, i32, tokio::sync::oneshot::Receiver<Reply>)>(
            IN_FLIGHT_PER_CONNECTION,
        );
    let writer = tokio::spawn(async move {
        while let Some((key, version, correlation_id, rx)) = order_rx.recv().await {
            let Ok(reply) = rx.await else { break };
            let body = match reply {
                Reply::Response(body) => body,
                Reply::Nothing => continue,
                Reply::Close => break,
            };
            let Ok(bytes) = frame::encode_response(key, version, correlation_id, &body) else {
                break;
            };
            if wr.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    loop {
        let mut len = [0u8; 4];
        let read = tokio::select! {
            r = tokio::time::timeout(CONNECTIONS_MAX_IDLE, rd.read_exact(&mut len)) => r,
            // A change, or the driver gone: either way this lab is over for the client.
            _ = close.changed() => break,
        };
        match read {
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
        let (tx, rx) = tokio::sync::oneshot::channel();
        // `Bytes` is shared, not copied: the journal keeps the frame as it came.
        let raw = bytes::Bytes::from(buf);
        match frame::decode_request(raw.clone()) {
            Decoded::Request(request) => {
                let key = request.api_key;
                let version = request.version();
                let correlation_id = request.header.correlation_id;
                if order_tx
                    .send((key, version, correlation_id, rx))
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
                ));
                if order_tx
                    .send((ApiKey::ApiVersions, 0, correlation_id, rx))
                    .await
                    .is_err()
                {
                    break;
                }
                let _ = tx.send(Reply::Response(Box::new(body)));
            }
            Decoded::Reject(_) => break,
        }
    }
    drop(order_tx);
    let _ = writer.await;
}
