//! Real Kafka clients (kafka-python, confluent-kafka) against the running lab's wire listener.
//! Each test starts the real binary in streaming mode (stdout piped: real time), on its own free
//! ports, runs a script from tests/python with `KAFKA_LAB_PYTHON`, and stops the lab at the end.
//! Without `KAFKA_LAB_PYTHON` (set by `.ci/test`) the tests say so and pass, or fail when
//! `KAFKA_LAB_REQUIRE_E2E=1` (as `.ci/run` sets it).

mod common;

use common::live_lab::{LiveLab, Proc, env_or_skip, run_bounded, spawn_streaming};

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn python() -> Option<String> {
    env_or_skip("KAFKA_LAB_PYTHON", "real-client")
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// Runs a script to completion (bounded) and returns its stdout; panics with its output on failure.
fn run_script(py: &str, name: &str, args: &[String], timeout: Duration) -> String {
    let mut cmd = Command::new(py);
    cmd.arg(script(name)).args(args);
    run_bounded(cmd, name, timeout)
}

#[test]
fn experiment_1_kafka_python_reads_back_what_it_produced_in_order() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(1, 0, &[]);
    let out = run_script(
        &py,
        "exp1_produce_consume.py",
        &[lab.bootstrap(), "test".into(), "200".into()],
        Duration::from_secs(60),
    );
    assert!(out.contains("OK 200 records in order"), "{out}");
}

/// Spawns a group consumer whose `ASSIGNED ...` lines arrive on the returned channel.
fn group_consumer(
    py: &str,
    lab: &LiveLab,
    group: &str,
    name: &str,
) -> (Proc, mpsc::Receiver<String>) {
    let mut cmd = Command::new(py);
    cmd.arg(script("group_consumer.py")).args([
        lab.bootstrap(),
        "test".into(),
        group.into(),
        name.into(),
    ]);
    spawn_streaming(cmd, "consumer")
}

/// Waits until a consumer reports exactly `want` (comma-separated, sorted) as its assignment.
fn wait_assigned(rx: &mpsc::Receiver<String>, want: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if line == format!("ASSIGNED {want}") {
                return;
            }
            seen.push(line);
        }
    }
    panic!("never assigned {want}; saw {seen:?}");
}

#[test]
fn experiment_2_killed_kafka_python_consumer_hands_its_partition_to_the_peer() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(2, 0, &[]);
    let (mut a, rx_a) = group_consumer(&py, &lab, "exp2", "consumer-a");
    wait_assigned(&rx_a, "test-0,test-1", Duration::from_secs(25));
    let (_b, rx_b) = group_consumer(&py, &lab, "exp2", "consumer-b");
    // The second member's join rebalances the group: one partition each.
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut b_part = None;
    while b_part.is_none() && Instant::now() < deadline {
        if let Ok(line) = rx_b.recv_timeout(Duration::from_millis(200))
            && let Some(p) = line.strip_prefix("ASSIGNED ")
            && !p.is_empty()
            && !p.contains(',')
        {
            b_part = Some(p.to_string());
        }
    }
    assert!(b_part.is_some(), "consumer-b never got one partition");
    // kill -9: no LeaveGroup; the survivor takes over only after session.timeout.ms=6000.
    let killed_at = Instant::now();
    let _ = a.0.kill();
    let _ = a.0.wait();
    wait_assigned(&rx_b, "test-0,test-1", Duration::from_secs(30));
    assert!(
        killed_at.elapsed() >= Duration::from_secs(5),
        "takeover after {:?}: before the session timeout",
        killed_at.elapsed()
    );
}

#[test]
fn experiment_3_committing_consumer_resumes_and_non_committing_one_starts_over() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(3, 0, &["--partitions", "1"]);
    let b = lab.bootstrap();
    run_script(
        &py,
        "produce_n.py",
        &[b.clone(), "test".into(), "10".into()],
        Duration::from_secs(30),
    );
    let run = |group: &str, mode: &str| {
        run_script(
            &py,
            "commit_consumer.py",
            &[
                b.clone(),
                "test".into(),
                group.into(),
                mode.into(),
                "3".into(),
            ],
            Duration::from_secs(45),
        )
    };
    assert!(run("committer", "commit").contains("OFFSETS 0,1,2"));
    let second = run("committer", "commit");
    assert!(
        second.contains("OFFSETS 3,4,5"),
        "restart did not resume: {second}"
    );
    assert!(run("forgetter", "nocommit").contains("OFFSETS 0,1,2"));
    let again = run("forgetter", "nocommit");
    assert!(
        again.contains("OFFSETS 0,1,2"),
        "without commits a restart starts over: {again}"
    );
}

#[test]
fn confluent_kafka_produces_consumes_and_commits_in_a_group() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(4, 0, &[]);
    let out = run_script(
        &py,
        "confluent_flow.py",
        &[
            lab.bootstrap(),
            "test".into(),
            "confluent-group".into(),
            "100".into(),
        ],
        Duration::from_secs(60),
    );
    assert!(out.contains("OK confluent 100 records"), "{out}");
}

