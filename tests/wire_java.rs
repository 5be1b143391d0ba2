//! The real Java Kafka client (org.apache.kafka:kafka-clients 4.3.0) against the running lab's
//! wire listener. Each test starts the real binary in streaming mode (stdout piped: real time), on
//! its own free ports, runs `tests/java/LabClient.java` with `java -cp $KAFKA_LAB_JAVA_CLASSPATH`
//! (Java 17's single-file launch), and stops the lab at the end. Without
//! `KAFKA_LAB_JAVA_CLASSPATH` (`.ci/test` sets it from `tests/java/classpath.sh`) the tests say so
//! and pass, or fail when `KAFKA_LAB_REQUIRE_E2E=1` (as `.ci/run` sets it).

mod common;

use common::live_lab::{LiveLab, Proc, env_or_skip, run_bounded, spawn_streaming};

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn classpath() -> Option<String> {
    env_or_skip("KAFKA_LAB_JAVA_CLASSPATH", "Java client")
}

fn java(cp: &str, args: &[&str]) -> Command {
    let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/java/LabClient.java");
    let mut cmd = Command::new("java");
    cmd.arg("-cp").arg(cp).arg(program).args(args);
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs LabClient to completion (bounded) and returns its stdout; panics with its output when it
/// fails or overruns.
fn run_java(cp: &str, args: &[&str], timeout: Duration) -> String {
    let out = run_bounded(java(cp, args), &format!("LabClient {args:?}"), timeout);
    eprintln!("{out}");
    out
}

/// The line of `out` starting with `prefix`.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{out}"))
}

/// `key=value` fields of a summary line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= in `{line}`"))
}

/// `p:n,p:n` as (partition, n) pairs.
fn counts(s: &str) -> Vec<(i32, i64)> {
    s.split(',')
        .map(|pn| {
            let (p, n) = pn.split_once(':').expect("p:n");
            (p.parse().expect("partition"), n.parse().expect("count"))
        })
        .collect()
}

#[test]
fn java_idempotent_producer_with_default_acks_all_and_a_group_consumer_read_back_every_record() {
    let Some(cp) = classpath() else { return };
    let lab = LiveLab::start(11, 0, &[]);
    // `test`, the default lab's topic, has 2 partitions (a topic the producer auto-created would
    // get num.partitions=1, Kafka's default, and keys could not spread).
    let n = 5000;
    let out = run_java(
        &cp,
        &[
            "produce-consume",
            &lab.bootstrap(),
            "test",
            &n.to_string(),
            "java-orders-group",
        ],
        Duration::from_secs(120),
    );
    assert!(
        line(&out, "CLIENT").starts_with("CLIENT kafka-clients 4."),
        "{out}"
    );
    let ok = line(&out, "OK ");
    // The client's own defaults, not overridden: acks=all, idempotent.
    assert_eq!(field(ok, "acks"), "all", "{ok}");
    assert_eq!(field(ok, "idempotence"), "true", "{ok}");
    assert_eq!(field(ok, "produced"), n.to_string(), "{ok}");
    assert_eq!(field(ok, "consumed"), n.to_string(), "{ok}");
    // Keys spread over both partitions, and the commit is each partition's end offset.
    let read = counts(field(ok, "partitions"));
    assert_eq!(
        read.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        vec![0, 1],
        "{ok}"
    );
    assert!(read.iter().all(|(_, c)| *c > 0), "{ok}");
    assert_eq!(read.iter().map(|(_, c)| c).sum::<i64>(), n, "{ok}");
    assert_eq!(counts(field(ok, "committed")), read, "{ok}");
}

