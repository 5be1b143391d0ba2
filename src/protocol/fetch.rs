//! Fetch: whole batches below the HW (or the LSO for `read_committed`), waiting up to
//! `max_wait_ms` for `min_bytes`, with topics named by id from v13 and fetch sessions (KIP-227,
//! [`super::fetch_session`]) from v7.

use super::fetch_session::{Answer, Context, Part, PartKey, SessionCache};
use super::host::{Ctx, Outcome, Waiting, WireHost, deadline_in};
use super::metadata::{topic_name, uuid};
use super::wire_error::WireError;
use crate::cluster::error::KafkaError;
use crate::cluster::lab::Cluster;
use crate::cluster::topic_id::TopicId;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::ProducerId;
use kafka_protocol::messages::fetch_response::{
    AbortedTransaction, FetchResponse, FetchableTopicResponse, PartitionData,
};
use kafka_protocol::messages::{FetchRequest, ResponseKind};

/// A fetch being answered: what its session made of it and how to read.
#[derive(Clone, Debug)]
pub struct PendingFetch {
    context: Context,
    max_bytes: i32,
    min_bytes: i32,
    read_committed: bool,
}

/// One partition's answer, with what the session compares.
struct Read {
    part: Part,
    data: PartitionData,
    answer: Answer,
}

/// The partitions a request names, by id from v13 (its topic's name resolved from the metadata
/// now; None when no topic has the id) and by name before.
fn request_parts(cluster: &Cluster, version: i16, req: &FetchRequest) -> Vec<Part> {
    let mut parts = Vec::new();
    for t in &req.topics {
        let (key_of, name): (Box<dyn Fn(i32) -> PartKey>, Option<String>) = if version >= 13 {
            let id = TopicId(t.topic_id.as_u128());
            (
                Box::new(move |p| PartKey::Id(id, p)),
                cluster.topic_name(id).map(str::to_string),
            )
        } else {
            let n = t.topic.0.to_string();
            let k = n.clone();
            (Box::new(move |p| PartKey::Name(k.clone(), p)), Some(n))
        };
        for p in &t.partitions {
            parts.push(Part {
                key: key_of(p.partition),
                name: name.clone(),
                fetch_offset: p.fetch_offset,
                max_bytes: p.partition_max_bytes,
            });
        }
    }
    parts
}

/// The partitions a request's `forgotten_topics_data` drops from its session.
fn forgotten(version: i16, req: &FetchRequest) -> Vec<PartKey> {
    req.forgotten_topics_data
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(move |p| {
                if version >= 13 {
                    PartKey::Id(TopicId(t.topic_id.as_u128()), *p)
                } else {
                    PartKey::Name(t.topic.0.to_string(), *p)
                }
            })
        })
        .collect()
}

/// Broker `broker`'s session cache (empty again after each restart).
fn cache<'a>(host: &'a mut WireHost, cluster: &Cluster, broker: i32) -> &'a mut SessionCache {
    let starts = cluster.broker_starts(broker);
    host.sessions.cache(broker, starts, cluster.config().seed)
}

/// A partition's answer carrying only an error.
fn error_data(partition: i32, code: i16) -> PartitionData {
    PartitionData::default()
        .with_partition_index(partition)
        .with_error_code(code)
        .with_high_watermark(-1)
        .with_last_stable_offset(-1)
        .with_log_start_offset(-1)
        .with_records(Some(bytes::Bytes::new()))
}

