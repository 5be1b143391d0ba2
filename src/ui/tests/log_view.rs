//! The replica-log view (`l`): snapshots at 80×24 and 160×48, what `NO_COLOR` keeps, and the
//! keys that open, scroll and close it while time and faults keep their keys.

use super::screen;
use super::screen_text;
use crate::lab::LabSnapshot;
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{App, Mode, update};
use crate::ui::explain::Target;
use crate::ui::fixture;
use crate::ui::theme::Theme;
use ratatui::style::Modifier;

/// test-0 with a history: epochs 0, 2 and 4, three segments, retention past offset 40.
fn with_history(mut snap: LabSnapshot) -> LabSnapshot {
    let p = snap
        .partitions
        .iter_mut()
        .find(|p| p.tp.to_string() == "test-0")
        .unwrap();
    p.log_start_offset = 40;
    for r in &mut p.replica_states {
        r.log_start_offset = 40;
        if r.broker != 3 {
            r.epoch_starts = vec![(0, 0), (2, 150), (4, 395)];
            r.segment_bases = vec![40, 200, 380];
        }
    }
    snap
}

fn set_leo(snap: &mut LabSnapshot, broker: i32, leo: i64) {
    let p = snap
        .partitions
        .iter_mut()
        .find(|p| p.tp.to_string() == "test-0")
        .unwrap();
    let r = p
        .replica_states
        .iter_mut()
        .find(|r| r.broker == broker)
        .unwrap();
    r.log_end_offset = leo;
}

/// The view open on test-0 just as the leader appended 410..412 and b1 fetched 409..411.
fn open_view(width: u16, height: u16, theme: Theme) -> App {
    let mut app = fixture::app(width, height);
    app.theme = theme;
    let mut before = with_history(app.snapshot.clone());
    set_leo(&mut before, 2, 410);
    set_leo(&mut before, 1, 409);
    app.set_snapshot(before);
    update(&mut app, Action::ToggleLogView);
    let mut now = with_history(app.snapshot.clone());
    set_leo(&mut now, 2, 412);
    set_leo(&mut now, 1, 411);
    now.now_ms += 20;
    app.set_snapshot(now);
    app
}

#[test]
fn snapshot_log_view() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = open_view(w, h, Theme::colored());
        insta::assert_snapshot!(format!("log_view_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn log_view_marks_what_matters_in_text_without_colour() {
    let app = open_view(80, 24, Theme::monochrome());
    let text = screen_text(&app);
    assert_eq!(text, screen_text(&open_view(80, 24, Theme::colored())));
    for needle in [
        "b2 leader",
        "b1 in-sync follower",
        "b3 offline",
        "HW 409",
        "LEO 412",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    assert!(
        text.contains("■□□□"),
        "uncommitted tail 409..412 on the leader:\n{text}"
    );
    assert!(text.contains("e4"), "epoch 4's start is marked:\n{text}");
    assert!(
        text.contains("lab-group"),
        "the group reading test-0:\n{text}"
    );
    // The new cells stand out by a modifier, not a colour.
    let buf = screen(&app);
    let lit = buf
        .content()
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED) && "■□".contains(c.symbol()))
        .count();
    // 410 and 411 on the leader, 409 and 410 on b1.
    assert_eq!(lit, 4, "new records light up:\n{text}");
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset)
    );
}

#[test]
fn a_truncated_tail_shows_the_cells_it_dropped() {
    let mut app = fixture::app(80, 24);
    let mut before = with_history(app.snapshot.clone());
    set_leo(&mut before, 1, 414);
    app.set_snapshot(before);
    update(&mut app, Action::ToggleLogView);
    let mut now = with_history(app.snapshot.clone());
    set_leo(&mut now, 1, 409);
    now.now_ms += 100;
    app.set_snapshot(now);
    let text = screen_text(&app);
    assert!(
        text.contains("xxxxx"),
        "offsets 409..414 dropped on b1:\n{text}"
    );
}

