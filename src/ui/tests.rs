//! Unit tests of `update` and snapshot tests (insta, `TestBackend`) of every panel and the whole
//! screen, from the hand-made lab in [`super::fixture`].

use super::action::Action;
use super::app::{App, EVENTS_MAX, Mode, Panel, update};
use super::fixture;
use super::keymap::KEYMAP;
use super::layout::areas;
use super::view::draw;
use super::widgets;
use crate::clients::spec::KeyMode;
use crate::cluster::types::Acks;
use crate::lab::command::Command;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buffer[(x, y)].symbol();
            skip = unicode_width(s).saturating_sub(1);
            line.push_str(s);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(s: &str) -> usize {
    use ratatui::text::Span;
    Span::raw(s).width().max(1)
}

fn screen(app: &App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

fn screen_text(app: &App) -> String {
    text(&screen(app))
}

type PanelFn = fn(&mut ratatui::Frame, Rect, &App);

fn panel_text(app: &App, area: Rect, render: PanelFn) -> String {
    let mut t = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    t.draw(|f| render(f, f.area(), app)).unwrap();
    text(t.backend().buffer())
}

fn press(app: &mut App, keys: &str) -> Vec<Command> {
    let mut out = Vec::new();
    for c in keys.chars() {
        let action = match c {
            '\t' => Action::NextField,
            '\n' => Action::Submit,
            '\x1b' => Action::Cancel,
            '\x08' => Action::Backspace,
            c => Action::Input(c),
        };
        out.extend(update(app, action));
    }
    out
}

fn clear_field(app: &mut App) {
    for _ in 0..40 {
        update(app, Action::Backspace);
    }
}

// ---------------------------------------------------------------- update and keymap

#[test]
fn b_on_selected_broker_2_kills_broker_2() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::Down);
    assert_eq!(app.selected_broker(), Some(2));
    assert_eq!(
        update(&mut app, Action::KillBroker),
        Some(Command::KillBroker(2))
    );
    assert_eq!(
        update(&mut app, Action::ShutdownBroker),
        Some(Command::ShutdownBroker(2))
    );
    assert_eq!(
        update(&mut app, Action::RestartBroker),
        Some(Command::RestartBroker(2))
    );
    assert!(screen_text(&app).contains("restart broker 2"));
}

#[test]
fn broker_keys_use_the_broker_selection_whatever_has_focus() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    update(&mut app, Action::FocusNext);
    assert_eq!(app.focus, Panel::Partitions);
    assert_eq!(
        update(&mut app, Action::KillBroker),
        Some(Command::KillBroker(3))
    );
}

#[test]
fn k_and_x_target_the_selected_consumer() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Groups;
    // Line 0 is the group header: no consumer there.
    assert_eq!(update(&mut app, Action::KillConsumer), None);
    assert!(
        app.flash
            .as_deref()
            .unwrap_or("")
            .contains("select a consumer")
    );
    update(&mut app, Action::Down);
    assert_eq!(
        update(&mut app, Action::KillConsumer),
        Some(Command::KillConsumer(2))
    );
    update(&mut app, Action::Down);
    assert_eq!(
        update(&mut app, Action::CloseConsumer),
        Some(Command::CloseConsumer(3))
    );
}

#[test]
fn topic_dialog_rejects_a_name_kafka_would_reject_in_place() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    assert!(matches!(app.mode, Mode::Dialog(_)));
    assert!(press(&mut app, "bad name!\n").is_empty());
    let Mode::Dialog(d) = &app.mode else {
        panic!("the dialog closed on bad input")
    };
    let err = d.error.clone().unwrap_or_default();
    assert!(err.contains("' '"), "{err}");
    let shown = screen_text(&app);
    assert!(shown.contains("only letters, digits"), "{shown}");
}

