//! Resetting a group's offsets from a dashboard attached with `--allow-writes` to a lab in another
//! process: a kafka-python consumer reads and commits, then closes (LeaveGroup); the reset to
//! earliest sent over the wire (DescribeGroups, ListOffsets, OffsetCommit with generation -1) is
//! named on the timeline and the poller's next snapshot shows the committed offsets at the log
//! start. A group with a live member is refused in Kafka's words and keeps its offsets. Needs
//! `KAFKA_LAB_PYTHON` (skips and says so without it; fails under `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::live_lab::{LiveLab, env_or_skip, run_bounded, spawn_streaming};
use kafka_lab::attach::{AttachOptions, start};
use kafka_lab::cluster::group::reset::ResetTo;
use kafka_lab::lab::command::Command;
use kafka_lab::lab::driver::LabChannels;
use kafka_lab::protocol::client_transport::ClientSecurity;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn script(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
        .display()
        .to_string()
}

/// The newest snapshot's committed offsets of `group` on `test`, once `want` holds of them.
fn wait_committed(
    ch: &LabChannels,
    group: &str,
    timeout: Duration,
    want: impl Fn(&BTreeMap<i32, i64>, &BTreeMap<i32, i64>) -> bool,
) -> BTreeMap<i32, i64> {
    let deadline = Instant::now() + timeout;
    let mut last = BTreeMap::new();
    while Instant::now() < deadline {
        let Ok(snap) = ch.snapshots.recv_timeout(Duration::from_millis(500)) else {
            continue;
        };
        let starts: BTreeMap<i32, i64> = snap
            .partitions
            .iter()
            .filter(|p| p.tp.topic == "test")
            .map(|p| (p.tp.partition, p.log_start_offset))
            .collect();
        last = snap
            .groups
            .iter()
            .filter(|g| g.group_id == group)
            .flat_map(|g| &g.partitions)
            .filter(|p| p.tp.topic == "test")
            .filter_map(|p| Some((p.tp.partition, p.committed?)))
            .collect();
        if want(&last, &starts) {
            return last;
        }
    }
    panic!("{group}'s committed offsets never got there; last seen {last:?}");
}

/// Waits for a timeline line containing `what`; panics with the lines seen.
fn wait_event(ch: &LabChannels, what: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(e) = ch.events.recv_timeout(Duration::from_millis(200)) {
            let line = e.kind.to_string();
            if line.contains(what) {
                return line;
            }
            seen.push(line);
        }
    }
    panic!("no event with {what:?}; saw:\n{}", seen.join("\n"));
}

#[test]
fn an_attached_dashboard_resets_a_closed_groups_offsets_and_refuses_a_live_one() {
    let Some(py) = env_or_skip("KAFKA_LAB_PYTHON", "attach reset") else {
        return;
    };
    let lab = LiveLab::start(5, 20, &[]);
    // 30 records read and committed one by one, then close(): LeaveGroup, the group is Empty.
    let mut read = std::process::Command::new(&py);
    read.args([
        script("commit_consumer.py"),
        lab.all_brokers(),
        "test".into(),
        "reset-g".into(),
        "commit".into(),
        "30".into(),
    ]);
    let out = run_bounded(read, "commit_consumer.py", Duration::from_secs(60));
    assert!(out.contains("OFFSETS "), "{out}");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = rt.enter();
    let (_task, ch) = start(AttachOptions {
        bootstrap: vec![lab.bootstrap()],
        security: ClientSecurity::plaintext(),
        interval: Duration::from_millis(300),
        allow_writes: true,
    });
    let before = wait_committed(&ch, "reset-g", Duration::from_secs(20), |c, starts| {
        let _ = starts;
        c.values().sum::<i64>() >= 30
    });

    ch.commands
        .send(Command::ResetOffsets {
            group: "reset-g".into(),
            topic: Some("test".into()),
            to: ResetTo::Earliest,
        })
        .expect("send");
    let line = wait_event(
        &ch,
        "this dashboard sent OffsetCommit: reset reset-g on test to earliest:",
        Duration::from_secs(10),
    );
    let after = wait_committed(&ch, "reset-g", Duration::from_secs(10), |c, starts| {
        !c.is_empty() && c == starts
    });
    assert_ne!(before, after, "{line}");
    for (p, offset) in &after {
        assert!(line.contains(&format!("p{p} {offset}")), "{line}");
    }

    // A member that stays: the reset is refused before anything is written.
    let mut live = std::process::Command::new(&py);
    live.args([
        script("group_consumer.py"),
        lab.all_brokers(),
        "test".into(),
        "reset-g".into(),
        "stays".into(),
    ]);
    let (_member, assigned) = spawn_streaming(live, "group_consumer.py");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !assigned
        .recv_timeout(Duration::from_millis(200))
        .is_ok_and(|l| l.starts_with("ASSIGNED test"))
    {
        assert!(Instant::now() < deadline, "the member never got partitions");
    }
    ch.commands
        .send(Command::ResetOffsets {
            group: "reset-g".into(),
            topic: None,
            to: ResetTo::Latest,
        })
        .expect("send");
    wait_event(
        &ch,
        "refused: Assignments can only be reset if the group 'reset-g' is inactive, but the current state is Stable.",
        Duration::from_secs(10),
    );
}
