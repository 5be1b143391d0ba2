//! The driver: runs a [`Cluster`] on tokio in (scaled) real time, and talks to the world over
//! bounded flume channels — snapshots and events out, commands in.

use super::clock::SimClock;
use super::command::Command;
use super::event::Event;
use super::lab::Cluster;
use super::snapshot::ClusterSnapshot;
use std::time::Duration;

/// How often the driver advances the simulation and publishes a snapshot (real time).
pub const DRIVER_TICK: Duration = Duration::from_millis(50);
/// The most simulated time one tick may process.
pub const MAX_SIM_MS_PER_TICK: i64 = 2_000;
/// Capacity of the event channel; when a reader falls behind, the oldest unread events are dropped.
pub const EVENT_CHANNEL_CAPACITY: usize = 4096;
/// Capacity of the command channel.
pub const COMMAND_CHANNEL_CAPACITY: usize = 256;

/// The ends of the channels a front end (dashboard, scenario) holds.
pub struct LabChannels {
    /// Send commands to the lab.
    pub commands: flume::Sender<Command>,
    /// The newest snapshot (capacity 1: only the latest matters).
    pub snapshots: flume::Receiver<ClusterSnapshot>,
    /// Events in order.
    pub events: flume::Receiver<Event>,
}

/// The driver's ends of the channels.
pub struct DriverChannels {
    commands: flume::Receiver<Command>,
    snapshots_tx: flume::Sender<ClusterSnapshot>,
    snapshots_rx: flume::Receiver<ClusterSnapshot>,
    events_tx: flume::Sender<Event>,
    events_rx: flume::Receiver<Event>,
}

/// Creates the bounded channels between a driver and its front end.
pub fn channels() -> (DriverChannels, LabChannels) {
    let (cmd_tx, cmd_rx) = flume::bounded(COMMAND_CHANNEL_CAPACITY);
    let (snap_tx, snap_rx) = flume::bounded(1);
    let (ev_tx, ev_rx) = flume::bounded(EVENT_CHANNEL_CAPACITY);
    (
        DriverChannels {
            commands: cmd_rx,
            snapshots_tx: snap_tx,
            snapshots_rx: snap_rx.clone(),
            events_tx: ev_tx,
            events_rx: ev_rx.clone(),
        },
        LabChannels {
            commands: cmd_tx,
            snapshots: snap_rx,
            events: ev_rx,
        },
    )
}

impl DriverChannels {
    /// Commands sent by the front end.
    pub fn commands(&self) -> &flume::Receiver<Command> {
        &self.commands
    }

    /// Publishes the newest snapshot, replacing one the reader has not taken yet.
    pub fn publish_snapshot(&self, snap: ClusterSnapshot) {
        while self.snapshots_rx.try_recv().is_ok() {}
        let _ = self.snapshots_tx.try_send(snap);
    }

    /// Publishes events; a full channel drops its oldest entries (readers want the newest).
    pub fn publish_events(&self, events: Vec<Event>) {
        for e in events {
            if let Err(flume::TrySendError::Full(e)) = self.events_tx.try_send(e) {
                let _ = self.events_rx.try_recv();
                let _ = self.events_tx.try_send(e);
            }
        }
    }
}

/// Runs the lab until every command sender is dropped (the front end quit).
pub async fn run(mut cluster: Cluster, ch: DriverChannels) -> Cluster {
    let mut clock = SimClock::new();
    let mut tick = tokio::time::interval(DRIVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ch.publish_events(cluster.drain_events());
    ch.publish_snapshot(cluster.snapshot());
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            cmd = ch.commands.recv_async() => {
                let Ok(cmd) = cmd else { break };
                match &cmd {
                    Command::SetSpeed(s) => clock.set_speed(*s),
                    Command::SetPaused(p) => clock.set_paused(*p),
                    _ => {}
                }
                let cmd = match cmd {
                    Command::SetSpeed(_) => Command::SetSpeed(clock.speed()),
                    other => other,
                };
                let _ = cluster.apply(cmd);
            }
        }
        // Bounded work per tick: when the machine cannot keep up with the chosen speed, simulated
        // time runs slower instead of the loop stalling the dashboard.
        let target = clock.now_ms().min(cluster.now_ms() + MAX_SIM_MS_PER_TICK);
        cluster.advance_to(target);
        cluster.set_speed(clock.speed(), clock.paused());
        ch.publish_events(cluster.drain_events());
        ch.publish_snapshot(cluster.snapshot());
    }
    cluster
}
