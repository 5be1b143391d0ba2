//! The run loop on `TestBackend`: snapshots in, commands out, `q` quits.

use super::text;
use crate::lab::command::Command;
use crate::ui::app::{App, DIALOG_GUARD_TICKS};
use crate::ui::fixture;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key_input(c: char) -> crossterm::event::Event {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[tokio::test]
async fn run_loop_takes_snapshots_sends_commands_and_quits_on_q() {
    use crate::lab::driver::LabChannels;
    use crossterm::event::{Event as InputEvent, KeyCode, KeyEvent, KeyModifiers};
    let (cmd_tx, cmd_rx) = flume::bounded(16);
    let (snap_tx, snap_rx) = flume::bounded(4);
    let (ev_tx, ev_rx) = flume::bounded(64);
    let ch = LabChannels {
        commands: cmd_tx,
        snapshots: snap_rx,
        events: ev_rx,
    };
    // An older snapshot first: the loop must keep only the newest.
    let mut old = fixture::snapshot();
    old.seed = 1;
    snap_tx.send(old).unwrap();
    snap_tx.send(fixture::snapshot()).unwrap();
    for e in fixture::events() {
        ev_tx.send(e).unwrap();
    }
    let (in_tx, in_rx) = flume::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let app = App::new(crate::ui::theme::Theme::colored(), 80, 24);
    let keys = async {
        for _ in 0..200 {
            if snap_tx.is_empty() && ev_tx.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        in_tx
            .send(InputEvent::Key(KeyEvent::new(
                KeyCode::Down,
                KeyModifiers::NONE,
            )))
            .unwrap();
        in_tx.send(key_input('b')).unwrap();
        in_tx.send(key_input('y')).unwrap();
        // Keys right after the answer are dropped (DIALOG_GUARD_TICKS): `q` waits them out.
        tokio::time::sleep(crate::ui::run::TICK * (u32::from(DIALOG_GUARD_TICKS) + 2)).await;
        in_tx.send(key_input('q')).unwrap();
    };
    let (result, ()) = tokio::join!(
        crate::ui::run::run_loop(&mut terminal, app, &ch, in_rx),
        keys
    );
    let app = result.unwrap();
    assert!(app.should_quit);
    assert_eq!(app.snapshot.seed, 42);
    assert_eq!(app.events.len(), fixture::events().len());
    assert_eq!(cmd_rx.try_recv(), Ok(Command::KillBroker(2)));
    assert!(cmd_rx.try_recv().is_err());
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains("kill broker 2"), "{shown}");
    assert!(shown.contains("seed 42"), "{shown}");
}
