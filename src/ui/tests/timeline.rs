//! A calm timeline and a steady screen: story events by default, routine lines behind `v`, one
//! kind behind `f`, the last kill and election pinned, internal topics behind `i`, panels that do
//! not reflow, and rows and words that never vanish unseen.

use super::screen_text;
use crate::cluster::event::{Event, EventKind};
use crate::cluster::types::TopicPartition;
use crate::ui::action::Action;
use crate::ui::app::{App, Panel, update};
use crate::ui::fixture;
use crate::ui::layout::areas;
use ratatui::layout::Rect;

fn at(ms: i64, kind: EventKind) -> Event {
    let mut e = fixture::events().pop().unwrap();
    e.at_ms = ms;
    e.kind = kind;
    e
}

fn hw(offset: i64) -> Event {
    at(
        90_000,
        EventKind::HighWatermarkAdvanced {
            tp: TopicPartition {
                topic: "test".into(),
                partition: 0,
            },
            high_watermark: offset,
        },
    )
}

fn note(text: &str) -> Event {
    at(90_000, EventKind::Note { text: text.into() })
}

/// The timeline panel's rows, inside its border.
fn timeline_rows(app: &App) -> Vec<String> {
    let area = app.panel_area(Panel::Timeline).unwrap();
    screen_text(app)
        .lines()
        .skip(area.y as usize)
        .take(area.height as usize)
        .map(|l| {
            l.chars()
                .skip(area.x as usize)
                .take(area.width as usize)
                .collect()
        })
        .collect()
}

#[test]
fn routine_lines_are_hidden_by_default_and_v_shows_them() {
    let mut app = fixture::app(160, 48);
    app.push_event(hw(412));
    let rows = timeline_rows(&app).join("\n");
    assert!(!rows.contains("HW advanced"), "{rows}");
    assert!(!rows.contains("committed"), "{rows}");
    assert!(rows.contains("Timeline · story · 2 hidden"), "{rows}");
    assert!(rows.contains("rebalance started"), "{rows}");
    update(&mut app, Action::ToggleRoutine);
    let rows = timeline_rows(&app).join("\n");
    assert!(rows.contains("HW advanced to 412"), "{rows}");
    assert!(rows.contains("Timeline · all "), "{rows}");
    update(&mut app, Action::ToggleRoutine);
    assert!(!timeline_rows(&app).join("\n").contains("HW advanced"));
}

#[test]
fn f_shows_one_kind_of_event_at_a_time() {
    let mut app = fixture::app(160, 48);
    update(&mut app, Action::CycleTimelineKind);
    let rows = timeline_rows(&app).join("\n");
    assert!(rows.contains("Timeline · election only"), "{rows}");
    assert!(rows.contains("elected leader"), "{rows}");
    assert!(!rows.contains("rebalance started"), "{rows}");
    assert!(!rows.contains("lab started"), "{rows}");
    // Commits are routine, yet the commit filter shows them.
    for _ in 0..3 {
        update(&mut app, Action::CycleTimelineKind);
    }
    let rows = timeline_rows(&app).join("\n");
    assert!(rows.contains("commit only"), "{rows}");
    assert!(rows.contains("committed"), "{rows}");
    // Round the cycle back to the story.
    for _ in 0..4 {
        update(&mut app, Action::CycleTimelineKind);
    }
    assert!(timeline_rows(&app)[0].contains("Timeline · story"));
}

#[test]
fn home_on_a_filtered_timeline_fills_the_panel_without_blank_rows() {
    let mut app = fixture::app(80, 24);
    for i in 0..200 {
        app.push_event(hw(i));
    }
    for i in 0..4 {
        app.push_event(note(&format!("story {i}")));
    }
    app.focus = Panel::Timeline;
    update(&mut app, Action::Top);
    let rows = timeline_rows(&app);
    let inner = &rows[1..rows.len() - 1];
    for row in inner {
        assert!(
            !row.trim_matches(|c| c == '│' || c == '┃' || c == ' ')
                .is_empty(),
            "blank row: {rows:#?}"
        );
    }
    assert!(rows.join("\n").contains("lab started"), "{rows:#?}");
    assert_eq!(
        app.timeline_scroll,
        app.timeline_events().len() - inner.len()
    );
    update(&mut app, Action::Bottom);
    assert!(timeline_rows(&app).join("\n").contains("story 3"));
}

