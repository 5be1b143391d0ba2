//! Going back in time in a live run: the screen shows a past lab rebuilt from the journal while
//! the live one waits; resuming forks the journal (the old run kept in a file beside it) and the
//! run that goes on from there is exactly what a fresh replay of the forked journal gives; undo
//! resumes from just before the last fault.

mod common;

use common::live_lab::{env_or_skip, run_bounded};
use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::cluster::event::{Event, EventKind, NoteText, UndoneAction};
use kafka_lab::cluster::snapshot::BrokerState;
use kafka_lab::lab::command::{Command, Travel};
use kafka_lab::lab::driver::LabChannels;
use kafka_lab::lab::journal::{self, Header, Input, JournalWriter, Start, fingerprint};
use kafka_lab::lab::live::{self, LiveOptions, WireOptions};
use kafka_lab::lab::replay::Replay;
use kafka_lab::lab::{Lab, LabSnapshot};
use kafka_lab::protocol::ListenerConfig;
use kafka_lab::scenario::default_lab::DefaultLab;
use std::path::Path;
use std::time::{Duration, Instant};

/// Waits (bounded) for a snapshot that satisfies `ready`, keeping the events that arrive.
async fn until(
    front: &LabChannels,
    events: &mut Vec<Event>,
    what: &str,
    ready: impl Fn(&LabSnapshot) -> bool,
) -> LabSnapshot {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        events.extend(front.events.try_iter());
        let snap = tokio::time::timeout(Duration::from_secs(5), front.snapshots.recv_async())
            .await
            .unwrap_or_else(|_| panic!("no snapshot while waiting for {what}"))
            .expect("driver running");
        if ready(&snap) {
            events.extend(front.events.try_iter());
            return snap;
        }
        assert!(Instant::now() < deadline, "never saw {what}");
    }
}

/// The default lab, journaled to `path`, at ×8 (without a listener) or ×1 (with one on `port`).
async fn start_on(dir: &Path, path: &Path, port: Option<u16>) -> (live::LiveLab, LabChannels) {
    let mut config = ClusterConfig::new(3, 11, dir.join("live"));
    config.step_ms = if port.is_some() { 1 } else { 10 };
    let mut lab = Lab::new(config).expect("lab");
    let setup = DefaultLab::default().commands(3);
    lab.set_up(&setup).expect("set up");
    let wire = port.map(ListenerConfig::new);
    let header = Header::new(
        lab.config().clone(),
        Start::Commands(setup),
        wire.as_ref(),
        true,
    );
    let options = LiveOptions {
        wire: wire.map(|config| WireOptions {
            config,
            required: true,
        }),
        journal: Some(JournalWriter::create(path, &header).expect("journal")),
        ..LiveOptions::default()
    };
    let (running, front) = live::start(lab, options).await.expect("live lab");
    if port.is_none() {
        let speed = Command::SetSpeed(8.0);
        front.commands.send_async(speed).await.expect("speed");
    }
    (running, front)
}

async fn start(dir: &Path, path: &Path) -> (live::LiveLab, LabChannels) {
    start_on(dir, path, None).await
}

