//! The real Java Kafka client (org.apache.kafka:kafka-clients 4.3.0) against the running lab's
//! wire listener. Each test starts the real binary in streaming mode (stdout piped: real time), on
//! its own free ports, runs `tests/java/LabClient.java` with `java -cp $KAFKA_LAB_JAVA_CLASSPATH`
//! (Java 17's single-file launch), and stops the lab at the end. Without
//! `KAFKA_LAB_JAVA_CLASSPATH` (`.ci/test` sets it from `tests/java/classpath.sh`) the tests say so
//! and pass, or fail when `KAFKA_LAB_REQUIRE_E2E=1` (as `.ci/run` sets it).

mod common;

use common::live_lab::{LiveLab, env_or_skip, run_bounded, spawn_streaming};
use common::takeover::{Spawned, Story, kill_member_survivor_takes_over};

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

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

/// A `group-member` with `group.protocol=protocol` (classic, or consumer for KIP-848).
fn group_member(cp: &str, lab: &LiveLab, group: &str, protocol: &str) -> Spawned {
    let cmd = java(
        cp,
        &["group-member", &lab.all_brokers(), "test", group, protocol],
    );
    spawn_streaming(cmd, "java group member")
}

#[test]
fn java_group_member_killed_with_sigkill_hands_its_partition_to_the_survivor_after_the_session_timeout()
 {
    let Some(cp) = classpath() else { return };
    // The lab's own producer writes 10 records/s to `test` (2 partitions), so members have records.
    // kill -9: no LeaveGroup; the survivor takes over only after session.timeout.ms=6000.
    let lab = LiveLab::start(12, 10, &[]);
    kill_member_survivor_takes_over(
        || group_member(&cp, &lab, "java-exp2", "classic"),
        Story {
            session_floor: Duration::from_secs(5),
            restart: false,
        },
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
    kill_member_survivor_takes_over(
        || group_member(&cp, &lab, "java-kip848", "consumer"),
        Story {
            session_floor: Duration::from_secs(8),
            restart: true,
        },
    );
    // The timeline says why the killed members left.
    let events = lab.events_so_far();
    assert!(
        events
            .iter()
            .any(|e| e.contains("group.consumer.session.timeout.ms=10000")),
        "{events:#?}"
    );
}
