//! The transaction APIs over the wire: InitProducerId with a `transactional.id`,
//! AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn. Each is answered once the
//! coordinator's change is replicated, so the requests park until then.

use super::host::{Ctx, Outcome, Waiting, deadline_in};
use super::metadata::topic_name;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::txn::{DEFAULT_TRANSACTION_TIMEOUT_MS, TxnOutcome, TxnReply};
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::add_partitions_to_txn_response::{
    AddPartitionsToTxnPartitionResult, AddPartitionsToTxnResponse, AddPartitionsToTxnTopicResult,
};
use kafka_protocol::messages::txn_offset_commit_response::{
    TxnOffsetCommitResponse, TxnOffsetCommitResponsePartition, TxnOffsetCommitResponseTopic,
};
use kafka_protocol::messages::{
    AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, AddPartitionsToTxnRequest, EndTxnRequest,
    EndTxnResponse, InitProducerIdRequest, InitProducerIdResponse, ProducerId, ResponseKind,
    TxnOffsetCommitRequest,
};

/// How long a transactional request may wait for its change to replicate before it is answered
/// REQUEST_TIMED_OUT (the client retries).
const TXN_WAIT_MS: i64 = 30_000;

/// Which response a parked transactional request gets.
#[derive(Clone)]
pub enum TxnKind {
    /// InitProducerIdResponse.
    InitProducerId,
    /// AddPartitionsToTxnResponse, one result per requested partition.
    AddPartitions(Vec<TopicPartition>),
    /// AddOffsetsToTxnResponse.
    AddOffsets,
    /// TxnOffsetCommitResponse, one result per committed partition.
    OffsetCommit(Vec<TopicPartition>),
    /// EndTxnResponse.
    EndTxn,
}

/// A transactional request waiting for its coordinator's answer.
#[derive(Clone)]
pub struct PendingTxn {
    ticket: u64,
    kind: TxnKind,
}

impl PendingTxn {
    /// The coordinator's ticket for the answer.
    pub fn ticket(&self) -> u64 {
        self.ticket
    }
}

/// The response of `kind` for `result`.
fn respond(kind: &TxnKind, result: Result<TxnReply, KafkaError>) -> ResponseKind {
    let code = result.as_ref().err().map_or(0, |e| e.code());
    match kind {
        TxnKind::InitProducerId => {
            let (id, epoch) = match result {
                Ok(TxnReply::Producer {
                    producer_id,
                    producer_epoch,
                }) => (producer_id, producer_epoch),
                _ => (-1, -1),
            };
            InitProducerIdResponse::default()
                .with_error_code(code)
                .with_producer_id(ProducerId(id))
                .with_producer_epoch(epoch)
                .into()
        }
        TxnKind::AddPartitions(tps) => {
            let mut topics: Vec<AddPartitionsToTxnTopicResult> = Vec::new();
            for tp in tps {
                let r = AddPartitionsToTxnPartitionResult::default()
                    .with_partition_index(tp.partition)
                    .with_partition_error_code(code);
                match topics.iter_mut().find(|t| t.name.0.as_str() == tp.topic) {
                    Some(t) => t.results_by_partition.push(r),
                    None => topics.push(
                        AddPartitionsToTxnTopicResult::default()
                            .with_name(topic_name(&tp.topic))
                            .with_results_by_partition(vec![r]),
                    ),
                }
            }
            AddPartitionsToTxnResponse::default()
                .with_results_by_topic_v3_and_below(topics)
                .into()
        }
        TxnKind::AddOffsets => AddOffsetsToTxnResponse::default()
            .with_error_code(code)
            .into(),
        TxnKind::OffsetCommit(tps) => {
            let mut topics: Vec<TxnOffsetCommitResponseTopic> = Vec::new();
            for tp in tps {
                let r = TxnOffsetCommitResponsePartition::default()
                    .with_partition_index(tp.partition)
                    .with_error_code(code);
                match topics.iter_mut().find(|t| t.name.0.as_str() == tp.topic) {
                    Some(t) => t.partitions.push(r),
                    None => topics.push(
                        TxnOffsetCommitResponseTopic::default()
                            .with_name(topic_name(&tp.topic))
                            .with_partitions(vec![r]),
                    ),
                }
            }
            TxnOffsetCommitResponse::default()
                .with_topics(topics)
                .into()
        }
        TxnKind::EndTxn => EndTxnResponse::default()
            .with_error_code(code)
            .with_producer_id(ProducerId(-1))
            .with_producer_epoch(-1)
            .into(),
    }
}

