//! Lag over time in the lab's snapshot: one sample a simulated second per group, rising while
//! nobody reads, falling while a consumer catches up, bounded, and the same on a replay of the
//! seed (it is lab state, not the viewer's).

mod common;

use common::TestLab;
use kafka_lab::clients::spec::{ConsumerSpec, OffsetReset, ProducerSpec};
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::lab::lag_history::LAG_SAMPLES_MAX;

const GROUP: &str = "lag-group";

fn history(t: &TestLab) -> Vec<Option<i64>> {
    t.lab
        .snapshot()
        .cluster
        .groups
        .iter()
        .find(|g| g.group_id == GROUP)
        .map(|g| g.lag_history.clone())
        .unwrap_or_default()
}

/// A group that read `test`, then lost its consumer while a producer kept writing; then a new
/// consumer catches up. Returns the history at the end of each phase.
fn story(seed: u64) -> (Vec<Option<i64>>, Vec<Option<i64>>, String) {
    let mut t = TestLab::new(3, seed, |_| {});
    t.lab
        .create_topic(TopicSpec::new("test", 2, 3))
        .expect("topic");
    t.run_for(500);
    t.lab
        .spawn_producer(ProducerSpec::new("test", 50.0))
        .expect("producer");
    let mut spec = ConsumerSpec::new(GROUP, "test");
    spec.auto_offset_reset = OffsetReset::Earliest;
    let first = t.lab.spawn_consumer(spec.clone()).expect("consumer");
    t.run_for(10_000);
    t.lab.close_consumer(first).expect("close");
    // Nobody reads for 20 s: the lag grows with every record produced.
    t.run_for(20_000);
    let behind = history(&t);
    t.lab.spawn_consumer(spec).expect("second consumer");
    t.run_for(30_000);
    let after = history(&t);
    let json = serde_json::to_string(&t.lab.snapshot().cluster.groups).expect("json");
    (behind, after, json)
}

#[test]
fn lag_rises_while_nobody_reads_and_falls_as_a_consumer_catches_up() {
    let (behind, after, _) = story(5);
    assert!(behind.len() >= 25, "one sample a second: {behind:?}");
    let tail: Vec<i64> = behind.iter().rev().take(15).flatten().copied().collect();
    assert_eq!(
        tail.len(),
        15,
        "the committed offsets stay known: {behind:?}"
    );
    // Newest first: each second holds at least the lag of the one before, and it grew a lot.
    assert!(tail.windows(2).all(|w| w[0] >= w[1]), "{behind:?}");
    assert!(
        tail[0] >= tail[14] + 500,
        "50 records/s for 15 s: {behind:?}"
    );

    assert_eq!(
        after.len(),
        LAG_SAMPLES_MAX,
        "bounded to a minute: {after:?}"
    );
    let peak = after.iter().flatten().copied().max().expect("a peak");
    let last = after.last().copied().flatten().expect("a lag now");
    // Lag counts from the committed offset, so auto commit (every 5 s) leaves a saw tooth of at
    // most 5 s of records (250) once caught up, far below the 1,000-record backlog.
    assert!(peak >= 1_000, "{after:?}");
    assert!(last <= 300, "the new consumer caught up: {after:?}");
}

#[test]
fn the_history_replays_with_the_seed() {
    let (a, _, ja) = story(9);
    let (b, _, jb) = story(9);
    assert_eq!(a, b);
    assert_eq!(ja, jb);
}
