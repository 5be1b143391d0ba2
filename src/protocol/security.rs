//! Kafka's security settings shared by the listener and the client transport:
//! `security.protocol`, SASL mechanisms, and passwords that never print.

use std::fmt;

/// `security.protocol`: Kafka's four listener security protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityProtocol {
    /// No TLS, no authentication (Kafka's default).
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL over a plain TCP connection.
    SaslPlaintext,
    /// SASL inside TLS.
    SaslSsl,
}

impl SecurityProtocol {
    /// Kafka's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plaintext => "PLAINTEXT",
            Self::Ssl => "SSL",
            Self::SaslPlaintext => "SASL_PLAINTEXT",
            Self::SaslSsl => "SASL_SSL",
        }
    }

    /// Reads Kafka's name, in any case (librdkafka accepts `sasl_ssl`).
    pub fn parse(value: &str) -> Result<Self, SecurityValueError> {
        match value.trim().to_ascii_uppercase().as_str() {
            "PLAINTEXT" => Ok(Self::Plaintext),
            "SSL" => Ok(Self::Ssl),
            "SASL_PLAINTEXT" => Ok(Self::SaslPlaintext),
            "SASL_SSL" => Ok(Self::SaslSsl),
            _ => Err(SecurityValueError::UnknownSecurityProtocol(
                value.trim().into(),
            )),
        }
    }

    /// Whether the connection is wrapped in TLS.
    pub fn uses_tls(self) -> bool {
        matches!(self, Self::Ssl | Self::SaslSsl)
    }

    /// Whether the connection authenticates with SASL.
    pub fn uses_sasl(self) -> bool {
        matches!(self, Self::SaslPlaintext | Self::SaslSsl)
    }
}

impl fmt::Display for SecurityProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `sasl.mechanism`: the mechanisms the lab speaks (GSSAPI and OAUTHBEARER are not offered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaslMechanism {
    /// RFC 4616: the password goes to the broker (inside TLS, one hopes).
    Plain,
    /// RFC 5802/7677 with SHA-256: the password never leaves the client.
    ScramSha256,
    /// RFC 5802 with SHA-512.
    ScramSha512,
}

impl SaslMechanism {
    /// Kafka's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    /// Every mechanism, in Kafka's order.
    pub const ALL: [SaslMechanism; 3] = [Self::Plain, Self::ScramSha256, Self::ScramSha512];

    /// Reads Kafka's name (case-insensitive, as librdkafka).
    pub fn parse(value: &str) -> Result<Self, SecurityValueError> {
        let v = value.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|m| m.name() == v)
            .ok_or_else(|| SecurityValueError::UnsupportedSaslMechanism(value.trim().into()))
    }
}

impl fmt::Display for SaslMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A password: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The password itself, for the SASL exchange only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[hidden]")
    }
}

/// A `security.protocol` or `sasl.mechanism` value the lab does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecurityValueError {
    /// `security.protocol` names none of Kafka's four.
    #[error(
        "Invalid value {0} for configuration security.protocol: String must be one of: \
         PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"
    )]
    UnknownSecurityProtocol(String),
    /// `sasl.mechanism` names one the lab does not speak.
    #[error("sasl.mechanism {0} is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")]
    UnsupportedSaslMechanism(String),
}