fn outcome(cluster: &Cluster, kind: TxnKind, o: TxnOutcome) -> Outcome {
    match o {
        TxnOutcome::Done(r) => Outcome::Done(respond(&kind, r)),
        TxnOutcome::Pending(ticket) => Outcome::Park(
            Waiting::Txn(PendingTxn { ticket, kind }),
            deadline_in(cluster, TXN_WAIT_MS),
        ),
    }
}

/// InitProducerId with a `transactional.id`.
pub fn init_producer_id(cluster: &mut Cluster, ctx: &Ctx, r: &InitProducerIdRequest) -> Outcome {
    let tid = r
        .transactional_id
        .as_ref()
        .map(|t| t.0.to_string())
        .unwrap_or_default();
    let timeout = if r.transaction_timeout_ms > 0 {
        r.transaction_timeout_ms
    } else {
        DEFAULT_TRANSACTION_TIMEOUT_MS
    };
    let current = (r.producer_id.0 >= 0).then_some((r.producer_id.0, r.producer_epoch));
    let o = cluster.init_transactional_producer(ctx.broker, &tid, timeout, current);
    outcome(cluster, TxnKind::InitProducerId, o)
}

/// AddPartitionsToTxn (versions 0–3: one transaction per request, from a client).
pub fn add_partitions(cluster: &mut Cluster, ctx: &Ctx, r: &AddPartitionsToTxnRequest) -> Outcome {
    let tid = r.v3_and_below_transactional_id.0.to_string();
    let tps: Vec<TopicPartition> = r
        .v3_and_below_topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(|p| TopicPartition::new(t.name.0.to_string(), *p))
        })
        .collect();
    let producer = (r.v3_and_below_producer_id.0, r.v3_and_below_producer_epoch);
    let o = cluster.add_partitions_to_txn(ctx.broker, &tid, producer, &tps);
    outcome(cluster, TxnKind::AddPartitions(tps), o)
}

/// AddOffsetsToTxn.
pub fn add_offsets(cluster: &mut Cluster, ctx: &Ctx, r: &AddOffsetsToTxnRequest) -> Outcome {
    let o = cluster.add_offsets_to_txn(
        ctx.broker,
        r.transactional_id.0.as_str(),
        (r.producer_id.0, r.producer_epoch),
        r.group_id.0.as_str(),
    );
    outcome(cluster, TxnKind::AddOffsets, o)
}

/// TxnOffsetCommit, sent to the group's coordinator.
pub fn offset_commit(cluster: &mut Cluster, ctx: &Ctx, r: &TxnOffsetCommitRequest) -> Outcome {
    let offsets = super::offset_commit::decode_commits(
        r.topics
            .iter()
            .map(|t| (t.name.0.as_str(), t.partitions.as_slice())),
    );
    let tps: Vec<TopicPartition> = offsets.iter().map(|(tp, _)| tp.clone()).collect();
    let o = cluster.txn_offset_commit(
        ctx.broker,
        r.group_id.0.as_str(),
        r.transactional_id.0.as_str(),
        (r.producer_id.0, r.producer_epoch),
        &offsets,
    );
    outcome(cluster, TxnKind::OffsetCommit(tps), o)
}

/// EndTxn.
pub fn end_txn(cluster: &mut Cluster, ctx: &Ctx, r: &EndTxnRequest) -> Outcome {
    let o = cluster.end_txn(
        ctx.broker,
        r.transactional_id.0.as_str(),
        (r.producer_id.0, r.producer_epoch),
        r.committed,
    );
    outcome(cluster, TxnKind::EndTxn, o)
}

/// Re-checks a parked transactional request.
pub fn poll(cluster: &mut Cluster, p: &PendingTxn, timed_out: bool) -> Option<ResponseKind> {
    match cluster.take_txn_result(p.ticket) {
        Some(r) => Some(respond(&p.kind, r)),
        None if timed_out => {
            cluster.forget_txn_result(p.ticket);
            Some(respond(&p.kind, Err(KafkaError::RequestTimedOut)))
        }
        None => None,
    }
}
