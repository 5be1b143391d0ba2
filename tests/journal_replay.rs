//! A journaled live run replays exactly: the driver records every input and, every simulated
//! second, a fingerprint of the lab's snapshot; replaying the journal must match every one of
//! them. Runs record random commands (broker faults, clients, speed, pause) with and without
//! kafka-python traffic, and a lesson driven by `n`.

mod common;

use common::live_lab::{env_or_skip, run_bounded};
use kafka_lab::clients::spec::{ConsumerSpec, ProducerSpec};
use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::lab::command::{Command, DirectorCommand};
use kafka_lab::lab::journal::{self, Header, Input, JournalWriter, LessonStart, Start};
use kafka_lab::lab::live::{self, LiveOptions, WireOptions};
use kafka_lab::lab::replay::Replay;
use kafka_lab::lab::{Lab, LessonStatus};
use kafka_lab::protocol::ListenerConfig;
use kafka_lab::scenario::default_lab::DefaultLab;
use kafka_lab::scenario::lessons;
use kafka_lab::scenario::live::LessonDirector;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A random command a teacher might press; refusals (a broker already down) are inputs too.
fn random_command(rng: &mut rand_chacha::ChaCha8Rng) -> Command {
    let broker = rng.random_range(1..=3);
    let client = rng.random_range(1..=6);
    match rng.random_range(0..11) {
        0 => Command::KillBroker(broker),
        1 => Command::ShutdownBroker(broker),
        2 | 3 => Command::RestartBroker(broker),
        4 => Command::SetBrokerSlow(broker, rng.random_bool(0.5)),
        5 => Command::SpawnConsumer(ConsumerSpec::new("lab-group", "test")),
        6 => Command::KillConsumer(client),
        7 => Command::CloseConsumer(client),
        8 => Command::SpawnProducer(ProducerSpec::new("test", 40.0)),
        9 => Command::SetProducerRate(client, f64::from(rng.random_range(1..200))),
        _ => Command::SetSpeed([1.0, 2.0, 4.0, 8.0][rng.random_range(0..4)]),
    }
}

/// Runs a live default lab on `port` for `real` time, journaled to `path`, pressing random
/// commands (and pausing now and then) while `traffic` (a real client) runs; returns its output.
async fn record(
    dir: &Path,
    path: &Path,
    port: u16,
    seed: u64,
    real: Duration,
    traffic: Option<Process>,
) -> Option<String> {
    let mut config = ClusterConfig::new(3, seed, dir.join("live"));
    config.step_ms = 1;
    let mut lab = Lab::new(config).expect("lab");
    let setup = DefaultLab::default().commands(3);
    lab.set_up(&setup).expect("set up");
    let wire = ListenerConfig::new(port);
    let header = Header::new(
        lab.config().clone(),
        Start::Commands(setup),
        Some(&wire),
        true,
    );
    let options = LiveOptions {
        wire: Some(WireOptions {
            config: wire,
            required: true,
        }),
        journal: Some(JournalWriter::create(path, &header).expect("journal")),
        ..LiveOptions::default()
    };
    let (running, front) = live::start(lab, options).await.expect("live lab");
    let client = traffic.map(|cmd| {
        std::thread::spawn(move || run_bounded(cmd, "journal_traffic.py", Duration::from_secs(90)))
    });
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let _ = front.commands.send_async(Command::SetSpeed(4.0)).await;
    let start = Instant::now();
    while start.elapsed() < real {
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..400))).await;
        let cmd = if rng.random_bool(0.1) {
            Command::SetPaused(true)
        } else {
            random_command(&mut rng)
        };
        let paused = cmd == Command::SetPaused(true);
        let _ = front.commands.send_async(cmd).await;
        if paused {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let _ = front.commands.send_async(Command::SetPaused(false)).await;
        }
        while front.events.try_recv().is_ok() {}
    }
    // Bring every broker back so the client can finish.
    for b in 1..=3 {
        let _ = front.commands.send_async(Command::RestartBroker(b)).await;
    }
    let out = client.map(|c| {
        while !c.is_finished() {
            std::thread::sleep(Duration::from_millis(50));
            while front.events.try_recv().is_ok() {}
        }
        c.join().expect("client thread")
    });
    drop(front);
    running.finish().await.expect("driver");
    out
}

/// Records a live default lab with random commands (no real client) for `real` time; returns its
/// temp dir and the journal's path in it.
async fn record_quiet(seed: u64, real: Duration) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run.jsonl");
    record(dir.path(), &path, common::free_ports(), seed, real, None).await;
    (dir, path)
}

