//! Lessons on the live driver (tokio's paused clock, no terminal): key steps wait for `n`, a
//! `pause` step stops time until `n`, `b` starts the lesson over on a fresh lab, and the snapshot
//! carries the banner's progress. Also every action and expectation kind of the file format.

use kafka_lab::lab::DirectorCommand;
use kafka_lab::lab::LabSnapshot;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::channels;
use kafka_lab::lab::driver::{Attachments, run};
use kafka_lab::lab::snapshot::LessonStatus;
use kafka_lab::scenario::headless::OutputFormat;
use kafka_lab::scenario::live::LessonDirector;
use kafka_lab::scenario::parse::parse_scenario;
use kafka_lab::scenario::story::run_story;
use std::sync::Arc;
use std::time::Duration;

const LESSON: &str = r#"
title = "live"
[lab]
brokers = 3
seed = 7
broker_session_timeout_ms = 6000

[[lab.topic]]
name = "test"
partitions = 2

[[step]]
caption = "a producer starts"
spawn_producer = { name = "P", topic = "test", rate = 10 }

[[step]]
on = "key"
caption = "press n to crash the leader of test-0"
kill_broker = { leader_of = "test-0" }

[[step]]
expect = { partition = "test-0", leader_not = 1, within = "10s" }

[[step]]
caption = "time stops here"
pause = true

[[step]]
on = "key"
caption = "after the pause"
restart_broker = 1
"#;

async fn newest(front: &kafka_lab::lab::driver::LabChannels) -> LabSnapshot {
    let mut snap = front.snapshots.recv_async().await.unwrap();
    while let Ok(s) = front.snapshots.try_recv() {
        snap = s;
    }
    snap
}

fn lesson(s: &LabSnapshot) -> &LessonStatus {
    s.lesson.as_ref().expect("a lesson status in the snapshot")
}

#[tokio::test(start_paused = true)]
async fn n_releases_key_steps_pause_stops_time_and_b_starts_over() {
    let scenario = Arc::new(parse_scenario("live.toml", "live", LESSON).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (driver_ch, front) = channels();
    let (director, lab) = LessonDirector::start(scenario, dir.path().to_path_buf(), None).unwrap();
    let attachments = Attachments {
        director: Some(Box::new(director)),
        ..Attachments::default()
    };
    let driver = tokio::spawn(run(lab, driver_ch, attachments));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = newest(&front).await;
    let l = lesson(&s);
    assert_eq!((l.step, l.steps, l.run), (1, 5, 1), "{l:?}");
    assert!(l.waiting_for_key, "{l:?}");
    assert_eq!(l.caption.as_deref(), Some("a producer starts"));
    // Time runs on while the lesson waits; nothing happens to the brokers.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = newest(&front).await;
    assert!(s.now_ms >= 5_000 && lesson(&s).step == 1);

    front
        .commands
        .send_async(Command::Director(DirectorCommand::Next))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let s = newest(&front).await;
    let l = lesson(&s);
    // Killed, failed over (expect passed), paused, now waiting for n again.
    assert_eq!(l.step, 4, "{l:?}");
    assert_eq!((l.passed, l.failed.len()), (1, 0), "{l:?}");
    assert!(s.paused && l.waiting_for_key, "{l:?}");
    let frozen = s.now_ms;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = newest(&front).await;
    assert!(s.now_ms - frozen < 200, "a pause step stops simulated time");

    front
        .commands
        .send_async(Command::Director(DirectorCommand::Next))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let s = newest(&front).await;
    let l = lesson(&s);
    assert!(!s.paused && l.finished, "{l:?}");
    assert!(s.now_ms > frozen);

    front
        .commands
        .send_async(Command::Director(DirectorCommand::Restart))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let s = newest(&front).await;
    let l = lesson(&s);
    assert_eq!((l.run, l.step, l.passed), (2, 1, 0), "{l:?}");
    assert!(s.now_ms < 2_000, "a fresh lab starts at t=0: {}", s.now_ms);
    assert!(s.brokers.iter().all(|b| format!("{:?}", b.state) == "Up"));
    assert!(
        !dir.path().join("run-1").exists(),
        "the old run's logs are gone"
    );
    drop(front);
    driver.await.unwrap();
}

#[test]
fn every_action_and_expectation_kind_runs_headless() {
    let source = r#"
title = "everything"
duration = "5s"
[lab]
brokers = 3
seed = 7
broker_session_timeout_ms = 6000
replica_lag_time_max_ms = 4000
auto_leader_rebalance = false
group_initial_rebalance_delay_ms = 0

[[step]]
create_topic = { name = "t", partitions = 2, replication_factor = 3, min_insync_replicas = 2, retention = "1h", segment_bytes = 65536 }

[[step]]
spawn_producer = { name = "P", topic = "t", rate = 20, acks = "all", keys = 4, linger_ms = 0, value_bytes = 50 }

[[step]]
spawn_consumer = { name = "A", group = "g", topic = "t", commit = "every:5", offset_reset = "earliest", assignor = "roundrobin", session_timeout_ms = 6000, processing_ms_per_record = 1 }

[[step]]
spawn_consumer = { name = "B", group = "g", topic = "t", commit = "never", offset_reset = "earliest", assignor = "roundrobin", session_timeout_ms = 6000 }

[[step]]
after = "4s"
expect = { group = "g", state = "Stable", members = 2, generation_at_least = 1, revoked_at_most = 2, within = "5s" }

[[step]]
expect = { consumer = "A", state = "Running", read_at_least = 1, keys_in_order = true, owns = ["t-0"], within = "5s" }

[[step]]
expect = { group = "g", owner = { consumer = "B", partitions = ["t-1"] } }

[[step]]
set_config = { producer = "P", rate = 40 }

[[step]]
set_config = { unclean_leader_election = false }

[[step]]
slow_broker = 3

[[step]]
expect = { partition = "t-0", isr_excludes = 3, isr_size = 2, hw_at_least = 10, log_start_at_least = 0, offline = false, within = "10s" }

[[step]]
resume_broker = 3

[[step]]
expect = { partition = "t-0", isr = [1, 2, 3], within = "10s" }

[[step]]
shutdown_broker = { leader_of = "t-0" }

[[step]]
after = "2s"
expect = { broker = 1, state = "Down" }

[[step]]
expect = { partition = "t-0", leader_not = 1, leader = 2 }

[[step]]
restart_broker = 1

[[step]]
close_consumer = "B"

[[step]]
kill_consumer = "A"

[[step]]
stop_producer = "P"

[[step]]
on = "key"
caption = "key steps run at once headless"
pause = true

[[step]]
expect = { producer = "P", acked_at_least = 10, lost_acked = 0 }

[[step]]
expect = { consumer = "B", state = "Closed" }
"#;
    let scenario = parse_scenario("everything.toml", "everything", source).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    let report = run_story(&scenario, dir.path(), None, OutputFormat::Text, &mut out).unwrap();
    let story = String::from_utf8_lossy(&out);
    assert!(
        report.failures().is_empty(),
        "{:#?}\n{story}",
        report.failures()
    );
    assert_eq!(report.results.len(), 9, "{story}");
}
