//! The client side of the wire: one connection to one broker, sending a request at a chosen
//! version and reading its answer. Plaintext only in this stand-in: the `secure` branch owns this
//! file and adds TLS and SASL behind the same API (`attach` is written against that API alone).

use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::{RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest response read (Kafka's `fetch.max.bytes` default is 50 MiB; a metadata answer
/// for a big cluster stays far below this).
pub const RESPONSE_BYTES_MAX: usize = 100 * 1024 * 1024;

/// How a client connects (`security.protocol` and what it needs). Plaintext only here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientSecurity {
    _private: (),
}

impl ClientSecurity {
    /// `security.protocol=PLAINTEXT`.
    pub fn plaintext() -> Self {
        Self::default()
    }

    /// Reads a client.properties file: its `bootstrap.servers` and how to connect.
    pub fn from_properties(
        path: &Path,
    ) -> Result<(Vec<String>, ClientSecurity), ClientConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ClientConfigError::Read(path.display().to_string(), e.to_string()))?;
        let mut bootstrap = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') || line.starts_with('!') {
                continue;
            }
            let Some((key, value)) = line.split_once(['=', ':']) else {
                continue;
            };
            match (key.trim(), value.trim()) {
                ("bootstrap.servers", v) => {
                    bootstrap = v.split(',').map(|s| s.trim().to_string()).collect();
                }
                ("security.protocol", v) if !v.eq_ignore_ascii_case("PLAINTEXT") => {
                    return Err(ClientConfigError::Unsupported(v.to_string()));
                }
                _ => {}
            }
        }
        Ok((bootstrap, Self::plaintext()))
    }
}

/// A client.properties file that cannot be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ClientConfigError {
    /// The file cannot be read.
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    /// A `security.protocol` this build does not offer.
    #[error("security.protocol={0} is not supported")]
    Unsupported(String),
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Connecting, writing or reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The request could not be encoded at that version.
    #[error("cannot encode the request: {0}")]
    Encode(String),
    /// The answer could not be decoded.
    #[error("cannot decode the response: {0}")]
    Decode(String),
    /// The answer is larger than [`RESPONSE_BYTES_MAX`] or negative.
    #[error("response of {0} bytes refused")]
    BadLength(i32),
    /// The answer is for another request.
    #[error("correlation id {got} answers no request (expected {expected})")]
    Correlation {
        /// What came back.
        got: i32,
        /// What was sent.
        expected: i32,
    },
}

/// One connection to one broker; requests go one at a time.
pub struct ClientConnection {
    stream: TcpStream,
    client_id: String,
    next_correlation_id: i32,
}

impl ClientConnection {
    /// Connects to `addr` (`host:port`).
    pub async fn connect(
        addr: &str,
        _security: &ClientSecurity,
        client_id: &str,
    ) -> Result<ClientConnection, TransportError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            client_id: client_id.to_string(),
            next_correlation_id: 1,
        })
    }

    /// Sends one request at the given version and waits for its response.
    pub async fn call<R: Request>(
        &mut self,
        request: R,
        version: i16,
    ) -> Result<R::Response, TransportError> {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(StrBytes::from_string(self.client_id.clone())));
        let mut buf = BytesMut::with_capacity(128);
        buf.put_i32(0);
        header
            .encode(&mut buf, R::header_version(version))
            .map_err(|e| TransportError::Encode(e.to_string()))?;
        request
            .encode(&mut buf, version)
            .map_err(|e| TransportError::Encode(e.to_string()))?;
        let len = (buf.len() - 4) as i32;
        buf[0..4].copy_from_slice(&len.to_be_bytes());
        self.stream.write_all(&buf).await?;
        let len = self.stream.read_i32().await?;
        if len < 0 || len as usize > RESPONSE_BYTES_MAX {
            return Err(TransportError::BadLength(len));
        }
        // Read as the bytes arrive: a length is a claim, not an allocation.
        let mut body = Vec::new();
        (&mut self.stream)
            .take(len as u64)
            .read_to_end(&mut body)
            .await?;
        if body.len() != len as usize {
            return Err(TransportError::Io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        let mut body = bytes::Bytes::from(body);
        let response_header =
            ResponseHeader::decode(&mut body, R::Response::header_version(version))
                .map_err(|e| TransportError::Decode(e.to_string()))?;
        if response_header.correlation_id != correlation_id {
            return Err(TransportError::Correlation {
                got: response_header.correlation_id,
                expected: correlation_id,
            });
        }
        R::Response::decode(&mut body, version).map_err(|e| TransportError::Decode(e.to_string()))
    }
}