#[test]
fn java_idempotent_producer_loses_nothing_when_a_partition_leader_is_killed_mid_stream() {
    let Some(cp) = classpath() else { return };
    // Broker 1 leads test-0 (seed 5) and dies 6 s in, while the producer sends one record every
    // 40 ms; its acks=all batches wait for the controller to drop broker 1 from the ISR and move
    // leadership, then are retried with the same sequence numbers and read back exactly once.
    let lab = LiveLab::start(5, 0, &["--kill-broker", "1@6s"]);
    let out = run_java(
        &cp,
        &[
            "produce-consume",
            &lab.all_brokers(),
            "test",
            "250",
            "java-failover-group",
            "40",
        ],
        Duration::from_secs(120),
    );
    let ok = line(&out, "OK ");
    assert_eq!(field(ok, "produced"), "250", "{ok}");
    assert_eq!(field(ok, "consumed"), "250", "{ok}");
    assert_eq!(field(ok, "idempotence"), "true", "{ok}");
    assert_eq!(
        counts(field(ok, "partitions")).len(),
        2,
        "both partitions of test were written: {ok}"
    );
    // The kill happened while the producer ran, and leadership of test-0 moved.
    let events = lab.events_so_far();
    let has = |s: &str| events.iter().any(|e| e.contains(s));
    assert!(has("broker 1 killed"), "{events:#?}");
    assert!(
        has("test-0: broker") && has("leader 1 unavailable"),
        "{events:#?}"
    );
    assert!(has("java-producer started"), "{events:#?}");
}

/// Spawns a `group-member` whose stdout lines arrive on the returned channel.
fn group_member(cp: &str, lab: &LiveLab, group: &str) -> (Proc, mpsc::Receiver<String>) {
    group_member_with(cp, lab, group, "classic")
}

/// A `group-member` with `group.protocol=protocol` (classic, or consumer for KIP-848).
fn group_member_with(
    cp: &str,
    lab: &LiveLab,
    group: &str,
    protocol: &str,
) -> (Proc, mpsc::Receiver<String>) {
    let cmd = java(
        cp,
        &["group-member", &lab.all_brokers(), "test", group, protocol],
    );
    spawn_streaming(cmd, "java group member")
}

/// A member's output so far, and where its assignment and records stand.
#[derive(Default, Debug)]
struct Member {
    lines: Vec<String>,
    /// The newest `ASSIGNED` line's partitions (`test-0,test-1`).
    assigned: Option<String>,
}

impl Member {
    /// Reads lines until `done` holds or `timeout` passes; panics with the lines seen otherwise.
    fn wait(
        &mut self,
        rx: &mpsc::Receiver<String>,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Member) -> bool,
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

    /// (partition, offset) of every `RECORD p offset value` line from `from` on.
    fn records_from(&self, from: usize) -> Vec<(i32, i64)> {
        self.lines[from.min(self.lines.len())..]
            .iter()
            .filter_map(|l| {
                let mut w = l.strip_prefix("RECORD ")?.split_whitespace();
                Some((w.next()?.parse().ok()?, w.next()?.parse().ok()?))
            })
            .collect()
    }
}

