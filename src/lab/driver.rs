//! The one live driver: runs a [`Lab`] on tokio in (scaled) real time for every live front end
//! (the default lab, lessons), with its attachments — the wire host answering real clients and a
//! director (a lesson) — and talks to the world over bounded flume channels: snapshots and events
//! out, commands in.
//!
//! One clock drives everything: the [`SimClock`] maps real time onto simulated milliseconds, and
//! every deadline (the brokers' timers, wire requests waiting for `acks=all` or a fetch's
//! `max.wait.ms`) is in simulated milliseconds. Paused, nothing moves: no step runs, no wire
//! request is taken (they wait in the bounded inbox), no replication happens.

use super::clock::SimClock;
use super::command::{Command, DirectorCommand, Timed};
use super::core::Lab;
use super::journal::JournalWriter;
use super::snapshot::{LabSnapshot, LessonStatus};
use super::wire::WireAttachment;
use crate::cluster::event::{Event, EventKind, NoteText};
use crate::protocol::ApiCall;
use std::time::Duration;

/// How often the driver advances the simulation and publishes a snapshot (real time).
pub const DRIVER_TICK: Duration = Duration::from_millis(50);
/// The most simulated time one tick may process.
pub const MAX_SIM_MS_PER_TICK: i64 = 2_000;
/// Capacity of the event channel; when a reader falls behind, the oldest unread events are dropped.
pub const EVENT_CHANNEL_CAPACITY: usize = 4096;
/// Capacity of the command channel.
pub const COMMAND_CHANNEL_CAPACITY: usize = 256;
/// The most wall time one advance spends stepping before the driver answers its inbox and front
/// end again. When steps cost more than the time they simulate (thousands of partitions on a
/// loaded machine), a whole [`MAX_SIM_MS_PER_TICK`] of them took seconds and real clients' requests
/// timed out in the inbox; bounded by this, simulated time runs slower instead.
pub const ADVANCE_WALL_BUDGET: Duration = DRIVER_TICK;
/// How often waiting wire work (acks=all produces, parked fetches) is re-checked.
pub const FAST_TICK: Duration = Duration::from_millis(2);
/// Wire requests handled per wake-up before the loop advances time again (a limit on every loop).
const MAX_ITEMS_PER_WAKE: usize = 256;

/// The ends of the channels a front end (dashboard, event stream) holds.
pub struct LabChannels {
    /// Send commands to the lab.
    pub commands: flume::Sender<Command>,
    /// The newest snapshot (capacity 1: only the latest matters).
    pub snapshots: flume::Receiver<LabSnapshot>,
    /// Events in order.
    pub events: flume::Receiver<Event>,
}

/// The driver's ends of the channels.
pub struct DriverChannels {
    commands: flume::Receiver<Command>,
    snapshots_tx: flume::Sender<LabSnapshot>,
    snapshots_rx: flume::Receiver<LabSnapshot>,
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
    /// Commands from the front end.
    pub(crate) fn commands(&self) -> &flume::Receiver<Command> {
        &self.commands
    }

    /// Publishes the newest snapshot, replacing one the reader has not taken yet.
    pub(crate) fn publish_snapshot(&self, snap: LabSnapshot) {
        while self.snapshots_rx.try_recv().is_ok() {}
        let _ = self.snapshots_tx.try_send(snap);
    }

    /// Publishes events; a full channel drops its oldest entries (readers want the newest).
    pub(crate) fn publish_events(&self, events: Vec<Event>) {
        for e in events {
            if let Err(flume::TrySendError::Full(e)) = self.events_tx.try_send(e) {
                let _ = self.events_rx.try_recv();
                let _ = self.events_tx.try_send(e);
            }
        }
    }
}