/// Replays the journal at `path` whole from an empty dir: every fingerprint must match.
fn replay_whole(path: &Path, dir: &Path) -> Replay {
    let journal = journal::read(path).expect("journal reads back");
    let checks = journal
        .lines
        .iter()
        .filter(|l| matches!(l.input, Input::Check(_)))
        .count();
    let lab = Replay::start_lab(&journal.header, dir).expect("start lab");
    let mut replay = Replay::new(lab, None, journal);
    replay.finish().expect("the replay matches the recording");
    assert!(checks > 3, "{} has fingerprints to match", path.display());
    assert_eq!(replay.checks_passed(), checks);
    replay
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_resumed_from_its_past_forks_the_journal_and_replays_as_it_went_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run-1-1.jsonl");
    let (running, front) = start(dir.path(), &path).await;
    let mut events = Vec::new();
    until(&front, &mut events, "t+2s", |s| s.now_ms >= 2_000).await;
    front
        .commands
        .send_async(Command::KillBroker(2))
        .await
        .expect("kill");
    let live = until(&front, &mut events, "t+6s", |s| s.now_ms >= 6_000).await;

    // Back 3 s: the past is shown, the live run waits.
    let back = Command::Travel(Travel::By(-3_000));
    front.commands.send_async(back).await.expect("travel");
    let past = until(&front, &mut events, "the past", |s| {
        s.travel.is_some_and(|t| t.past)
    })
    .await;
    let t = past.travel.expect("travel");
    assert!(past.paused);
    assert!(t.run_ms >= live.now_ms && t.at_ms < t.run_ms, "{t:?}");
    assert_eq!(t.at_ms, past.now_ms, "the screen shows the rebuilt lab");
    // Back one more second (rebuilt), then on one (stepped): the live run has not moved.
    for ms in [-1_000, 1_000] {
        let cmd = Command::Travel(Travel::By(ms));
        front.commands.send_async(cmd).await.expect("travel");
    }
    let again = until(&front, &mut events, "the same instant again", |s| {
        s.travel.is_some_and(|x| x.at_ms == t.at_ms)
    })
    .await;
    assert_eq!(
        again.travel.expect("travel").run_ms,
        t.run_ms,
        "live waited"
    );
    // A command other than travel is refused while the past is on screen.
    front
        .commands
        .send_async(Command::KillBroker(1))
        .await
        .expect("kill");

    // Resume here: the journal forks.
    let resume = Command::Travel(Travel::Resume);
    front.commands.send_async(resume).await.expect("resume");
    until(&front, &mut events, "live again", |s| s.travel.is_none()).await;
    until(&front, &mut events, "3 s of the new future", |s| {
        s.now_ms >= t.at_ms + 3_000
    })
    .await;
    let rewound = events.iter().find_map(|e| match &e.kind {
        EventKind::Note {
            text:
                NoteText::Rewound {
                    at_ms,
                    from_ms,
                    kept,
                },
        } => Some((*at_ms, *from_ms, kept.clone())),
        _ => None,
    });
    let (at_ms, from_ms, kept) = rewound.expect("the timeline says it resumed");
    assert_eq!((at_ms, from_ms), (t.at_ms, t.run_ms));
    let refused = events.iter().any(|e| {
        matches!(&e.kind, EventKind::Note { text: NoteText::Refused { error } }
            if error.to_string().contains("shows the past"))
    });
    assert!(
        refused,
        "a key pressed in the past is refused, and says why"
    );
    drop(front);
    let lab = running.finish().await.expect("driver");

    // The old run is kept whole beside the journal, and replays by itself.
    let old = Path::new(&kept);
    assert_eq!(old.parent(), path.parent());
    assert!(
        old.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("run-1-1.future-after-"))
    );
    let old_run = replay_whole(old, &dir.path().join("old"));
    assert!(
        old_run.now_ms() > at_ms + 2_000,
        "the old file keeps the future after the fork"
    );

    // The new journal: the past up to the fork, a rewound line, then the new future; a fresh
    // replay matches every second of it, and ends where the live run did.
    let forked = journal::read(&path).expect("forked journal");
    let at = forked
        .lines
        .iter()
        .position(|l| matches!(l.input, Input::Rewound { .. }))
        .expect("a rewound line");
    assert_eq!(forked.lines[at].t, at_ms);
    assert!(forked.lines[..at].iter().all(|l| l.t <= at_ms));
    let old_lines = journal::read(old).expect("old").lines;
    assert_eq!(
        forked.lines[..at],
        old_lines[..at],
        "the past is the old run's"
    );
    let replayed = replay_whole(&path, &dir.path().join("new"));
    assert_eq!(replayed.now_ms(), lab.now_ms());
    assert_eq!(
        fingerprint(&replayed.lab().snapshot()),
        fingerprint(&lab.snapshot()),
        "the resumed run is what its journal replays to"
    );
    // Up to the fork point, the fork's replay is the old run's.
    let at_fork = |p: &Path, sub: &str| {
        let j = journal::read(p).expect("journal");
        let lab = Replay::start_lab(&j.header, &dir.path().join(sub)).expect("lab");
        let mut r = Replay::new(lab, None, j);
        r.advance_to(at_ms).expect("replay to the fork");
        fingerprint(&r.snapshot())
    };
    assert_eq!(at_fork(&path, "a"), at_fork(old, "b"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_resumes_from_just_before_the_last_broker_kill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run-2-2.jsonl");
    let (running, front) = start(dir.path(), &path).await;
    let mut events = Vec::new();
    until(&front, &mut events, "t+3s", |s| s.now_ms >= 3_000).await;
    front
        .commands
        .send_async(Command::KillBroker(3))
        .await
        .expect("kill");
    let down = |s: &LabSnapshot| {
        s.brokers
            .iter()
            .any(|b| b.id == 3 && b.state == BrokerState::Down)
    };
    until(&front, &mut events, "broker 3 down", down).await;
    until(&front, &mut events, "t+6s", |s| s.now_ms >= 6_000).await;
    front
        .commands
        .send_async(Command::Travel(Travel::Undo))
        .await
        .expect("undo");
    let undone = until(&front, &mut events, "broker 3 back", |s| {
        s.travel.is_none() && s.now_ms < 6_000 && !down(s)
    })
    .await;
    let note = events.iter().find_map(|e| match &e.kind {
        EventKind::Note {
            text: NoteText::Undone { action, at_ms, .. },
        } => Some((action.clone(), *at_ms)),
        _ => None,
    });
    let (action, at_ms) = note.expect("the timeline says what was undone");
    assert_eq!(action, UndoneAction::KillBroker(3));
    assert!(undone.now_ms >= at_ms && at_ms >= 3_000, "{at_ms}");
    until(&front, &mut events, "2 s later", |s| {
        s.now_ms >= at_ms + 2_000
    })
    .await;
    drop(front);
    let lab = running.finish().await.expect("driver");
    let up = lab.broker_states().contains(&(3, BrokerState::Up));
    assert!(up, "the kill stays undone");
    // Nothing more to undo in the forked journal's own lines after the fork.
    let forked = journal::read(&path).expect("journal");
    let kills = forked
        .lines
        .iter()
        .filter(|l| l.input == Input::Cmd(Command::KillBroker(3)))
        .count();
    assert_eq!(kills, 0, "the undone kill is not in the new journal");
    let replayed = replay_whole(&path, &dir.path().join("replay"));
    assert_eq!(
        fingerprint(&replayed.lab().snapshot()),
        fingerprint(&lab.snapshot())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kafka_python_producer_reconnects_to_the_resumed_lab_and_goes_on() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "a real client across a rewind") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run-3-3.jsonl");
    let port = common::free_ports();
    let (running, front) = start_on(dir.path(), &path, Some(port)).await;
    let ready = dir.path().join("ready");
    let mut cmd = std::process::Command::new(py);
    cmd.arg(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/python/rewind_producer.py"),
    )
    .args([format!("127.0.0.1:{port}"), "test".into(), "10".into()])
    .arg(&ready);
    let client = std::thread::spawn(move || {
        run_bounded(cmd, "rewind_producer.py", Duration::from_secs(120))
    });
    let mut events = Vec::new();
    // The client's first record is acknowledged: its connections are open.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "the client never produced");
        assert!(!client.is_finished(), "the client stopped early");
        until(&front, &mut events, "a snapshot", |_| true).await;
    }
    let now = until(&front, &mut events, "a snapshot", |_| true)
        .await
        .now_ms;
    until(&front, &mut events, "2 s more", |s| s.now_ms >= now + 2_000).await;
    let back = Command::Travel(Travel::By(-2_000));
    front.commands.send_async(back).await.expect("travel");
    until(&front, &mut events, "the past", |s| {
        s.travel.is_some_and(|t| t.past)
    })
    .await;
    let resume = Command::Travel(Travel::Resume);
    front.commands.send_async(resume).await.expect("resume");
    until(&front, &mut events, "live again", |s| s.travel.is_none()).await;
    while !client.is_finished() {
        until(&front, &mut events, "a snapshot", |_| true).await;
    }
    let out = client.join().expect("client thread");
    drop(front);
    running.finish().await.expect("driver");
    assert!(
        out.contains("last=OK"),
        "the client goes on with the resumed lab: {out}"
    );
    // The resumed lab answered it: wire requests after the fork, and the journal replays.
    let forked = journal::read(&path).expect("journal");
    let at = forked
        .lines
        .iter()
        .position(|l| matches!(l.input, Input::Rewound { .. }))
        .expect("a rewound line");
    let after = forked.lines[at..]
        .iter()
        .filter(|l| matches!(l.input, Input::Wire { .. }))
        .count();
    assert!(after > 20, "only {after} requests reached the resumed lab");
    replay_whole(&path, &dir.path().join("replay"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_on_the_dashboard_moves_back_and_on_through_its_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("run-4-4.jsonl");
    let (running, front) = start(dir.path(), &path).await;
    let mut events = Vec::new();
    until(&front, &mut events, "t+6s", |s| s.now_ms >= 6_000).await;
    drop(front);
    running.finish().await.expect("driver");

    let journal = journal::read(&path).expect("journal");
    let root = dir.path().join("play");
    let lab = Replay::start_lab(&journal.header, &root.join("0")).expect("lab");
    let again = journal.clone();
    let fresh = journal.clone();
    let mut n = 0;
    let checkpoints_dir = root.clone();
    // As `kafka-lab replay` does: back from the newest checkpoint taken while playing.
    let rebuild: kafka_lab::lab::playback::Rebuild = Box::new(move |playing, target| {
        n += 1;
        let dir = root.join(n.to_string());
        match playing.from_nearest_checkpoint(&again, target, &dir) {
            Some(rebuilt) => rebuilt,
            None => Ok(Replay::new(
                Replay::start_lab(&again.header, &dir)?,
                None,
                again.clone(),
            )),
        }
    });
    let mut replay = Replay::new(lab, None, journal);
    replay.take_checkpoints(&checkpoints_dir);
    let (driver_ch, front) = kafka_lab::lab::driver::channels();
    let player = tokio::spawn(kafka_lab::lab::playback::play(
        replay,
        driver_ch,
        Some(rebuild),
    ));
    front
        .commands
        .send_async(Command::SetPaused(true))
        .await
        .expect("pause");
    let to = Command::Travel(Travel::To(5_000));
    front.commands.send_async(to).await.expect("jump");
    let on = until(&front, &mut events, "t+5s", |s| s.now_ms == 5_000).await;
    let bar = on.travel.expect("a replay says where it is");
    assert!(
        !bar.past && bar.at_ms == 5_000 && bar.run_ms >= 6_000,
        "{bar:?}"
    );
    let back = Command::Travel(Travel::By(-3_000));
    front.commands.send_async(back).await.expect("back");
    let back = until(&front, &mut events, "t+2s", |s| s.now_ms == 2_000).await;
    assert_eq!(back.travel.map(|t| t.at_ms), Some(2_000));
    // On past the checkpoint taken at t+5s, then back just after it: rebuilt from the checkpoint,
    // the lab is the one a replay from the start reaches.
    let on = Command::Travel(Travel::To(6_000));
    front.commands.send_async(on).await.expect("on");
    until(&front, &mut events, "t+6s", |s| s.now_ms == 6_000).await;
    let back = Command::Travel(Travel::By(-700));
    front.commands.send_async(back).await.expect("back");
    let back = until(&front, &mut events, "t+5.3s", |s| s.now_ms == 5_300).await;
    drop(front);
    let replay = player.await.expect("player");
    assert!(
        replay.checkpoints().list().iter().any(|c| c.t_ms <= 5_300),
        "no checkpoint to move back from"
    );
    let lab = Replay::start_lab(&fresh.header, &dir.path().join("fresh")).expect("lab");
    let mut from_start = Replay::new(lab, None, fresh);
    from_start.advance_to(5_300).expect("replay from the start");
    let expected = from_start.snapshot();
    assert_eq!(back.cluster, expected.cluster);
    assert_eq!(back.consumers, expected.consumers);
    assert_eq!(back.producers, expected.producers);
}
