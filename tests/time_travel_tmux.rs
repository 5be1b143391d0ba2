//! Time travel in a real terminal (tmux), on the real binary: `{` shows the run 10 s back with the
//! position bar saying `PAST — paused`, space resumes from there (the timeline says so and the old
//! future is kept beside the journal); `u` undoes a broker kill. Every wait polls the screen;
//! none is a bare sleep. Skipped when tmux is missing (a failure when `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::tmux::{Session, tmux_or_skip};
use std::time::Duration;

/// The status row's simulated seconds (`t+MM:SS`), live or in the past.
fn shown_secs(screen: &str) -> Option<i64> {
    let last = screen.lines().rev().find(|l| l.contains("t+"))?;
    let at = last.find("t+")? + 2;
    let mm: i64 = last.get(at..at + 2)?.parse().ok()?;
    let ss: i64 = last.get(at + 3..at + 5)?.parse().ok()?;
    Some(mm * 60 + ss)
}

#[test]
fn rewind_then_resume_forks_and_undo_takes_back_a_broker_kill() {
    if !tmux_or_skip("time travel end-to-end") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("run-7-7.jsonl");
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "{bin} --ephemeral --no-listen --seed 7 --record {}; echo kafka-lab-exited rc=$?; sleep 60",
        journal.display()
    );
    let session = Session::start(120, 36, &command);
    session.wait_for("the dashboard", Duration::from_secs(30), |s| {
        s.contains("Brokers") && s.contains("b3")
    });
    // ×8, then 12 simulated seconds.
    session.keys(&[".", ".", "."]);
    session.wait_for("t+00:12", Duration::from_secs(60), |s| {
        shown_secs(s).is_some_and(|t| t >= 12)
    });
    session.keys(&["{"]);
    let past = session.wait_for("the past", Duration::from_secs(60), |s| {
        s.contains("PAST — paused")
    });
    let at = shown_secs(&past).expect("the bar's instant");
    assert!(past.contains("●"), "the position bar: {past}");
    session.keys(&["Space"]);
    let resumed = session.wait_for("the resumed run", Duration::from_secs(60), |s| {
        !s.contains("PAST — paused") && s.contains("resumed from t+")
    });
    assert!(shown_secs(&resumed).is_some_and(|t| t >= at), "{resumed}");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .expect("record dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("run-7-7.future-after-"))
        .collect();
    assert_eq!(kept.len(), 1, "the old future is kept: {kept:?}");

    // Kill broker 1 (selected first), then undo it.
    session.keys(&["b"]);
    session.wait_for("the question", Duration::from_secs(10), |s| {
        s.contains("Kill broker 1 (crash)?")
    });
    session.keys(&["y"]);
    session.wait_for("broker 1 down", Duration::from_secs(30), |s| {
        s.contains("DOWN")
    });
    // A key right after the question closes is dropped (and said so): press again then.
    let undone = |s: &str| s.contains("undone: the kill of broker 1") && !s.contains("DOWN");
    let mut screen = String::new();
    for _ in 0..5 {
        session.keys(&["u"]);
        screen = session.wait_for("the undo", Duration::from_secs(60), |s| {
            undone(s) || s.contains("key ignored")
        });
        if undone(&screen) {
            break;
        }
        // 5 simulated seconds at ×8 outlast the guard's 0.3 s.
        let t = shown_secs(&screen).unwrap_or(0);
        session.wait_for("the guard to pass", Duration::from_secs(30), |s| {
            shown_secs(s).is_some_and(|now| now >= t + 5)
        });
    }
    let undone = screen;
    assert!(undone.contains("undone: the kill of broker 1"), "{undone}");
    assert!(!undone.contains("PAST"), "{undone}");
    session.keys(&["q"]);
    let screen = session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited")
    });
    assert!(screen.contains("kafka-lab-exited rc=0"), "{screen}");
}
