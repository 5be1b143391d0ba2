//! How the lab's listener is secured (off by default): TLS from `--tls-cert`/`--tls-key`, SASL
//! users from `--sasl-users`; together they make the listener SSL, SASL_PLAINTEXT or SASL_SSL.

use super::sasl::{SaslUsers, SaslUsersError};
use super::security::SecurityProtocol;
use super::tls::TlsError;
use std::path::Path;
use std::sync::Arc;

/// The listener's TLS config and SASL users; `Debug` shows only the protocol.
#[derive(Clone, Default)]
pub struct ListenerSecurity {
    tls: Option<Arc<rustls::ServerConfig>>,
    sasl: Option<Arc<SaslUsers>>,
    /// A replayed run's protocol: answers as the recorded listener did, with no secrets.
    recorded: Option<SecurityProtocol>,
}

impl std::fmt::Debug for ListenerSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListenerSecurity({})", self.protocol())
    }
}

/// Why the listener's security could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenerSecurityError {
    /// `--tls-cert` without `--tls-key`, or the other way round.
    #[error("--tls-cert and --tls-key go together: give both PEM files")]
    HalfTls,
    /// The certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The users file cannot be used.
    #[error(transparent)]
    Users(#[from] SaslUsersError),
}

impl ListenerSecurity {
    /// PLAINTEXT: no TLS, no SASL (the lab's default).
    pub fn plaintext() -> Self {
        Self::default()
    }

    /// A listener with this TLS config and these SASL users.
    pub fn new(tls: Option<Arc<rustls::ServerConfig>>, sasl: Option<SaslUsers>) -> Self {
        Self {
            tls,
            sasl: sasl.map(Arc::new),
            recorded: None,
        }
    }

    /// Reads the flags' files: a PEM certificate chain and key, and a users file.
    pub fn load(
        cert: Option<&Path>,
        key: Option<&Path>,
        users: Option<&Path>,
    ) -> Result<Self, ListenerSecurityError> {
        let tls = match (cert, key) {
            (Some(c), Some(k)) => Some(super::tls::server_config(c, k)?),
            (None, None) => None,
            _ => return Err(ListenerSecurityError::HalfTls),
        };
        let sasl = users.map(SaslUsers::load).transpose()?;
        Ok(Self::new(tls, sasl))
    }

    /// What a replay needs of a recorded listener: its protocol (ApiVersions lists the SASL
    /// APIs when it authenticated), without its certificate or users.
    pub fn recorded(protocol: SecurityProtocol) -> Self {
        Self {
            recorded: Some(protocol),
            ..Self::default()
        }
    }

    /// The listener's `security.protocol`.
    pub fn protocol(&self) -> SecurityProtocol {
        if let Some(p) = self.recorded {
            return p;
        }
        match (self.tls.is_some(), self.sasl.is_some()) {
            (false, false) => SecurityProtocol::Plaintext,
            (true, false) => SecurityProtocol::Ssl,
            (false, true) => SecurityProtocol::SaslPlaintext,
            (true, true) => SecurityProtocol::SaslSsl,
        }
    }

    /// The TLS config, when connections are wrapped in TLS.
    pub fn tls(&self) -> Option<&Arc<rustls::ServerConfig>> {
        self.tls.as_ref()
    }

    /// The SASL users, when connections must authenticate.
    pub fn sasl(&self) -> Option<&Arc<SaslUsers>> {
        self.sasl.as_ref()
    }
}
