//! The event loop: terminal input, snapshots, events and a tick in one `select!`; draws only when
//! something changed (at most once per tick for lab updates, at once for input).

use super::action::Action;
use super::app::{App, update};
use super::keymap::action_for_input_in;
use super::theme::Theme;
use super::tui;
use super::view::draw;
use crate::lab::driver::LabChannels;
use anyhow::{Context, Result};
use crossterm::event::Event as InputEvent;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often lab updates are drawn (about 10 frames/s).
pub const TICK: Duration = Duration::from_millis(100);
/// Most events taken from the channel per loop turn, so a flood cannot starve input.
pub const EVENTS_PER_TURN_MAX: usize = 1_000;
/// Capacity of the input channel from the reader thread.
pub const INPUT_CHANNEL_CAPACITY: usize = 256;

/// Opens the dashboard on the real terminal and runs it until `q`; the terminal is restored on
/// every way out.
pub async fn run_dashboard(channels: LabChannels) -> Result<()> {
    run_terminal(channels, false).await
}

/// The dashboard for a lesson: the banner and the lesson keys (`n`, `b`) on top of the lab.
pub async fn run_lesson_dashboard(channels: LabChannels) -> Result<()> {
    run_terminal(channels, true).await
}

async fn run_terminal(channels: LabChannels, lesson: bool) -> Result<()> {
    let mut terminal = tui::init()?;
    let size = terminal.size().context("cannot read the terminal size")?;
    let mut app = App::new(Theme::from_env(), size.width, size.height);
    app.lesson_mode = lesson;
    let (input_tx, input_rx) = flume::bounded(INPUT_CHANNEL_CAPACITY);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_input_reader(input_tx, stop.clone());
    // SIGTERM or SIGHUP ends the dashboard like `q`, so the terminal is restored and the caller
    // cleans up (an `--ephemeral` data dir is removed).
    let result = tokio::select! {
        r = run_loop(&mut terminal, app, &channels, input_rx) => r.map(|_| ()),
        _ = crate::signals::stop_requested() => Ok(()),
    };
    stop.store(true, Ordering::Relaxed);
    tui::restore();
    // The reader notices `stop` within one poll, unless the terminal is gone (SIGHUP) and its
    // read never returns: then it is left behind, and the process exits without it.
    let deadline = std::time::Instant::now() + READER_STOP_WAIT;
    while !reader.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if reader.is_finished() {
        let _ = reader.join();
    }
    result
}

/// How long quitting waits for the input reader thread to notice it should stop.
const READER_STOP_WAIT: Duration = Duration::from_millis(500);

/// Reads crossterm input on a plain thread (polling, so it notices `stop`) and forwards it.
fn spawn_input_reader(
    tx: flume::Sender<InputEvent>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match crossterm::event::poll(Duration::from_millis(50)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.send(ev).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                },
                Ok(false) => {}
                Err(_) => break,
            }
        }
    })
}

/// The loop itself, generic over the backend so tests drive it with `TestBackend`. Returns the
/// final app state when the user quits or the input closes.
pub async fn run_loop<B>(
    terminal: &mut Terminal<B>,
    mut app: App,
    channels: &LabChannels,
    input: flume::Receiver<InputEvent>,
) -> Result<App>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let (mut snapshots_open, mut events_open) = (true, true);
    let mut dirty = true;
    terminal.draw(|f| draw(f, &app))?;
    loop {
        tokio::select! {
            input = input.recv_async() => {
                let Ok(input) = input else { break };
                let cmd = action_for_input_in(&app.mode, app.lesson_mode, &input).and_then(|a| update(&mut app, a));
                // Never block on the lab: a full command queue drops the command and says so.
                if let Some(cmd) = cmd
                    && channels.commands.try_send(cmd).is_err()
                {
                    app.flash = Some(crate::text::text("flash.command_dropped").into());
                }
                if app.should_quit {
                    break;
                }
                terminal.draw(|f| draw(f, &app))?;
                dirty = false;
            }
            snap = channels.snapshots.recv_async(), if snapshots_open => match snap {
                Ok(mut snap) => {
                    while let Ok(newer) = channels.snapshots.try_recv() {
                        snap = newer;
                    }
                    app.set_snapshot(snap);
                    dirty = true;
                }
                Err(_) => {
                    snapshots_open = false;
                    app.flash = Some(crate::text::text("flash.lab_stopped").into());
                    dirty = true;
                }
            },
            ev = channels.events.recv_async(), if events_open => match ev {
                Ok(ev) => {
                    app.push_event(ev);
                    for ev in channels.events.try_iter().take(EVENTS_PER_TURN_MAX) {
                        app.push_event(ev);
                    }
                    dirty = true;
                }
                Err(_) => events_open = false,
            },
            _ = tick.tick() => {
                update(&mut app, Action::Tick);
                if dirty {
                    terminal.draw(|f| draw(f, &app))?;
                    dirty = false;
                }
            }
        }
    }
    Ok(app)
}
