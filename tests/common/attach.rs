//! The attached dashboard's runner as tests drive it: started in-process on a lab running in
//! another process, its published snapshots and events read as they come (no sleeps).

use super::live_lab::LiveLab;
use kafka_lab::attach::AttachOptions;
use kafka_lab::cluster::event::{Event, EventKind};
use kafka_lab::lab::LabSnapshot;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::LabChannels;
use kafka_lab::protocol::client_transport::ClientSecurity;
use std::time::{Duration, Instant};

/// Attach options for every broker of `lab`, polling every 300 ms.
pub fn options(lab: &LiveLab, allow_writes: bool) -> AttachOptions {
    AttachOptions {
        bootstrap: lab.all_brokers().split(',').map(String::from).collect(),
        security: ClientSecurity::plaintext(),
        interval: Duration::from_millis(300),
        allow_writes,
    }
}

/// The runner's published snapshots and events, read as they come (no sleeps).
pub struct Watch {
    /// The runner's channels.
    pub ch: LabChannels,
    /// The newest snapshot.
    pub snap: Option<LabSnapshot>,
    /// Every event seen so far.
    pub events: Vec<Event>,
}

impl Watch {
    /// A watch on `ch`, nothing seen yet.
    pub fn new(ch: LabChannels) -> Self {
        Self {
            ch,
            snap: None,
            events: Vec::new(),
        }
    }

    /// Sends a command to the runner.
    pub fn send(&self, cmd: Command) {
        self.ch
            .commands
            .send(cmd)
            .expect("the runner takes commands");
    }

    /// Waits for the first poll, creates `spec` through the dashboard (CreateTopics, so the
    /// runner needs `--allow-writes`) and waits until a poll shows it.
    pub fn create_topic(&mut self, spec: kafka_lab::cluster::topic::TopicSpec) {
        self.until("the first poll", Duration::from_secs(20), |s| {
            s.attached.as_ref().is_some_and(|a| a.writes_allowed)
        });
        let name = spec.name.clone();
        self.send(Command::CreateTopic(spec));
        self.until("the new topic", Duration::from_secs(20), |s| {
            s.cluster.topics.iter().any(|t| t.name == name)
        });
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

    /// The timeline and the last snapshot's clients, for a failure message.
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