#[test]
fn acks_all_records_survive_a_broker_kill_during_a_kafka_python_produce_loop() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(5, 0, &["--kill-broker", "1@6s"]);
    let out = run_script(
        &py,
        "acks_all_failover.py",
        &[lab.all_brokers(), "test".into(), "20".into()],
        Duration::from_secs(60),
    );
    assert!(out.contains("all read back in order"), "{out}");
}

#[test]
fn kafka_python_admin_creates_grows_alters_and_deletes_topics_and_their_group_offsets() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(6, 0, &[]);
    let out = run_script(
        &py,
        "admin_flow.py",
        &[lab.bootstrap()],
        Duration::from_secs(60),
    );
    assert!(out.contains("OK admin"), "{out}");
}

#[test]
fn confluent_kafka_admin_adds_partitions_alters_max_message_bytes_and_deletes_the_topic() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(8, 0, &[]);
    let out = run_script(
        &py,
        "confluent_admin.py",
        &[lab.bootstrap()],
        Duration::from_secs(90),
    );
    assert!(out.contains("OK confluent admin"), "{out}");
}

#[test]
fn confluent_kafka_cooperative_sticky_moves_only_one_partition_to_the_new_member() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(7, 0, &[]);
    let spawn = |name: &str, secs: &str| {
        Proc(
            Command::new(&py)
                .arg(script("confluent_cooperative.py"))
                .args([lab.bootstrap(), name.into(), secs.into(), "coop".into()])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start consumer"),
        )
    };
    let mut a = spawn("A", "24");
    std::thread::sleep(Duration::from_secs(6));
    let mut b = spawn("B", "10");
    let read_all = |p: &mut Proc| {
        use std::io::Read;
        let mut out = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while p.0.try_wait().ok().flatten().is_none() {
            assert!(Instant::now() < deadline, "a consumer did not finish");
            std::thread::sleep(Duration::from_millis(100));
        }
        if let Some(mut s) = p.0.stdout.take() {
            let _ = s.read_to_string(&mut out);
        }
        out
    };
    let out_b = read_all(&mut b);
    let out_a = read_all(&mut a);
    // The survivor gives up only the partition that moves, never both (incremental protocol).
    let first_revoke = out_a
        .lines()
        .find(|l| l.starts_with("A revoke"))
        .unwrap_or("");
    assert!(
        first_revoke == "A revoke [0]" || first_revoke == "A revoke [1]",
        "A:\n{out_a}\nB:\n{out_b}"
    );
    assert!(
        out_b.contains("B final [0]") || out_b.contains("B final [1]"),
        "B:\n{out_b}"
    );
    // After B's LeaveGroup, A owns both again.
    assert!(out_a.contains("A final [0, 1]"), "A:\n{out_a}");
}

#[test]
fn confluent_copy_job_crashed_mid_transaction_still_copies_every_input_exactly_once() {
    let Some(py) = python() else { return };
    let lab = LiveLab::start(6, 0, &[]);
    let out = run_script(
        &py,
        "txn_exactly_once.py",
        &[lab.bootstrap(), "40".into()],
        Duration::from_secs(240),
    );
    assert!(out.contains("CRASH after"), "{out}");
    assert!(out.contains("OK exactly once: 40 inputs"), "{out}");
}

/// A confluent-kafka member with group.protocol=consumer, its stdout lines on the channel.
fn kip848_member(py: &str, lab: &LiveLab, group: &str) -> (Proc, mpsc::Receiver<String>) {
    let mut cmd = Command::new(py);
    cmd.arg(script("confluent_kip848_member.py")).args([
        lab.all_brokers(),
        "test".into(),
        group.into(),
    ]);
    spawn_streaming(cmd, "confluent-kafka KIP-848 member")
}

/// What a member printed: its newest `ASSIGNED` line and its `RECORD p offset` lines.
#[derive(Default, Debug)]
struct Seen {
    lines: Vec<String>,
    assigned: Option<String>,
}

impl Seen {
    /// Reads lines until `done` holds; panics with what it saw after `timeout`.
    fn wait(
        &mut self,
        rx: &mpsc::Receiver<String>,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Seen) -> bool,
    ) {
        let deadline = Instant::now() + timeout;
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "{what}: not within {timeout:?}; saw {:?}",
                self.lines
            );
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                if let Some(a) = line.strip_prefix("ASSIGNED ") {
                    self.assigned = Some(a.to_string());
                }
                self.lines.push(line);
            }
        }
    }

    /// Reads whatever else arrives within `quiet` of the last line (after the process died).
    fn drain(&mut self, rx: &mpsc::Receiver<String>, quiet: Duration) {
        while let Ok(l) = rx.recv_timeout(quiet) {
            self.lines.push(l);
        }
    }

    /// (partition, offset) of the `RECORD` lines from line `from` on.
    fn records_from(&self, from: usize) -> Vec<(i32, i64)> {
        self.lines[from.min(self.lines.len())..]
            .iter()
            .filter_map(|l| {
                let mut w = l.strip_prefix("RECORD ")?.split_whitespace();
                Some((w.next()?.parse().ok()?, w.next()?.parse().ok()?))
            })
            .collect()
    }

    /// The first offset of partition `p` read from line `from` on, and the last read overall.
    fn first_and_last(&self, p: i32, from: usize) -> (Option<i64>, Option<i64>) {
        let first = self
            .records_from(from)
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, o)| *o);
        let last = self
            .records_from(0)
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, o)| *o)
            .max();
        (first, last)
    }
}

