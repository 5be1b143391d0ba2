//! Where a dashboard consumer reads: positions from the group's committed offsets, else
//! `auto.offset.reset` through ListOffsets; then Fetch from each partition's leader (no fetch
//! session: every request is a full fetch, as a client without KIP-227 sends).

use super::metadata::TopicLeaders;
use crate::attach::poll::{EARLIEST, LATEST, committed, list_offsets};
use crate::attach::session::{Session, error_name, timed};
use crate::clients::spec::OffsetReset;
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::log::batch::{decode_records, split_headers};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{ApiKey, FetchRequest, FetchResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// How long a Fetch may wait for records (`fetch.max.wait.ms` is 500 in Kafka's consumer).
pub const FETCH_MAX_WAIT_MS: i32 = 500;
/// `max.partition.fetch.bytes`, Kafka's default 1 MiB.
const PARTITION_MAX_BYTES: i32 = 1_048_576;
/// `fetch.max.bytes`, Kafka's default 50 MiB.
const FETCH_MAX_BYTES: i32 = 52_428_800;

/// Next offsets to read for `assigned`: committed ones, the rest by `reset` (none: left out,
/// with the partitions that had no offset returned as the second value).
pub async fn positions(
    session: &mut Session,
    coordinator: BrokerId,
    group: &str,
    assigned: &[TopicPartition],
    leaders: &BTreeMap<String, TopicLeaders>,
    reset: OffsetReset,
) -> Result<(BTreeMap<TopicPartition, i64>, Vec<TopicPartition>), String> {
    let version = session
        .version(ApiKey::OffsetFetch, 1, 8)
        .map_err(|e| e.to_string())?;
    let mut conn = session.take(coordinator).await.map_err(|e| e.to_string())?;
    let all = committed(&mut conn, group, version).await?;
    session.put(coordinator, conn);
    let mut out: BTreeMap<TopicPartition, i64> = assigned
        .iter()
        .filter_map(|tp| all.get(tp).map(|o| (tp.clone(), *o)))
        .collect();
    let missing: Vec<TopicPartition> = assigned
        .iter()
        .filter(|tp| !out.contains_key(tp))
        .cloned()
        .collect();
    let timestamp = match reset {
        OffsetReset::Earliest => EARLIEST,
        OffsetReset::Latest => LATEST,
        OffsetReset::None => return Ok((out, missing)),
    };
    out.extend(reset_offsets(session, &missing, leaders, timestamp).await?);
    Ok((out, Vec::new()))
}

/// ListOffsets at `timestamp` for `tps`, each asked of its leader.
pub async fn reset_offsets(
    session: &mut Session,
    tps: &[TopicPartition],
    leaders: &BTreeMap<String, TopicLeaders>,
    timestamp: i64,
) -> Result<BTreeMap<TopicPartition, i64>, String> {
    let version = session
        .version(ApiKey::ListOffsets, 1, 6)
        .map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for (broker, tps) in by_leader(tps, leaders) {
        let r = session
            .call(broker, list_offsets(&tps, timestamp), version)
            .await
            .map_err(|e| e.to_string())?;
        for t in &r.topics {
            for p in &t.partitions {
                if p.error_code != 0 {
                    return Err(format!("ListOffsets: {}", error_name(p.error_code)));
                }
                out.insert(
                    TopicPartition::new(t.name.0.to_string(), p.partition_index),
                    p.offset,
                );
            }
        }
    }
    Ok(out)
}

/// The partitions grouped by their leader; leaderless ones are left out (asked again later).
pub fn by_leader(
    tps: &[TopicPartition],
    leaders: &BTreeMap<String, TopicLeaders>,
) -> BTreeMap<BrokerId, Vec<TopicPartition>> {
    let mut out: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
    for tp in tps {
        if let Some(b) = leaders
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(&tp.partition))
            .and_then(|l| l.broker)
        {
            out.entry(b).or_default().push(tp.clone());
        }
    }
    out
}

/// The Fetch for `positions` (all led by one broker).
pub fn fetch_request(
    positions: &[(TopicPartition, i64)],
    leaders: &BTreeMap<String, TopicLeaders>,
    read_committed: bool,
) -> FetchRequest {
    let mut by_topic: BTreeMap<&str, Vec<FetchPartition>> = BTreeMap::new();
    for (tp, offset) in positions {
        let epoch = leaders
            .get(&tp.topic)
            .and_then(|t| t.partitions.get(&tp.partition))
            .map_or(-1, |l| l.epoch);
        by_topic.entry(&tp.topic).or_default().push(
            FetchPartition::default()
                .with_partition(tp.partition)
                .with_current_leader_epoch(epoch)
                .with_fetch_offset(*offset)
                .with_partition_max_bytes(PARTITION_MAX_BYTES),
        );
    }
    FetchRequest::default()
        .with_max_wait_ms(FETCH_MAX_WAIT_MS)
        .with_min_bytes(1)
        .with_max_bytes(FETCH_MAX_BYTES)
        .with_isolation_level(i8::from(read_committed))
        .with_topics(
            by_topic
                .into_iter()
                .map(|(t, ps)| {
                    FetchTopic::default()
                        .with_topic(TopicName(StrBytes::from_string(t.to_string())))
                        .with_partitions(ps)
                })
                .collect(),
        )
}

