//! Real Kafka clients (kafka-python, confluent-kafka) against the running lab's wire listener.
//! Each test starts the real binary in streaming mode (stdout piped: real time), on its own free
//! ports, runs a script from tests/python with `KAFKA_LAB_PYTHON`, and stops the lab at the end.
//! Without `KAFKA_LAB_PYTHON` (set by `.ci/test`) the tests say so and pass, or fail when
//! `KAFKA_LAB_REQUIRE_E2E=1` (as `.ci/run` sets it).

mod common;

use common::live_lab::{LiveLab, Proc, env_or_skip, run_bounded, spawn_streaming};
use common::takeover::{Spawned, Story, kill_member_survivor_takes_over};

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
fn kip848_member(py: &str, lab: &LiveLab, group: &str) -> Spawned {
    let mut cmd = Command::new(py);
    cmd.arg(script("confluent_kip848_member.py")).args([
        lab.all_brokers(),
        "test".into(),
        group.into(),
    ]);
    spawn_streaming(cmd, "confluent-kafka KIP-848 member")
}

#[test]
fn confluent_kip848_members_split_partitions_a_sigkilled_ones_move_after_the_session_timeout_and_a_restart_resumes_from_the_commit()
 {
    let Some(py) = python() else { return };
    // librdkafka with group.protocol=consumer: ConsumerGroupHeartbeat, topics by id through
    // Metadata; the teaching profile's group.consumer.session.timeout.ms is 10000.
    let lab = LiveLab::start(15, 10, &[]);
    kill_member_survivor_takes_over(
        || kip848_member(&py, &lab, "confluent-kip848"),
        Story {
            session_floor: Duration::from_secs(8),
            restart: true,
        },
    );
}
