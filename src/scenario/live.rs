//! Lessons on the dashboard: the driver loop of [`crate::cluster::driver`] with a
//! [`LessonRunner`] stepping alongside the lab, `n` releasing key steps and `b` starting over.

use super::model::Scenario;
use super::runner::{KeyPolicy, LessonRunner, build_lab};
use crate::cluster::clock::SimClock;
use crate::cluster::command::Command;
use crate::cluster::driver::{DRIVER_TICK, DriverChannels, MAX_SIM_MS_PER_TICK};
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One run of the lesson: its lab, its runner and the directory its logs live in.
struct Run {
    lab: Cluster,
    runner: LessonRunner,
    dir: PathBuf,
}

fn start(
    scenario: &Arc<Scenario>,
    root: &Path,
    seed: Option<u64>,
    run: u32,
) -> Result<Run, String> {
    let dir = root.join(format!("run-{run}"));
    let mut lab = build_lab(scenario, &dir, seed)?;
    let mut runner = LessonRunner::new(scenario.clone(), KeyPolicy::Wait);
    runner.run = run;
    runner.tick(&mut lab);
    Ok(Run { lab, runner, dir })
}

fn publish(ch: &DriverChannels, r: &mut Run) {
    ch.publish_events(r.lab.drain_events());
    let mut snap = r.lab.snapshot();
    snap.lesson = Some(r.runner.status());
    ch.publish_snapshot(snap);
}

/// Runs the lesson in real time under `root` (each start gets a fresh `run-N` directory) until
/// every command sender is dropped.
pub async fn run_lesson(
    scenario: Arc<Scenario>,
    root: PathBuf,
    seed: Option<u64>,
    ch: DriverChannels,
) -> Result<(), String> {
    let mut run_no = 1;
    let mut r = start(&scenario, &root, seed, run_no)?;
    let mut clock = SimClock::new();
    let mut tick = tokio::time::interval(DRIVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    publish(&ch, &mut r);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            cmd = ch.commands().recv_async() => {
                let Ok(cmd) = cmd else { break };
                match cmd {
                    Command::LessonNext => {
                        let released = r.runner.press_next();
                        if clock.paused() {
                            clock.set_paused(false);
                        } else if !released {
                            let text = match r.runner.next_at_ms() {
                                Some(at) => format!("the next step runs by itself at t+{}s", at / 1000),
                                None => "the lesson is over: b starts it again".into(),
                            };
                            r.lab.emit_event(EventKind::Note { text });
                        }
                    }
                    Command::LessonRestart => {
                        run_no += 1;
                        let old = std::mem::replace(&mut r, start(&scenario, &root, seed, run_no)?);
                        let dir = old.dir.clone();
                        drop(old);
                        // Best effort: the temp root is removed on exit anyway.
                        let _ = std::fs::remove_dir_all(dir);
                        let speed = clock.speed();
                        clock = SimClock::new();
                        clock.set_speed(speed);
                    }
                    Command::SetSpeed(s) => clock.set_speed(s),
                    Command::SetPaused(p) => clock.set_paused(p),
                    other => {
                        let _ = r.lab.apply(other);
                    }
                }
            }
        }
        let step = r.lab.config().step_ms;
        let target = clock.now_ms().min(r.lab.now_ms() + MAX_SIM_MS_PER_TICK);
        // Bounded by MAX_SIM_MS_PER_TICK / step iterations.
        while r.lab.now_ms() + step <= target {
            r.lab.advance_by(step);
            let events = r.lab.drain_events();
            r.runner.observe(&r.lab, &events);
            ch.publish_events(events);
            r.runner.tick(&mut r.lab);
            if r.runner.take_pause_request() {
                clock.set_paused(true);
                break;
            }
        }
        r.lab.set_speed(clock.speed(), clock.paused());
        publish(&ch, &mut r);
    }
    Ok(())
}
