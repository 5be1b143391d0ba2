//! Captions paced for a room (issue 12, bug 5): a caption stays up until its step's effect is on
//! screen or it has been read, and the banner's `i/N` always names the step whose caption it shows.

use super::pacing::reading_ms;
use super::parse::parse_scenario;
use super::runner::{KeyPolicy, LessonRunner, build_lab};
use crate::cluster::types::TopicPartition;
use crate::lab::{Lab, LessonStatus};
use std::sync::Arc;

const KILL: &str = "Broker 1 crashes.";
const ELECTED: &str = "The session expired: another in-sync replica leads test-0 now.";
const NEXT: &str = "Back to work.";

fn lesson(extra: &str) -> String {
    format!(
        r#"
title = "captions"
[lab]
brokers = 3
seed = 7
broker_session_timeout_ms = 6000

[[lab.topic]]
name = "test"
partitions = 1
replication_factor = 3

[[step]]
at = "3s"
caption = "{KILL}"
kill_broker = {{ leader_of = "test-0" }}

[[step]]
caption = "{ELECTED}"
expect = {{ partition = "test-0", leader_not = 1, within = "20s" }}
{extra}"#
    )
}

/// Runs the lesson step by step for `ms`, calling `seen` after every step; `n` is pressed at `n_at`.
fn run(
    source: &str,
    keys: KeyPolicy,
    ms: i64,
    n_at: Option<i64>,
    mut seen: impl FnMut(&Lab, &LessonStatus),
) -> LessonRunner {
    let scenario = Arc::new(parse_scenario("captions.toml", "captions", source).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut lab = build_lab(&scenario, dir.path(), None).unwrap();
    let mut runner = LessonRunner::new(scenario.clone(), keys);
    runner.tick(&mut lab);
    let step = lab.config().step_ms;
    while lab.now_ms() < ms {
        lab.advance_by(step);
        if n_at.is_some_and(|at| lab.now_ms() == at) {
            runner.press_next(lab.now_ms());
        }
        let events = lab.drain_events();
        runner.observe(&lab, &events);
        runner.tick(&mut lab);
        let status = runner.status();
        // The banner's number and its words always belong to the same step.
        if status.step > 0 && !status.finished {
            assert_eq!(
                status.caption,
                scenario.steps[status.step - 1].caption,
                "at {} ms the banner says {}/{}",
                lab.now_ms(),
                status.step,
                status.steps
            );
        }
        seen(&lab, &status);
    }
    runner
}

#[test]
fn a_caption_stays_up_until_its_steps_effect_is_on_screen() {
    let tp = TopicPartition::new("test", 0);
    let mut killed_at = None;
    let mut elected_at = None;
    let mut shown_at = None;
    run(&lesson(""), KeyPolicy::Wait, 20_000, None, |lab, s| {
        let now = lab.now_ms();
        if s.caption.as_deref() == Some(KILL) {
            killed_at.get_or_insert(now);
            assert_eq!((s.step, s.steps), (1, 2));
        }
        if killed_at.is_some() && lab.leader_of(&tp).is_some_and(|l| l != 1) {
            elected_at.get_or_insert(now);
        }
        if s.caption.as_deref() == Some(ELECTED) {
            shown_at.get_or_insert(now);
            assert!(
                elected_at.is_some(),
                "{ELECTED:?} shown at {now} ms, before the election"
            );
            assert_eq!((s.step, s.steps), (2, 2));
        }
    });
    let (killed, elected, shown) = (killed_at.unwrap(), elected_at.unwrap(), shown_at.unwrap());
    assert!(
        elected - killed > reading_ms(KILL),
        "the election must take longer than the reading time for this test to mean anything"
    );
    assert_eq!(
        shown, elected,
        "the caption arrives with its effect, not later"
    );
}

#[test]
fn a_chained_caption_waits_for_the_one_on_screen_to_be_read_or_for_n() {
    // A caption-only step chained after an expectation that holds at once.
    let extra = format!("\n[[step]]\ncaption = \"{NEXT}\"\n");
    let source = lesson(&extra);
    for (keys, n_at) in [(KeyPolicy::Wait, None), (KeyPolicy::Immediate, None)] {
        let mut elected_shown = None;
        let mut next_shown = None;
        run(&source, keys, 30_000, n_at, |lab, s| {
            match s.caption.as_deref() {
                Some(ELECTED) => elected_shown.get_or_insert(lab.now_ms()),
                Some(NEXT) => next_shown.get_or_insert(lab.now_ms()),
                _ => &mut 0,
            };
        });
        let (elected, next) = (elected_shown.unwrap(), next_shown.unwrap());
        assert_eq!(next - elected, reading_ms(ELECTED), "{keys:?}");
    }
    // `n` skips the rest of the reading time.
    let mut elected_shown = None;
    let mut next_shown = None;
    let mut pressed = false;
    let scenario = Arc::new(parse_scenario("c.toml", "c", &source).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut lab = build_lab(&scenario, dir.path(), None).unwrap();
    let mut runner = LessonRunner::new(scenario, KeyPolicy::Wait);
    while lab.now_ms() < 30_000 {
        lab.advance_by(lab.config().step_ms);
        let events = lab.drain_events();
        runner.observe(&lab, &events);
        if let Some(at) = elected_shown
            && !pressed
            && lab.now_ms() >= at + 500
        {
            assert_eq!(
                runner.status().reading_until_ms,
                Some(at + reading_ms(ELECTED)),
                "the banner can say how long the caption is held"
            );
            assert!(
                runner.press_next(lab.now_ms()),
                "n is taken while a caption is read"
            );
            assert_eq!(runner.status().reading_until_ms, None);
            pressed = true;
        }
        runner.tick(&mut lab);
        match runner.status().caption.as_deref() {
            Some(ELECTED) => {
                elected_shown.get_or_insert(lab.now_ms());
            }
            Some(NEXT) => {
                next_shown.get_or_insert(lab.now_ms());
            }
            _ => {}
        }
    }
    assert_eq!(next_shown.unwrap() - elected_shown.unwrap(), 500);
    assert!(runner.status().finished);
    assert!(!runner.press_next(lab.now_ms()), "nothing left to skip");
}

#[test]
fn auto_advance_gives_a_caption_its_reading_time_before_a_key_step() {
    let extra = "\n[[step]]\non = \"key\"\ncaption = \"Broker 1 restarts.\"\nrestart_broker = 1\n";
    let source = lesson(extra);
    let mut elected_shown = None;
    let mut restart_shown = None;
    run(&source, KeyPolicy::Immediate, 30_000, None, |lab, s| {
        if s.caption.as_deref() == Some(ELECTED) {
            elected_shown.get_or_insert(lab.now_ms());
        }
        if s.caption.as_deref() == Some("Broker 1 restarts.") {
            restart_shown.get_or_insert(lab.now_ms());
        }
    });
    assert_eq!(
        restart_shown.unwrap() - elected_shown.unwrap(),
        reading_ms(ELECTED)
    );
}