#[test]
fn confluent_kip848_members_split_partitions_a_sigkilled_ones_move_after_the_session_timeout_and_a_restart_resumes_from_the_commit()
 {
    let Some(py) = python() else { return };
    // librdkafka with group.protocol=consumer: ConsumerGroupHeartbeat, topics by id through
    // Metadata; the teaching profile's group.consumer.session.timeout.ms is 10000.
    let lab = LiveLab::start(15, 10, &[]);
    let group = "confluent-kip848";
    let (mut a_proc, rx_a) = kip848_member(&py, &lab, group);
    let mut a = Seen::default();
    a.wait(
        &rx_a,
        "A owns both partitions",
        Duration::from_secs(40),
        |m| m.assigned.as_deref() == Some("test-0,test-1"),
    );
    let (mut b_proc, rx_b) = kip848_member(&py, &lab, group);
    let mut b = Seen::default();
    b.wait(
        &rx_b,
        "B owns one partition",
        Duration::from_secs(40),
        |m| matches!(m.assigned.as_deref(), Some("test-0" | "test-1")),
    );
    let a_part = if b.assigned.as_deref() == Some("test-0") {
        "test-1"
    } else {
        "test-0"
    };
    a.wait(
        &rx_a,
        "A keeps the other partition",
        Duration::from_secs(20),
        |m| m.assigned.as_deref() == Some(a_part),
    );
    let a_p: i32 = a_part["test-".len()..].parse().expect("partition");
    let from = a.lines.len();
    a.wait(
        &rx_a,
        "A reads its partition",
        Duration::from_secs(30),
        |m| {
            m.records_from(from)
                .iter()
                .filter(|(p, _)| *p == a_p)
                .count()
                >= 20
        },
    );
    let killed_at = Instant::now();
    let _ = a_proc.0.kill();
    let _ = a_proc.0.wait();
    a.drain(&rx_a, Duration::from_secs(2));
    let a_last = a.first_and_last(a_p, 0).1.expect("A read its partition");
    b.wait(
        &rx_b,
        "B owns both partitions",
        Duration::from_secs(40),
        |m| m.assigned.as_deref() == Some("test-0,test-1"),
    );
    let took = killed_at.elapsed();
    assert!(
        took >= Duration::from_secs(8),
        "takeover after {took:?}: before group.consumer.session.timeout.ms=10000"
    );
    let takeover = b.lines.len();
    b.wait(
        &rx_b,
        "B reads A's former partition",
        Duration::from_secs(30),
        |m| m.records_from(takeover).iter().any(|(p, _)| *p == a_p),
    );
    let first = b.first_and_last(a_p, takeover).0.expect("a record");
    assert!(
        first > 0 && first <= a_last + 1,
        "B started {a_part} at {first}; A had read up to {a_last}"
    );
    // B is killed in turn; a restarted member resumes from B's auto-commits.
    let before = b.lines.len();
    b.wait(&rx_b, "B reads more", Duration::from_secs(30), |m| {
        m.records_from(before).len() >= 30
    });
    let b_killed = Instant::now();
    let _ = b_proc.0.kill();
    let _ = b_proc.0.wait();
    b.drain(&rx_b, Duration::from_secs(2));
    let (_c_proc, rx_c) = kip848_member(&py, &lab, group);
    let mut c = Seen::default();
    c.wait(
        &rx_c,
        "C reads both partitions",
        Duration::from_secs(60),
        |m| {
            let r = m.records_from(0);
            r.iter().any(|(p, _)| *p == 0) && r.iter().any(|(p, _)| *p == 1)
        },
    );
    // Nobody owns a partition twice: C reads B's partitions only once B's session has expired.
    assert!(
        b_killed.elapsed() >= Duration::from_secs(8),
        "C read both partitions {:?} after B died",
        b_killed.elapsed()
    );
    for p in [0, 1] {
        let last = b.first_and_last(p, 0).1.expect("B read both partitions");
        let first = c.first_and_last(p, 0).0.expect("a record");
        assert!(
            first > 0 && first <= last + 1,
            "the restarted member began test-{p} at {first}; B had read up to {last}"
        );
    }
}