/// Replays `path` from an empty dir; returns (fingerprints matched, simulated end).
fn replay_default(path: &Path, dir: &Path) -> (usize, i64) {
    let journal = journal::read(path).expect("journal reads back");
    assert!(!journal.torn_tail);
    let lab = Replay::start_lab(&journal.header, &dir.join("replay")).expect("start lab");
    let checks = count(&journal.lines, |i| matches!(i, Input::Check(_)));
    let mut replay = Replay::new(lab, None, journal.clone());
    replay.take_checkpoints(&dir.join("replay"));
    replay
        .finish()
        .unwrap_or_else(|e| panic!("the replay diverged: {e}"));
    assert_eq!(replay.checks_passed(), checks);
    rewinds_from_checkpoints_match(&replay, &journal, dir);
    (replay.checks_passed(), replay.now_ms())
}

/// A rewind built from a checkpoint (a forked lab and wire host, then the lines after it) is the
/// lab a replay from the start reaches, at instants just after each checkpoint and between them.
fn rewinds_from_checkpoints_match(replay: &Replay, journal: &journal::Journal, dir: &Path) {
    let list = replay.checkpoints().list();
    assert!(!list.is_empty(), "no checkpoint was taken");
    let points: Vec<(i64, usize)> = list.iter().map(|c| (c.t_ms, c.line)).collect();
    for (i, c) in list.iter().enumerate() {
        let t = c.t_ms + 1_234;
        let lines = journal.lines.iter().filter(|l| l.t <= t).count();
        let k = kafka_lab::lab::checkpoint::pick(&points, t, lines).expect("a checkpoint");
        let mut rewound =
            Replay::from_checkpoint(&list[k], &dir.join(format!("rewound-{i}")), journal.clone())
                .expect("fork a checkpoint");
        rewound.advance_to(t).expect("rewound replay");
        let start =
            Replay::start_lab(&journal.header, &dir.join(format!("start-{i}"))).expect("start lab");
        let mut from_start = Replay::new(start, None, journal.clone());
        from_start.advance_to(t).expect("replay from the start");
        assert!(
            rewound.snapshot() == from_start.snapshot(),
            "at t={t} the lab rebuilt from the checkpoint at {} differs from the replay from the start",
            list[k].t_ms
        );
    }
}

fn count(lines: &[journal::Line], f: impl Fn(&Input) -> bool) -> usize {
    lines.iter().filter(|l| f(&l.input)).count()
}

