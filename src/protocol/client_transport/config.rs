//! How a client connection is secured, from flags or a librdkafka/Java-style properties file.
//!
//! Keys read: `bootstrap.servers`, `security.protocol`, `sasl.mechanism` (librdkafka also says
//! `sasl.mechanisms`), `sasl.username`, `sasl.password`, `ssl.ca.location` (Java's
//! `ssl.truststore.location` when it names a PEM file) and, from Java files, the user name and
//! password inside `sasl.jaas.config`. Other keys (`client.id`, `acks`, ...) belong to other
//! parts of a client and are ignored, as Kafka's clients ignore keys they do not use.

use crate::protocol::security::{SaslMechanism, Secret, SecurityProtocol, SecurityValueError};
use std::path::{Path, PathBuf};

/// A SASL user: mechanism, name and password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaslCredentials {
    /// `sasl.mechanism`.
    pub mechanism: SaslMechanism,
    /// `sasl.username`.
    pub username: String,
    /// `sasl.password` (hidden from `Debug`).
    pub password: Secret,
}

/// How a connection is secured: `security.protocol`, the CA to trust, the SASL user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSecurity {
    protocol: SecurityProtocol,
    ca_file: Option<PathBuf>,
    sasl: Option<SaslCredentials>,
}

/// A properties file or a flag that cannot secure a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {io}")]
    Read {
        /// The file.
        path: String,
        /// The OS's reason.
        io: std::io::Error,
    },
    /// A line that is neither `key=value`, `key: value`, a comment nor blank.
    #[error("line {line}: expected key=value, found {text:?}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The line (a line with a password in it is not shown).
        text: String,
    },
    /// `bootstrap.servers` is missing or empty.
    #[error("bootstrap.servers is missing: give host:port[,host:port...]")]
    NoBootstrapServers,
    /// A bootstrap server without a port.
    #[error("bootstrap.servers entry {0:?} is not host:port")]
    BadBootstrapServer(String),
    /// A `security.protocol` or `sasl.mechanism` the lab does not know.
    #[error(transparent)]
    Value(#[from] SecurityValueError),
    /// SASL without a user name or password.
    #[error("security.protocol {protocol} needs {missing}")]
    MissingSasl {
        /// SASL_PLAINTEXT or SASL_SSL.
        protocol: SecurityProtocol,
        /// The key that is missing.
        missing: &'static str,
    },
}

impl ClientSecurity {
    /// PLAINTEXT: no TLS, no SASL.
    pub fn plaintext() -> Self {
        Self {
            protocol: SecurityProtocol::Plaintext,
            ca_file: None,
            sasl: None,
        }
    }

    /// Checks a protocol, CA file and SASL user given as flags; SASL protocols need a user.
    pub fn new(
        protocol: SecurityProtocol,
        ca_file: Option<PathBuf>,
        sasl: Option<SaslCredentials>,
    ) -> Result<Self, ClientConfigError> {
        if protocol.uses_sasl() && sasl.is_none() {
            return Err(ClientConfigError::MissingSasl {
                protocol,
                missing: "sasl.username and sasl.password",
            });
        }
        Ok(Self {
            protocol,
            ca_file,
            sasl: if protocol.uses_sasl() { sasl } else { None },
        })
    }

    /// `security.protocol`.
    pub fn protocol(&self) -> SecurityProtocol {
        self.protocol
    }

    /// The PEM file of CAs to trust instead of the system's roots (`ssl.ca.location`).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// The SASL user, when the protocol authenticates.
    pub fn sasl(&self) -> Option<&SaslCredentials> {
        self.sasl.as_ref()
    }

    /// Reads a properties file: its `bootstrap.servers` and how to secure connections.
    pub fn from_properties(
        path: &Path,
    ) -> Result<(Vec<String>, ClientSecurity), ClientConfigError> {
        let text = std::fs::read_to_string(path).map_err(|io| ClientConfigError::Read {
            path: path.display().to_string(),
            io,
        })?;
        let (servers, mut security) = Self::from_properties_text(&text)?;
        // A relative CA path is relative to the file that names it.
        if let (Some(ca), Some(dir)) = (security.ca_file.as_mut(), path.parent())
            && ca.is_relative()
        {
            *ca = dir.join(&*ca);
        }
        Ok((servers, security))
    }

    /// [`Self::from_properties`] on the file's text.
    pub fn from_properties_text(
        text: &str,
    ) -> Result<(Vec<String>, ClientSecurity), ClientConfigError> {
        let props = parse_properties(text)?;
        let get = |k: &str| {
            props
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let servers: Vec<String> = get("bootstrap.servers")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if servers.is_empty() {
            return Err(ClientConfigError::NoBootstrapServers);
        }
        for s in &servers {
            let port_ok = s
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
            if !port_ok {
                return Err(ClientConfigError::BadBootstrapServer(s.clone()));
            }
        }
        let protocol = match get("security.protocol") {
            Some(v) => SecurityProtocol::parse(v)?,
            None => SecurityProtocol::Plaintext,
        };
        let ca_file = get("ssl.ca.location")
            .or_else(|| get("ssl.truststore.location"))
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let sasl = if protocol.uses_sasl() {
            // Kafka's default mechanism is GSSAPI, which the lab does not speak: say so.
            let mechanism = SaslMechanism::parse(
                get("sasl.mechanism")
                    .or(get("sasl.mechanisms"))
                    .unwrap_or("GSSAPI"),
            )?;
            let jaas = get("sasl.jaas.config")
                .map(jaas_credentials)
                .unwrap_or_default();
            let username = get("sasl.username").map(String::from).or(jaas.0);
            let password = get("sasl.password").map(String::from).or(jaas.1);
            let (Some(username), Some(password)) = (username, password) else {
                return Err(ClientConfigError::MissingSasl {
                    protocol,
                    missing: "sasl.username and sasl.password (or sasl.jaas.config)",
                });
            };
            Some(SaslCredentials {
                mechanism,
                username,
                password: Secret::new(password),
            })
        } else {
            None
        };
        Ok((
            servers,
            ClientSecurity {
                protocol,
                ca_file,
                sasl,
            },
        ))
    }
}

/// `key=value` / `key: value` lines; `#` and `!` start comments, as in Java's properties.
fn parse_properties(text: &str) -> Result<Vec<(String, String)>, ClientConfigError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            let shown = if line.to_ascii_lowercase().contains("password") {
                "[a line naming a password]".to_string()
            } else {
                line.to_string()
            };
            return Err(ClientConfigError::BadLine {
                line: i + 1,
                text: shown,
            });
        };
        let (k, v) = line.split_at(at);
        out.push((k.trim().to_string(), v[1..].trim().to_string()));
    }
    Ok(out)
}

/// The `username="..."` and `password="..."` options of a Java `sasl.jaas.config` line.
fn jaas_credentials(jaas: &str) -> (Option<String>, Option<String>) {
    let option = |name: &str| {
        let mut rest = jaas;
        while let Some(at) = rest.find(name) {
            let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
            let after = rest[at + name.len()..].trim_start();
            if before_ok && let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start().strip_prefix('"')?;
                return v.find('"').map(|end| v[..end].to_string());
            }
            rest = &rest[at + name.len()..];
        }
        None
    };
    (option("username"), option("password"))
}