/// Something that directs a live lab step by step: a lesson. It sees every step's events, may
/// pause the clock, answers `n` and builds a fresh lab for `b`.
pub trait Director: Send {
    /// `n`: releases the step waiting for a key; false when no step was waiting.
    fn next(&mut self, lab: &mut Lab) -> bool;
    /// When the next timed step is due (simulated ms), for the "nothing to release" note.
    fn next_at_ms(&self) -> Option<i64>;
    /// `b`: a fresh lab to start over on.
    fn restart(&mut self) -> Result<Lab, String>;
    /// After every step, with that step's events; returns true to pause the clock.
    fn after_step(&mut self, lab: &mut Lab, events: &[Event]) -> bool;
    /// What the banner shows.
    fn status(&self) -> LessonStatus;
}

/// What a live driver runs besides the lab.
#[derive(Default)]
pub struct Attachments {
    /// Real clients over the Kafka wire protocol.
    pub wire: Option<WireAttachment>,
    /// A lesson.
    pub director: Option<Box<dyn Director>>,
    /// Commands due at simulated instants (`--kill-broker 1@5s`), applied as time reaches them.
    pub schedule: Vec<Timed>,
    /// Where every input is recorded as it is applied.
    pub journal: Option<JournalWriter>,
}

/// Runs the lab until every command sender is dropped (the front end quit); returns the lab.
pub async fn run(lab: Lab, ch: DriverChannels, mut attachments: Attachments) -> Lab {
    // Latest first, so the next due command is popped from the end.
    attachments
        .schedule
        .sort_by_key(|t| std::cmp::Reverse(t.at_ms));
    let mut travel = super::travel::Travelling::new(&lab, &attachments.schedule);
    // Travel needs the journal and is refused in lessons: only then are checkpoints worth it.
    travel.checkpoints = super::checkpoint::Checkpoints::new(
        &lab.config().data_dir,
        attachments.journal.is_some() && attachments.director.is_none(),
    );
    Driver {
        lab,
        ch,
        attachments,
        clock: SimClock::new(),
        dirty: true,
        collected: None,
        travel,
    }
    .run()
    .await
}

/// The live driver's state machine, which a replay drives from a journal instead of real time.
pub(crate) struct Driver {
    pub(super) lab: Lab,
    ch: DriverChannels,
    pub(super) attachments: Attachments,
    pub(super) clock: SimClock,
    /// Something moved since the wire host last re-checked its parked requests (a step, a
    /// command, a request, or that re-check answering some): only then is another worth it.
    pub(super) dirty: bool,
    /// A replay's events, kept here instead of the bounded channel, so none is dropped.
    collected: Option<Vec<Event>>,
    /// The past on screen, if any, and what resuming from it needs (`travel.rs`).
    pub(super) travel: super::travel::Travelling,
}