#[test]
fn topic_dialog_rejects_replication_above_live_brokers() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "orders\t\t");
    clear_field(&mut app);
    assert!(press(&mut app, "3\n").is_empty());
    let shown = screen_text(&app);
    assert!(
        shown.contains("replication factor 3 is above the 2 live broker(s)"),
        "{shown}"
    );
    press(&mut app, "\x08");
    press(&mut app, "0\n");
    assert!(screen_text(&app).contains("at least 1"));
    press(&mut app, "\x08");
    let sent = press(&mut app, "2\n");
    assert_eq!(sent.len(), 1);
    let Command::CreateTopic(spec) = &sent[0] else {
        panic!("{sent:?}")
    };
    assert_eq!(
        (spec.name.as_str(), spec.partitions, spec.replication_factor),
        ("orders", 3, 2)
    );
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn topic_dialog_rejects_zero_partitions_and_existing_names() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "test\n");
    assert!(screen_text(&app).contains("topic test already exists"));
    clear_field(&mut app);
    press(&mut app, "t2\t");
    clear_field(&mut app);
    assert!(press(&mut app, "0\n").is_empty());
    assert!(screen_text(&app).contains("partitions must be at least 1"));
}

#[test]
fn producer_dialog_rejects_a_rate_of_zero() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    press(&mut app, "\t");
    clear_field(&mut app);
    assert!(press(&mut app, "0\n").is_empty());
    assert!(screen_text(&app).contains("producer rate must be more than 0"));
    clear_field(&mut app);
    press(&mut app, "20\t");
    clear_field(&mut app);
    press(&mut app, "8\t");
    clear_field(&mut app);
    let sent = press(&mut app, "1\n");
    let [Command::SpawnProducer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(spec.topic, "test");
    assert_eq!(spec.rate_per_sec, 20.0);
    assert_eq!(spec.acks, Acks::Leader);
    assert_eq!(spec.key_mode, KeyMode::Keyed { distinct_keys: 8 });
}

#[test]
fn producer_dialog_rejects_unknown_topic_and_bad_acks() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    clear_field(&mut app);
    press(&mut app, "nope\n");
    assert!(screen_text(&app).contains("no topic nope"));
    clear_field(&mut app);
    press(&mut app, "test\t\t\t");
    clear_field(&mut app);
    press(&mut app, "2\n");
    assert!(screen_text(&app).contains("acks must be 0, 1 or all"));
}

#[test]
fn consumer_dialog_joins_the_selected_group() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Groups;
    update(&mut app, Action::Down);
    update(&mut app, Action::SpawnConsumer);
    let sent = press(&mut app, "\n");
    let [Command::SpawnConsumer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(spec.group_id, "lab-group");
    assert_eq!(spec.topics, vec!["test".to_string()]);
}

#[test]
fn escape_cancels_a_dialog_without_a_command() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    assert!(press(&mut app, "abc\x1b").is_empty());
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn plus_and_minus_step_the_selected_producer_rate() {
    let mut app = fixture::app(80, 24);
    assert_eq!(
        update(&mut app, Action::RateUp),
        Some(Command::SetProducerRate(1, 10.0))
    );
    assert_eq!(
        update(&mut app, Action::RateDown),
        Some(Command::SetProducerRate(1, 2.0))
    );
}

#[test]
fn space_pauses_and_speed_keys_halve_and_double() {
    let mut app = fixture::app(80, 24);
    assert_eq!(
        update(&mut app, Action::TogglePause),
        Some(Command::SetPaused(true))
    );
    assert!(screen_text(&app).contains("PAUSED"));
    assert_eq!(
        update(&mut app, Action::TogglePause),
        Some(Command::SetPaused(false))
    );
    assert_eq!(
        update(&mut app, Action::Faster),
        Some(Command::SetSpeed(2.0))
    );
    assert_eq!(
        update(&mut app, Action::Faster),
        Some(Command::SetSpeed(4.0))
    );
    assert_eq!(
        update(&mut app, Action::Slower),
        Some(Command::SetSpeed(2.0))
    );
    for _ in 0..20 {
        update(&mut app, Action::Faster);
    }
    assert_eq!(app.speed, 100.0);
}

