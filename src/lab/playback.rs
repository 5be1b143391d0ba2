//! Playing a journal on the dashboard: a [`Replay`] advanced by a [`SimClock`] the viewer
//! controls (speed, pause), publishing snapshots and events on the same channels as a live lab.
//! The run is the journal's: other commands are refused with a note. `[` `]` `{` `}` and `g`
//! move through it: forward by stepping on, back from the newest checkpoint taken while playing
//! (or from the start).

use super::clock::SimClock;
use super::command::{Command, Travel};
use super::driver::{DRIVER_TICK, DriverChannels, MAX_SIM_MS_PER_TICK};
use super::replay::Replay;
use crate::cluster::event::NoteText;

/// Builds the replay again to move back to an instant (given the replay playing now, whose
/// checkpoints it may start from), when the run allows it.
pub type Rebuild = Box<dyn FnMut(&Replay, i64) -> Result<Replay, String> + Send>;

/// Plays `replay` until the front end drops its command sender; returns it. `rebuild`, when
/// given, lets the viewer move back in the run.
pub async fn play(mut replay: Replay, ch: DriverChannels, mut rebuild: Option<Rebuild>) -> Replay {
    let mut clock = SimClock::new();
    let mut tick = tokio::time::interval(DRIVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut failed = false;
    let mut ended = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            cmd = ch.commands().recv_async() => {
                let Ok(cmd) = cmd else { break };
                match cmd {
                    Command::SetSpeed(s) => clock.set_speed(s),
                    Command::SetPaused(p) => clock.set_paused(p),
                    Command::Travel(t @ (Travel::By(_) | Travel::To(_))) => {
                        let target = match t {
                            Travel::By(ms) => replay.now_ms().saturating_add(ms),
                            Travel::To(at) => at,
                            Travel::Resume | Travel::Undo => replay.now_ms(),
                        }
                        .clamp(0, replay.end_ms());
                        match seek(&mut replay, rebuild.as_mut(), target) {
                            Ok(()) => {
                                failed = false;
                                ended = false;
                            }
                            Err(e) => replay.note(e),
                        }
                        clock.set_now_ms(replay.now_ms());
                    }
                    _ => replay.note(NoteText::ReplayOnly),
                }
            }
        }
        let before = replay.now_ms();
        if !failed {
            let target = clock.now_ms().min(before + MAX_SIM_MS_PER_TICK);
            if let Err(e) = replay.play_to(target) {
                failed = true;
                replay.note(NoteText::ReplayFailed {
                    error: e.to_string(),
                });
                clock.set_paused(true);
            }
        }
        // A lesson started over (its new lab counts from 0), the machine fell behind, or the
        // journal ended: simulated time shows where the replay is.
        if replay.now_ms() < before || clock.now_ms() > replay.now_ms() + MAX_SIM_MS_PER_TICK {
            clock.set_now_ms(replay.now_ms());
        }
        if replay.done() && !ended {
            ended = true;
            replay.note(NoteText::ReplayEnded);
            clock.set_paused(true);
        }
        ch.publish_events(replay.take_events());
        let mut snap = replay.snapshot();
        snap.speed = clock.speed();
        snap.paused = clock.paused();
        snap.travel = Some(super::snapshot::TravelStatus {
            at_ms: replay.now_ms(),
            run_ms: replay.end_ms(),
            past: false,
        });
        ch.publish_snapshot(snap);
    }
    replay
}

/// Moves `replay` to `target`: on by stepping, back by rebuilding it (from a checkpoint or the
/// start) and stepping on; the rebuilt replay keeps the checkpoints taken so far (the events on
/// the way are the timeline's already).
fn seek(replay: &mut Replay, rebuild: Option<&mut Rebuild>, target: i64) -> Result<(), NoteText> {
    if target < replay.now_ms() {
        let Some(rebuild) = rebuild else {
            return Err(NoteText::ReplayOnly);
        };
        let mut rebuilt =
            rebuild(replay, target).map_err(|error| NoteText::TravelFailed { error })?;
        rebuilt.adopt_checkpoints(replay);
        *replay = rebuilt;
    }
    replay
        .advance_to(target)
        .map_err(|e| NoteText::ReplayFailed {
            error: e.to_string(),
        })?;
    let _ = replay.take_events();
    Ok(())
}
