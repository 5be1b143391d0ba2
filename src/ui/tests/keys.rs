//! `update` driven by keys and clicks: what each key targets, focus, pause and speed, and the
//! keymap as help and README show it.

use super::{confirmed, press, screen_text};
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{Mode, Panel, update};
use crate::ui::fixture;
use crate::ui::keymap::KEYMAP;
use crate::ui::layout::areas;

#[test]
fn b_on_selected_broker_2_kills_broker_2() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::Down);
    assert_eq!(app.selected_broker(), Some(2));
    assert_eq!(
        confirmed(&mut app, Action::KillBroker),
        Some(Command::KillBroker(2))
    );
    assert_eq!(
        confirmed(&mut app, Action::ShutdownBroker),
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
        confirmed(&mut app, Action::KillBroker),
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
        confirmed(&mut app, Action::KillConsumer),
        Some(Command::KillConsumer(2))
    );
    update(&mut app, Action::Down);
    assert_eq!(
        confirmed(&mut app, Action::CloseConsumer),
        Some(Command::CloseConsumer(3))
    );
}

#[test]
fn k_typed_right_after_a_dialog_closes_kills_nothing() {
    use crate::ui::app::DIALOG_GUARD_TICKS;
    for close in [Action::Cancel, Action::Submit] {
        let mut app = fixture::app(80, 24);
        app.focus = Panel::Groups;
        update(&mut app, Action::Down);
        update(&mut app, Action::SpawnProducer);
        assert!(matches!(app.mode, Mode::Dialog(_)));
        update(&mut app, close);
        assert_eq!(app.mode, Mode::Normal, "{close:?}");
        // The stray key, typed for the dialog, lands on the dashboard.
        assert_eq!(update(&mut app, Action::KillConsumer), None, "{close:?}");
        assert_eq!(update(&mut app, Action::KillBroker), None, "{close:?}");
        assert!(screen_text(&app).contains("key ignored"));
        for _ in 0..DIALOG_GUARD_TICKS {
            update(&mut app, Action::Tick);
        }
        assert_eq!(
            confirmed(&mut app, Action::KillConsumer),
            Some(Command::KillConsumer(2)),
            "pressed again after the guard, it works"
        );
    }
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
fn shift_p_stops_the_selected_producer_once() {
    let mut app = fixture::app(80, 24);
    let p = app
        .selected_producer()
        .expect("the fixture's producer")
        .clone();
    assert!(p.running);
    assert_eq!(
        update(&mut app, Action::StopProducer),
        Some(Command::StopProducer(p.id))
    );
    // The next snapshot shows it stopped: `P` again sends nothing and says why.
    let mut snap = app.snapshot.clone();
    snap.producers.iter_mut().for_each(|x| x.running = false);
    app.set_snapshot(snap);
    assert_eq!(update(&mut app, Action::StopProducer), None);
    assert!(
        app.flash
            .as_deref()
            .unwrap_or("")
            .contains("already stopped")
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
    assert_eq!(app.speed, 64.0);
}

#[test]
fn speed_message_and_status_bar_agree_at_both_ends_of_the_clock_range() {
    use crate::lab::clock::SPEED_RANGE;
    let mut app = fixture::app(80, 24);
    for _ in 0..20 {
        update(&mut app, Action::Faster);
    }
    assert_eq!(app.speed, SPEED_RANGE.1);
    let text = screen_text(&app);
    assert!(text.contains("speed 64×"), "{text}");
    assert!(text.contains("│ 64× "), "{text}");
    assert!(!text.contains("100×"), "{text}");
    for _ in 0..20 {
        update(&mut app, Action::Slower);
    }
    assert_eq!(app.speed, SPEED_RANGE.0);
    // The lab confirms the speed in its next snapshot; the bar and the message must still agree.
    let mut snap = app.snapshot.clone();
    snap.speed = SPEED_RANGE.0;
    app.set_snapshot(snap);
    let text = screen_text(&app);
    assert!(text.contains("speed 0.125×"), "{text}");
    assert!(text.contains("│ 0.125× "), "{text}");
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
                shown.contains(b.description()),
                "{w}x{h} lacks {:?}\n{shown}",
                b.description()
            );
            assert!(
                shown.contains(&format!("{} {}", b.shown, b.description())),
                "{w}x{h} lacks key {:?}",
                b.shown
            );
        }
        update(&mut app, Action::Cancel);
        assert_eq!(app.mode, Mode::Normal);
    }
}

