//! One client connection: connect (and secure), then one request and its response at a time.

use super::config::ClientSecurity;
use super::error::TransportError;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// librdkafka's `receive.message.max.bytes`: the largest response frame a client accepts.
pub const RECEIVE_MESSAGE_MAX_BYTES: usize = 100_000_000;
/// `socket.connection.setup.timeout.ms`: Kafka's client gives a connection 10 s to open.
const CONNECTION_SETUP_TIMEOUT: Duration = Duration::from_secs(10);
/// `request.timeout.ms`: Kafka's client waits 30 s for a response.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A byte stream a connection runs over: TCP, or TLS over TCP.
pub(super) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// What a connection has carried since it opened: requests and frame bytes each way (length
/// prefixes included, TLS and SASL handshakes not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Requests sent (with or without a response).
    pub requests: u64,
    /// Request frame bytes written.
    pub bytes_sent: u64,
    /// Response frame bytes read.
    pub bytes_received: u64,
}

impl Traffic {
    /// What was carried since `earlier`, a reading of the same counters.
    pub fn since(self, earlier: Traffic) -> Traffic {
        Traffic {
            requests: self.requests.saturating_sub(earlier.requests),
            bytes_sent: self.bytes_sent.saturating_sub(earlier.bytes_sent),
            bytes_received: self.bytes_received.saturating_sub(earlier.bytes_received),
        }
    }
}

/// An open connection to one broker, secured as its [`ClientSecurity`] says.
pub struct ClientConnection {
    addr: String,
    stream: Box<dyn Stream>,
    client_id: String,
    next_correlation_id: i32,
    traffic: Traffic,
}

impl std::fmt::Debug for ClientConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("addr", &self.addr)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientConnection {
    /// Connects to `addr` (`host:port`), then runs TLS and SASL as `security` says.
    pub async fn connect(
        addr: &str,
        security: &ClientSecurity,
        client_id: &str,
    ) -> Result<ClientConnection, TransportError> {
        let tcp =
            match tokio::time::timeout(CONNECTION_SETUP_TIMEOUT, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => s,
                Ok(Err(io)) => {
                    return Err(TransportError::Connect {
                        addr: addr.into(),
                        io,
                    });
                }
                Err(_) => {
                    return Err(TransportError::Connect {
                        addr: addr.into(),
                        io: std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "socket.connection.setup.timeout.ms (10000) passed",
                        ),
                    });
                }
            };
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = if security.protocol().uses_tls() {
            Box::new(tls_handshake(addr, tcp, security).await?)
        } else {
            Box::new(tcp)
        };
        let mut conn = ClientConnection {
            addr: addr.into(),
            stream,
            client_id: client_id.into(),
            next_correlation_id: 0,
            traffic: Traffic::default(),
        };
        if let Some(credentials) = security.sasl() {
            super::sasl::authenticate(&mut conn, credentials).await?;
        }
        Ok(conn)
    }

    /// What this connection has carried so far.
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// The broker's address as given to [`Self::connect`].
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Sends one request at the given version and waits for its response.
    pub async fn call<R: Request>(
        &mut self,
        request: R,
        version: i16,
    ) -> Result<R::Response, TransportError> {
        let (buf, correlation_id) = self.frame(request, version)?;
        let codec = |detail: String| TransportError::Codec {
            api: ApiKey::try_from(R::KEY)
                .map(|a| format!("{a:?}"))
                .unwrap_or_default(),
            version,
            detail,
        };
        let mut frame = match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(&buf)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(self.disconnected(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "request.timeout.ms (30000) passed without a response",
                )));
            }
        };
        let response_header =
            ResponseHeader::decode(&mut frame, R::Response::header_version(version))
                .map_err(|e| codec(format!("bad response header: {e}")))?;
        if response_header.correlation_id != correlation_id {
            return Err(TransportError::CorrelationMismatch {
                addr: self.addr.clone(),
                expected: correlation_id,
                got: response_header.correlation_id,
            });
        }
        R::Response::decode(&mut frame, version).map_err(|e| codec(e.to_string()))
    }

    /// Sends one request that gets no response (Produce with `acks=0`: the broker answers
    /// nothing, so waiting would only time out).
    pub async fn send<R: Request>(
        &mut self,
        request: R,
        version: i16,
    ) -> Result<(), TransportError> {
        let (buf, _) = self.frame(request, version)?;
        self.traffic.requests += 1;
        self.traffic.bytes_sent += buf.len() as u64;
        self.stream
            .write_all(&buf)
            .await
            .map_err(|e| self.disconnected(e))?;
        self.stream.flush().await.map_err(|e| self.disconnected(e))
    }

    /// The request's frame (length prefix, header, body) and its correlation id.
    fn frame<R: Request>(
        &mut self,
        request: R,
        version: i16,
    ) -> Result<(BytesMut, i32), TransportError> {
        let api = ApiKey::try_from(R::KEY).map_err(|_| TransportError::UnknownApi(R::KEY))?;
        let codec = |detail: String| TransportError::Codec {
            api: format!("{api:?}"),
            version,
            detail,
        };
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1) & i32::MAX;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(StrBytes::from_string(self.client_id.clone())));
        let mut buf = BytesMut::with_capacity(64);
        buf.put_i32(0);
        header
            .encode(&mut buf, R::header_version(version))
            .map_err(|e| codec(e.to_string()))?;
        request
            .encode(&mut buf, version)
            .map_err(|e| codec(e.to_string()))?;
        let len = i32::try_from(buf.len() - 4).map_err(|_| codec("request too large".into()))?;
        buf[0..4].copy_from_slice(&len.to_be_bytes());
        Ok((buf, correlation_id))
    }

    /// Writes one request frame and reads one response frame (without its length prefix).
    async fn exchange(&mut self, request: &[u8]) -> Result<Bytes, TransportError> {
        self.traffic.requests += 1;
        self.traffic.bytes_sent += request.len() as u64;
        self.stream
            .write_all(request)
            .await
            .map_err(|e| self.disconnected(e))?;
        self.stream
            .flush()
            .await
            .map_err(|e| self.disconnected(e))?;
        let frame = read_frame(&mut self.stream, &self.addr).await?;
        self.traffic.bytes_received += 4 + frame.len() as u64;
        Ok(frame)
    }

    fn disconnected(&self, io: std::io::Error) -> TransportError {
        TransportError::Disconnected {
            addr: self.addr.clone(),
            io,
        }
    }
}

