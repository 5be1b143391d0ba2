//! The dashboard producer's record accumulator: makes records as the lab's producer does (keys
//! `key-N`, values `client#N` padded to `value_bytes`), places them with the lab's partitioners
//! (murmur2 for keys, uniform sticky without, or round robin) and gathers them into one batch
//! per partition until they are drained for sending.

use super::metadata::TopicLeaders;
use crate::clients::partitioner::{QueueLoad, RoundRobin, UniformSticky, partition_for_key};
use crate::clients::spec::{KeyMode, Partitioner, ProducerSpec};
use bytes::Bytes;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// The most records waiting to be sent or retried, Kafka's `buffer.memory` as a count: when it
/// is full the producer makes no new records (Kafka's `send` blocks for `max.block.ms`).
pub const RECORDS_PENDING_MAX: usize = 50_000;
/// Kafka's per-record overhead estimate the sticky partitioner counts toward `batch.size`.
const RECORD_OVERHEAD_BYTES: usize = 20;

/// One record: key, value, timestamp (ms since the epoch: attach runs on wall-clock time).
pub type Record = (Option<Bytes>, Option<Bytes>, i64);

/// Records for one partition, sealed for sending, with what retrying them needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// The partition.
    pub partition: i32,
    /// Its records.
    pub records: Vec<Record>,
    /// Bytes counted toward `batch.size`.
    pub bytes: usize,
    /// The first record's sequence number when idempotent (kept across retries, so the broker
    /// drops a duplicate of a batch it already wrote).
    pub base_sequence: Option<i32>,
    /// Sends tried so far.
    pub attempts: u32,
    /// When the first record was made, ms since the epoch (`delivery.timeout.ms` counts from it).
    pub created_ms: i64,
}

/// Makes records and gathers them per partition.
#[derive(Debug)]
pub struct Accumulator {
    client_id: String,
    key_mode: KeyMode,
    partitioner: Partitioner,
    value_bytes: usize,
    batch_size: usize,
    next_key: u64,
    next_value: u64,
    sticky: UniformSticky,
    round_robin: RoundRobin,
    rng: ChaCha8Rng,
    open: BTreeMap<i32, Batch>,
}

impl Accumulator {
    /// An empty accumulator for `spec`, its sticky choices drawn from `rng`.
    pub fn new(client_id: &str, spec: &ProducerSpec, rng: ChaCha8Rng) -> Self {
        Self {
            client_id: client_id.into(),
            key_mode: spec.key_mode,
            partitioner: spec.partitioner,
            value_bytes: spec.value_bytes,
            batch_size: spec.batch_size.max(1),
            next_key: 0,
            next_value: 0,
            sticky: UniformSticky::new(),
            round_robin: RoundRobin::new(),
            rng,
            open: BTreeMap::new(),
        }
    }

    /// Records made and not yet drained.
    pub fn open_records(&self) -> usize {
        self.open.values().map(|b| b.records.len()).sum()
    }

    /// Makes one record at `now_ms` and adds it to its partition's open batch; `queued` counts
    /// the batches waiting per partition (the adaptive sticky choice favours short queues).
    pub fn append(&mut self, leaders: &TopicLeaders, queued: &BTreeMap<i32, usize>, now_ms: i64) {
        let partitions = leaders.count().max(1);
        let key = match self.key_mode {
            KeyMode::None => None,
            KeyMode::Keyed { distinct_keys } => {
                let k = self.next_key % u64::from(distinct_keys.max(1));
                self.next_key += 1;
                Some(Bytes::from(format!("key-{k}")))
            }
        };
        let available = leaders.available();
        let loads: Vec<QueueLoad> = available
            .iter()
            .map(|&partition| QueueLoad {
                partition,
                queued_batches: queued.get(&partition).copied().unwrap_or(0),
            })
            .collect();
        let partition = match (&key, self.partitioner) {
            (_, Partitioner::RoundRobin) => self.round_robin.partition(&available, partitions),
            (Some(k), Partitioner::Sticky) => partition_for_key(k, partitions),
            (None, Partitioner::Sticky) => self.sticky.partition(&loads, partitions, &mut self.rng),
        };
        let mut value = format!("{}#{}", self.client_id, self.next_value).into_bytes();
        self.next_value += 1;
        if value.len() < self.value_bytes {
            value.resize(self.value_bytes, b'.');
        }
        let size = value.len() + key.as_ref().map_or(0, |k| k.len()) + RECORD_OVERHEAD_BYTES;
        let batch = self.open.entry(partition).or_insert_with(|| Batch {
            partition,
            records: Vec::new(),
            bytes: 0,
            base_sequence: None,
            attempts: 0,
            created_ms: now_ms,
        });
        batch
            .records
            .push((key.clone(), Some(Bytes::from(value)), now_ms));
        batch.bytes += size;
        if key.is_none() && self.partitioner == Partitioner::Sticky {
            self.sticky
                .on_append(size, self.batch_size, &loads, partitions, &mut self.rng);
        }
    }