#[test]
fn tab_cycles_focus_through_every_panel() {
    let mut app = fixture::app(80, 24);
    let mut seen = vec![app.focus];
    for _ in 0..Panel::ALL.len() {
        update(&mut app, Action::FocusNext);
        seen.push(app.focus);
    }
    assert_eq!(seen.first(), seen.last());
    assert_eq!(&seen[..5], &Panel::ALL);
    update(&mut app, Action::FocusPrev);
    assert_eq!(app.focus, Panel::Timeline);
}

#[test]
fn clicking_a_row_focuses_its_panel_and_selects_it() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::app(w, h);
        let a = areas(app.size, &app.snapshot).unwrap();
        // Border, header, then brokers 1, 2, 3.
        update(
            &mut app,
            Action::Click {
                column: a.brokers.x + 3,
                row: a.brokers.y + 4,
            },
        );
        assert_eq!(app.focus, Panel::Brokers);
        assert_eq!(app.selected_broker(), Some(3), "{w}x{h}");
        update(
            &mut app,
            Action::Click {
                column: a.groups.x + 3,
                row: a.groups.y + 2,
            },
        );
        assert_eq!(app.focus, Panel::Groups);
        assert_eq!(app.selection.group_line, 1);
        update(
            &mut app,
            Action::Click {
                column: a.timeline.x + 3,
                row: a.timeline.y + 2,
            },
        );
        assert_eq!(app.focus, Panel::Timeline);
    }
}

#[test]
fn help_overlay_lists_every_keymap_entry() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::app(w, h);
        update(&mut app, Action::ToggleHelp);
        let shown = screen_text(&app);
        for b in KEYMAP {
            assert!(
                shown.contains(b.description),
                "{w}x{h} lacks {:?}\n{shown}",
                b.description
            );
            assert!(
                shown.contains(&format!("{} {}", b.shown, b.description)),
                "{w}x{h} lacks key {:?}",
                b.shown
            );
        }
        update(&mut app, Action::Cancel);
        assert_eq!(app.mode, Mode::Normal);
    }
}

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
    app.theme = super::theme::Theme::monochrome();
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
    for (w, h, marked) in [(80, 24, "com 390 ↻"), (160, 48, "com 390 moved")] {
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

// ---------------------------------------------------------------- insta snapshots

fn panels(app: &App) -> Vec<(&'static str, Rect, PanelFn)> {
    let a = areas(app.size, &app.snapshot).unwrap();
    vec![
        ("brokers", a.brokers, widgets::brokers::render),
        ("partition_map", a.map, widgets::partition_map::render),
        ("partitions", a.partitions, widgets::partitions::render),
        ("groups", a.groups, widgets::groups::render),
        ("producers", a.producers, widgets::producers::render),
        ("throughput", a.throughput, widgets::throughput::render),
        ("timeline", a.timeline, widgets::timeline::render),
        ("status", a.status, widgets::status::render),
    ]
}

#[test]
fn snapshot_every_panel() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = fixture::app(w, h);
        for (name, area, render) in panels(&app) {
            insta::assert_snapshot!(
                format!("panel_{name}_{w}x{h}"),
                panel_text(&app, area, render)
            );
        }
    }
}

#[test]
fn snapshot_whole_screen() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = fixture::app(w, h);
        insta::assert_snapshot!(format!("screen_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn snapshot_overlays() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::ToggleHelp);
    insta::assert_snapshot!("help_80x24", screen_text(&app));
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "bad name!\n");
    insta::assert_snapshot!("topic_dialog_error_80x24", screen_text(&app));
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    insta::assert_snapshot!("producer_dialog_80x24", screen_text(&app));
    insta::assert_snapshot!("too_small_60x20", screen_text(&fixture::app(60, 20)));
}

#[test]
fn snapshot_empty_lab_before_the_first_snapshot() {
    let app = App::new(super::theme::Theme::colored(), 80, 24);
    insta::assert_snapshot!("screen_empty_80x24", screen_text(&app));
}