fn python() -> Option<String> {
    env_or_skip("KAFKA_LAB_PYTHON", "journal replay with real clients")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_matches_the_recorded_run_at_every_simulated_second() {
    let (dir, path) = record_quiet(11, Duration::from_secs(5)).await;
    let (checks, end_ms) = replay_default(&path, dir.path());
    assert!(end_ms > 10_000, "the run lasted {end_ms} ms");
    // One fingerprint per simulated second, each matched.
    assert_eq!(
        checks as i64,
        end_ms / 1000,
        "checks {checks}, end {end_ms}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_with_kafka_python_traffic_matches_at_every_simulated_second() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run.jsonl");
    let port = common::free_ports();
    let mut cmd = Process::new(py);
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/journal_traffic.py"))
        .args([format!("127.0.0.1:{port}"), "test".into(), "6".into()]);
    let out = record(
        dir.path(),
        &path,
        port,
        12,
        Duration::from_secs(6),
        Some(cmd),
    )
    .await
    .expect("client output");
    assert!(out.contains("SENT ") && !out.contains("GOT 0"), "{out}");
    let journal = journal::read(&path).expect("journal");
    let wire = count(&journal.lines, |i| matches!(i, Input::Wire { .. }));
    assert!(wire > 50, "only {wire} wire requests were journaled");
    let (checks, end_ms) = replay_default(&path, dir.path());
    assert_eq!(
        checks as i64,
        end_ms / 1000,
        "checks {checks}, end {end_ms}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_that_leaves_the_recorded_run_says_where() {
    let (dir, path) = record_quiet(13, Duration::from_secs(4)).await;
    let text = std::fs::read_to_string(&path).expect("read");
    // Drop the first command after the first fingerprint: from there the replay differs.
    let mut lines: Vec<&str> = text.lines().collect();
    let first_check = lines
        .iter()
        .position(|l| l.contains("\"check\""))
        .expect("a check");
    let cmd = (first_check..lines.len())
        .find(|&i| lines[i].contains("\"cmd\":{\"Kill") || lines[i].contains("\"cmd\":{\"Spawn"))
        .unwrap_or_else(|| panic!("no command after the first check in:\n{text}"));
    lines.remove(cmd);
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(&tampered, lines.join("\n") + "\n").expect("write");
    let journal = journal::read(&tampered).expect("journal");
    let lab = Replay::start_lab(&journal.header, &dir.path().join("replay")).expect("lab");
    let mut replay = Replay::new(lab, None, journal);
    let e = replay.finish().expect_err("the replay must notice");
    assert!(e.line > cmd, "{e}");
    assert!(e.error.contains("left the recorded run at"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_driven_by_n_replays_through_its_director() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lesson.jsonl");
    let scenario = lessons::resolve("experiment-2").expect("built-in lesson");
    let (director, lab) =
        LessonDirector::start(Arc::new(scenario), dir.path().join("live"), Some(5))
            .expect("lesson");
    let start = LessonStart {
        lesson: "experiment-2".into(),
        text: None,
        seed: Some(5),
        profile: lab.config().profile,
    };
    let header = Header::new(lab.config().clone(), Start::Lesson(start), None, true);
    let options = LiveOptions {
        director: Some(Box::new(director)),
        journal: Some(JournalWriter::create(&path, &header).expect("journal")),
        ..LiveOptions::default()
    };
    let (running, front) = live::start(lab, options).await.expect("live lesson");
    let _ = front.commands.send_async(Command::SetSpeed(16.0)).await;
    let mut last: Option<LessonStatus> = None;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let _ = front
            .commands
            .send_async(Command::Director(DirectorCommand::Next))
            .await;
        while let Ok(s) = front.snapshots.try_recv() {
            last = s.lesson;
        }
        while front.events.try_recv().is_ok() {}
    }
    drop(front);
    running.finish().await.expect("driver");
    let journal = journal::read(&path).expect("journal");
    let nexts = count(&journal.lines, |i| {
        *i == Input::Cmd(Command::Director(DirectorCommand::Next))
    });
    assert_eq!(nexts, 30);
    let mut replay =
        kafka_lab::scenario::replay::open(journal, &dir.path().join("replay")).expect("open");
    replay
        .finish()
        .unwrap_or_else(|e| panic!("the lesson's replay diverged: {e}"));
    assert!(replay.checks_passed() > 5, "{}", replay.checks_passed());
    let status = replay
        .snapshot()
        .lesson
        .expect("the lesson's banner replays");
    let last = last.expect("the live lesson showed a banner");
    assert!(status.step >= last.step, "{status:?} vs {last:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_becomes_a_lesson_the_scenario_parser_accepts() {
    let (dir, path) = record_quiet(14, Duration::from_secs(3)).await;
    let journal = journal::read(&path).expect("journal");
    let run_ms = journal.lines.last().expect("lines").t;
    let actions = journal
        .lines
        .iter()
        .filter(|l| {
            matches!(
                &l.input,
                Input::Cmd(Command::KillBroker(_) | Command::RestartBroker(_))
            )
        })
        .count();
    let text = kafka_lab::scenario::from_journal::scenario_from_journal(
        journal,
        &dir.path().join("skeleton"),
    )
    .expect("skeleton");
    let scenario = kafka_lab::scenario::parse::parse_scenario("run.toml", "run", &text)
        .unwrap_or_else(|e| panic!("the skeleton does not parse: {e}\n{text}"));
    assert_eq!(scenario.lab.topics.len(), 1, "{text}");
    // The default lab's producer and two consumers, then every broker kill and restart.
    let kills = text.matches("kill_broker = ").count() + text.matches("restart_broker = ").count();
    assert_eq!(kills, actions, "{text}");
    assert!(
        text.contains("spawn_consumer = { name = \"consumer-A\""),
        "{text}"
    );
    assert!(scenario.steps.len() >= 3 + actions, "{text}");
    assert!(
        text.contains("spawn_producer = { name = \"producer-1\""),
        "{text}"
    );
    assert_eq!(scenario.duration_ms, run_ms, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_playback_runs_to_the_end_at_the_viewers_speed_and_refuses_other_keys() {
    let (dir, path) = record_quiet(15, Duration::from_secs(2)).await;
    let journal = journal::read(&path).expect("journal");
    let end_ms = journal.lines.last().expect("lines").t;
    let lab = Replay::start_lab(&journal.header, &dir.path().join("replay")).expect("lab");
    let replay = Replay::new(lab, None, journal);
    let (driver_ch, front) = kafka_lab::lab::driver::channels();
    let player = tokio::spawn(kafka_lab::lab::playback::play(replay, driver_ch, None));
    front
        .commands
        .send_async(Command::SetSpeed(64.0))
        .await
        .expect("speed");
    front
        .commands
        .send_async(Command::KillBroker(1))
        .await
        .expect("a key");
    let mut notes = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = None;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        notes.extend(front.events.try_iter().map(|e| e.kind.to_string()));
        if let Ok(s) = front.snapshots.try_recv() {
            last = Some(s);
        }
        if notes.iter().any(|n| n.contains("the journal ends here")) {
            break;
        }
    }
    assert!(
        notes.iter().any(|n| n.contains("this is a replay")),
        "the kill was refused: {notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("the journal ends here")));
    tokio::time::sleep(Duration::from_millis(120)).await;
    if let Ok(s) = front.snapshots.try_recv() {
        last = Some(s);
    }
    let last = last.expect("snapshots");
    assert_eq!(last.now_ms, end_ms);
    assert!(last.paused, "the end pauses the playback");
    drop(front);
    let replay = player.await.expect("player");
    assert!(replay.done());
}
