//! Playing a journal on the dashboard: a [`Replay`] advanced by a [`SimClock`] the viewer
//! controls (speed, pause), publishing snapshots and events on the same channels as a live lab.
//! The run is the journal's: other commands are refused with a note.

use super::clock::SimClock;
use super::command::Command;
use super::driver::{DRIVER_TICK, DriverChannels, MAX_SIM_MS_PER_TICK};
use super::replay::Replay;
use crate::cluster::event::NoteText;

/// Plays `replay` until the front end drops its command sender; returns it.
pub async fn play(mut replay: Replay, ch: DriverChannels) -> Replay {
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
                    _ => replay.note(NoteText::ReplayOnly),
                }
            }
        }
        let before = replay.now_ms();
        if !failed {
            let target = clock.now_ms().min(before + MAX_SIM_MS_PER_TICK);
            if let Err(e) = replay.advance_to(target) {
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
        ch.publish_snapshot(snap);
    }
    replay
}
