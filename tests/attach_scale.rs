//! `kafka-lab attach` at scale: one poll cycle sends each broker a bounded number of requests
//! however many partitions and groups the cluster holds (ListOffsets, DescribeGroups and
//! OffsetFetch batched per broker), counted on the poller's connections against a lab served
//! in-process; and the seeded groups are what a real client sees after its consumers left:
//! Empty, with committed offsets and lag.

use kafka_lab::attach::bench::{Scale, poll_cycles, session, start_seeded};
use kafka_lab::cluster::types::BrokerId;
use kafka_lab::ui::bench_attach::requests_bound;
use std::collections::BTreeMap;

/// Requests per broker in one measured cycle, and the view it saw.
async fn requests_per_broker(
    scale: Scale,
) -> (BTreeMap<BrokerId, u64>, kafka_lab::attach::poll::View) {
    let dir = tempfile::tempdir().expect("temp dir");
    let lab = start_seeded(dir.path(), scale).await.expect("seeded lab");
    let mut s = session(&lab);
    let polled = poll_cycles(&mut s, 2).await;
    lab.stop().await.expect("clean stop");
    let (cycles, view) = polled.expect("two poll cycles");
    let mut most = BTreeMap::new();
    for c in &cycles {
        for (b, t) in &c.traffic {
            let e = most.entry(*b).or_insert(0);
            *e = t.requests.max(*e);
        }
    }
    (most, view)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_cycle_sends_each_broker_as_many_requests_at_1000_partitions_as_at_100() {
    let small = Scale {
        partitions: 100,
        groups: 30,
    };
    let large = Scale {
        partitions: 1_000,
        groups: 90,
    };
    let (few, small_view) = requests_per_broker(small).await;
    let (many, view) = requests_per_broker(large).await;
    assert_eq!(small_view.groups.len(), small.groups);
    assert_eq!(view.groups.len(), large.groups);
    assert_eq!(
        few.keys().collect::<Vec<_>>(),
        vec![&1, &2, &3],
        "every broker polled: {few:?}"
    );
    // Fewer than 100 groups a coordinator: each broker gets Metadata (one of them), ListOffsets
    // twice, ListGroups, one DescribeGroups and one OffsetFetch (the lab serves no
    // DescribeLogDirs), whatever the partitions and groups.
    for (counts, v) in [(&few, &small_view), (&many, &view)] {
        for (b, n) in counts {
            let groups = v.groups.iter().filter(|g| g.coordinator == *b).count();
            assert!(groups > 0, "broker {b} coordinates a group");
            assert!(
                *n <= requests_bound(groups),
                "broker {b}: {n} requests for {groups} groups"
            );
        }
        let mut per: Vec<u64> = counts.values().copied().collect();
        per.sort();
        assert_eq!(
            per,
            vec![5, 5, 6],
            "requests per broker per cycle: {counts:?}"
        );
    }
    assert_eq!(
        few, many,
        "ten times the partitions and groups, the same requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_groups_are_empty_with_committed_offsets_and_lag_as_a_client_sees_them() {
    let scale = Scale {
        partitions: 120,
        groups: 5,
    };
    let (_, view) = requests_per_broker(scale).await;
    let user: Vec<_> = view
        .partitions
        .iter()
        .filter(|p| !p.tp.topic.starts_with("__"))
        .collect();
    assert_eq!(user.len(), 120);
    // 50, 50 and 20 partitions: topic-002 is the short one.
    assert_eq!(
        user.iter().filter(|p| p.tp.topic == "topic-002").count(),
        20
    );
    assert!(
        user.iter().all(|p| p.high_watermark == Some(20)),
        "{user:?}"
    );
    for (g, group) in view.groups.iter().enumerate() {
        assert_eq!(group.group_id, format!("group-{g:03}"));
        assert_eq!(group.state, "Empty");
        assert!(group.members.is_empty());
        let want = if g % 3 == 2 { 20 } else { 50 };
        assert_eq!(group.committed.len(), want, "{}", group.group_id);
        assert!(group.committed.values().all(|o| *o == 10));
    }
}
