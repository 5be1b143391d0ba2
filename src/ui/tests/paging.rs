//! Tables at scale: `/` filters the partitions, groups and producers by name (Enter keeps it, Esc
//! clears it), PgUp/PgDn/Home/End page the focused table, and a frame formats only the rows on
//! screen however many partitions the cluster holds.

use super::{press, screen, screen_text};
use crate::ui::action::Action;
use crate::ui::app::{App, Mode, Panel, update};
use crate::ui::fixture_scale::scale_snapshot;
use crate::ui::tables::{NameFilter, reset_rows_formatted, rows_formatted};
use crate::ui::theme::Theme;

/// A dashboard on 100 topics × 20 partitions and 200 groups.
fn scale_app(width: u16, height: u16) -> App {
    let mut app = App::new(Theme::colored(), width, height);
    app.set_snapshot(scale_snapshot(100, 20, 200));
    app
}

fn filter(app: &mut App, text: &str) {
    update(app, Action::Filter);
    assert_eq!(app.mode, Mode::Filter);
    press(app, text);
}

#[test]
fn the_filter_matches_substrings_ignoring_ascii_case() {
    let f = NameFilter::new("orders");
    assert!(f.matches("Orders-EU"));
    assert!(f.matches("shop.orders"));
    assert!(!f.matches("order"));
    assert!(NameFilter::default().matches("anything"));
    let mut f = NameFilter::default();
    for c in "ab\u{7}c".chars() {
        f.push(c);
    }
    assert_eq!(f.text(), "abc", "control characters are not typed");
    f.pop();
    assert_eq!(f.text(), "ab");
}

#[test]
fn slash_filters_every_table_enter_keeps_it_and_esc_lists_every_row_again() {
    let mut app = scale_app(160, 48);
    assert_eq!(app.tables.partitions.len(), 2_000);
    filter(&mut app, "topic-007");
    // Typed, not yet kept: the tables already list what matches.
    assert_eq!(app.tables.partitions.len(), 20);
    assert_eq!(app.tables.partitions_unfiltered, 2_000);
    assert!(
        app.tables
            .partitions
            .iter()
            .all(|i| app.snapshot.partitions[*i].tp.topic == "topic-007")
    );
    // group-007 and group-107 committed on topic-007: their headers and 20 partitions each.
    assert_eq!(app.tables.groups_shown, 2);
    assert_eq!(app.tables.group_lines.len(), 2 * 21);
    update(&mut app, Action::Submit);
    assert_eq!(app.mode, Mode::Normal);
    // A new snapshot keeps the filter.
    app.set_snapshot(scale_snapshot(100, 20, 200));
    assert_eq!(app.tables.partitions.len(), 20);
    update(&mut app, Action::Cancel);
    assert_eq!(app.tables.partitions.len(), 2_000);
    assert_eq!(app.tables.group_lines.len(), 200 * 21);
    // Esc while typing clears it too.
    filter(&mut app, "group-01");
    assert_eq!(app.tables.groups_shown, 10);
    update(&mut app, Action::Cancel);
    assert_eq!((app.mode.clone(), app.filter.text()), (Mode::Normal, ""));
    assert_eq!(app.tables.groups_shown, 200);
}

#[test]
fn a_group_matched_by_topic_keeps_its_header_and_only_those_lines() {
    let mut app = App::new(Theme::colored(), 160, 48);
    let mut snap = scale_snapshot(3, 4, 3);
    // group-000 also committed on topic-002.
    let extra = snap.groups[2].partitions[0].clone();
    snap.groups[0].partitions.push(extra);
    app.set_snapshot(snap);
    filter(&mut app, "topic-002");
    let groups: Vec<&str> = app
        .tables
        .group_lines
        .iter()
        .map(|l| app.snapshot.groups[l.group].group_id.as_str())
        .collect();
    // group-000's header and its one topic-002 line, then group-002 whole.
    assert_eq!(
        groups,
        ["group-000", "group-000"]
            .into_iter()
            .chain(["group-002"; 5])
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_selected_partition_stays_selected_while_the_filter_still_lists_it() {
    let mut app = scale_app(160, 48);
    app.focus = Panel::Partitions;
    let target = app
        .tables
        .partitions
        .iter()
        .position(|i| app.snapshot.partitions[*i].tp.to_string() == "topic-042-3")
        .unwrap();
    app.selection.partition = target;
    filter(&mut app, "042");
    let i = app.selected_partition().unwrap();
    assert_eq!(app.snapshot.partitions[i].tp.to_string(), "topic-042-3");
    // Filtered out: the first listed row is selected.
    press(&mut app, "-1");
    let i = app.selected_partition().unwrap();
    assert_eq!(app.snapshot.partitions[i].tp.to_string(), "topic-042-1");
}

#[test]
fn page_keys_move_a_screen_and_end_reaches_the_last_of_3000_partitions() {
    let mut app = App::new(Theme::colored(), 160, 48);
    app.set_snapshot(scale_snapshot(100, 30, 0));
    app.focus = Panel::Partitions;
    let page = app.visible_rows(Panel::Partitions);
    update(&mut app, Action::PageDown);
    update(&mut app, Action::PageDown);
    assert_eq!(app.selection.partition, 2 * page);
    update(&mut app, Action::PageUp);
    assert_eq!(app.selection.partition, page);
    update(&mut app, Action::Bottom);
    assert_eq!(app.selection.partition, 2_999);
    // The selection stays on screen: its row is drawn with the marker.
    assert!(screen_text(&app).contains(">topic-099-29"));
    update(&mut app, Action::Top);
    assert_eq!(app.selection.partition, 0);
}

/// What the four tables can show at once at the app's size, for the rows they list.
fn visible_rows(app: &App) -> usize {
    let a = app.areas().unwrap();
    let producers = if a.producers.width >= 64 {
        a.producers.height.saturating_sub(3) as usize
    } else {
        (a.producers.height.saturating_sub(2) / 2).max(1) as usize
    };
    let t = &app.tables;
    t.partitions.len().min(a.partitions.height as usize - 3)
        + t.partitions.len().min(a.map.height as usize - 3)
        + t.group_lines.len().min(a.groups.height as usize - 2)
        + t.producers.len().min(producers)
}

#[test]
fn a_frame_formats_only_the_rows_on_screen_of_2000_partitions_and_200_groups() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = scale_app(w, h);
        app.focus = Panel::Partitions;
        update(&mut app, Action::PageDown);
        reset_rows_formatted();
        screen(&app);
        let expected = visible_rows(&app);
        assert!(expected < 100, "{expected} rows fit at {w}x{h}");
        assert_eq!(rows_formatted(), expected, "rows formatted at {w}x{h}");
    }
}

#[test]
fn snapshot_a_filtered_and_a_paged_table() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = scale_app(w, h);
        app.focus = Panel::Partitions;
        filter(&mut app, "topic-04");
        insta::assert_snapshot!(format!("filtering_{w}x{h}"), screen_text(&app));
        update(&mut app, Action::Submit);
        insta::assert_snapshot!(format!("filtered_{w}x{h}"), screen_text(&app));
        let mut app = scale_app(w, h);
        app.focus = Panel::Partitions;
        update(&mut app, Action::PageDown);
        update(&mut app, Action::PageDown);
        insta::assert_snapshot!(format!("paged_{w}x{h}"), screen_text(&app));
    }
}