#[test]
fn help_overlay_footer_is_whole_at_120x36_and_80x24() {
    for (w, h, lesson) in [
        (120, 36, false),
        (80, 24, false),
        (120, 36, true),
        (80, 24, true),
    ] {
        let mut app = fixture::app(w, h);
        app.lesson_mode = lesson;
        let footer = crate::ui::widgets::help::footer(&app);
        assert!(footer.contains("Kafka 4.1"), "{footer}");
        update(&mut app, Action::ToggleHelp);
        let shown = screen_text(&app);
        // The overlay's inside, line by line, read as one text.
        let inside: Vec<&str> = shown
            .lines()
            .filter_map(|l| {
                let (a, b) = (l.find('║')?, l.rfind('║')?);
                (b > a).then(|| l[a + '║'.len_utf8()..b].trim())
            })
            .filter(|l| !l.is_empty())
            .collect();
        let text = inside.join(" ");
        assert!(
            text.ends_with(&footer),
            "{w}x{h}: last help line cut:\n{shown}"
        );
        for b in KEYMAP {
            assert!(
                text.contains(b.description()),
                "{w}x{h} lacks {:?}",
                b.description()
            );
        }
    }
}

#[test]
fn documented_key_tables_match_the_keymap() {
    // The dashboard's keys are in docs/dashboard.md, the lesson keys in the README's Lessons.
    let dashboard = include_str!("../../../docs/dashboard.md");
    for b in KEYMAP {
        let row = format!("| `{}` | {} |", b.shown, b.description());
        assert!(
            dashboard.contains(&row),
            "docs/dashboard.md lacks the row {row}"
        );
    }
    let readme = include_str!("../../../README.md");
    for b in crate::ui::keymap::LESSON_KEYMAP {
        let row = format!("| `{}` | {} |", b.shown, b.description());
        assert!(readme.contains(&row), "README.md lacks the row {row}");
    }
}

