//! The real binary: help, headless stories, data-dir locking and clear errors on bad input.

mod common;

use std::process::{Command, Stdio};

fn bin() -> Command {
    // English whatever the machine's locale: these tests read the English story.
    let mut c = Command::new(env!("CARGO_BIN_EXE_kafka-lab"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

#[test]
fn help_documents_every_flag() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--brokers",
        "--seed",
        "--data-dir",
        "--ephemeral",
        "--headless",
        "--duration",
        "--json",
        "--kill-broker",
        "--restart-broker",
        "--acks",
        "--port",
        "--bind",
        "--no-listen",
        "--lang",
        "--profile",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
}

/// `--help` says which Kafka the lab follows, and every shortened default names Kafka's.
#[test]
fn help_states_the_kafka_version_and_labels_shortened_defaults() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("follows Kafka 4.1"), "{text}");
    assert!(
        flat.contains("Default: 10000; Kafka's default 30000"),
        "--replica-lag-time-max-ms: {text}"
    );
    assert!(
        flat.contains("Default: 1048576; Kafka's default 1073741824"),
        "--segment-bytes: {text}"
    );
    assert!(flat.contains("Default: 9000 (Kafka's default)"), "{text}");
}

/// `--profile kafka` runs Kafka's defaults and keeps its limits; a lesson that needs the
/// teaching profile is refused, naming it.
#[test]
fn the_kafka_profile_keeps_kafkas_limits_and_refuses_teaching_only_lessons() {
    let out = bin()
        .args([
            "lesson",
            "retention-and-reset",
            "--headless",
            "--profile",
            "kafka",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--profile teaching"), "{err}");
    let out = bin()
        .args(["run", "--headless", "--ephemeral", "--profile", "kafka"])
        .args(["--segment-bytes", "4096"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Invalid value 4096 for configuration log.segment.bytes"),
        "{err}"
    );
    let out = bin()
        .args([
            "run",
            "--headless",
            "--ephemeral",
            "--seed",
            "3",
            "--brokers",
            "2",
        ])
        .args(["--profile", "kafka", "--duration", "5s"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let story = String::from_utf8_lossy(&out.stdout);
    assert!(
        story.contains("offsets.topic.replication.factor=3"),
        "a 2-broker Kafka-profile lab says why groups cannot work:\n{story}"
    );
}

#[test]
fn headless_run_tells_the_failover_story() {
    let out = bin()
        .args([
            "run",
            "--headless",
            "--ephemeral",
            "--seed",
            "7",
            "--duration",
            "25s",
            "--kill-broker",
            "1@5s",
            "--restart-broker",
            "1@18s",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("broker 1 killed"), "{text}");
    assert!(text.contains("session expired"), "{text}");
    assert!(text.contains("elected leader (epoch 1)"), "{text}");
    assert!(text.contains("broker 1 started"), "{text}");
    assert!(text.contains("ISR expanded"), "{text}");
}

#[test]
fn same_seed_prints_the_same_story() {
    let run = || {
        bin()
            .args([
                "run",
                "--headless",
                "--ephemeral",
                "--seed",
                "11",
                "--duration",
                "15s",
                "--kill-broker",
                "2@3s",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn json_lines_parse() {
    let out = bin()
        .args([
            "run",
            "--headless",
            "--ephemeral",
            "--seed",
            "1",
            "--duration",
            "3s",
            "--json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        assert!(v.get("at_ms").is_some() && v.get("kind").is_some());
        n += 1;
    }
    assert!(n > 5);
}

#[test]
fn second_lab_on_same_data_dir_names_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = bin()
        .args(["--no-listen", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first to take the lock.
    let lock = dir.path().join("kafka-lab.lock");
    for _ in 0..100 {
        if std::fs::read_to_string(&lock).is_ok_and(|s| !s.trim().is_empty()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = bin()
        .args(["run", "--headless", "--duration", "1s", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let _ = first.kill();
    let _ = first.wait();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by"), "{err}");
    assert!(err.contains(&first.id().to_string()), "{err}");
}

#[test]
fn restarted_lab_finds_its_logs_again() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        bin()
            .args([
                "run",
                "--headless",
                "--seed",
                "5",
                "--duration",
                "5s",
                "--data-dir",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    assert!(
        dir.path()
            .join("broker-1/test-0/00000000000000000000.log")
            .exists()
    );
    let second = run();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    // The second run finds topic `test` and its records: epochs continue above the first run's.
    let text = String::from_utf8_lossy(&second.stdout);
    assert!(!text.contains("topic test created"), "{text}");
}

#[test]
fn bad_input_gives_clear_errors() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["run", "--headless", "--ephemeral", "--kill-broker", "7@5s"],
            "broker 7 does not exist",
        ),
        (
            &["run", "--headless", "--ephemeral", "--kill-broker", "x"],
            "BROKER@TIME",
        ),
        (
            &["run", "--headless", "--ephemeral", "--duration", "soon"],
            "not a duration",
        ),
        (&["--brokers", "12"], "12"),
    ];
    for (args, want) in cases {
        let out = bin().args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn log_bench_subcommand_reports_ratio() {
    let out = bin()
        .args(["bench", "log", "--records", "20000"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("raw sequential write") && text.contains("ratio"),
        "{text}"
    );
}

fn experiment_story(n: &str) -> String {
    let out = bin()
        .args([
            "run",
            "--headless",
            "--ephemeral",
            "--seed",
            "3",
            "--experiment",
            n,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn experiment_2_story_shows_the_partition_moving_after_the_session_timeout() {
    let story = experiment_story("2");
    assert!(story.contains("consumer-A killed"), "{story}");
    assert!(
        story.contains("removed: no heartbeat for session.timeout.ms=10000"),
        "{story}"
    );
    let last_gen = story
        .lines()
        .rfind(|l| l.contains("generation "))
        .expect("a generation line");
    assert!(
        last_gen.contains("consumer-B") && last_gen.contains("[test-0,test-1]"),
        "{last_gen}"
    );
}

#[test]
fn experiment_3_story_shows_restart_from_zero_and_resume_after_commit() {
    let story = experiment_story("3");
    let summaries: Vec<&str> = story.lines().filter(|l| l.contains("summary:")).collect();
    assert_eq!(summaries.len(), 4, "{story}");
    assert!(summaries[0].contains("no-commit") && summaries[0].contains("offsets 0..="));
    assert!(summaries[1].contains("no-commit") && summaries[1].contains("offsets 0..="));
    assert!(
        summaries[3].contains("committer") && summaries[3].contains("offsets 10..=14"),
        "{}",
        summaries[3]
    );
}

#[test]
fn unknown_experiment_is_rejected() {
    let out = bin()
        .args(["run", "--headless", "--ephemeral", "--experiment", "9"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--experiment"));
}

#[test]
fn experiment_replays_on_a_data_dir_that_already_has_a_lab() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    // A default lab first leaves topic `test` behind in the data dir.
    let first = bin()
        .args(["run", "--headless", "--data-dir", path, "--duration", "2s"])
        .output()
        .unwrap();
    assert!(first.status.success());
    for _ in 0..2 {
        let out = bin()
            .args(["run", "--headless", "--data-dir", path, "--experiment", "2"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("expectations passed"));
    }
}

#[test]
fn sigterm_stops_a_live_lab_and_removes_its_ephemeral_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["--ephemeral", "--no-listen", "--rate", "50"])
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lab_dirs = || common::ephemeral_dirs_in(tmp.path());
    // Wait until the lab is up: its event stream has started and its data dir exists.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("the lab prints events");
    assert_eq!(lab_dirs(), 1, "the --ephemeral data dir is under TMPDIR");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let exit = loop {
        // Keep draining stdout so the lab never blocks on a full pipe while stopping.
        let mut sink = [0u8; 4096];
        let _ = std::io::Read::read(&mut stdout, &mut sink);
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lab ignored SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(exit.success(), "SIGTERM is an orderly stop: {exit:?}");
    assert_eq!(
        lab_dirs(),
        0,
        "the --ephemeral data dir is removed on SIGTERM"
    );
}
