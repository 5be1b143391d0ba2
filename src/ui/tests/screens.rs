//! What the screen shows as the lab changes: the timeline, selection, small terminals, colour,
//! recent moves, and drawing at any size.

use super::lesson::lesson_snapshot;
use super::{screen, screen_text};
use crate::ui::action::Action;
use crate::ui::app::{App, EVENTS_MAX, Panel, update};
use crate::ui::fixture;

#[test]
fn timeline_keeps_only_the_newest_events() {
    let mut app = fixture::app(80, 24);
    let e = fixture::events().pop().unwrap();
    for _ in 0..EVENTS_MAX + 50 {
        app.push_event(e.clone());
    }
    assert_eq!(app.events.len(), EVENTS_MAX);
}

#[test]
fn scrolling_the_timeline_shows_older_events() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Timeline;
    let newest = screen_text(&app);
    assert!(newest.contains("rebalance started"));
    assert!(!newest.contains("lab started"));
    update(&mut app, Action::Top);
    let oldest = screen_text(&app);
    assert!(oldest.contains("lab started"), "{oldest}");
    assert!(oldest.contains("newer below"));
    update(&mut app, Action::Bottom);
    assert_eq!(app.timeline_scroll, 0);
}

#[test]
fn home_on_the_timeline_fills_the_panel_with_the_oldest_events() {
    let mut app = fixture::app(160, 48);
    let e = fixture::events().pop().unwrap();
    for _ in 0..60 {
        app.push_event(e.clone());
    }
    app.focus = Panel::Timeline;
    update(&mut app, Action::Top);
    let area = app.panel_area(Panel::Timeline).unwrap();
    let visible = app.visible_rows(Panel::Timeline);
    let rows = screen_text(&app);
    let blank = rows
        .lines()
        .skip(area.y as usize + 1)
        .take(visible)
        .map(|l| {
            l.chars()
                .skip(area.x as usize + 1)
                .take(area.width as usize - 2)
                .collect::<String>()
        })
        .filter(|inside| inside.trim().is_empty())
        .count();
    assert_eq!(blank, 0, "blank rows below the oldest events: {rows}");
    assert!(rows.contains("lab started"), "{rows}");
    assert_eq!(app.timeline_scroll, app.timeline_events().len() - visible);
}

