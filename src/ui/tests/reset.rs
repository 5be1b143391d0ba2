//! `o`, the reset-offsets dialog: a live group is refused in Kafka's words before anything is
//! sent; an empty one gets the dialog (snapshot at 80×24), its `to` is checked in place, and the
//! command goes only after the confirmation the destructive keys use.

use super::{press, screen_text};
use crate::cluster::group::reset::ResetTo;
use crate::cluster::snapshot::GroupState;
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{App, Mode, Panel, update};
use crate::ui::fixture;

/// The fixture with its group's consumers gone: Empty, offsets still committed.
fn empty_group_app() -> App {
    let mut app = fixture::app(80, 24);
    let mut snap = app.snapshot.clone();
    snap.groups[0].state = GroupState::Empty;
    snap.groups[0].members.clear();
    for p in &mut snap.groups[0].partitions {
        p.owner = None;
    }
    app.set_snapshot(snap);
    app.focus = Panel::Groups;
    app
}

#[test]
fn a_stable_group_flashes_kafkas_refusal_and_opens_nothing() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Groups;
    assert_eq!(update(&mut app, Action::ResetOffsets), None);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(
        app.flash.as_deref(),
        Some(
            "Assignments can only be reset if the group 'lab-group' is inactive, but the current state is Stable."
        )
    );
}

#[test]
fn an_empty_group_opens_the_dialog_and_sends_only_after_yes() {
    let mut app = empty_group_app();
    assert_eq!(update(&mut app, Action::ResetOffsets), None);
    assert!(matches!(app.mode, Mode::Dialog(_)), "{:?}", app.mode);
    insta::assert_snapshot!("reset_dialog_80x24", screen_text(&app));
    // `to` is the third field: a time that is no time is refused in place.
    press(&mut app, "\t\t");
    for _ in 0..20 {
        update(&mut app, Action::Backspace);
    }
    assert!(press(&mut app, "soon\n").is_empty());
    assert!(screen_text(&app).contains("to: earliest, latest"));
    for _ in 0..4 {
        update(&mut app, Action::Backspace);
    }
    assert!(press(&mut app, "-10m\n").is_empty(), "nothing before yes");
    let Mode::Confirm(_) = &app.mode else {
        panic!("no confirmation: {:?}", app.mode)
    };
    insta::assert_snapshot!("reset_confirm_80x24", screen_text(&app));
    let sent = update(&mut app, Action::Submit);
    assert_eq!(
        sent,
        Some(Command::ResetOffsets {
            group: "lab-group".into(),
            topic: Some("test".into()),
            to: ResetTo::Ago(600_000),
        })
    );
}

#[test]
fn any_other_key_at_the_confirmation_sends_nothing() {
    let mut app = empty_group_app();
    update(&mut app, Action::ResetOffsets);
    assert!(press(&mut app, "\n").is_empty());
    assert!(matches!(app.mode, Mode::Confirm(_)));
    assert_eq!(update(&mut app, Action::Cancel), None);
    assert_eq!(app.mode, Mode::Normal);
}
