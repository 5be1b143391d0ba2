//! Produce: batches from the request are appended as-is by the leader through `Cluster::produce`,
//! which runs the idempotent producer's sequence check; `acks=all` waits for the ISR.

use super::host::{Ctx, Outcome, Waiting, WireHost, deadline_in};
use super::metadata::topic_name;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::{Cluster, ProduceOutcome};
use crate::cluster::produce::OffsetSpec;
use crate::cluster::types::{Acks, BrokerId, TopicPartition};
use crate::log::batch::split_valid;
use kafka_protocol::messages::ProduceRequest;
use kafka_protocol::messages::produce_response::{
    PartitionProduceResponse, ProduceResponse, TopicProduceResponse,
};

/// Kafka's INVALID_REQUIRED_ACKS.
const INVALID_REQUIRED_ACKS: i16 = 21;

#[derive(Clone)]
enum Slot {
    Ready(i16, i64),
    Ticket { ticket: u64, records: u64 },
}

#[derive(Clone)]
struct PartSlot {
    tp: TopicPartition,
    slot: Slot,
}

/// An acks=all produce waiting for its partitions.
#[derive(Clone)]
pub struct PendingProduce {
    broker: BrokerId,
    client_id: String,
    acks: Acks,
    parts: Vec<PartSlot>,
}

/// Handles a Produce request.
pub fn produce(
    host: &mut WireHost,
    cluster: &mut Cluster,
    ctx: &Ctx,
    req: ProduceRequest,
) -> Outcome {
    let Some(acks) = Acks::from_i16(req.acks) else {
        let parts: Vec<PartSlot> = req
            .topic_data
            .iter()
            .flat_map(|t| {
                t.partition_data.iter().map(|p| PartSlot {
                    tp: TopicPartition::new(t.name.0.to_string(), p.index),
                    slot: Slot::Ready(INVALID_REQUIRED_ACKS, -1),
                })
            })
            .collect();
        return Outcome::Done(response(cluster, ctx.broker, &parts).into());
    };
    let timeout_ms = i64::from(req.timeout_ms.max(0));
    let mut parts = Vec::new();
    for t in &req.topic_data {
        let topic = t.name.0.to_string();
        for p in &t.partition_data {
            let tp = TopicPartition::new(topic.clone(), p.index);
            let slot = produce_partition(
                host,
                cluster,
                ctx,
                &tp,
                p.records.as_deref(),
                acks,
                timeout_ms,
            );
            parts.push(PartSlot { tp, slot });
        }
    }
    let mut pending = PendingProduce {
        broker: ctx.broker,
        client_id: ctx.client_id.clone(),
        acks,
        parts,
    };
    if acks == Acks::None {
        return Outcome::Nothing;
    }
    match poll(host, cluster, &mut pending, false) {
        Some(r) => Outcome::Done(r.into()),
        None => Outcome::Park(
            Waiting::Produce(pending),
            deadline_in(cluster, timeout_ms + 1_000),
        ),
    }
}

