//! What can go wrong on a client connection, in Kafka's words.

/// A failure to connect, authenticate, or exchange one request and its response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The TCP connection could not be made.
    #[error("Connection to node {addr} could not be established: {io}")]
    Connect {
        /// The address tried.
        addr: String,
        /// The OS's reason.
        io: std::io::Error,
    },
    /// The connection broke while sending or receiving.
    #[error("Connection to node {addr} was disconnected: {io}")]
    Disconnected {
        /// The broker's address.
        addr: String,
        /// The OS's reason.
        io: std::io::Error,
    },
    /// The broker's answer claims more bytes than the client accepts.
    #[error(
        "Invalid receive (size = {size} larger than {max}) from {addr}: is this a Kafka listener \
         with the same security.protocol?"
    )]
    FrameTooLarge {
        /// The broker's address.
        addr: String,
        /// The length it claimed.
        size: i64,
        /// The client's limit.
        max: usize,
    },
    /// The response's correlation id is not the request's.
    #[error("Correlation id for response ({got}) does not match request ({expected}) from {addr}")]
    CorrelationMismatch {
        /// The broker's address.
        addr: String,
        /// What the request carried.
        expected: i32,
        /// What the response carried.
        got: i32,
    },
    /// A request or response that `kafka-protocol` could not code at this version.
    #[error("{api} v{version}: {detail}")]
    Codec {
        /// The API's name.
        api: String,
        /// The version tried.
        version: i16,
        /// The codec's reason.
        detail: String,
    },
    /// The request's API key is not one this client knows.
    #[error("Unknown API key {0}")]
    UnknownApi(i16),
    /// The TLS handshake failed (wrong CA, a name the certificate does not carry, not TLS).
    #[error("SSL handshake failed with {addr}: {detail}")]
    Tls {
        /// The broker's address.
        addr: String,
        /// rustls's reason.
        detail: String,
    },
    /// The broker does not offer the SASL mechanism asked for.
    #[error(
        "UNSUPPORTED_SASL_MECHANISM: {addr} does not support {mechanism} (enabled mechanisms: {enabled})"
    )]
    UnsupportedSaslMechanism {
        /// The broker's address.
        addr: String,
        /// What the client asked for.
        mechanism: String,
        /// What the broker offers.
        enabled: String,
    },
    /// Authentication failed: a wrong user name or password, or a broken exchange.
    #[error("SASL_AUTHENTICATION_FAILED: {message}")]
    SaslAuthenticationFailed {
        /// The broker's message (or the client's, when the server's proof is wrong).
        message: String,
    },
    /// The broker answered a SASL request with another error code.
    #[error("{api} failed on {addr} with error code {code}")]
    SaslError {
        /// The broker's address.
        addr: String,
        /// SaslHandshake or SaslAuthenticate.
        api: &'static str,
        /// Kafka's error code.
        code: i16,
    },
}