impl Driver {
    async fn run(mut self) -> Lab {
        let mut tick = tokio::time::interval(DRIVER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        self.publish_snapshot();
        let mut last_snapshot = tokio::time::Instant::now();
        loop {
            let paused = self.clock.paused();
            let wire = self.attachments.wire.as_ref();
            let fast = !paused && wire.is_some_and(|w| w.wants_fast_tick());
            // Paused, the inbox is left alone: requests wait there, as time does.
            let inbox = wire.filter(|w| !paused && w.is_open()).map(|w| w.inbox());
            // Ticks and commands publish a snapshot at once; wire requests at the tick rate.
            let mut publish = true;
            tokio::select! {
                _ = tick.tick() => {
                    if let Some(j) = self.attachments.journal.as_mut() {
                        j.flush();
                    }
                }
                _ = tokio::time::sleep(FAST_TICK), if fast => publish = false,
                cmd = self.ch.commands.recv_async() => {
                    let Ok(cmd) = cmd else { break };
                    self.command(cmd);
                }
                item = async { inbox.expect("guarded").recv_async().await }, if inbox.is_some() => {
                    publish = false;
                    match item {
                        Ok(call) => {
                            // Time first, so the request sees the cluster as of now.
                            self.advance();
                            self.wire_call(call);
                            // A burst is one wake-up.
                            for _ in 1..MAX_ITEMS_PER_WAKE {
                                let Some(call) = self.attachments.wire.as_ref().and_then(|w| w.try_next()) else {
                                    break;
                                };
                                self.wire_call(call);
                            }
                        }
                        Err(_) => {
                            if let Some(w) = self.attachments.wire.as_mut() {
                                w.close();
                            }
                        }
                    }
                }
            }
            let woke = std::time::Instant::now();
            self.advance();
            self.lab.set_clock(self.clock.speed(), self.clock.paused());
            if !self.clock.paused() {
                self.wire_tick();
            }
            self.journal_health();
            self.ch.publish_events(self.lab.drain_events());
            if publish || last_snapshot.elapsed() >= DRIVER_TICK {
                self.publish_snapshot();
                last_snapshot = tokio::time::Instant::now();
            }
            // A long iteration leaves the tick ready at once, so the next select would not give
            // the worker back: the connection task this iteration answered sits in the worker's
            // LIFO slot, which no other worker steals, and its client timed out waiting (seen
            // on a 2,000-partition lab). Yield, so it writes the answer now.
            if woke.elapsed() >= FAST_TICK {
                tokio::task::yield_now().await;
            }
        }
        if let Some(j) = self.attachments.journal.as_mut() {
            j.end(self.lab.now_ms());
        }
        self.lab
    }

    /// Answers a real client's request, journaling it first.
    fn wire_call(&mut self, call: ApiCall) {
        let Some(w) = self.attachments.wire.as_mut() else {
            return;
        };
        if let Some(j) = self.attachments.journal.as_mut() {
            j.wire(self.lab.now_ms(), &call);
        }
        w.handle(&mut self.lab, call);
        self.dirty = true;
    }

    /// Re-checks parked wire requests when something moved, or a client hung up. Which clients
    /// hung up is a fact of real time, so it is journaled with the re-check.
    fn wire_tick(&mut self) {
        let Some(w) = self.attachments.wire.as_mut() else {
            return;
        };
        let closed = w.closed_parked();
        if !self.dirty && closed.is_empty() {
            return;
        }
        if let Some(j) = self.attachments.journal.as_mut() {
            j.tick(self.lab.now_ms(), &closed);
        }
        self.dirty = w.tick_with(&mut self.lab, &closed) > 0;
    }

    /// Every simulated second, the journal gets the lab's fingerprint for a replay to compare.
    fn journal_check(&mut self) {
        use super::journal::{CHECK_EVERY_MS, fingerprint};
        let now = self.lab.now_ms();
        if self.attachments.journal.is_none() || now % CHECK_EVERY_MS != 0 {
            return;
        }
        let print = fingerprint(&self.snapshot());
        if let Some(j) = self.attachments.journal.as_mut() {
            j.check(now, print);
        }
    }

    /// Says once on the timeline when the journal stopped recording.
    fn journal_health(&mut self) {
        if let Some(error) = self
            .attachments
            .journal
            .as_mut()
            .and_then(|j| j.take_stopped())
        {
            self.lab.emit_event(EventKind::Note {
                text: NoteText::JournalStopped { error },
            });
        }
    }

    fn command(&mut self, cmd: Command) {
        // Travel is the driver's own, never journaled: a fork writes where the run resumed.
        if let Command::Travel(t) = cmd {
            self.travel(t);
            return;
        }
        if self.travel.in_past() && !matches!(cmd, Command::SetSpeed(_)) {
            self.refuse(crate::cluster::refusal::CommandError::PastIsReadOnly);
            return;
        }
        if let Some(j) = self.attachments.journal.as_mut() {
            j.command(self.lab.now_ms(), &cmd);
        }
        self.dirty = true;
        match cmd {
            Command::SetSpeed(s) => {
                self.clock.set_speed(s);
                let _ = self.lab.apply(Command::SetSpeed(self.clock.speed()));
            }
            Command::SetPaused(p) => {
                self.clock.set_paused(p);
                let _ = self.lab.apply(Command::SetPaused(p));
            }
            Command::Director(d) if self.attachments.director.is_some() => self.direct(d),
            other => {
                let _ = self.lab.apply(other);
            }
        }
    }

    fn direct(&mut self, cmd: DirectorCommand) {
        let Some(director) = self.attachments.director.as_mut() else {
            return;
        };
        match cmd {
            DirectorCommand::Next => {
                let released = director.next(&mut self.lab);
                if self.clock.paused() {
                    self.clock.set_paused(false);
                } else if !released {
                    let text = match director.next_at_ms() {
                        Some(at) => NoteText::NextStepAt { secs: at / 1000 },
                        None => NoteText::LessonOver,
                    };
                    self.lab.emit_event(EventKind::Note { text });
                }
            }
            DirectorCommand::Restart => match director.restart() {
                Ok(mut fresh) => {
                    if let Some(w) = self.attachments.wire.as_mut() {
                        w.restart(&mut fresh);
                    }
                    self.lab = fresh;
                    let speed = self.clock.speed();
                    self.clock = SimClock::new();
                    self.clock.set_speed(speed);
                }
                Err(text) => self.lab.emit_event(EventKind::Note {
                    text: NoteText::CannotStartOver { error: text },
                }),
            },
        }
    }

    /// Steps the lab up to the clock (bounded by [`MAX_SIM_MS_PER_TICK`] and
    /// [`ADVANCE_WALL_BUDGET`]: when the machine cannot keep up with the chosen speed, simulated
    /// time runs slower instead of the loop stalling the dashboard and real clients). A director
    /// sees every step's events and may pause.
    pub(super) fn advance(&mut self) {
        self.advance_within(ADVANCE_WALL_BUDGET);
    }

    /// [`Self::advance`] spending at most `budget` of wall time (always at least one step when
    /// one is due, so the lab moves however slow its steps). Tokio's clock measures it, so a
    /// paused-clock test steps exactly as far as its clock says.
    pub(super) fn advance_within(&mut self, budget: Duration) {
        let began = tokio::time::Instant::now();
        self.step_to_clock(began, budget);
        // Further behind than one advance may catch up: forget the rest, so the lab does not
        // spend every wake-up chasing a clock it cannot reach (the pause keeps its own time).
        if !self.clock.paused() && self.clock.now_ms() > self.lab.now_ms() + MAX_SIM_MS_PER_TICK {
            self.clock.set_now_ms(self.lab.now_ms());
        }
    }

    fn step_to_clock(&mut self, began: tokio::time::Instant, budget: Duration) {
        let step = self.lab.config().step_ms;
        let target = self
            .clock
            .now_ms()
            .min(self.lab.now_ms() + MAX_SIM_MS_PER_TICK);
        while self.lab.now_ms() + step <= target {
            self.dirty = true;
            let started = std::time::Instant::now();
            let pause = self.step_once();
            self.maybe_checkpoint(started.elapsed());
            self.journal_check();
            // After the director, so a replay that applies the journaled command after stepping
            // to its instant sees the same order.
            while let Some(t) = self.attachments.schedule.pop() {
                if t.at_ms > self.lab.now_ms() {
                    self.attachments.schedule.push(t);
                    break;
                }
                self.command(t.command);
            }
            if pause {
                self.clock.set_paused(true);
                break;
            }
            if began.elapsed() >= budget {
                break;
            }
        }
    }

    /// One step of the lab; a director sees its events. Returns true when the director pauses.
    fn step_once(&mut self) -> bool {
        self.lab.step();
        let Some(director) = self.attachments.director.as_mut() else {
            return false;
        };
        let events = self.lab.drain_events();
        let pause = director.after_step(&mut self.lab, &events);
        self.emit(events);
        pause
    }

    fn emit(&mut self, events: Vec<Event>) {
        match self.collected.as_mut() {
            Some(c) => c.extend(events),
            None => self.ch.publish_events(events),
        }
    }

    fn publish_snapshot(&mut self) {
        let snap = match self.past_snapshot() {
            Some(past) => past,
            None => self.snapshot(),
        };
        self.ch.publish_snapshot(snap);
    }

    /// Puts a refusal on the timeline.
    pub(super) fn refuse(&mut self, error: crate::cluster::refusal::CommandError) {
        self.lab.emit_event(EventKind::Note {
            text: NoteText::Refused { error },
        });
    }

    /// The lab with its real clients and the director's status.
    pub(crate) fn snapshot(&self) -> LabSnapshot {
        let mut snap = self.lab.snapshot();
        if let Some(w) = &self.attachments.wire {
            w.decorate(&mut snap);
        }
        snap.lesson = self.attachments.director.as_ref().map(|d| d.status());
        snap
    }
}

/// Replaying: the same state machine, fed a journal's lines instead of real time.
impl Driver {
    /// A driver for a replay: no channels to a front end, nothing recorded, events kept.
    pub(crate) fn for_replay(lab: Lab, attachments: Attachments) -> Self {
        let (ch, _front) = channels();
        let travel = super::travel::Travelling::new(&lab, &[]);
        Self {
            lab,
            ch,
            attachments,
            clock: SimClock::new(),
            dirty: true,
            collected: Some(Vec::new()),
            travel,
        }
    }

