//! Frames: a 4-byte big-endian length, then a request header whose version depends on the API
//! key and version, then the body. Decoding and encoding go through `kafka-protocol` only.

use super::versions;
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Decodable, Encodable};

/// `socket.request.max.bytes`: Kafka's default limit on one request (100 MiB).
pub const MAX_REQUEST_BYTES: i32 = 100 * 1024 * 1024;
/// Kafka's UNSUPPORTED_VERSION error code.
pub const UNSUPPORTED_VERSION: i16 = 35;

/// A decoded request.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Its header (correlation id, client id, version).
    pub header: RequestHeader,
    /// The API.
    pub api_key: ApiKey,
    /// The body.
    pub body: RequestKind,
}

impl Request {
    /// The request's API version.
    pub fn version(&self) -> i16 {
        self.header.request_api_version
    }
}

/// What a frame turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A request the lab serves.
    Request(Box<Request>),
    /// ApiVersions at a version the lab does not know: Kafka answers with version 0 and
    /// UNSUPPORTED_VERSION, listing what it supports, so the client can retry lower.
    ApiVersionsTooNew {
        /// To echo back.
        correlation_id: i32,
    },
    /// Anything else Kafka closes the connection on: unknown API, unsupported version, garbage.
    Reject(String),
}

/// Checks a frame's length prefix: `Ok(len)` or why the connection must close.
pub fn check_length(len: i32) -> Result<usize, String> {
    if len < 0 {
        return Err(format!("negative frame length {len}"));
    }
    if len > MAX_REQUEST_BYTES {
        return Err(format!(
            "frame of {len} bytes is over socket.request.max.bytes ({MAX_REQUEST_BYTES})"
        ));
    }
    Ok(len as usize)
}

/// Decodes one frame's payload (without the length prefix).
pub fn decode_request(frame: Bytes) -> Decoded {
    if frame.len() < 8 {
        return Decoded::Reject(format!("frame of {} bytes is too short", frame.len()));
    }
    let key = i16::from_be_bytes([frame[0], frame[1]]);
    let version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let Ok(api_key) = ApiKey::try_from(key) else {
        return Decoded::Reject(format!("unknown API key {key}"));
    };
    if !versions::decodable(api_key, version) {
        if api_key == ApiKey::ApiVersions && version >= 0 {
            return Decoded::ApiVersionsTooNew { correlation_id };
        }
        return Decoded::Reject(format!("{api_key:?} version {version} is not supported"));
    }
    let mut buf = frame;
    let header_version = api_key.request_header_version(version);
    let header = match RequestHeader::decode(&mut buf, header_version) {
        Ok(h) => h,
        Err(e) => return Decoded::Reject(format!("bad request header: {e}")),
    };
    match RequestKind::decode(api_key, &mut buf, version) {
        Ok(body) => Decoded::Request(Box::new(Request {
            header,
            api_key,
            body,
        })),
        Err(e) => Decoded::Reject(format!("bad {api_key:?} v{version} body: {e}")),
    }
}

/// Encodes a response frame, length prefix included, for `api_key` at `version`.
pub fn encode_response(
    api_key: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &ResponseKind,
) -> anyhow::Result<Bytes> {
    let mut buf = BytesMut::with_capacity(64);
    buf.put_i32(0);
    ResponseHeader::default()
        .with_correlation_id(correlation_id)
        .encode(&mut buf, api_key.response_header_version(version))?;
    body.encode(&mut buf, version)?;
    let len = (buf.len() - 4) as i32;
    buf[0..4].copy_from_slice(&len.to_be_bytes());
    Ok(buf.freeze())
}

/// Encodes a request frame (length prefix included): what a client sends. Tests use it.
pub fn encode_request(header: &RequestHeader, body: &RequestKind) -> anyhow::Result<Bytes> {
    let api_key = ApiKey::try_from(header.request_api_key)
        .map_err(|_| anyhow::anyhow!("unknown API key {}", header.request_api_key))?;
    let version = header.request_api_version;
    let mut buf = BytesMut::with_capacity(64);
    buf.put_i32(0);
    header.encode(&mut buf, api_key.request_header_version(version))?;
    body.encode(&mut buf, version)?;
    let len = (buf.len() - 4) as i32;
    buf[0..4].copy_from_slice(&len.to_be_bytes());
    Ok(buf.freeze())
}