#[test]
fn e_on_a_killed_consumer_explains_its_session_timeout_and_e_closes() {
    use crate::clients::view::ConsumerState;
    use crate::ui::explain::Target;
    use crate::ui::keymap::action_for_key;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let mut app = fixture::app(80, 24);
    let mut snap = app.snapshot.clone();
    snap.consumers[0].state = ConsumerState::Killed;
    snap.consumers[0].session_timeout_ms = 30_000;
    app.set_snapshot(snap);
    app.focus = Panel::Groups;
    update(&mut app, Action::Down);
    assert_eq!(action_for_key(&app.mode, key('e')), Some(Action::Explain));
    assert_eq!(update(&mut app, Action::Explain), None);
    assert_eq!(
        app.mode,
        Mode::Explain {
            target: Target::Member {
                group: "lab-group".into(),
                member_id: "consumer-A-1f2e".into()
            },
            scroll: 0
        }
    );
    let shown = screen_text(&app);
    assert!(shown.contains("consumer-A was killed"), "{shown}");
    assert!(shown.contains("session.timeout.ms=30000 ms"), "{shown}");
    // Keys for the dashboard do nothing while the overlay is up; e closes it.
    assert_eq!(action_for_key(&app.mode, key('k')), None);
    let close = action_for_key(&app.mode, key('e')).unwrap();
    update(&mut app, close);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn e_explains_what_each_panel_selects() {
    use crate::ui::explain::Target;
    let mut app = fixture::app(80, 24);
    let explain = |app: &mut crate::ui::app::App| {
        update(app, Action::Explain);
        let Mode::Explain { target, .. } = app.mode.clone() else {
            panic!("no overlay");
        };
        update(app, Action::Cancel);
        target
    };
    update(&mut app, Action::Down);
    assert_eq!(explain(&mut app), Target::Broker(2));
    app.focus = Panel::Partitions;
    assert!(matches!(explain(&mut app), Target::Partition(tp) if tp.topic == "test"));
    app.focus = Panel::Groups;
    assert_eq!(explain(&mut app), Target::Group("lab-group".into()));
    app.focus = Panel::Producers;
    assert_eq!(explain(&mut app), Target::Producer(1));
    app.focus = Panel::Timeline;
    let newest = app.events.back().cloned().unwrap();
    assert_eq!(explain(&mut app), Target::Event(Box::new(newest)));
    // Scrolled up one line, the timeline's bottom row is the event before.
    update(&mut app, Action::Up);
    let before = app.events[app.events.len() - 2].clone();
    assert_eq!(explain(&mut app), Target::Event(Box::new(before)));
    let shown = {
        update(&mut app, Action::Explain);
        screen_text(&app)
    };
    assert!(
        shown.contains("replica.lag.time.max.ms=10000 ms"),
        "{shown}"
    );
}

#[test]
fn a_long_explanation_scrolls_to_its_last_line_at_80x24() {
    use crate::cluster::event::{Event, EventKind};
    use crate::ui::widgets::explain::{explain_lines, scroll_max};
    let mut app = fixture::app(80, 24);
    // A long lesson note: longer than the screen at 80×24, so ↓ reaches its end, no further.
    let words: Vec<String> = (0..200).map(|i| format!("word{i}")).collect();
    app.push_event(Event {
        kind: EventKind::Note {
            text: words.join(" ").into(),
        },
        ..app.events.back().cloned().unwrap()
    });
    app.focus = Panel::Timeline;
    update(&mut app, Action::Explain);
    let Mode::Explain { target, .. } = app.mode.clone() else {
        panic!("no overlay");
    };
    let (_, lines) = explain_lines(&app, &target, 74);
    let max = scroll_max(&app, &target);
    assert!(max > 0, "fits: {}", lines.len());
    for _ in 0..max + 5 {
        update(&mut app, Action::Down);
    }
    assert!(matches!(app.mode, Mode::Explain { scroll, .. } if scroll == max));
    let shown = screen_text(&app);
    let last = lines.last().unwrap();
    assert!(shown.contains(last.as_str()), "{last}\n{shown}");
    assert!(shown.contains("↑↓ more"), "{shown}");
}

#[test]
fn no_key_typed_while_a_dialog_closes_reaches_the_dashboard() {
    use crate::ui::app::DIALOG_GUARD_TICKS;
    for lesson in [false, true] {
        for b in crate::ui::keymap::bindings(lesson) {
            let mut app = fixture::app(80, 24);
            app.lesson_mode = lesson;
            update(&mut app, Action::CreateTopic);
            update(&mut app, Action::Cancel);
            assert_eq!(app.mode, Mode::Normal);
            let before = (app.focus, app.selection, app.paused, app.speed);
            assert_eq!(update(&mut app, b.action), None, "{}", b.shown);
            assert_eq!(app.mode, Mode::Normal, "{} opened something", b.shown);
            assert!(!app.should_quit, "{} quit", b.shown);
            assert_eq!(
                (app.focus, app.selection, app.paused, app.speed),
                before,
                "{} changed the dashboard",
                b.shown
            );
        }
    }
    // A burst of typing, one key per tick, is dropped whole: each dropped key waits again.
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    update(&mut app, Action::Cancel);
    for _ in 0..3 * DIALOG_GUARD_TICKS {
        update(&mut app, Action::Tick);
        assert_eq!(update(&mut app, Action::TogglePause), None);
    }
    assert!(!app.paused);
    for _ in 0..DIALOG_GUARD_TICKS {
        update(&mut app, Action::Tick);
    }
    assert_eq!(
        update(&mut app, Action::TogglePause),
        Some(Command::SetPaused(true)),
        "after a quiet moment keys work again"
    );
}

#[test]
fn destructive_keys_ask_first_and_only_y_or_enter_sends() {
    use crate::ui::confirm::Confirm;
    use crate::ui::keymap::action_for_key;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let asking = Mode::Confirm(Confirm::KillBroker(2));
    for code in [KeyCode::Char('y'), KeyCode::Char('Y'), KeyCode::Enter] {
        assert_eq!(action_for_key(&asking, key(code)), Some(Action::Submit));
    }
    for c in ['n', 'N', 'k', 'b', 's', 'p', 'q', ' ', '?'] {
        assert_eq!(
            action_for_key(&asking, key(KeyCode::Char(c))),
            Some(Action::Cancel),
            "{c:?} says no"
        );
    }
    assert_eq!(
        action_for_key(&asking, key(KeyCode::Esc)),
        Some(Action::Cancel)
    );
    assert_eq!(
        action_for_key(&asking, key(KeyCode::Tab)),
        Some(Action::Cancel)
    );

    let mut app = fixture::app(80, 24);
    update(&mut app, Action::Down);
    assert_eq!(update(&mut app, Action::KillBroker), None);
    assert_eq!(app.mode, asking);
    let text = screen_text(&app);
    assert!(
        text.contains("CONFIRM  Kill broker 2 (crash)? y/Enter yes · any other key no"),
        "the whole question fits at 80 columns:\n{text}"
    );
    // `p` says no: no producer dialog opens, nothing is sent.
    let no = action_for_key(&app.mode, key(KeyCode::Char('p'))).unwrap();
    assert_eq!(update(&mut app, no), None);
    assert_eq!(app.mode, Mode::Normal);
    assert!(screen_text(&app).contains("not sent: kill broker 2"));

    let mut app = fixture::app(80, 24);
    app.focus = Panel::Groups;
    update(&mut app, Action::Down);
    for (action, question, command) in [
        (
            Action::KillConsumer,
            "Kill consumer-A",
            Command::KillConsumer(2),
        ),
        (
            Action::CloseConsumer,
            "Close consumer-A (LeaveGroup)?",
            Command::CloseConsumer(2),
        ),
        (
            Action::ShutdownBroker,
            "Shut down broker 1",
            Command::ShutdownBroker(1),
        ),
    ] {
        assert_eq!(update(&mut app, action), None);
        assert!(screen_text(&app).contains(question), "{question}");
        assert_eq!(update(&mut app, Action::Submit), Some(command));
        for _ in 0..crate::ui::app::DIALOG_GUARD_TICKS {
            update(&mut app, Action::Tick);
        }
    }
}

#[test]
fn a_and_d_ask_before_growing_or_deleting_the_selected_topic() {
    use crate::ui::confirm::Confirm;
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Partitions;
    let i = app.selected_partition().expect("a partition row");
    let topic = app.snapshot.partitions[i].tp.topic.clone();
    let now = app
        .snapshot
        .topics
        .iter()
        .find(|t| t.name == topic)
        .expect("its topic")
        .partitions;
    assert_eq!(update(&mut app, Action::AddPartition), None, "asks first");
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::AddPartition(topic.clone(), now))
    );
    assert_eq!(
        update(&mut app, Action::Submit),
        Some(Command::AddPartitions {
            topic: topic.clone(),
            partitions: now + 1
        })
    );
    for _ in 0..crate::ui::app::DIALOG_GUARD_TICKS {
        update(&mut app, Action::Tick);
    }
    assert_eq!(update(&mut app, Action::DeleteTopic), None);
    assert_eq!(app.mode, Mode::Confirm(Confirm::DeleteTopic(topic.clone())));
    assert_eq!(
        update(&mut app, Action::Cancel),
        None,
        "any other key says no"
    );
    assert_eq!(app.mode, Mode::Normal);
}