/// Reads one partition within `budget` bytes.
fn read_part(
    cluster: &Cluster,
    ctx: &Ctx,
    f: &PendingFetch,
    part: &Part,
    budget: usize,
) -> PartitionData {
    let partition = part.key.partition();
    let Some(name) = part.name.as_deref() else {
        return error_data(partition, WireError::UnknownTopicId.code());
    };
    let tp = TopicPartition::new(name, partition);
    if let PartKey::Id(id, _) = part.key
        && cluster.topic_id(name) != Some(id)
    {
        // A session keeps the name its id had: once the topic is deleted that partition is
        // unknown, and once it is recreated the new topic's id differs (Kafka's answers; the old
        // id never reads the new topic's records).
        let e = if cluster.partition(&tp).is_none() {
            KafkaError::UnknownTopicOrPartition.code()
        } else {
            WireError::InconsistentTopicId.code()
        };
        return error_data(partition, e);
    }
    let max = (part.max_bytes.max(0) as usize).min(budget).max(1);
    match cluster.fetch_isolated(ctx.broker, &tp, part.fetch_offset, max, f.read_committed) {
        Ok(r) => {
            let aborted = r
                .aborted_transactions
                .iter()
                .map(|a| {
                    AbortedTransaction::default()
                        .with_producer_id(ProducerId(a.producer_id))
                        .with_first_offset(a.first_offset)
                })
                .collect();
            PartitionData::default()
                .with_partition_index(partition)
                .with_high_watermark(r.high_watermark)
                .with_last_stable_offset(r.last_stable_offset)
                .with_log_start_offset(r.log_start_offset)
                .with_aborted_transactions(Some(aborted))
                .with_records(Some(r.batches.bytes))
        }
        Err(e) => {
            let e = if cluster.partition(&tp).is_none() {
                KafkaError::UnknownTopicOrPartition
            } else {
                e
            };
            error_data(partition, e.code())
        }
    }
}

/// Reads every partition of the fetch; returns the answers, the bytes they carry, and whether
/// any partition answered with an error (errors are returned at once, as Kafka does).
fn read(cluster: &Cluster, ctx: &Ctx, f: &PendingFetch) -> (Vec<Read>, usize, bool) {
    let mut budget = if f.max_bytes > 0 {
        f.max_bytes as usize
    } else {
        usize::MAX
    };
    let mut total = 0usize;
    let mut any_error = false;
    let mut reads = Vec::new();
    for part in f.context.parts() {
        let data = read_part(cluster, ctx, f, part, budget);
        let n = data.records.as_ref().map_or(0, |b| b.len());
        total += n;
        budget = budget.saturating_sub(n);
        any_error |= data.error_code != 0;
        let answer = Answer {
            records_bytes: n,
            high_watermark: data.high_watermark,
            log_start_offset: data.log_start_offset,
            error_code: data.error_code,
        };
        reads.push(Read {
            part: part.clone(),
            data,
            answer,
        });
    }
    (reads, total, any_error)
}

/// Groups answers by topic, in order, as the wire carries them (by id from v13).
fn topics(version: i16, reads: Vec<Read>) -> Vec<FetchableTopicResponse> {
    let mut out: Vec<(PartKey, FetchableTopicResponse)> = Vec::new();
    for r in reads {
        let same = out.last().is_some_and(|(k, _)| match (k, &r.part.key) {
            (PartKey::Id(a, _), PartKey::Id(b, _)) => a == b,
            (PartKey::Name(a, _), PartKey::Name(b, _)) => a == b,
            _ => false,
        });
        if !same {
            let t = match &r.part.key {
                PartKey::Id(id, _) if version >= 13 => {
                    FetchableTopicResponse::default().with_topic_id(uuid(*id))
                }
                PartKey::Name(n, _) => FetchableTopicResponse::default().with_topic(topic_name(n)),
                PartKey::Id(..) => FetchableTopicResponse::default(),
            };
            out.push((r.part.key.clone(), t));
        }
        if let Some((_, t)) = out.last_mut() {
            t.partitions.push(r.data);
        }
    }
    out.into_iter().map(|(_, t)| t).collect()
}

