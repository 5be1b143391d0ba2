//! Resetting a group's offsets on the lab (`kafka-consumer-groups.sh --reset-offsets`, key `o`):
//! refused while the group has members, in Kafka's words; once its consumers are closed, a reset
//! to earliest makes a new member read from the start, named on the timeline; latest and a time
//! land where ListOffsets says. Simulated time, deterministic under the seed.

mod common;

use common::{TestLab, tp};
use kafka_lab::clients::spec::{
    CommitMode, ConsumerSpec, GroupProtocol, OffsetReset, Partitioner, ProducerSpec,
};
use kafka_lab::cluster::event::{EventKind, NoteText};
use kafka_lab::cluster::group::reset::ResetTo;
use kafka_lab::cluster::snapshot::GroupState;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::ClientId;
use kafka_lab::lab::Lab;
use kafka_lab::lab::command::{Command, CommandError};

const GROUP: &str = "lab-group";

/// A lab with `test` (2 partitions) holding records produced over 3 s, read and committed by
/// two consumers of `protocol`.
fn lab_with_readers(protocol: GroupProtocol) -> (TestLab, Vec<ClientId>) {
    let mut t = TestLab::new(3, 11, |_| {});
    t.lab
        .create_topic(TopicSpec::new("test", 2, 3))
        .expect("topic");
    t.run_for(500);
    let mut spec = ProducerSpec::new("test", 40.0);
    spec.partitioner = Partitioner::RoundRobin;
    let p = t.lab.spawn_producer(spec).expect("producer");
    t.run_for(3_000);
    t.lab.stop_producer(p).expect("stop");
    t.run_for(1_000);
    let consumers: Vec<ClientId> = ["consumer-A", "consumer-B"]
        .into_iter()
        .map(|name| {
            let mut c = reader(name, protocol);
            c.auto_offset_reset = OffsetReset::Earliest;
            t.lab.spawn_consumer(c).expect("consumer")
        })
        .collect();
    let caught_up = |l: &Lab| {
        (0..2).all(|p| {
            let tp = tp("test", p);
            let hw = l.high_watermark(&tp).unwrap_or(-1);
            hw > 0 && committed(l, p) == Some(hw)
        })
    };
    assert!(
        t.run_until(30_000, caught_up),
        "the group read everything: HW {:?}, committed {:?}",
        (0..2)
            .map(|p| t.lab.high_watermark(&tp("test", p)))
            .collect::<Vec<_>>(),
        (0..2).map(|p| committed(&t.lab, p)).collect::<Vec<_>>()
    );
    (t, consumers)
}

/// A consumer committing every record; `auto.offset.reset=latest` unless the caller says.
fn reader(name: &str, protocol: GroupProtocol) -> ConsumerSpec {
    let mut c = ConsumerSpec::new(GROUP, "test");
    c.client_id = Some(name.into());
    c.commit_mode = CommitMode::EveryRecords { records: 1 };
    c.auto_offset_reset = OffsetReset::Latest;
    c.group_protocol = protocol;
    if protocol == GroupProtocol::Classic {
        c.session_timeout_ms = 10_000;
    }
    c
}

fn committed(lab: &Lab, partition: i32) -> Option<i64> {
    lab.group_coordinator()
        .group(GROUP)
        .and_then(|g| g.committed.get(&tp("test", partition)))
        .map(|c| c.offset)
}

fn state(lab: &Lab) -> GroupState {
    lab.group_coordinator()
        .group(GROUP)
        .map_or(GroupState::Dead, |g| g.state)
}

fn reset(to: ResetTo) -> Command {
    Command::ResetOffsets {
        group: GROUP.into(),
        topic: Some("test".into()),
        to,
    }
}

/// Closes the group's consumers (LeaveGroup) and waits for it to be Empty.
fn close_all(t: &mut TestLab, consumers: &[ClientId]) {
    for c in consumers {
        t.lab.close_consumer(*c).expect("close");
    }
    assert!(t.run_until(15_000, |l| state(l) == GroupState::Empty));
}

