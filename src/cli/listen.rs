//! The Kafka wire listener's flags (port, bind address, TLS and SASL files), the same for the
//! default lab and lessons, and the listener's start-up errors in the chosen language.

use anyhow::Result;
use clap::Args;
use kafka_lab::lab::live::WireOptions;
use kafka_lab::protocol::ListenerConfig;

/// The Kafka wire listener's flags, the same for the default lab and lessons.
#[derive(Args, Debug, Clone)]
pub struct ListenArgs {
    /// Kafka wire-protocol port of broker 1; broker N listens on PORT + N - 1 (live mode).
    /// Default 9092; when a default port is taken the lab runs without the listener and says so.
    #[arg(long)]
    port: Option<u16>,
    /// Address the wire listener binds (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Run without the Kafka wire-protocol listener.
    #[arg(long)]
    pub no_listen: bool,
    /// PEM certificate chain of the wire listener: with --tls-key, clients connect over TLS
    /// (security.protocol SSL, or SASL_SSL with --sasl-users). Off by default.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// SASL users of the wire listener, one `[MECHANISM] user:password` a line (PLAIN,
    /// SCRAM-SHA-256 or SCRAM-SHA-512; none: all three); clients must then authenticate
    /// (SASL_PLAINTEXT, or SASL_SSL with --tls-cert). Off by default.
    #[arg(long, value_name = "FILE")]
    sasl_users: Option<std::path::PathBuf>,
}

impl ListenArgs {
    /// The listener to start, or none with `--no-listen`; fails on unusable TLS or SASL files.
    pub fn wire_options(&self, defaults: ListenerConfig) -> Result<Option<WireOptions>> {
        if self.no_listen {
            return Ok(None);
        }
        let security = kafka_lab::protocol::ListenerSecurity::load(
            self.tls_cert.as_deref(),
            self.tls_key.as_deref(),
            self.sasl_users.as_deref(),
        )?;
        let mut config = ListenerConfig {
            base_port: self.port.unwrap_or(defaults.base_port),
            bind: self.bind,
            security,
            ..defaults
        };
        config.advertised_host = if self.bind.is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            self.bind.to_string()
        };
        Ok(Some(WireOptions {
            config,
            required: self.port.is_some(),
        }))
    }
}

/// An error for stderr: the listener's own in the chosen language, anything else as anyhow's.
pub fn error_text(e: &anyhow::Error) -> String {
    use kafka_lab::cluster::event::ListenerError;
    use kafka_lab::protocol::listener_security::ListenerSecurityError;
    if let Some(why) = e.downcast_ref::<ListenerError>() {
        return kafka_lab::text::io::listener_error(why);
    }
    if let Some(why) = e.downcast_ref::<ListenerSecurityError>() {
        return kafka_lab::text::security::listener_security_error(why);
    }
    format!("{e:#}")
}