/// Reads one length-prefixed frame, refusing lengths over [`RECEIVE_MESSAGE_MAX_BYTES`]; memory
/// follows the bytes that arrive, not the length claimed.
pub(super) async fn read_frame(
    stream: &mut (impl AsyncRead + Unpin + ?Sized),
    addr: &str,
) -> Result<Bytes, TransportError> {
    let disconnected = |io| TransportError::Disconnected {
        addr: addr.into(),
        io,
    };
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).await.map_err(disconnected)?;
    let size = i32::from_be_bytes(len);
    let n = usize::try_from(size)
        .ok()
        .filter(|n| *n <= RECEIVE_MESSAGE_MAX_BYTES)
        .ok_or(TransportError::FrameTooLarge {
            addr: addr.into(),
            size: i64::from(size),
            max: RECEIVE_MESSAGE_MAX_BYTES,
        })?;
    let mut buf = Vec::with_capacity(n.min(64 * 1024));
    let got = (&mut *stream)
        .take(n as u64)
        .read_to_end(&mut buf)
        .await
        .map_err(disconnected)?;
    if got != n {
        return Err(disconnected(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the broker closed the connection {got} bytes into a {n}-byte response"),
        )));
    }
    Ok(Bytes::from(buf))
}

/// Runs the TLS handshake, checking the broker's certificate against the host in `addr`.
async fn tls_handshake(
    addr: &str,
    tcp: TcpStream,
    security: &ClientSecurity,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, TransportError> {
    let tls = |detail: String| TransportError::Tls {
        addr: addr.into(),
        detail,
    };
    let config =
        crate::protocol::tls::client_config(security.ca_file()).map_err(|e| tls(e.to_string()))?;
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| tls(format!("{host} is not a valid server name: {e}")))?;
    let handshake = tokio_rustls::TlsConnector::from(config).connect(name, tcp);
    match tokio::time::timeout(CONNECTION_SETUP_TIMEOUT, handshake).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => Err(tls(e.to_string())),
        Err(_) => Err(tls(
            "socket.connection.setup.timeout.ms (10000) passed".into()
        )),
    }
}