/// The answer: the session decides which partitions go in and which session id is named.
fn respond(
    host: &mut WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    f: &PendingFetch,
    reads: Vec<Read>,
) -> FetchResponse {
    let now = cluster.now_ms();
    let (session_id, reads) = match &f.context {
        Context::SessionError(e) => {
            return FetchResponse::default().with_error_code(e.code());
        }
        Context::Sessionless(_) => (0, reads),
        Context::Full {
            privileged,
            uses_topic_ids,
            ..
        } => {
            let answered: Vec<(Part, Answer)> =
                reads.iter().map(|r| (r.part.clone(), r.answer)).collect();
            let id = cache(host, cluster, ctx.broker).finish_full(
                now,
                *privileged,
                *uses_topic_ids,
                &answered,
            );
            (id, reads)
        }
        Context::Incremental {
            session_id, epoch, ..
        } => {
            let answered: Vec<(PartKey, Answer)> = reads
                .iter()
                .map(|r| (r.part.key.clone(), r.answer))
                .collect();
            match cache(host, cluster, ctx.broker).finish_incremental(
                *session_id,
                *epoch,
                &answered,
            ) {
                Err(e) => {
                    return FetchResponse::default()
                        .with_error_code(e.code())
                        .with_session_id(*session_id);
                }
                Ok(include) => (
                    *session_id,
                    reads
                        .into_iter()
                        .zip(include)
                        .filter_map(|(r, keep)| keep.then_some(r))
                        .collect(),
                ),
            }
        }
    };
    FetchResponse::default()
        .with_session_id(session_id)
        .with_responses(topics(ctx.version, reads))
}

/// Handles a Fetch: answers now when `min_bytes` are there (or on an error), else waits.
pub fn fetch(host: &mut WireHost, cluster: &mut Cluster, ctx: &Ctx, req: FetchRequest) -> Outcome {
    let parts = request_parts(cluster, ctx.version, &req);
    if !ctx.client_id.is_empty() {
        for p in &parts {
            if let Some(name) = &p.name {
                let tp = TopicPartition::new(name.clone(), p.key.partition());
                host.clients.note_fetch(&ctx.client_id, &tp, p.fetch_offset);
            }
        }
    }
    // A follower's fetch (replica id ≥ 0; in `replica_state` from v15) makes a privileged
    // session.
    let privileged = req.replica_id.0 >= 0 || req.replica_state.replica_id.0 >= 0;
    // Sessions start at v7; older fetches are sessionless.
    let context = if ctx.version >= 7 {
        let gone = forgotten(ctx.version, &req);
        let now = cluster.now_ms();
        let resolve = |id: TopicId| cluster.topic_name(id).map(str::to_string);
        let starts = cluster.broker_starts(ctx.broker);
        host.sessions
            .cache(ctx.broker, starts, cluster.config().seed)
            .new_context(
                ctx.version,
                req.session_id,
                req.session_epoch,
                privileged,
                parts,
                &gone,
                now,
                &resolve,
            )
    } else {
        Context::Sessionless(parts)
    };
    let f = PendingFetch {
        context,
        max_bytes: req.max_bytes,
        min_bytes: req.min_bytes,
        read_committed: req.isolation_level == 1,
    };
    let (reads, bytes, any_error) = read(cluster, ctx, &f);
    let session_error = matches!(f.context, Context::SessionError(_));
    if session_error || any_error || bytes >= f.min_bytes.max(1) as usize || req.max_wait_ms <= 0 {
        return Outcome::Done(respond(host, cluster, ctx, &f, reads).into());
    }
    let deadline = deadline_in(cluster, i64::from(req.max_wait_ms));
    Outcome::Park(Waiting::Fetch(Box::new(f)), deadline)
}

/// Re-checks a waiting fetch.
pub fn poll(
    host: &mut WireHost,
    cluster: &Cluster,
    ctx: &Ctx,
    f: &PendingFetch,
    timed_out: bool,
) -> Option<ResponseKind> {
    let (reads, bytes, any_error) = read(cluster, ctx, f);
    (timed_out || any_error || bytes >= f.min_bytes.max(1) as usize)
        .then(|| respond(host, cluster, ctx, f, reads).into())
}
