//! Lesson mode: the banner, the lesson keys, and the help that lists them.

use super::screen_text;
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{App, update};
use crate::ui::fixture;

/// The fixture lab in the middle of a lesson, with a caption and a failed expectation.
pub(super) fn lesson_snapshot() -> crate::lab::LabSnapshot {
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
        reading_until_ms: None,
        passed: 2,
        failed: vec![
            "step 5 (line 31): expected consumer-B owns [test-1], but it owns [test-0]".into(),
        ],
        finished: false,
        show_log: None,
    });
    snap
}

fn lesson_app(width: u16, height: u16) -> App {
    let mut app = App::new(crate::ui::theme::Theme::colored(), width, height).lesson();
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
        super::confirmed(&mut app, Action::KillBroker),
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

/// The screen's text with every row joined, so a phrase wrapped over two rows still reads whole.
fn joined(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[test]
fn long_caption_wraps_whole_at_80x24() {
    // Built-in captions from assets/scenarios: experiment-2 step 6 and the longest one,
    // acks-and-unclean-election's last.
    let long = "This time no acknowledged record is lost: every record careful was told about had reached at least 2 brokers. What the timeline counts as lost here are records careful was told had failed, so it could send them again.";
    let mut app = lesson_app(80, 24);
    let text = screen_text(&app);
    let all = joined(&text);
    assert!(
        all.contains("session.timeout.ms (10 s) runs out."),
        "{text}"
    );
    assert!(text.contains("✗ FAILED step 5"), "{text}");
    let mut snap = lesson_snapshot();
    if let Some(l) = snap.lesson.as_mut() {
        l.caption = Some(long.into());
    }
    app.set_snapshot(snap);
    let text = screen_text(&app);
    assert!(
        joined(&text).contains("so it could send them again."),
        "{text}"
    );
    assert!(text.contains("✗ FAILED step 5"), "{text}");
    assert!(text.contains("Timeline"), "{text}");
    insta::assert_snapshot!("lesson_long_caption_80x24", text);
}

#[test]
fn lesson_checks_are_marked_pass_and_fail_in_the_timeline() {
    use crate::cluster::event::{Event, EventKind};
    use ratatui::style::{Color, Modifier};
    for colored in [true, false] {
        let mut app = lesson_app(160, 48);
        if !colored {
            app.theme = crate::ui::theme::Theme::monochrome();
        }
        let last = app.events.back().cloned();
        for (passed, text) in [
            (true, "[1/2] group lab-group is Stable"),
            (
                false,
                "[2/2] consumer-B owns [test-0] (line 40): it owns [test-1]",
            ),
        ] {
            if let Some(e) = &last {
                app.push_event(Event {
                    kind: EventKind::Check {
                        passed,
                        text: text.into(),
                    },
                    ..e.clone()
                });
            }
        }
        let buf = super::screen(&app);
        let text = super::text(&buf);
        assert!(
            text.contains("✓ PASS [1/2] group lab-group is Stable"),
            "{text}"
        );
        assert!(text.contains("✗ FAIL [2/2] consumer-B owns"), "{text}");
        let cell_of = |needle: &str| {
            let (y, line) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.contains(needle))
                .expect("shown");
            let x = line[..line.find(needle).unwrap_or(0)].chars().count() as u16;
            buf[(x, y as u16)].clone()
        };
        let pass = cell_of("✓ PASS");
        let fail = cell_of("✗ FAIL [2/2]");
        if colored {
            assert_eq!(pass.fg, Color::Green, "{pass:?}");
            assert_eq!(fail.fg, Color::Red, "{fail:?}");
        } else {
            assert!(pass.modifier.contains(Modifier::BOLD), "{pass:?}");
            assert!(
                fail.modifier.contains(Modifier::BOLD | Modifier::REVERSED),
                "{fail:?}"
            );
        }
    }
}

/// Who owns test-0 in the snapshot's group, by client id.
fn owner_of_test_0(snap: &crate::lab::LabSnapshot) -> Option<String> {
    let g = snap.groups.iter().find(|g| g.group_id == "lab-group")?;
    let p = g.partitions.iter().find(|p| p.tp.partition == 0)?;
    let member = p.owner.as_deref()?;
    g.members
        .iter()
        .find(|m| m.member_id == member)
        .map(|m| m.client_id.clone())
}

#[test]
fn experiment_2_banner_keeps_step_7_until_consumer_b_owns_test_0() {
    use crate::scenario::runner::{KeyPolicy, LessonRunner, build_lab};
    let scenario = std::sync::Arc::new(
        crate::scenario::lessons::built_in("experiment-2")
            .unwrap()
            .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut lab = build_lab(&scenario, dir.path(), None).unwrap();
    let mut runner = LessonRunner::new(scenario, KeyPolicy::Immediate);
    let mut app = App::new(crate::ui::theme::Theme::monochrome(), 80, 24).lesson();
    runner.tick(&mut lab);
    let (mut saw_7, mut saw_8) = (false, false);
    while lab.now_ms() < 60_000 && !saw_8 {
        lab.advance_by(lab.config().step_ms);
        let events = lab.drain_events();
        runner.observe(&lab, &events);
        runner.tick(&mut lab);
        let mut snap = lab.snapshot();
        snap.lesson = Some(runner.status());
        let owner = owner_of_test_0(&snap);
        app.set_snapshot(snap);
        let text = joined(&screen_text(&app));
        if text.contains("Five seconds later") {
            saw_7 = true;
            assert!(text.contains("LESSON 7/8"), "{text}");
            assert_ne!(owner.as_deref(), Some("consumer-B"), "{text}");
        }
        if text.contains("When the session expires") {
            saw_8 = true;
            assert!(text.contains("LESSON 8/8"), "{text}");
            assert_eq!(
                owner.as_deref(),
                Some("consumer-B"),
                "the caption came before its effect"
            );
        }
    }
    assert!(saw_7 && saw_8, "both captions were shown");
}

#[test]
fn while_a_caption_is_read_the_banner_says_so_and_n_goes_on() {
    let mut app = lesson_app(80, 24);
    let mut snap = lesson_snapshot();
    let now = snap.now_ms;
    if let Some(l) = snap.lesson.as_mut() {
        l.waiting_for_key = false;
        l.reading_until_ms = Some(now + 3_000);
    }
    app.set_snapshot(snap);
    let text = screen_text(&app);
    assert!(text.contains("time to read · n goes on"), "{text}");
    assert_eq!(
        update(&mut app, Action::LessonNext),
        Some(Command::Director(crate::lab::DirectorCommand::Next))
    );
    assert!(
        screen_text(&app).contains("next step"),
        "not 'no step is waiting'"
    );
}
