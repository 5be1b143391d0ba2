//! Helpers for the consumer-group tests on simulated time: a lab with topic `test`, acks=all
//! produces, and what a group's consumers own, saw and committed.

use super::TestLab;
use kafka_lab::clients::spec::{CommitMode, ConsumerSpec, OffsetReset};
use kafka_lab::cluster::lab::ProduceOutcome;
use kafka_lab::cluster::snapshot::GroupState;
use kafka_lab::cluster::topic::TopicSpec;
use kafka_lab::cluster::types::{Acks, ClientId, TopicPartition};
use kafka_lab::lab::Lab;
use kafka_lab::log::batch::encode_records;

/// The group every helper here talks about.
pub const GROUP: &str = "lab-group";

/// A 3-broker lab with topic `test` (RF 3) of `partitions`, settled.
pub fn lab_with_topic(partitions: i32, seed: u64) -> TestLab {
    let mut t = TestLab::new(3, seed, |_| {});
    t.lab
        .create_topic(TopicSpec::new("test", partitions, 3))
        .expect("topic");
    t.run_for(500);
    t
}

/// Produces `values` to `tp` with `acks=all` and waits for the acknowledgement.
pub fn produce(t: &mut TestLab, tp: &TopicPartition, values: &[String]) {
    let recs: Vec<_> = values
        .iter()
        .map(|v| (None, Some(bytes::Bytes::from(v.clone())), 0))
        .collect();
    let batch = encode_records(&recs, 0).expect("encode");
    let leader = t.lab.leader_of(tp).expect("leader");
    match t.lab.produce(leader, tp, &batch, Acks::All, 30_000) {
        ProduceOutcome::Pending(ticket) => {
            assert!(t.run_until(5_000, |l| !l.is_pending(ticket)));
            t.lab.take_completion(ticket).expect("done").expect("acked");
        }
        ProduceOutcome::Done(r) => {
            r.expect("acked");
        }
    }
}

/// A consumer of `test` in [`GROUP`], reading from the earliest offset.
pub fn consumer(client: &str, commit: CommitMode) -> ConsumerSpec {
    let mut c = ConsumerSpec::new(GROUP, "test");
    c.client_id = Some(client.into());
    c.commit_mode = commit;
    c.auto_offset_reset = OffsetReset::Earliest;
    c.session_timeout_ms = 10_000;
    c
}

/// The partitions a running consumer owns (none once stopped).
pub fn owned(lab: &Lab, id: ClientId) -> Vec<TopicPartition> {
    let c = lab.consumer(id).expect("consumer");
    if c.is_running() {
        c.assignment.clone()
    } else {
        Vec::new()
    }
}

/// [`GROUP`]'s state and generation.
pub fn group_state(lab: &Lab) -> Option<(GroupState, i32)> {
    let g = lab.group_coordinator().group(GROUP)?;
    Some((g.state, g.generation))
}

/// Offsets a consumer processed on `tp`, in processing order.
pub fn offsets_seen(lab: &Lab, id: ClientId, tp: &TopicPartition) -> Vec<i64> {
    lab.consumer(id)
        .expect("consumer")
        .history
        .iter()
        .filter(|r| &r.tp == tp)
        .map(|r| r.offset)
        .collect()
}

/// `message-i` for each i.
pub fn values(n: std::ops::Range<usize>) -> Vec<String> {
    n.map(|i| format!("message-{i}")).collect()
}
