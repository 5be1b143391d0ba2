//! The attach runner's published snapshots and events, read as they come (no sleeps): tests
//! that run the runner in-process wait on it for what the dashboard would show.

use kafka_lab::cluster::event::{Event, EventKind};
use kafka_lab::lab::LabSnapshot;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::LabChannels;
use std::time::{Duration, Instant};

/// The newest snapshot and every event the runner has published so far.
pub struct Watch {
    /// The runner's channels.
    pub ch: LabChannels,
    /// The newest snapshot seen.
    pub snap: Option<LabSnapshot>,
    /// Every event seen.
    pub events: Vec<Event>,
}

impl Watch {
    /// Watches the runner behind `ch`.
    pub fn new(ch: LabChannels) -> Self {
        Self {
            ch,
            snap: None,
            events: Vec::new(),
        }
    }

    /// Sends a dashboard command.
    pub fn send(&self, cmd: Command) {
        self.ch
            .commands
            .send(cmd)
            .expect("the runner takes commands");
    }

    /// Waits until `want` holds for the newest snapshot; panics with `what` and the timeline.
    pub fn until(&mut self, what: &str, timeout: Duration, want: impl Fn(&LabSnapshot) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            self.events.extend(self.ch.events.try_iter());
            if let Some(s) = &self.snap
                && want(s)
            {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{what}: never seen; {}", self.story());
            if let Ok(s) = self
                .ch
                .snapshots
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                self.snap = Some(s);
            }
        }
    }

    /// Waits for a timeline event `want` accepts.
    pub fn event(&mut self, what: &str, timeout: Duration, want: impl Fn(&EventKind) -> bool) {
        self.events_n(what, timeout, 1, want);
    }

    /// Waits for `n` timeline events `want` accepts.
    pub fn events_n(
        &mut self,
        what: &str,
        timeout: Duration,
        n: usize,
        want: impl Fn(&EventKind) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.events.iter().filter(|e| want(&e.kind)).count() >= n {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{what}: never seen; {}", self.story());
            if let Ok(e) = self
                .ch
                .events
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                self.events.push(e);
            }
        }
    }

    /// The timeline so far and the newest snapshot's clients, for a failure message.
    pub fn story(&self) -> String {
        let lines: Vec<String> = self.events.iter().map(|e| e.kind.to_string()).collect();
        format!(
            "timeline:\n{}\nlast snapshot's clients: {:?} {:?}",
            lines.join("\n"),
            self.snap.as_ref().map(|s| &s.producers),
            self.snap.as_ref().map(|s| &s.consumers),
        )
    }
}
