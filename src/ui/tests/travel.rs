//! Going back in time on the dashboard: the position bar in the past (snapshots at 80×24 and
//! 160×48, words not colours), the keys' commands, and the timeline after a run resumed.

use super::screen_text;
use crate::cluster::event::{Event, EventKind, NoteText, UndoneAction};
use crate::lab::TravelStatus;
use crate::lab::command::{Command, Travel};
use crate::ui::action::Action;
use crate::ui::app::{App, Panel, update};
use crate::ui::fixture::{self, NOW_MS};

/// The fixture's lab shown 40 s into a run that has gone on to 2 minutes.
fn in_the_past(w: u16, h: u16) -> App {
    let mut app = fixture::app(w, h);
    let mut snap = app.snapshot.clone();
    snap.paused = true;
    snap.travel = Some(TravelStatus {
        at_ms: 40_000,
        run_ms: 120_000,
        past: true,
    });
    app.set_snapshot(snap);
    app
}

#[test]
fn snapshot_the_position_bar_in_the_past() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = in_the_past(w, h);
        let screen = screen_text(&app);
        let bar = screen.lines().last().unwrap_or_default().to_string();
        assert!(bar.contains("PAST — paused"), "{bar}");
        assert!(bar.contains("t+00:40 / 02:00"), "{bar}");
        assert!(
            bar.contains('●') && bar.contains("space resume here"),
            "{bar}"
        );
        insta::assert_snapshot!(format!("past_{w}x{h}"), screen);
    }
}

#[test]
fn a_replay_shows_where_it_is_in_the_journal() {
    let mut app = fixture::app(80, 24);
    let mut snap = app.snapshot.clone();
    snap.travel = Some(TravelStatus {
        at_ms: 60_000,
        run_ms: 60_000,
        past: false,
    });
    app.set_snapshot(snap);
    let screen = screen_text(&app);
    let bar = screen.lines().last().unwrap_or_default();
    assert!(
        bar.contains("REPLAY") && bar.contains("space pause"),
        "{bar}"
    );
    assert!(!bar.contains("PAST"), "{bar}");
}

#[test]
fn travel_keys_send_travel_commands_and_say_where_to() {
    let mut app = fixture::app(80, 24);
    assert_eq!(
        update(&mut app, Action::BackSecond),
        Some(Command::Travel(Travel::By(-1_000)))
    );
    let to = crate::cluster::event::secs_1(NOW_MS - 1_000);
    assert!(app.flash.as_deref().is_some_and(|f| f.contains(&to)));
    assert_eq!(
        update(&mut app, Action::ForwardTenSeconds),
        Some(Command::Travel(Travel::By(10_000)))
    );
    assert_eq!(
        update(&mut app, Action::Undo),
        Some(Command::Travel(Travel::Undo))
    );
    // Live, space pauses as ever; in the past it resumes from the instant shown.
    assert_eq!(
        update(&mut app, Action::TogglePause),
        Some(Command::SetPaused(true))
    );
    let mut past = in_the_past(80, 24);
    assert_eq!(
        update(&mut past, Action::TogglePause),
        Some(Command::Travel(Travel::Resume))
    );
    // Steps count from the instant on screen, not the live run's.
    update(&mut past, Action::BackTenSeconds);
    assert!(past.flash.as_deref().is_some_and(|f| f.contains("30.0")));
}

#[test]
fn g_jumps_to_the_selected_event() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Timeline;
    let at = app.selected_event().map(|e| e.at_ms).expect("an event");
    assert_eq!(
        update(&mut app, Action::JumpToEvent),
        Some(Command::Travel(Travel::To(at)))
    );
    app.events.clear();
    assert_eq!(update(&mut app, Action::JumpToEvent), None);
    assert!(app.flash.is_some());
}

#[test]
fn a_resumed_run_forgets_the_events_of_the_future_it_left() {
    let mut app = fixture::app(80, 24);
    let newest = app.events.back().cloned().expect("events");
    let at = app.events.front().map(|e| e.at_ms).expect("events") + 1;
    let note = |text| Event {
        at_ms: at,
        kind: EventKind::Note { text },
        ..newest.clone()
    };
    let before = app.events.iter().filter(|e| e.at_ms <= at).count();
    assert!(
        before < app.events.len(),
        "the fixture has events after {at}"
    );
    app.push_event(note(NoteText::Rewound {
        at_ms: at,
        from_ms: NOW_MS,
        kept: "run.future-after-1.0s.jsonl".into(),
    }));
    assert_eq!(app.events.len(), before + 1);
    assert!(app.events.iter().all(|e| e.at_ms <= at));
    // An undo drops its action's instant too.
    app.push_event(note(NoteText::Undone {
        action: UndoneAction::KillBroker(2),
        at_ms: at,
        kept: "run.future-after-1.0s-2.jsonl".into(),
    }));
    assert_eq!(
        app.events.len(),
        1 + app.events.iter().filter(|e| e.at_ms < at).count()
    );
}
