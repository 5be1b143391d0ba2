//! The source article's experiment 2 told with real clients: two members of one group split
//! `test`, one is SIGKILLed, the survivor takes its partition only after the session timeout and
//! goes on from the last commit; then, optionally, the survivor is killed too and a restarted
//! member resumes from its commits. Each client (Java, confluent-kafka, ...) runs a member program
//! printing `ASSIGNED test-0,test-1` and `RECORD p offset value` lines; this file tells the story
//! once for all of them.

use super::live_lab::Proc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A member process and its stdout lines.
pub type Spawned = (Proc, mpsc::Receiver<String>);

/// What a member printed: its newest `ASSIGNED` line and its `RECORD p offset` lines.
#[derive(Default, Debug)]
pub struct Member {
    /// Every line so far.
    pub lines: Vec<String>,
    /// The newest `ASSIGNED` line's partitions (`test-0,test-1`).
    pub assigned: Option<String>,
}

impl Member {
    /// Reads lines until `done` holds; panics with what it saw after `timeout`.
    pub fn wait(
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

    /// Reads whatever else arrives within `quiet` of the last line (after the process died; its
    /// closed stdout ends the wait at once).
    pub fn drain(&mut self, rx: &mpsc::Receiver<String>, quiet: Duration) {
        while let Ok(l) = rx.recv_timeout(quiet) {
            self.lines.push(l);
        }
    }

    /// (partition, offset) of the `RECORD` lines from line `from` on.
    pub fn records_from(&self, from: usize) -> Vec<(i32, i64)> {
        self.lines[from.min(self.lines.len())..]
            .iter()
            .filter_map(|l| {
                let mut w = l.strip_prefix("RECORD ")?.split_whitespace();
                Some((w.next()?.parse().ok()?, w.next()?.parse().ok()?))
            })
            .collect()
    }

    /// The first offset of partition `p` read from line `from` on.
    pub fn first_from(&self, p: i32, from: usize) -> Option<i64> {
        self.records_from(from)
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, o)| *o)
    }

    /// The last offset of partition `p` read at all.
    pub fn last(&self, p: i32) -> Option<i64> {
        self.records_from(0)
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, o)| *o)
            .max()
    }
}

/// How a story is told.
pub struct Story {
    /// The takeover must not come sooner than this after a kill (just under the session timeout).
    pub session_floor: Duration,
    /// Kill the survivor too, and check that a restarted member resumes from its commits.
    pub restart: bool,
}

/// SIGKILLs a member: no LeaveGroup, no leave heartbeat.
fn kill(proc: &mut Proc) -> Instant {
    let at = Instant::now();
    let _ = proc.0.kill();
    let _ = proc.0.wait();
    at
}

/// Tells the story with members started by `spawn`; panics at the first thing that goes wrong.
pub fn kill_member_survivor_takes_over(spawn: impl Fn() -> Spawned, story: Story) {
    let (mut a_proc, rx_a) = spawn();
    let mut a = Member::default();
    let both = |m: &Member| m.assigned.as_deref() == Some("test-0,test-1");
    a.wait(
        &rx_a,
        "A owns both partitions",
        Duration::from_secs(40),
        both,
    );
    let (mut b_proc, rx_b) = spawn();
    let mut b = Member::default();
    // B's join rebalances the group: one partition each.
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
    // A reads (and auto-commits) its partition for a while.
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
    let killed_at = kill(&mut a_proc);
    // Everything A printed: it commits only records it already printed.
    a.drain(&rx_a, Duration::from_secs(5));
    let a_last = a.last(a_p).expect("A read its partition");
    let before_takeover = b.lines.len();
    b.wait(
        &rx_b,
        "B owns both partitions",
        Duration::from_secs(40),
        both,
    );
    let took = killed_at.elapsed();
    assert!(
        took >= story.session_floor,
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
    let first = b.first_from(a_p, takeover).expect("a record");
    assert!(
        first > 0 && first <= a_last + 1,
        "B started {a_part} at offset {first}; A had read up to {a_last}\nA: {:?}\nB: {:?}",
        a.lines,
        &b.lines[before_takeover..]
    );
    if !story.restart {
        return;
    }
    // B reads on for a while, then is SIGKILLed too; a restarted member resumes from its commits.
    let before = b.lines.len();
    b.wait(&rx_b, "B reads more", Duration::from_secs(30), |m| {
        m.records_from(before).len() >= 30
    });
    let b_killed = kill(&mut b_proc);
    b.drain(&rx_b, Duration::from_secs(2));
    let (_c_proc, rx_c) = spawn();
    let mut c = Member::default();
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
        b_killed.elapsed() >= story.session_floor,
        "C read both partitions {:?} after B died",
        b_killed.elapsed()
    );
    for p in [0, 1] {
        let last = b.last(p).expect("B read both partitions");
        let first = c.first_from(p, 0).expect("a record");
        assert!(
            first > 0 && first <= last + 1,
            "the restarted member began test-{p} at {first}; B had read up to {last}: {:?}",
            c.lines
        );
    }
}
