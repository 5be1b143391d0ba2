//! One Produce request to a partition leader from sealed batches, encoded with kafka-protocol's
//! record encoder (through `log::batch`), and what each partition's answer means for the
//! producer: acknowledged, retried after a Metadata refresh or a backoff, or failed for good.

use super::records::Batch;
use crate::log::batch::{ProducerStamp, encode_records, encode_stamped_records};
use kafka_protocol::ResponseError;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse, TopicName};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;

/// An idempotent producer's id and epoch from InitProducerId.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerIdentity {
    /// `producerId`.
    pub producer_id: i64,
    /// `producerEpoch`.
    pub epoch: i16,
}

/// What one partition's answer means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written (a duplicate the broker had already written counts: the idempotent producer's
    /// `DUPLICATE_SEQUENCE_NUMBER`).
    Acknowledged,
    /// A retriable error: send again after the backoff; `refresh` when the leader may have
    /// moved (Kafka's `InvalidMetadataException`s), so Metadata is asked first.
    Retry {
        /// Kafka's name for the error.
        error: String,
        /// Whether to refresh Metadata before retrying.
        refresh: bool,
    },
    /// Failed for good.
    Fail(String),
}

/// The Produce request carrying `batches` (all led by one broker) for `topic`.
pub fn request(
    topic: &str,
    batches: &[Batch],
    acks: i16,
    timeout_ms: i32,
    identity: Option<ProducerIdentity>,
) -> Result<ProduceRequest, String> {
    let mut partitions = Vec::with_capacity(batches.len());
    for b in batches {
        let stamp = identity
            .zip(b.base_sequence)
            .map(|(id, seq)| ProducerStamp {
                producer_id: id.producer_id,
                producer_epoch: id.epoch,
                base_sequence: seq,
            });
        let bytes = match stamp {
            Some(s) => encode_stamped_records(&b.records, -1, Some(s))?,
            None => encode_records(&b.records, -1)?,
        };
        partitions.push(
            PartitionProduceData::default()
                .with_index(b.partition)
                .with_records(Some(bytes)),
        );
    }
    Ok(ProduceRequest::default()
        .with_acks(acks)
        .with_timeout_ms(timeout_ms)
        .with_topic_data(vec![
            TopicProduceData::default()
                .with_name(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partition_data(partitions),
        ]))
}

/// Each partition's outcome in `response`; a partition the broker did not answer for is retried.
pub fn outcomes(response: &ProduceResponse, partitions: &[i32]) -> BTreeMap<i32, Outcome> {
    let mut out: BTreeMap<i32, Outcome> = partitions
        .iter()
        .map(|&p| {
            (
                p,
                Outcome::Retry {
                    error: "no answer for the partition".into(),
                    refresh: true,
                },
            )
        })
        .collect();
    for t in &response.responses {
        for p in &t.partition_responses {
            if let Some(slot) = out.get_mut(&p.index) {
                *slot = outcome(p.error_code);
            }
        }
    }
    out
}

/// What an error code means to a producer, as Kafka's `Sender` reads it.
pub fn outcome(code: i16) -> Outcome {
    let Some(error) = ResponseError::try_from_code(code) else {
        return Outcome::Acknowledged;
    };
    let name = crate::attach::session::error_name(code);
    match error {
        ResponseError::DuplicateSequenceNumber => Outcome::Acknowledged,
        ResponseError::NotLeaderOrFollower
        | ResponseError::LeaderNotAvailable
        | ResponseError::UnknownTopicOrPartition
        | ResponseError::FencedLeaderEpoch
        | ResponseError::UnknownLeaderEpoch
        | ResponseError::KafkaStorageError => Outcome::Retry {
            error: name,
            refresh: true,
        },
        e if e.is_retriable() => Outcome::Retry {
            error: name,
            refresh: false,
        },
        _ => Outcome::Fail(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::batch::decode_records;
    use bytes::Bytes;
    use kafka_protocol::messages::produce_response::{
        PartitionProduceResponse, TopicProduceResponse,
    };

    fn batch(partition: i32, n: usize, seq: Option<i32>) -> Batch {
        Batch {
            partition,
            records: (0..n)
                .map(|i| {
                    (
                        Some(Bytes::from(format!("key-{i}"))),
                        Some(Bytes::from_static(b"v")),
                        1_000 + i as i64,
                    )
                })
                .collect(),
            bytes: 0,
            base_sequence: seq,
            attempts: 0,
            created_ms: 1_000,
        }
    }

    #[test]
    fn a_request_carries_each_batch_with_its_keys_and_sequence() {
        let id = ProducerIdentity {
            producer_id: 42,
            epoch: 3,
        };
        let r = request(
            "t",
            &[batch(0, 3, Some(7)), batch(2, 1, Some(0))],
            -1,
            30_000,
            Some(id),
        )
        .expect("encode");
        assert_eq!(r.acks, -1);
        let data = &r.topic_data[0];
        assert_eq!(data.name.0.as_str(), "t");
        let first = data.partition_data[0].records.clone().expect("records");
        let recs = decode_records(&first).expect("decode");
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[2].key, Some(Bytes::from("key-2")));
        assert_eq!(
            (
                recs[0].producer_id,
                recs[0].producer_epoch,
                recs[0].sequence
            ),
            (42, 3, 7)
        );
        assert_eq!(recs[2].sequence, 9);
        assert_eq!(data.partition_data[1].index, 2);
    }

    #[test]
    fn a_plain_batch_has_no_producer_id() {
        let r = request("t", &[batch(1, 2, None)], 1, 30_000, None).expect("encode");
        let recs = decode_records(r.topic_data[0].partition_data[0].records.as_ref().unwrap())
            .expect("decode");
        assert_eq!((recs[0].producer_id, recs[0].sequence), (-1, -1));
    }

    #[test]
    fn a_moved_leader_is_retried_after_a_metadata_refresh_and_a_bad_record_fails() {
        let response = ProduceResponse::default().with_responses(vec![
            TopicProduceResponse::default().with_partition_responses(vec![
                PartitionProduceResponse::default().with_index(0),
                PartitionProduceResponse::default()
                    .with_index(1)
                    .with_error_code(6),
                PartitionProduceResponse::default()
                    .with_index(2)
                    .with_error_code(19),
                PartitionProduceResponse::default()
                    .with_index(3)
                    .with_error_code(10),
            ]),
        ]);
        let o = outcomes(&response, &[0, 1, 2, 3, 4]);
        assert_eq!(o[&0], Outcome::Acknowledged);
        assert_eq!(
            o[&1],
            Outcome::Retry {
                error: "NOT_LEADER_OR_FOLLOWER".into(),
                refresh: true
            }
        );
        assert_eq!(
            o[&2],
            Outcome::Retry {
                error: "NOT_ENOUGH_REPLICAS".into(),
                refresh: false
            }
        );
        assert_eq!(o[&3], Outcome::Fail("MESSAGE_TOO_LARGE".into()));
        assert!(matches!(o[&4], Outcome::Retry { refresh: true, .. }));
    }
}
