//! Committed offsets on simulated time: kept in `__consumer_offsets` through a coordinator
//! failover, with their metadata, what `auto.offset.reset=none` says when there is none or it is
//! out of range, and lag, unknown until the group commits.

mod common;

use common::groups::*;
use common::{TestLab, tp};
use kafka_lab::clients::spec::{CommitMode, OffsetReset};
use kafka_lab::cluster::event::EventKind;
use kafka_lab::cluster::group::OffsetAndMetadata;
use kafka_lab::cluster::snapshot::GroupState;

#[test]
fn coordinator_failover_reloads_committed_offsets_from_the_log() {
    let mut t = lab_with_topic(1, 8);
    produce(&mut t, &tp("test", 0), &values(0..10));
    let c = t
        .lab
        .spawn_consumer(consumer(
            "committer",
            CommitMode::EveryRecords { records: 1 },
        ))
        .unwrap();
    assert!(t.run_until(15_000, |l| l.consumer(c).unwrap().consumed == 10));
    t.run_for(500);
    let coordinator = t.lab.coordinator_for(GROUP).unwrap();
    t.lab.kill_broker(coordinator).unwrap();
    assert!(t.run_until(30_000, |l| {
        l.coordinator_for(GROUP).is_ok_and(|b| b != coordinator)
    }));
    assert!(
        !t.events_where(|k| matches!(
            k,
            EventKind::CoordinatorMoved {
                broker: Some(_),
                ..
            }
        ))
        .is_empty()
    );
    let g = t.lab.group_coordinator().group(GROUP).unwrap();
    assert_eq!(
        g.committed.get(&tp("test", 0)).map(|c| c.offset),
        Some(10),
        "reloaded from the new leader's log"
    );
    // The consumer carries on with the new coordinator.
    produce(&mut t, &tp("test", 0), &values(10..15));
    assert!(t.run_until(20_000, |l| l.consumer(c).unwrap().consumed == 15));
}

#[test]
fn commit_metadata_is_kept_with_the_offset_and_survives_a_coordinator_move() {
    let mut t = lab_with_topic(1, 9);
    produce(&mut t, &tp("test", 0), &values(0..3));
    let group = "metadata-keepers";
    let coordinator = t.lab.coordinator_for(group).unwrap();
    let commit = |offset: i64, metadata: &str| {
        vec![(
            tp("test", 0),
            OffsetAndMetadata {
                offset,
                metadata: metadata.to_string(),
            },
        )]
    };
    t.lab
        .commit_offsets(coordinator, group, None, -1, &commit(2, "checkpoint-a"))
        .unwrap();
    t.run_for(500);
    let read = |t: &TestLab, b| t.lab.committed_offset(b, group, &tp("test", 0)).unwrap();
    assert_eq!(
        read(&t, coordinator),
        Some(OffsetAndMetadata {
            offset: 2,
            metadata: "checkpoint-a".into()
        })
    );
    // A later commit without metadata clears it, as in Kafka (the whole value is replaced).
    t.lab
        .commit_offsets(coordinator, group, None, -1, &commit(3, ""))
        .unwrap();
    t.run_for(500);
    assert_eq!(read(&t, coordinator), Some(OffsetAndMetadata::new(3)));
    t.lab
        .commit_offsets(coordinator, group, None, -1, &commit(3, "checkpoint-b"))
        .unwrap();
    t.run_for(500);
    t.lab.kill_broker(coordinator).unwrap();
    assert!(t.run_until(30_000, |l| {
        l.coordinator_for(group).is_ok_and(|b| b != coordinator)
    }));
    let moved = t.lab.coordinator_for(group).unwrap();
    assert_eq!(
        read(&t, moved),
        Some(OffsetAndMetadata {
            offset: 3,
            metadata: "checkpoint-b".into()
        }),
        "reloaded with its metadata from the new leader's log"
    );
}

/// The notes a consumer left when `auto.offset.reset=none` stopped it.
fn reset_none_notes(t: &TestLab) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Note { text } if text.to_string().contains("auto.offset.reset=none") => {
                Some(text.to_string())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn reset_none_on_an_out_of_range_committed_offset_reports_offset_out_of_range() {
    let mut t = lab_with_topic(1, 11);
    let p = tp("test", 0);
    produce(&mut t, &p, &["a".into(), "b".into()]);
    // A committed offset past the log's end (the log was truncated or deleted under it).
    let coord = t.lab.coordinator_for(GROUP).expect("coordinator");
    t.lab
        .commit_offsets(
            coord,
            GROUP,
            None,
            -1,
            &[(p.clone(), OffsetAndMetadata::new(1_000))],
        )
        .expect("commit accepted");
    t.run_for(500);
    let mut spec = consumer("strict", CommitMode::Auto { interval_ms: 1_000 });
    spec.auto_offset_reset = OffsetReset::None;
    let id = t.lab.spawn_consumer(spec).expect("consumer");
    t.run_for(10_000);
    let notes = reset_none_notes(&t);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("OFFSET_OUT_OF_RANGE") && n.contains("1000")),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.contains("NO_OFFSET_FOR_PARTITION")));
    assert!(!t.lab.consumer(id).expect("consumer").is_running());
}

#[test]
fn reset_none_with_nothing_committed_reports_no_offset_for_partition() {
    let mut t = lab_with_topic(1, 12);
    let mut spec = consumer("strict", CommitMode::Auto { interval_ms: 1_000 });
    spec.auto_offset_reset = OffsetReset::None;
    t.lab.spawn_consumer(spec).expect("consumer");
    t.run_for(10_000);
    let notes = reset_none_notes(&t);
    assert!(
        notes.iter().any(|n| n.contains("NO_OFFSET_FOR_PARTITION")),
        "{notes:?}"
    );
}

#[test]
fn lag_is_unknown_until_the_group_commits() {
    let mut t = lab_with_topic(1, 13);
    let p = tp("test", 0);
    produce(&mut t, &p, &["a".into(), "b".into(), "c".into()]);
    let mut spec = consumer("slow", CommitMode::Auto { interval_ms: 1_000 });
    spec.auto_offset_reset = OffsetReset::Latest;
    t.lab.spawn_consumer(spec).expect("consumer");
    // Joined, nothing committed yet: kafka-consumer-groups.sh shows "-", not HW - log start.
    assert!(t.run_until(10_000, |l| {
        let s = l.snapshot();
        s.groups
            .iter()
            .any(|g| g.group_id == GROUP && g.state == GroupState::Stable)
    }));
    let s = t.lab.snapshot();
    let gp = s.groups[0].partitions.iter().find(|x| x.tp == p).unwrap();
    assert_eq!((gp.committed, gp.lag), (None, None));
    // Once committed, lag is HW - committed.
    assert!(t.run_until(10_000, |l| {
        l.snapshot().groups[0]
            .partitions
            .iter()
            .any(|x| x.tp == p && x.committed.is_some())
    }));
    let s = t.lab.snapshot();
    let gp = s.groups[0].partitions.iter().find(|x| x.tp == p).unwrap();
    assert_eq!(gp.lag, Some(gp.high_watermark - gp.committed.unwrap()));
}