/// One record a consumer read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumed {
    /// Where.
    pub tp: TopicPartition,
    /// Its offset.
    pub offset: i64,
    /// Its key.
    pub key: Option<bytes::Bytes>,
}

/// What one partition's answer says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    /// Records at or past the position, in offset order (control records left out).
    pub records: Vec<Consumed>,
    /// New positions (past control records too).
    pub positions: BTreeMap<TopicPartition, i64>,
    /// Partitions whose position is out of range (reset by `auto.offset.reset`).
    pub out_of_range: Vec<TopicPartition>,
    /// Errors that need a Metadata refresh (the leader moved), by Kafka's name.
    pub errors: Vec<(TopicPartition, String)>,
}

/// Reads a Fetch answer against the positions asked for.
pub fn read_response(r: &FetchResponse, asked: &BTreeMap<TopicPartition, i64>) -> Fetched {
    let mut out = Fetched::default();
    for t in &r.responses {
        for p in &t.partitions {
            let tp = TopicPartition::new(t.topic.0.to_string(), p.partition_index);
            let Some(&from) = asked.get(&tp) else {
                continue;
            };
            match p.error_code {
                0 => {}
                1 => {
                    out.out_of_range.push(tp);
                    continue;
                }
                c => {
                    out.errors.push((tp, error_name(c)));
                    continue;
                }
            }
            let Some(bytes) = p.records.as_ref() else {
                continue;
            };
            // A leader may cut the last batch at the byte limit: decode the whole ones only.
            let (whole, _) = split_headers(bytes);
            let end = whole.last().map_or(0, |(pos, h)| pos + h.total_len);
            let Ok(records) = decode_records(&bytes.slice(..end)) else {
                out.errors.push((tp, "CORRUPT_MESSAGE".into()));
                continue;
            };
            let mut next = from;
            for rec in records.into_iter().filter(|r| r.offset >= from) {
                next = next.max(rec.offset + 1);
                if !rec.control {
                    out.records.push(Consumed {
                        tp: tp.clone(),
                        offset: rec.offset,
                        key: rec.key,
                    });
                }
            }
            if next > from {
                out.positions.insert(tp, next);
            }
        }
    }
    out
}

/// One Fetch to `broker`.
pub async fn fetch(
    session: &mut Session,
    broker: BrokerId,
    request: FetchRequest,
) -> Result<FetchResponse, String> {
    let version = session
        .version(ApiKey::Fetch, 4, 12)
        .map_err(|e| e.to_string())?;
    let mut conn = session.take(broker).await.map_err(|e| e.to_string())?;
    let r = timed(conn.call(request, version)).await?;
    session.put(broker, conn);
    if r.error_code != 0 {
        return Err(format!("Fetch: {}", error_name(r.error_code)));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::batch::encode_records;
    use bytes::Bytes;
    use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};

    #[test]
    fn a_fetch_answer_moves_the_position_past_what_was_read() {
        let records: Vec<_> = (0..3)
            .map(|i| {
                (
                    Some(Bytes::from(format!("key-{i}"))),
                    Some(Bytes::from_static(b"v")),
                    0,
                )
            })
            .collect();
        let batch = encode_records(&records, 0).expect("encode");
        let mut cut = batch.to_vec();
        cut.extend_from_slice(&batch[..20]);
        let r = FetchResponse::default().with_responses(vec![
            FetchableTopicResponse::default()
                .with_topic(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![
                    PartitionData::default()
                        .with_partition_index(0)
                        .with_records(Some(Bytes::from(cut))),
                    PartitionData::default()
                        .with_partition_index(1)
                        .with_error_code(1),
                    PartitionData::default()
                        .with_partition_index(2)
                        .with_error_code(6),
                ]),
        ]);
        let tp = |p| TopicPartition::new("t", p);
        let asked = BTreeMap::from([(tp(0), 1), (tp(1), 9), (tp(2), 0)]);
        let f = read_response(&r, &asked);
        // Offset 0 was read before; the cut batch at the end is left for the next fetch.
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.records[0].key, Some(Bytes::from("key-1")));
        assert_eq!(f.positions[&tp(0)], 3);
        assert_eq!(f.out_of_range, vec![tp(1)]);
        assert_eq!(f.errors, vec![(tp(2), "NOT_LEADER_OR_FOLLOWER".into())]);
    }
}