fn produce_partition(
    host: &mut WireHost,
    cluster: &mut Cluster,
    ctx: &Ctx,
    tp: &TopicPartition,
    records: Option<&[u8]>,
    acks: Acks,
    timeout_ms: i64,
) -> Slot {
    if cluster.topic(&tp.topic).is_none() || cluster.partition(tp).is_none() {
        return Slot::Ready(KafkaError::UnknownTopicOrPartition.code(), -1);
    }
    if cluster.leader_of(tp) != Some(ctx.broker) {
        return Slot::Ready(KafkaError::NotLeaderOrFollower.code(), -1);
    }
    let bytes = records.unwrap_or_default();
    // Kafka checks the size first: a batch too large is MESSAGE_TOO_LARGE, never CORRUPT_MESSAGE.
    if cluster.batch_too_large(&tp.topic, bytes) {
        return Slot::Ready(KafkaError::MessageTooLarge.code(), -1);
    }
    let (batches, problem) = split_valid(bytes);
    if problem.is_some() || batches.is_empty() {
        return Slot::Ready(KafkaError::CorruptMessage.code(), -1);
    }
    let count: u64 = batches
        .iter()
        .map(|(_, h)| h.record_count.max(0) as u64)
        .sum();
    let client = if ctx.client_id.is_empty() {
        "wire-producer"
    } else {
        &ctx.client_id
    };
    host.clients
        .note_produce(cluster, client, &tp.topic, acks, count, None);
    host.clients
        .note_producer_id(client, batches[0].1.producer_id);
    // The cluster runs the idempotent producer's sequence check: one rule for every producer.
    let outcome = cluster.produce(ctx.broker, tp, bytes, acks, timeout_ms);
    match outcome {
        ProduceOutcome::Done(Ok(a)) => {
            host.clients
                .note_produce(cluster, client, &tp.topic, acks, count, Some(true));
            Slot::Ready(0, a.base_offset)
        }
        ProduceOutcome::Done(Err(e)) => {
            host.clients
                .note_produce(cluster, client, &tp.topic, acks, count, Some(false));
            Slot::Ready(e.code(), -1)
        }
        ProduceOutcome::Pending(ticket) => Slot::Ticket {
            ticket,
            records: count,
        },
    }
}

/// Re-checks a waiting produce; the response once every partition has its answer.
pub fn poll(
    host: &mut WireHost,
    cluster: &mut Cluster,
    p: &mut PendingProduce,
    timed_out: bool,
) -> Option<ProduceResponse> {
    let client = if p.client_id.is_empty() {
        "wire-producer".to_string()
    } else {
        p.client_id.clone()
    };
    for part in &mut p.parts {
        match part.slot {
            Slot::Ready(..) => {}
            Slot::Ticket { ticket, records } => match cluster.take_completion(ticket) {
                Some(Ok(a)) => {
                    host.clients.note_produce(
                        cluster,
                        &client,
                        &part.tp.topic,
                        p.acks,
                        records,
                        Some(true),
                    );
                    part.slot = Slot::Ready(0, a.base_offset);
                }
                Some(Err(e)) => {
                    host.clients.note_produce(
                        cluster,
                        &client,
                        &part.tp.topic,
                        p.acks,
                        records,
                        Some(false),
                    );
                    part.slot = Slot::Ready(e.code(), -1);
                }
                None if timed_out => {
                    part.slot = Slot::Ready(KafkaError::RequestTimedOut.code(), -1);
                }
                None => {}
            },
        }
    }
    if p.parts.iter().all(|x| matches!(x.slot, Slot::Ready(..))) {
        Some(response(cluster, p.broker, &p.parts))
    } else {
        None
    }
}

/// Drops the tickets of a produce whose client went away.
pub fn forget(cluster: &mut Cluster, p: &PendingProduce) {
    for part in &p.parts {
        if let Slot::Ticket { ticket, .. } = part.slot {
            cluster.forget_ticket(ticket);
        }
    }
}

fn response(cluster: &Cluster, broker: BrokerId, parts: &[PartSlot]) -> ProduceResponse {
    let mut topics: Vec<TopicProduceResponse> = Vec::new();
    for part in parts {
        let (code, base) = match part.slot {
            Slot::Ready(c, b) => (c, b),
            _ => (KafkaError::RequestTimedOut.code(), -1),
        };
        let start = if code == 0 {
            cluster
                .list_offset(broker, &part.tp, OffsetSpec::Earliest)
                .unwrap_or(-1)
        } else {
            -1
        };
        let pr = PartitionProduceResponse::default()
            .with_index(part.tp.partition)
            .with_error_code(code)
            .with_base_offset(base)
            .with_log_append_time_ms(-1)
            .with_log_start_offset(start);
        match topics
            .iter_mut()
            .find(|t| t.name.0.as_str() == part.tp.topic)
        {
            Some(t) => t.partition_responses.push(pr),
            None => topics.push(
                TopicProduceResponse::default()
                    .with_name(topic_name(&part.tp.topic))
                    .with_partition_responses(vec![pr]),
            ),
        }
    }
    ProduceResponse::default().with_responses(topics)
}
