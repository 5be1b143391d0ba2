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

/// Extra work the driver runs with exclusive access to the cluster, fed by its own bounded
/// channel: the wire listener's requests arrive this way, so they take the same path into the
/// cluster as the dashboard's commands. The cluster module knows nothing of sockets.
pub trait Attachment: Send {
    /// What arrives on the attachment's channel.
    type Item: Send;
    /// Handles one item the moment it arrives.
    fn handle(&mut self, cluster: &mut Cluster, item: Self::Item);
    /// Re-checks waiting work after simulated time moved (called after every driver wake-up).
    fn tick(&mut self, cluster: &mut Cluster);
    /// Whether work is waiting that should be re-checked sooner than [`DRIVER_TICK`].
    fn wants_fast_tick(&self) -> bool;
}

/// No attachment: the lab alone.
struct Detached;

impl Attachment for Detached {
    type Item = ();
    fn handle(&mut self, _cluster: &mut Cluster, _item: ()) {}
    fn tick(&mut self, _cluster: &mut Cluster) {}
    fn wants_fast_tick(&self) -> bool {
        false
    }
}

/// How often waiting attachment work (acks=all produces, parked fetches) is re-checked.
pub const FAST_TICK: Duration = Duration::from_millis(2);
/// Items handled per wake-up before the loop advances time again (a limit on every loop).
const MAX_ITEMS_PER_WAKE: usize = 256;

/// Runs the lab until every command sender is dropped (the front end quit).
pub async fn run(cluster: Cluster, ch: DriverChannels) -> Cluster {
    let (_tx, rx) = flume::bounded::<()>(1);
    run_attached(cluster, ch, rx, Detached).await
}

/// Runs the lab with an attachment fed by `inbox`, until every command sender is dropped.
pub async fn run_attached<A: Attachment>(
    mut cluster: Cluster,
    ch: DriverChannels,
    inbox: flume::Receiver<A::Item>,
    mut attachment: A,
) -> Cluster {
    let mut clock = SimClock::new();
    let mut tick = tokio::time::interval(DRIVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ch.publish_events(cluster.drain_events());
    ch.publish_snapshot(cluster.snapshot());
    let mut inbox_open = true;
    let mut last_snapshot = tokio::time::Instant::now();
    loop {
        let fast = attachment.wants_fast_tick();
        // Ticks and commands publish a snapshot at once, as before the attachment existed.
        let mut publish = true;
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::time::sleep(FAST_TICK), if fast => publish = false,
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
            item = inbox.recv_async(), if inbox_open => match item {
                Ok(item) => {
                    publish = false;
                    // Time first, so the request sees the cluster as of now.
                    let target = clock.now_ms().min(cluster.now_ms() + MAX_SIM_MS_PER_TICK);
                    cluster.advance_to(target);
                    attachment.handle(&mut cluster, item);
                    for _ in 0..MAX_ITEMS_PER_WAKE {
                        match inbox.try_recv() {
                            Ok(item) => attachment.handle(&mut cluster, item),
                            Err(_) => break,
                        }
                    }
                }
                Err(_) => inbox_open = false,
            },
        }
        // Bounded work per tick: when the machine cannot keep up with the chosen speed, simulated
        // time runs slower instead of the loop stalling the dashboard.
        let target = clock.now_ms().min(cluster.now_ms() + MAX_SIM_MS_PER_TICK);
        cluster.advance_to(target);
        cluster.set_speed(clock.speed(), clock.paused());
        attachment.tick(&mut cluster);
        ch.publish_events(cluster.drain_events());
        // Wire requests can arrive thousands of times a second: snapshots stay at the tick rate.
        if publish || last_snapshot.elapsed() >= DRIVER_TICK {
            ch.publish_snapshot(cluster.snapshot());
            last_snapshot = tokio::time::Instant::now();
        }
    }
    cluster
}
