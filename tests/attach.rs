//! `kafka-lab attach` against a lab running in another process: the attached timeline (stdout
//! piped, so it streams as text) must tell a consumer killed there and a broker killed there the
//! way the lab itself would: the member gone, the group's new assignment, the broker's session
//! expired and the elections that followed. The consumers are kafka-python's, so the test needs
//! `KAFKA_LAB_PYTHON` (set by `.ci/test`; without it the test says so and passes, or fails under
//! `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::live_lab::{LiveLab, Proc, env_or_skip, spawn_streaming};
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

fn consumer(py: &str, lab: &LiveLab, name: &str) -> (Proc, mpsc::Receiver<String>) {
    let mut cmd = Command::new(py);
    cmd.arg(script("group_consumer.py")).args([
        lab.all_brokers(),
        "test".into(),
        "attach-g".into(),
        name.into(),
    ]);
    spawn_streaming(cmd, "consumer")
}

/// Reads lines until one satisfies `want`; panics with everything read when none does in time.
fn wait_line(
    rx: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    timeout: Duration,
    what: &str,
    want: impl Fn(&str) -> bool,
) -> String {
    if let Some(line) = seen.iter().find(|l| want(l)) {
        return line.clone();
    }
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line.clone());
            if want(&line) {
                return line;
            }
        }
    }
    panic!(
        "the attached timeline never showed {what}; it showed:\n{}",
        seen.join("\n")
    );
}

#[test]
fn attached_timeline_tells_a_killed_consumer_and_a_killed_broker_in_another_lab() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "attach") else {
        return;
    };
    // Broker 2 crashes 45 s into the lab's run, once the group has settled and lost a member.
    let lab = LiveLab::start(7, 5, &["--kill-broker", "2@45s"]);
    let mut attach = Command::new(env!("CARGO_BIN_EXE_kafka-lab"));
    attach.args([
        "attach",
        "--bootstrap",
        &lab.all_brokers(),
        "--interval",
        "500ms",
    ]);
    let (_attach, timeline) = spawn_streaming(attach, "kafka-lab attach");
    let mut seen = Vec::new();
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(20),
        "the attach",
        |l| l.contains("attached to") && l.contains("3 brokers") && l.contains("read-only"),
    );

    let (mut a, rx_a) = consumer(&py, &lab, "consumer-a");
    let (_b, rx_b) = consumer(&py, &lab, "consumer-b");
    // Both members own one partition each before one is killed.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut a_one, mut b_one) = (false, false);
    while !(a_one && b_one) && Instant::now() < deadline {
        for (rx, one) in [(&rx_a, &mut a_one), (&rx_b, &mut b_one)] {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
                *one = line
                    .strip_prefix("ASSIGNED ")
                    .is_some_and(|p| !p.is_empty() && !p.contains(','));
            }
        }
    }
    assert!(
        a_one && b_one,
        "the two consumers never split the partitions"
    );
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(10),
        "the split",
        |l| l.contains("group attach-g rebalanced") && l.matches("→ [test-").count() == 2,
    );
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(1),
        "both members joining",
        |l| l.contains("attach-g: consumer-b joined"),
    );

    // kill -9: no LeaveGroup; the coordinator removes it after session.timeout.ms=6000.
    let _ = a.0.kill();
    let _ = a.0.wait();
    let removed = wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(30),
        "the member removed",
        |l| l.contains("attach-g") && l.contains("no longer listed by DescribeGroups"),
    );
    assert!(removed.contains("rebalance"), "{removed}");
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(15),
        "the survivor's assignment",
        |l| l.contains("group attach-g rebalanced") && l.contains("[test-0,test-1]"),
    );

    // Broker 2 dies in the lab: Metadata drops it, ISRs shrink, its partitions get new leaders.
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(60),
        "broker 2 gone",
        |l| l.contains("broker 2") && l.contains("session expired"),
    );
    let elected = wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(20),
        "an election",
        |l| l.contains("elected leader") && l.contains("leader 2 unavailable"),
    );
    assert!(
        elected.starts_with(char::is_numeric) && elected.contains("election"),
        "{elected}"
    );
    wait_line(
        &timeline,
        &mut seen,
        Duration::from_secs(1),
        "an ISR shrink",
        |l| l.contains("ISR") && l.contains("2"),
    );
}

/// `kafka-lab attach` with the given flags against `lab`: the first few timeline lines.
fn attach_lines(extra: &[String], within: Duration, until: impl Fn(&str) -> bool) -> Vec<String> {
    let mut attach = Command::new(env!("CARGO_BIN_EXE_kafka-lab"));
    attach.arg("attach").args(extra);
    let (_attach, timeline) = spawn_streaming(attach, "kafka-lab attach");
    let mut seen = Vec::new();
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(line) = timeline.recv_timeout(Duration::from_millis(200)) {
            let done = until(&line);
            seen.push(line);
            if done {
                break;
            }
        }
    }
    seen
}

#[test]
fn attach_over_sasl_ssl_reads_a_secured_lab_and_a_wrong_password_says_why_without_it() {
    let pki = common::secure::TestPki::new();
    let flags = pki.lab_flags("SASL_SSL");
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let lab = LiveLab::start(9, 5, &flags);
    let right = pki.dir.path().join("bob.password");
    std::fs::write(&right, "bob-secret\n").unwrap();
    let wrong = pki.dir.path().join("wrong.password");
    std::fs::write(&wrong, "not-bobs-secret-xyz\n").unwrap();
    let args = |password: &std::path::Path| -> Vec<String> {
        [
            "--bootstrap",
            &lab.all_brokers(),
            "--security-protocol",
            "SASL_SSL",
            "--sasl-mechanism",
            "SCRAM-SHA-512",
            "--sasl-username",
            "bob",
            "--sasl-password-file",
            &password.display().to_string(),
            "--ca-file",
            &pki.ca.display().to_string(),
        ]
        .map(String::from)
        .to_vec()
    };
    let ok = attach_lines(&args(&right), Duration::from_secs(20), |l| {
        l.contains("attached to")
    });
    assert!(
        ok.iter()
            .any(|l| l.contains("attached to") && l.contains("3 brokers")),
        "{ok:?}"
    );
    let bad = attach_lines(&args(&wrong), Duration::from_secs(20), |l| {
        l.contains("poll failed")
    });
    let failed = bad
        .iter()
        .find(|l| l.contains("poll failed"))
        .unwrap_or_else(|| panic!("{bad:?}"));
    assert!(!bad.iter().any(|l| l.contains("attached to")), "{bad:?}");
    assert!(!failed.contains("not-bobs-secret-xyz"), "{failed}");
    // Plaintext against a TLS listener fails too, and says so.
    let plain = attach_lines(
        &["--bootstrap".to_string(), lab.all_brokers()],
        Duration::from_secs(20),
        |l| l.contains("poll failed"),
    );
    assert!(plain.iter().any(|l| l.contains("poll failed")), "{plain:?}");
}