#[test]
fn java_group_member_killed_with_sigkill_hands_its_partition_to_the_survivor_after_the_session_timeout()
 {
    let Some(cp) = classpath() else { return };
    // The lab's own producer writes 10 records/s to `test` (2 partitions), so members have records.
    let lab = LiveLab::start(12, 10, &[]);
    let (mut a_proc, rx_a) = group_member(&cp, &lab, "java-exp2");
    let mut a = Member::default();
    a.wait(
        &rx_a,
        "A owns both partitions",
        Duration::from_secs(40),
        |m| m.assigned.as_deref() == Some("test-0,test-1"),
    );
    let (_b_proc, rx_b) = group_member(&cp, &lab, "java-exp2");
    let mut b = Member::default();
    // B's join rebalances the group (range assignor): one partition each.
    b.wait(
        &rx_b,
        "B owns one partition",
        Duration::from_secs(40),
        |m| matches!(m.assigned.as_deref(), Some("test-0" | "test-1")),
    );
    let b_first = b.assigned.clone().expect("assigned");
    let a_part = if b_first == "test-0" {
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
    // A reads (and auto-commits, every second) its partition for a while.
    let a_records = a.lines.len();
    a.wait(
        &rx_a,
        "A reads its partition",
        Duration::from_secs(30),
        |m| {
            m.records_from(a_records)
                .iter()
                .filter(|(p, _)| *p == a_p)
                .count()
                >= 20
        },
    );
    // kill -9: no LeaveGroup; the survivor takes over only after session.timeout.ms=6000.
    let killed_at = Instant::now();
    let _ = a_proc.0.kill();
    let _ = a_proc.0.wait();
    // Everything A printed: it commits (every second, in poll) only records it already printed.
    while let Ok(l) = rx_a.recv_timeout(Duration::from_secs(5)) {
        a.lines.push(l);
    }
    let a_last = a
        .records_from(0)
        .iter()
        .filter(|(p, _)| *p == a_p)
        .map(|(_, o)| *o)
        .max()
        .expect("A read its partition");
    let before_takeover = b.lines.len();
    b.wait(
        &rx_b,
        "B owns both partitions",
        Duration::from_secs(40),
        |m| m.assigned.as_deref() == Some("test-0,test-1"),
    );
    let took = killed_at.elapsed();
    assert!(
        took >= Duration::from_secs(5),
        "takeover after {took:?}: before the session timeout"
    );
    // B goes on from A's last commit: not from the start, and with no gap after what A read.
    let takeover = b.lines.len();
    b.wait(
        &rx_b,
        "B reads A's former partition",
        Duration::from_secs(30),
        |m| m.records_from(takeover).iter().any(|(p, _)| *p == a_p),
    );
    let first = b
        .records_from(takeover)
        .iter()
        .find(|(p, _)| *p == a_p)
        .map(|(_, o)| *o)
        .expect("a record of A's partition");
    assert!(
        first > 0 && first <= a_last + 1,
        "B started {a_part} at offset {first}; A had read up to {a_last}\nA: {:?}\nB: {:?}",
        a.lines,
        &b.lines[before_takeover..]
    );
}

#[test]
fn java_admin_client_creates_describes_lists_configures_grows_and_deletes() {
    let Some(cp) = classpath() else { return };
    let lab = LiveLab::start(13, 0, &[]);
    let out = run_java(
        &cp,
        &["admin", &lab.bootstrap(), "java-admin-made"],
        Duration::from_secs(90),
    );
    assert!(out.contains("\nCLUSTER brokers=1,2,3 controller="), "{out}");
    assert!(out.contains("\nEXISTS java-admin-made\n"), "{out}");
    let described = line(&out, "DESCRIBED java-admin-made ");
    assert_eq!(described.matches(",isr=3").count(), 2, "{out}");
    let listed = line(&out, "LISTED ");
    assert!(
        listed.contains("java-admin-made") && listed.contains("test"),
        "{out}"
    );
    let configs = line(&out, "CONFIGS java-admin-made ");
    assert_eq!(field(configs, "min.insync.replicas"), "2", "{out}");
    assert_eq!(
        line(&out, "GROUP-OFFSETS "),
        "GROUP-OFFSETS java-admin-java-admin-made java-admin-made-0:3,java-admin-made-1:5",
        "{out}"
    );
    assert_eq!(
        line(&out, "GROUP java-admin-java-admin-made "),
        "GROUP java-admin-java-admin-made state=Empty members=0",
        "{out}"
    );
    assert!(out.contains("\nDELETED java-admin-made\n"), "{out}");
    assert!(
        line(&out, "OK admin").contains("partitions=2 rf=3 brokers=3"),
        "{out}"
    );
}

#[test]
fn java_copy_job_sigkilled_mid_transaction_still_copies_every_input_exactly_once() {
    let Some(cp) = classpath() else { return };
    let lab = LiveLab::start(7, 0, &[]);
    let boot = lab.bootstrap();
    run_java(&cp, &["txn-setup", &boot, "40"], Duration::from_secs(90));
    // The first job kills itself (SIGKILL) with a transaction open: records sent, offsets sent.
    let crashed = java(&cp, &["txn-copy", &boot, "20"])
        .output()
        .expect("run the copy job");
    let text = String::from_utf8_lossy(&crashed.stdout);
    eprintln!("{text}");
    assert!(text.contains("CRASH after"), "{text}");
    assert!(!crashed.status.success(), "the crashed job exited cleanly");
    // The restart with the same transactional.id fences it and aborts its transaction.
    let second = run_java(&cp, &["txn-copy", &boot, "-1"], Duration::from_secs(150));
    assert!(second.contains("COPIED"), "{second}");
    let verified = run_java(&cp, &["txn-verify", &boot, "40"], Duration::from_secs(120));
    assert!(verified.contains("OK exactly-once n=40"), "{verified}");
}

#[test]
fn java_kip848_members_split_partitions_a_sigkilled_ones_move_after_the_session_timeout_and_a_restart_resumes_from_the_commit()
 {
    let Some(cp) = classpath() else { return };
    // group.protocol=consumer: ConsumerGroupHeartbeat, the broker's uniform assignor, topics by id.
    // The teaching profile's group.consumer.session.timeout.ms is 10000 (Kafka's 45000).
    let lab = LiveLab::start(14, 10, &[]);
    let group = "java-kip848";
    let (mut a_proc, rx_a) = group_member_with(&cp, &lab, group, "consumer");
    let mut a = Member::default();
    a.wait(
        &rx_a,
        "A owns both partitions",
        Duration::from_secs(40),
        |m| m.assigned.as_deref() == Some("test-0,test-1"),
    );
    let (b_proc, rx_b) = group_member_with(&cp, &lab, group, "consumer");
    let mut b = Member::default();
    b.wait(
        &rx_b,
        "B owns one partition",
        Duration::from_secs(40),
        |m| matches!(m.assigned.as_deref(), Some("test-0" | "test-1")),
    );
    let b_first = b.assigned.clone().expect("assigned");
    let a_part = if b_first == "test-0" {
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
    let a_records = a.lines.len();
    a.wait(
        &rx_a,
        "A reads its partition",
        Duration::from_secs(30),
        |m| {
            m.records_from(a_records)
                .iter()
                .filter(|(p, _)| *p == a_p)
                .count()
                >= 20
        },
    );
    // kill -9: no leave heartbeat; the coordinator notices after group.consumer.session.timeout.ms.
    let killed_at = Instant::now();
    let _ = a_proc.0.kill();
    let _ = a_proc.0.wait();
    while let Ok(l) = rx_a.recv_timeout(Duration::from_secs(2)) {
        a.lines.push(l);
    }
    let a_last = a
        .records_from(0)
        .iter()
        .filter(|(p, _)| *p == a_p)
        .map(|(_, o)| *o)
        .max()
        .expect("A read its partition");
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
    let events = lab.events_so_far();
    assert!(
        events
            .iter()
            .any(|e| e.contains("group.consumer.session.timeout.ms=10000")),
        "{events:#?}"
    );
    // B goes on from A's last commit: no record lost, none re-read beyond what A had not committed.
    let takeover = b.lines.len();
    b.wait(
        &rx_b,
        "B reads A's former partition",
        Duration::from_secs(30),
        |m| m.records_from(takeover).iter().any(|(p, _)| *p == a_p),
    );
    let first = b
        .records_from(takeover)
        .iter()
        .find(|(p, _)| *p == a_p)
        .map(|(_, o)| *o)
        .expect("a record of A's partition");
    assert!(
        first > 0 && first <= a_last + 1,
        "B started {a_part} at offset {first}; A had read up to {a_last}"
    );
    // B reads on for a while (auto-commit every second), then is SIGKILLed too; a restarted
    // member resumes from B's commits.
    let before = b.lines.len();
    b.wait(&rx_b, "B reads more", Duration::from_secs(30), |m| {
        m.records_from(before).len() >= 30
    });
    let mut b_proc = b_proc;
    let b_killed = Instant::now();
    let _ = b_proc.0.kill();
    let _ = b_proc.0.wait();
    while let Ok(l) = rx_b.recv_timeout(Duration::from_secs(2)) {
        b.lines.push(l);
    }
    let b_last = |p: i32| {
        b.records_from(0)
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, o)| *o)
            .max()
            .expect("B read both partitions")
    };
    let (last0, last1) = (b_last(0), b_last(1));
    let (_c_proc, rx_c) = group_member_with(&cp, &lab, group, "consumer");
    let mut c = Member::default();
    // B's session must run out before its partitions are free for C.
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
    for (p, last) in [(0, last0), (1, last1)] {
        let first = c
            .records_from(0)
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, o)| *o)
            .expect("a record");
        assert!(
            first > 0 && first <= last + 1,
            "the restarted member began test-{p} at {first}; B had read up to {last}: {:?}",
            c.lines
        );
    }
}