#[test]
fn killed_consumer_without_partitions_is_marked_killed_at_once() {
    use crate::cluster::snapshot::MemberSnapshot;
    let mut app = fixture::app(80, 24);
    let mut snap = fixture::snapshot();
    snap.cluster.groups[0].members.push(MemberSnapshot {
        member_id: "consumer-C-77aa".into(),
        client_id: "consumer-C".into(),
        group_instance_id: None,
        assigned: vec![],
        last_heartbeat_ms: snap.cluster.now_ms - 4_000,
        session_timeout_ms: 45_000,
        rebalance_timeout_ms: 300_000,
        member_epoch: None,
        revoking: Vec::new(),
    });
    let mut c = snap.consumers[0].clone();
    c.id = 9;
    c.client_id = "consumer-C".into();
    c.member_id = Some("consumer-C-77aa".into());
    c.assigned = vec![];
    c.state = crate::clients::view::ConsumerState::Killed;
    snap.consumers.push(c);
    app.set_snapshot(snap);
    let shown = screen_text(&app);
    let line = shown
        .lines()
        .find(|l| l.contains("consumer-C"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("killed"), "{line}");
}

#[test]
fn partition_with_its_leader_down_shows_leader_down_not_minus_one_or_lag_0() {
    let mut snap = fixture::snapshot();
    let p = snap
        .cluster
        .partitions
        .iter_mut()
        .find(|p| p.tp.to_string() == "test-0")
        .unwrap();
    p.leader = None;
    p.high_watermark = -1;
    p.log_start_offset = -1;
    p.log_end_offset = -1;
    p.size_bytes = 0;
    p.segments = 0;
    let g = &mut snap.cluster.groups[0].partitions[0];
    g.high_watermark = 0;
    g.lag = Some(0);
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::app(w, h);
        app.set_snapshot(snap.clone());
        let shown = screen_text(&app);
        let row = shown
            .lines()
            .find(|l| l.contains("test-0") && l.contains("1,2,3"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(row.contains("leader down"), "{w}x{h}: {row}");
        assert!(
            !row.contains("-1") && !row.contains("0 B"),
            "{w}x{h}: {row}"
        );
        let member = shown
            .lines()
            .find(|l| l.contains("consumer-A") && l.contains("test-0"))
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(!member.contains("lag 0"), "{w}x{h}: {member}");
        assert!(member.contains("leader down"), "{w}x{h}: {member}");
    }
}

#[test]
fn rows_that_do_not_fit_are_counted_as_more() {
    use crate::ui::rows::group_lines;
    let mut app = fixture::app(80, 24);
    app.set_snapshot(fixture::large_snapshot(3, 40, 2));
    let shown = screen_text(&app);
    let partitions = app.snapshot.partitions.len() - app.visible_rows(Panel::Partitions);
    assert!(
        shown.contains(&format!("+{partitions} more")),
        "partitions: {shown}"
    );
    let groups = group_lines(&app.snapshot).len() - app.visible_rows(Panel::Groups);
    assert!(
        shown.contains(&format!("+{groups} more")),
        "groups: {shown}"
    );
    // Everything fits in the sample lab: no count.
    assert!(!screen_text(&fixture::app(160, 48)).contains(" more "));
}

#[test]
fn a_smaller_snapshot_keeps_the_selection_in_range() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    let mut snap = fixture::snapshot();
    snap.brokers.truncate(1);
    app.set_snapshot(snap);
    assert_eq!(app.selected_broker(), Some(1));
}

#[test]
fn too_small_terminal_says_how_large_it_must_be() {
    for (w, h) in [(79, 24), (80, 23), (40, 10)] {
        let app = fixture::app(w, h);
        let shown = screen_text(&app).replace('\n', " ");
        let shown = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(shown.contains("needs at least 80×24"), "{w}x{h}: {shown}");
        assert!(shown.contains(&format!("{w}×{h}")), "{shown}");
    }
    assert!(!screen_text(&fixture::app(80, 24)).contains("too small"));
}

#[test]
fn no_color_screen_carries_no_colour() {
    let mut app = fixture::app(160, 48);
    app.theme = crate::ui::theme::Theme::monochrome();
    let buf = screen(&app);
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
    let colored = screen(&fixture::app(160, 48));
    assert!(
        colored
            .content()
            .iter()
            .any(|c| c.fg != ratatui::style::Color::Reset)
    );
}

#[test]
fn recently_moved_partitions_are_highlighted() {
    for (w, h, marked) in [(80, 24, "read +6 ↻"), (160, 48, "uncommitted 6 moved")] {
        let shown = screen_text(&fixture::app(w, h));
        assert!(shown.contains(marked), "{shown}");
        let mut later = fixture::app(w, h);
        let mut snap = fixture::snapshot();
        snap.now_ms += 10_000;
        later.set_snapshot(snap);
        let shown = screen_text(&later);
        assert!(!shown.contains(marked), "{shown}");
        assert!(shown.contains("lag 8"), "{shown}");
    }
}

#[test]
fn draws_at_any_size_without_panicking() {
    let labs = [
        fixture::snapshot(),
        fixture::large_snapshot(9, 50, 10),
        Default::default(),
        lesson_snapshot(),
    ];
    let sizes = (0..=200u16)
        .step_by(7)
        .flat_map(|w| (0..=60u16).step_by(5).map(move |h| (w, h)))
        .chain([(80, 24), (120, 36), (119, 36), (120, 35), (1, 1)]);
    for (w, h) in sizes {
        for snap in &labs {
            let mut app = App::new(crate::ui::theme::Theme::colored(), w, h);
            app.set_snapshot(snap.clone());
            for e in fixture::events() {
                app.push_event(e);
            }
            screen(&app);
            update(&mut app, Action::ToggleHelp);
            screen(&app);
            update(&mut app, Action::Cancel);
            update(&mut app, Action::CreateTopic);
            screen(&app);
            update(
                &mut app,
                Action::Click {
                    column: w / 2,
                    row: h / 2,
                },
            );
        }
    }
}