#[test]
fn l_opens_the_selected_partition_and_l_or_esc_close_it() {
    let mut app = fixture::app(80, 24);
    assert_eq!(update(&mut app, Action::ToggleLogView), None);
    let tp = app.log_view.as_ref().map(|v| v.tp.to_string());
    assert_eq!(tp.as_deref(), Some("test-0"));
    update(&mut app, Action::Up);
    assert_eq!(app.log_view.as_ref().unwrap().scroll, 10);
    update(&mut app, Action::Bottom);
    assert_eq!(app.log_view.as_ref().unwrap().scroll, 0);
    update(&mut app, Action::Top);
    let back = app.log_view.as_ref().unwrap().scroll;
    assert!(back > 300, "Home scrolls back to the log start: {back}");
    update(&mut app, Action::Cancel);
    assert!(app.log_view.is_none());
    update(&mut app, Action::ToggleLogView);
    update(&mut app, Action::ToggleLogView);
    assert!(app.log_view.is_none());
}

#[test]
fn time_keys_still_work_and_e_explains_the_viewed_partition() {
    let mut app = fixture::app(80, 24);
    app.focus = crate::ui::app::Panel::Brokers;
    update(&mut app, Action::ToggleLogView);
    assert_eq!(
        update(&mut app, Action::Slower),
        Some(Command::SetSpeed(0.5))
    );
    update(&mut app, Action::Explain);
    match &app.mode {
        Mode::Explain { target, .. } => {
            assert!(matches!(target, Target::Partition(tp) if tp.to_string() == "test-0"))
        }
        m => panic!("expected the explanation, got {m:?}"),
    }
}

#[test]
fn partition_map_marks_replicas_that_just_took_records() {
    let mut app = fixture::app(80, 24);
    assert!(!screen_text(&app).contains("L+"), "nothing moved yet");
    let mut now = app.snapshot.clone();
    set_leo(&mut now, 2, 415);
    now.now_ms += 20;
    app.set_snapshot(now.clone());
    let text = screen_text(&app);
    assert!(text.contains("L+415"), "the leader took records:\n{text}");
    assert!(
        text.contains("F 411"),
        "the follower has not fetched them yet:\n{text}"
    );
    now.now_ms += crate::ui::log_view::APPENDED_SHOWN_MS;
    app.set_snapshot(now);
    assert!(screen_text(&app).contains("L 415"), "the pulse fades");
}

#[test]
fn a_truncation_refilled_before_the_next_snapshot_still_shows_what_was_dropped() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::ToggleLogView);
    let now_ms = app.snapshot.now_ms;
    app.push_event(crate::cluster::event::Event {
        at_ms: now_ms,
        time: chrono::DateTime::default(),
        kind: crate::cluster::event::EventKind::LogTruncated {
            tp: app.log_view.as_ref().unwrap().tp.clone(),
            broker: 1,
            to_offset: 400,
            records_dropped: 6,
            reason: crate::cluster::event::TruncationReason::DivergentTail { leader_epoch: 4 },
        },
    });
    let mut now = app.snapshot.clone();
    now.now_ms += 50;
    app.set_snapshot(now);
    let text = screen_text(&app);
    let b1 = text.find("b1 in-sync").unwrap();
    let marks = text[b1..].lines().nth(2).unwrap();
    assert_eq!(marks.matches('x').count(), 6, "{text}");
}

#[test]
fn a_lesson_step_with_show_log_opens_the_view_once_per_change() {
    let mut app = App::new(Theme::colored(), 80, 24).lesson();
    let mut snap = super::lesson::lesson_snapshot();
    app.set_snapshot(snap.clone());
    assert!(app.log_view.is_none(), "no show_log yet");
    let tp1 = crate::cluster::types::TopicPartition::new("test", 1);
    snap.lesson.as_mut().unwrap().show_log = Some(tp1.clone());
    app.set_snapshot(snap.clone());
    assert_eq!(
        app.log_view.as_ref().map(|v| v.tp.clone()),
        Some(tp1.clone())
    );
    assert!(screen_text(&app).contains("test-1"), "the view is drawn");
    // Closed by the presenter, it stays closed while the lesson asks for the same partition.
    update(&mut app, Action::ToggleLogView);
    app.set_snapshot(snap.clone());
    assert!(app.log_view.is_none());
    // Another partition, or the same one again after a restart (`None` first), opens it again.
    let tp0 = crate::cluster::types::TopicPartition::new("test", 0);
    snap.lesson.as_mut().unwrap().show_log = Some(tp0.clone());
    app.set_snapshot(snap.clone());
    assert_eq!(app.log_view.as_ref().map(|v| v.tp.clone()), Some(tp0));
    snap.lesson.as_mut().unwrap().show_log = None;
    app.set_snapshot(snap.clone());
    update(&mut app, Action::Cancel);
    snap.lesson.as_mut().unwrap().show_log = Some(tp1.clone());
    app.set_snapshot(snap);
    assert_eq!(app.log_view.as_ref().map(|v| v.tp.clone()), Some(tp1));
}