fn refused_while_live_then_reset_to_earliest_rereads(protocol: GroupProtocol) {
    let (mut t, consumers) = lab_with_readers(protocol);
    let live = state(&t.lab);
    let before = (committed(&t.lab, 0), committed(&t.lab, 1));
    let e = t
        .lab
        .apply(reset(ResetTo::Earliest))
        .expect_err("live group");
    assert_eq!(
        e,
        CommandError::GroupNotInactive {
            group: GROUP.into(),
            state: live.to_string()
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "Assignments can only be reset if the group 'lab-group' is inactive, but the current state is {live}."
        )
    );
    t.run_for(1_000);
    assert_eq!((committed(&t.lab, 0), committed(&t.lab, 1)), before);

    close_all(&mut t, &consumers);
    t.lab.apply(reset(ResetTo::Earliest)).expect("empty group");
    assert!(t.run_until(5_000, |l| committed(l, 0) == Some(0)
        && committed(l, 1) == Some(0)));
    let named = t.events_where(|k| {
        matches!(k, EventKind::Note { text: NoteText::OffsetsReset(r) }
            if r.to_string() == "reset lab-group on test to earliest: p0 0, p1 0")
    });
    assert_eq!(named.len(), 1, "the reset is named on the timeline");

    // A new member (auto.offset.reset=latest, so only the committed offset sends it back) reads
    // every partition from offset 0 again.
    let again = t
        .lab
        .spawn_consumer(reader("consumer-C", protocol))
        .expect("consumer");
    assert!(t.run_until(20_000, |l| {
        let c = l.consumer(again).expect("consumer");
        (0..2).all(|p| {
            c.history
                .iter()
                .any(|r| r.tp == tp("test", p) && r.offset == 0)
        })
    }));
}

#[test]
fn a_classic_group_is_refused_while_stable_and_rereads_from_0_after_a_reset() {
    refused_while_live_then_reset_to_earliest_rereads(GroupProtocol::Classic);
}

#[test]
fn a_kip848_group_is_refused_while_it_has_members_and_rereads_from_0_after_a_reset() {
    refused_while_live_then_reset_to_earliest_rereads(GroupProtocol::Consumer);
}

#[test]
fn latest_is_the_high_watermark_and_a_time_is_the_first_record_at_or_after_it() {
    let (mut t, consumers) = lab_with_readers(GroupProtocol::Classic);
    close_all(&mut t, &consumers);
    t.lab.apply(reset(ResetTo::Earliest)).expect("earliest");
    assert!(t.run_until(5_000, |l| committed(l, 0) == Some(0)));
    t.lab.apply(reset(ResetTo::Latest)).expect("latest");
    let hw = |l: &Lab, p| l.high_watermark(&tp("test", p));
    assert!(t.run_until(5_000, |l| {
        committed(l, 0) == hw(l, 0) && committed(l, 1) == hw(l, 1)
    }));

    // The producer ran from t=500 ms to t=3500 ms, stamping each record with its simulated
    // time: 2000 ms falls inside every partition's log.
    let at_ms = 2_000;
    t.lab.apply(reset(ResetTo::Timestamp(at_ms))).expect("time");
    assert!(t.run_until(5_000, |l| committed(l, 0) != hw(l, 0)));
    for p in 0..2 {
        let tp = tp("test", p);
        let offset = committed(&t.lab, p).expect("committed");
        let leader = t.lab.leader_of(&tp).expect("leader");
        let log = t.lab.replica_log(leader, &tp).expect("log");
        let records = log.read_records(0, 1 << 20, i64::MAX).expect("read");
        let at = records.iter().find(|r| r.offset == offset).expect("record");
        assert!(at.timestamp >= at_ms, "{tp}: {offset} at {}", at.timestamp);
        if let Some(before) = records.iter().find(|r| r.offset == offset - 1) {
            assert!(
                before.timestamp < at_ms,
                "{tp}: {} before",
                before.timestamp
            );
        }
    }

    // A time after every record: the latest offset, as Kafka's tool falls back to.
    t.lab
        .apply(reset(ResetTo::Ago(-3_600_000)))
        .expect("future");
    assert!(t.run_until(5_000, |l| {
        committed(l, 0) == hw(l, 0) && committed(l, 1) == hw(l, 1)
    }));
}

#[test]
fn all_topics_resets_what_the_group_committed_and_nothing_committed_is_refused() {
    let (mut t, consumers) = lab_with_readers(GroupProtocol::Classic);
    close_all(&mut t, &consumers);
    let all = Command::ResetOffsets {
        group: GROUP.into(),
        topic: None,
        to: ResetTo::Earliest,
    };
    t.lab.apply(all).expect("all topics");
    assert!(t.run_until(5_000, |l| committed(l, 0) == Some(0)
        && committed(l, 1) == Some(0)));
    let nobody = Command::ResetOffsets {
        group: "never-committed".into(),
        topic: None,
        to: ResetTo::Earliest,
    };
    assert_eq!(
        t.lab.apply(nobody),
        Err(CommandError::NothingToReset("never-committed".into()))
    );
    let no_topic = Command::ResetOffsets {
        group: GROUP.into(),
        topic: Some("nope".into()),
        to: ResetTo::Latest,
    };
    assert_eq!(
        t.lab.apply(no_topic),
        Err(CommandError::NoTopic("nope".into()))
    );
}
