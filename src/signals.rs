//! Process signals that end a live lab, so it always stops the same orderly way (terminal
//! restored, `--ephemeral` data dir removed) whether it is quit, interrupted or terminated.

/// Completes when the process is asked to stop: SIGINT (Ctrl-C), SIGTERM (`kill`, a test
/// harness, a service manager) or SIGHUP (the terminal closed).
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            // Without the handlers the default actions still stop the process, only less tidily.
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