#[test]
fn the_last_kill_and_election_stay_visible_at_80x24() {
    let mut app = fixture::app(80, 24);
    for i in 0..6 {
        app.push_event(note(&format!("later {i}")));
        // Routine lines in between push nothing off: they are hidden.
        app.push_event(hw(500 + i));
    }
    let rows = timeline_rows(&app);
    let text = rows.join("\n");
    assert!(text.contains("▲ broker 3 killed"), "{text}");
    assert!(text.contains("▲ test-0: broker 2 elected leader"), "{text}");
    // The newest event still shows below the pins.
    assert!(text.contains("later 5"), "{text}");
    assert!(!text.contains("later 4"), "{text}");
    // A newer kill replaces the pinned one.
    app.push_event(at(95_000, EventKind::BrokerKilled { broker: 1 }));
    for i in 0..3 {
        app.push_event(note(&format!("after {i}")));
    }
    let text = timeline_rows(&app).join("\n");
    assert!(text.contains("▲ broker 1 killed"), "{text}");
    assert!(!text.contains("broker 3 killed"), "{text}");
}

#[test]
fn i_shows_and_hides_internal_topics_in_the_partition_tables() {
    let mut app = fixture::app(80, 24);
    let screen = screen_text(&app);
    assert!(!screen.contains("__consumer_offsets-0"), "{screen}");
    assert!(screen.contains("Partitions (+2 internal: i)"), "{screen}");
    assert!(
        screen.contains("Partition map (+2 internal: i)"),
        "{screen}"
    );
    update(&mut app, Action::ToggleInternal);
    let screen = screen_text(&app);
    assert!(screen.contains("__consumer_offsets-0"), "{screen}");
    assert!(!screen.contains("internal: i"), "{screen}");
    update(&mut app, Action::ToggleInternal);
    assert!(!screen_text(&app).contains("__consumer_offsets-0"));
}

#[test]
fn panels_keep_their_place_when_topics_groups_and_producers_appear() {
    let full = fixture::snapshot();
    let mut empty = full.clone();
    empty.cluster.partitions.clear();
    empty.cluster.groups.clear();
    empty.cluster.topics.clear();
    empty.producers.clear();
    empty.consumers.clear();
    let large = {
        let mut l = fixture::large_snapshot(3, 40, 4);
        l.cluster.brokers = full.cluster.brokers.clone();
        l
    };
    for (w, h) in [(80, 24), (100, 30), (120, 36), (160, 48)] {
        let area = Rect::new(0, 0, w, h);
        let a = areas(area, &empty).unwrap();
        for snap in [&full, &large] {
            let b = areas(area, snap).unwrap();
            assert_eq!(a, b, "panels moved at {w}x{h}");
        }
    }
}

#[test]
fn tables_that_cannot_show_every_row_say_how_many_more() {
    let mut app = fixture::app(80, 24);
    let mut snap = app.snapshot.clone();
    snap.cluster = fixture::large_snapshot(3, 11, 1).cluster;
    let producer = snap.producers[0].clone();
    for i in 0..5 {
        let mut p = producer.clone();
        p.id += 100 + i;
        p.client_id = format!("producer-{}", i + 2);
        snap.producers.push(p);
    }
    app.set_snapshot(snap);
    let screen = screen_text(&app);
    // Partitions, the map and the group show 3 of 11 rows; producers 2 of 6 (two lines each).
    assert_eq!(screen.matches("+8 more").count(), 3, "{screen}");
    assert!(screen.contains("+4 more"), "{screen}");
    // Nine brokers in a panel with room for three.
    app.set_snapshot(fixture::large_snapshot(9, 11, 1));
    let screen = screen_text(&app);
    assert!(screen.contains("┗ +6 more"), "{screen}");
}

#[test]
fn group_headers_and_hints_are_cut_at_a_word_never_mid_word() {
    let app = fixture::app(80, 24);
    let screen = screen_text(&app);
    // The header ran into the border as "leade"; the hints ended in "b/s/r b".
    assert!(!screen.contains("leade│"), "{screen}");
    // The lag trend is a word of its own: the assignor after it goes whole, not in part.
    assert!(screen.contains("lag 17 ·▅▇▇▆▄▄▃…"), "{screen}");
    let status = screen.lines().last().unwrap();
    assert!(status.ends_with("Tab focus…"), "{status}");
}