// ---------------------------------------------------------------- the loop, on TestBackend

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
    let app = App::new(super::theme::Theme::colored(), 80, 24);
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
        in_tx.send(key_input('q')).unwrap();
    };
    let (result, ()) = tokio::join!(super::run::run_loop(&mut terminal, app, &ch, in_rx), keys);
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

#[test]
fn snapshot_large_lab() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = App::new(super::theme::Theme::colored(), w, h);
        app.set_snapshot(fixture::large_snapshot(9, 50, 10));
        insta::assert_snapshot!(format!("screen_large_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme = include_str!("../../README.md");
    for b in KEYMAP.iter().chain(super::keymap::LESSON_KEYMAP) {
        let row = format!("| `{}` | {} |", b.shown, b.description);
        assert!(readme.contains(&row), "README.md lacks the row {row}");
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
            let mut app = App::new(super::theme::Theme::colored(), w, h);
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

// ---------------------------------------------------------------- lessons

fn lesson_snapshot() -> crate::lab::LabSnapshot {
    let mut snap = fixture::snapshot();
    snap.lesson = Some(crate::lab::LessonStatus {
        name: "experiment-2".into(),
        title: "Experiment 2: a consumer group shares two partitions".into(),
        run: 1,
        step: 6,
        steps: 8,
        caption: Some(
            "Now consumer-A crashes. It sends no LeaveGroup, so the coordinator only notices when its session.timeout.ms (10 s) runs out."
                .into(),
        ),
        waiting_for_key: true,
        next_at_ms: None,
        passed: 2,
        failed: vec![
            "step 5 (line 31): expected consumer-B owns [test-1], but it owns [test-0]".into(),
        ],
        finished: false,
    });
    snap
}

fn lesson_app(width: u16, height: u16) -> App {
    let mut app = App::new(super::theme::Theme::colored(), width, height).lesson();
    app.set_snapshot(lesson_snapshot());
    for e in fixture::events() {
        app.push_event(e);
    }
    app
}

#[test]
fn lesson_banner_shows_progress_caption_and_failures() {
    let app = lesson_app(80, 24);
    let text = screen_text(&app);
    assert!(text.contains("LESSON 6/8"), "{text}");
    assert!(text.contains("press n for the next step"), "{text}");
    assert!(text.contains("Now consumer-A crashes"), "{text}");
    assert!(text.contains("✗ FAILED step 5"), "{text}");
    assert!(text.contains("n next step  b back to start"), "{text}");
    insta::assert_snapshot!("lesson_80x24", text);
    let app = lesson_app(160, 48);
    insta::assert_snapshot!("lesson_160x48", screen_text(&app));
}

#[test]
fn lesson_keys_send_lesson_commands_only_in_lesson_mode() {
    let mut app = lesson_app(80, 24);
    assert_eq!(
        update(&mut app, Action::LessonNext),
        Some(Command::Director(crate::lab::DirectorCommand::Next))
    );
    assert!(!app.events.is_empty());
    assert_eq!(
        update(&mut app, Action::LessonRestart),
        Some(Command::Director(crate::lab::DirectorCommand::Restart))
    );
    assert!(app.events.is_empty(), "b starts the timeline over too");
    update(&mut app, Action::Down);
    assert_eq!(
        update(&mut app, Action::KillBroker),
        Some(Command::KillBroker(2))
    );
    let mut app = fixture::app(80, 24);
    assert_eq!(update(&mut app, Action::LessonNext), None);
    assert_eq!(update(&mut app, Action::LessonRestart), None);
}

#[test]
fn help_in_a_lesson_lists_the_lesson_keys() {
    let mut app = lesson_app(120, 40);
    update(&mut app, Action::ToggleHelp);
    let text = screen_text(&app);
    assert!(text.contains("lesson: next step"), "{text}");
    assert!(text.contains("lesson: back to start"), "{text}");
    assert!(text.contains("B kill selected broker"), "{text}");
}
