//! `kafka-lab attach`: the dashboard on a real Kafka cluster (`kafka_lab::attach`).

use super::stream::stream_events;
use anyhow::{Result, bail};
use clap::Args;
use kafka_lab::attach::{AttachOptions, start};
use kafka_lab::protocol::client_transport::{
    ClientSecurity, SaslCredentials, SaslMechanism, Secret, SecurityProtocol,
};
use kafka_lab::scenario::schedule::parse_duration_ms;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// Open the dashboard on a real Kafka cluster (any Kafka-compatible one, or a lab elsewhere).
#[derive(Args, Debug)]
pub struct AttachArgs {
    /// The cluster's bootstrap.servers: HOST:PORT[,HOST:PORT...].
    #[arg(long, value_name = "HOST:PORT,...", required_unless_present = "config")]
    bootstrap: Option<String>,
    /// A client.properties file (librdkafka or Java keys): bootstrap.servers, security.protocol,
    /// sasl.mechanism, sasl.username, sasl.password or sasl.jaas.config, ssl.ca.location.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["security_protocol", "sasl_mechanism", "sasl_username", "sasl_password_file", "ca_file"])]
    config: Option<PathBuf>,
    /// security.protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
    #[arg(long, value_name = "PROTOCOL", default_value = "PLAINTEXT")]
    security_protocol: String,
    /// sasl.mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    #[arg(long, value_name = "MECHANISM", default_value = "PLAIN")]
    sasl_mechanism: String,
    /// sasl.username.
    #[arg(long, value_name = "USER")]
    sasl_username: Option<String>,
    /// A file holding sasl.password (its first line), so the password is never on a command line.
    #[arg(long, value_name = "FILE")]
    sasl_password_file: Option<PathBuf>,
    /// The CA certificate (PEM) to trust for TLS, instead of the system's.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// How often to poll the cluster (e.g. 1s, 500ms; at least 100ms).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    interval: String,
    /// Let the dashboard write to the cluster (create topics); without it, it only reads.
    #[arg(long)]
    allow_writes: bool,
}

/// Runs the dashboard (or, without a terminal, the timeline as text) until `q` or Ctrl-C.
pub fn attach(args: AttachArgs) -> Result<()> {
    let (from_file, security) = security(&args)?;
    let bootstrap: Vec<String> = match &args.bootstrap {
        Some(b) => b.clone(),
        None => from_file.join(","),
    }
    .split(',')
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect();
    for b in &bootstrap {
        if !b
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        {
            bail!("--bootstrap: \"{b}\" is not HOST:PORT");
        }
    }
    if bootstrap.is_empty() {
        bail!("--bootstrap: no HOST:PORT given");
    }
    let interval_ms =
        parse_duration_ms(&args.interval).map_err(|e| anyhow::anyhow!("--interval: {e}"))?;
    if interval_ms < 100 {
        bail!("--interval: at least 100ms, not {}", args.interval);
    }
    let options = AttachOptions {
        bootstrap,
        security,
        interval: Duration::from_millis(interval_ms as u64),
        allow_writes: args.allow_writes,
    };
    let runtime = crate::live_runtime()?;
    runtime.block_on(async move {
        let (task, front) = start(options);
        let result = if std::io::stdout().is_terminal() {
            kafka_lab::ui::run_dashboard(front).await
        } else {
            stream_events(front).await;
            Ok(())
        };
        task.abort();
        let _ = task.await;
        result
    })
}

/// The bootstrap servers of a `--config` file (else none) and how to connect. A password is read
/// from its file and never printed: errors name the file, not what is in it.
fn security(args: &AttachArgs) -> Result<(Vec<String>, ClientSecurity)> {
    if let Some(path) = &args.config {
        return ClientSecurity::from_properties(path).map_err(|e| anyhow::anyhow!("--config: {e}"));
    }
    let protocol = SecurityProtocol::parse(&args.security_protocol)
        .map_err(|e| anyhow::anyhow!("--security-protocol: {e}"))?;
    let sasl = match (&args.sasl_username, &args.sasl_password_file) {
        (Some(username), Some(file)) => {
            let text = std::fs::read_to_string(file).map_err(|e| {
                anyhow::anyhow!("--sasl-password-file: cannot read {}: {e}", file.display())
            })?;
            let password = text.lines().next().unwrap_or("").to_string();
            Some(SaslCredentials {
                mechanism: SaslMechanism::parse(&args.sasl_mechanism)
                    .map_err(|e| anyhow::anyhow!("--sasl-mechanism: {e}"))?,
                username: username.clone(),
                password: Secret::new(password),
            })
        }
        (None, None) => None,
        _ => bail!("SASL needs both --sasl-username and --sasl-password-file"),
    };
    let security = ClientSecurity::new(protocol, args.ca_file.clone(), sasl)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((Vec::new(), security))
}