    /// Seals every open batch, splitting any larger than `batch.size`, and hands them over.
    pub fn drain(&mut self) -> Vec<Batch> {
        let mut out = Vec::new();
        for (_, batch) in std::mem::take(&mut self.open) {
            let mut current = Batch {
                records: Vec::new(),
                bytes: 0,
                ..batch.clone()
            };
            for r in batch.records {
                let size = r.0.as_ref().map_or(0, |k| k.len())
                    + r.1.as_ref().map_or(0, |v| v.len())
                    + RECORD_OVERHEAD_BYTES;
                if current.bytes + size > self.batch_size && !current.records.is_empty() {
                    let next = Batch {
                        records: Vec::new(),
                        bytes: 0,
                        ..current.clone()
                    };
                    out.push(std::mem::replace(&mut current, next));
                }
                current.records.push(r);
                current.bytes += size;
            }
            if !current.records.is_empty() {
                out.push(current);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attach::clients::metadata::Leader;
    use rand::SeedableRng;

    fn leaders(n: i32) -> TopicLeaders {
        TopicLeaders {
            topic_id: Default::default(),
            partitions: (0..n)
                .map(|p| {
                    (
                        p,
                        Leader {
                            broker: Some(1 + p % 3),
                            epoch: 0,
                        },
                    )
                })
                .collect(),
        }
    }

    fn acc(spec: &ProducerSpec) -> Accumulator {
        Accumulator::new("producer-1", spec, ChaCha8Rng::seed_from_u64(7))
    }

    #[test]
    fn keyed_records_land_where_javas_partitioner_puts_them() {
        let mut spec = ProducerSpec::new("t", 10.0);
        spec.key_mode = KeyMode::Keyed { distinct_keys: 4 };
        let mut a = acc(&spec);
        for i in 0..8 {
            a.append(&leaders(3), &BTreeMap::new(), 1_000 + i);
        }
        let batches = a.drain();
        assert_eq!(a.open_records(), 0);
        let mut seen = 0;
        for b in &batches {
            for (k, v, _) in &b.records {
                let k = k.as_ref().expect("keyed");
                assert_eq!(b.partition, partition_for_key(k, 3), "{k:?}");
                assert_eq!(v.as_ref().map(|v| v.len()), Some(spec.value_bytes));
                seen += 1;
            }
        }
        assert_eq!(seen, 8);
        let keys: Vec<_> = batches
            .iter()
            .flat_map(|b| &b.records)
            .filter_map(|r| r.0.clone())
            .collect();
        assert!(keys.contains(&Bytes::from("key-3")) && !keys.contains(&Bytes::from("key-4")));
    }

    #[test]
    fn unkeyed_records_stick_to_one_partition_until_batch_size() {
        let mut spec = ProducerSpec::new("t", 10.0);
        spec.batch_size = 1_000;
        spec.value_bytes = 80;
        let mut a = acc(&spec);
        // 100 bytes a record: the first ten fill the sticky partition's batch.size.
        for i in 0..10 {
            a.append(&leaders(4), &BTreeMap::new(), i);
        }
        let first = a.drain();
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].records.len(), 10);
    }

    #[test]
    fn a_drain_splits_batches_at_batch_size() {
        let mut spec = ProducerSpec::new("t", 10.0);
        spec.batch_size = 250;
        spec.value_bytes = 80;
        spec.partitioner = Partitioner::RoundRobin;
        let mut a = acc(&spec);
        for i in 0..10 {
            a.append(&leaders(1), &BTreeMap::new(), i);
        }
        let batches = a.drain();
        let sizes: Vec<usize> = batches.iter().map(|b| b.records.len()).collect();
        assert_eq!(sizes, vec![2, 2, 2, 2, 2]);
        assert!(batches.iter().all(|b| b.bytes <= 250));
    }
}
