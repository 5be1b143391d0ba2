//! `kafka-lab attach`: the dashboard on a real Kafka cluster (`kafka_lab::attach`).

use anyhow::{Result, bail};
use clap::Args;
use kafka_lab::attach::{AttachOptions, start};
use kafka_lab::lab::driver::LabChannels;
use kafka_lab::protocol::client_transport::ClientSecurity;
use kafka_lab::scenario::schedule::parse_duration_ms;
use std::io::IsTerminal;
use std::time::Duration;

/// Open the dashboard on a real Kafka cluster (any Kafka-compatible one, or a lab elsewhere).
#[derive(Args, Debug)]
pub struct AttachArgs {
    /// The cluster's bootstrap.servers: HOST:PORT[,HOST:PORT...].
    #[arg(long, value_name = "HOST:PORT,...", required = true)]
    bootstrap: String,
    /// How often to poll the cluster (e.g. 1s, 500ms; at least 100ms).
    #[arg(long, default_value = "1s", value_name = "DURATION")]
    interval: String,
    /// Let the dashboard write to the cluster (create topics); without it, it only reads.
    #[arg(long)]
    allow_writes: bool,
}

/// Runs the dashboard (or, without a terminal, the timeline as text) until `q` or Ctrl-C.
pub fn attach(args: AttachArgs) -> Result<()> {
    let bootstrap: Vec<String> = args
        .bootstrap
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
        security: ClientSecurity::plaintext(),
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

/// Without a terminal, the timeline streams as text until Ctrl-C or SIGTERM.
async fn stream_events(front: LabChannels) {
    let stop = kafka_lab::signals::stop_requested();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            ev = front.events.recv_async() => match ev {
                Ok(e) => println!("{e}"),
                Err(_) => break,
            },
        }
    }
}