/// One batch followed at slow time: the producer writes into the leader (`P1→`, `L+`), a
/// follower fetches it (`F+`), then consumer-A reads it (`→CA`); each mark fades after half a
/// simulated second.
fn batch_flow(width: u16, height: u16, theme: Theme) -> Vec<App> {
    let mut app = fixture::app(width, height);
    app.theme = theme;
    let mut snap = app.snapshot.clone();
    let mut frames = Vec::new();
    // The producer's batch reaches the leader, broker 2.
    snap.now_ms += 10;
    snap.producers[0].sent += 3;
    set_leo(&mut snap, 2, 415);
    app.set_snapshot(snap.clone());
    frames.push(app.clone());
    // Broker 1 fetches it.
    snap.now_ms += 10;
    set_leo(&mut snap, 1, 415);
    app.set_snapshot(snap.clone());
    frames.push(app.clone());
    // consumer-A's position on test-0 moves past it.
    snap.now_ms += 10;
    snap.groups[0].partitions[0].position = Some(415);
    app.set_snapshot(snap.clone());
    frames.push(app.clone());
    snap.now_ms += crate::ui::log_view::APPENDED_SHOWN_MS;
    app.set_snapshot(snap);
    frames.push(app);
    frames
}

/// The test-0 row of the partition map.
fn map_row(app: &App) -> String {
    screen_text(app)
        .lines()
        .find(|l| l.contains(">test-0"))
        .expect("test-0 in the map")
        .to_string()
}

#[test]
fn one_batch_can_be_followed_from_producer_to_leader_to_follower_to_consumer() {
    let frames = batch_flow(80, 24, Theme::monochrome());
    let rows: Vec<String> = frames.iter().map(map_row).collect();
    assert!(
        rows[0].contains("F 411 L+415 X 377 P1→") && !rows[0].contains("→CA"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("F+415 L+415") && !rows[1].contains("→CA"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains("P1→ →CA"), "{}", rows[2]);
    assert!(
        !rows[3].contains('→') && rows[3].contains("F 415 L 415"),
        "every mark fades: {}",
        rows[3]
    );
    // Text alone carries it: the same screen with and without colour.
    let coloured = batch_flow(80, 24, Theme::colored());
    assert_eq!(screen_text(&frames[2]), screen_text(&coloured[2]));
}

#[test]
fn snapshot_record_flow() {
    for (w, h) in [(80, 24), (160, 48)] {
        let frames = batch_flow(w, h, Theme::colored());
        insta::assert_snapshot!(format!("record_flow_{w}x{h}"), screen_text(&frames[2]));
    }
}

#[test]
fn the_log_view_reads_in_chinese() {
    use crate::text::{Lang, with_lang};
    for (w, h) in [(80, 24), (160, 48)] {
        let text = with_lang(Lang::Zh, || screen_text(&open_view(w, h, Theme::colored())));
        insta::assert_snapshot!(format!("zh_log_view_{w}x{h}"), text);
        for needle in ["b2 leader  起点", "HW 409", "LEO 412"] {
            assert!(text.contains(needle), "{needle} missing:\n{text}");
        }
        for english in [" start ", "committed", "position"] {
            assert!(!text.contains(english), "{english:?} in:\n{text}");
        }
    }
}