    /// The lab.
    pub(crate) fn lab(&self) -> &Lab {
        &self.lab
    }

    /// The lab, leaving the replay.
    pub(crate) fn into_lab(self) -> Lab {
        self.lab
    }

    /// Steps to `t` as the live driver did (a director's pause stops the clock, not the replay:
    /// the journal says when it went on).
    pub(crate) fn replay_to(&mut self, t: i64) {
        let step = self.lab.config().step_ms;
        while self.lab.now_ms() + step <= t {
            let started = std::time::Instant::now();
            if self.step_once() {
                self.clock.set_paused(true);
            }
            self.maybe_checkpoint(started.elapsed());
        }
        self.lab.set_clock(self.clock.speed(), self.clock.paused());
    }

    /// Applies one journaled input at the lab's current instant.
    pub(crate) fn replay_input(&mut self, input: &super::journal::Input) -> Result<(), String> {
        use super::journal::Input;
        match input {
            Input::Cmd(cmd) => self.command(cmd.clone()),
            Input::Wire {
                conn,
                broker,
                frame,
            } => {
                use base64::Engine;
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(frame)
                    .map_err(|e| format!("a request frame is not base64: {e}"))?;
                let raw = bytes::Bytes::from(raw);
                let request = match crate::protocol::frame::decode_request(raw.clone()) {
                    crate::protocol::frame::Decoded::Request(r) => r,
                    _ => return Err("a request frame does not decode".into()),
                };
                if self.attachments.wire.is_none() {
                    return Err("a wire request, but the header has no wire listener".into());
                }
                // Nobody reads the answer; hang-ups come from the journal's tick lines.
                let (reply, _answer) = tokio::sync::oneshot::channel();
                self.wire_call(ApiCall {
                    broker: *broker,
                    request,
                    reply,
                    connection: *conn,
                    raw,
                });
            }
            Input::Tick(closed) => {
                if let Some(w) = self.attachments.wire.as_mut() {
                    w.tick_with(&mut self.lab, closed);
                }
            }
            Input::Check(recorded) => {
                let replayed = super::journal::fingerprint(&self.snapshot());
                if &replayed != recorded {
                    return Err(format!(
                        "the replay left the recorded run at {} ms (fingerprint {replayed}, recorded {recorded})",
                        self.lab.now_ms()
                    ));
                }
            }
            Input::End => {}
            // Real clients' connections were closed here: their host starts afresh, as live.
            Input::Rewound { .. } => {
                if let Some(w) = self.attachments.wire.as_mut() {
                    w.restart(&mut self.lab);
                }
            }
        }
        self.lab.set_clock(self.clock.speed(), self.clock.paused());
        let events = self.lab.drain_events();
        self.emit(events);
        Ok(())
    }

    /// Puts a note on the replay's timeline.
    pub(crate) fn note(&mut self, text: NoteText) {
        self.lab.emit_event(EventKind::Note { text });
    }

    /// The events since the last call (a replay's story).
    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        let events = self.lab.drain_events();
        self.emit(events);
        self.collected
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}
