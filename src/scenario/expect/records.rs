//! What a simulated consumer read, by producer and record number: the duplicates an
//! idempotent producer prevents and the per-key order keyed partitioning keeps.

use super::{Observed, ok};
use crate::clients::spec::KeyMode;
use crate::cluster::types::TopicPartition;
use crate::text::{text, text_with};
use bytes::Bytes;
use std::collections::BTreeMap;

impl Observed<'_> {
    pub(super) fn keys_in_order(
        &self,
        c: &crate::clients::consumer::SimConsumer,
        from: Option<&str>,
    ) -> Result<(), String> {
        // Values are `PRODUCER#N`; a keyed producer's record N has key `key-(N mod keys)`.
        let keys: BTreeMap<String, u32> = self
            .producers
            .iter()
            .filter(|(name, _)| from.is_none_or(|f| f == name.as_str()))
            .filter_map(|(name, id)| match self.lab.producer(*id)?.spec.key_mode {
                KeyMode::Keyed { distinct_keys } => Some((name.clone(), distinct_keys.max(1))),
                KeyMode::None => None,
            })
            .collect();
        let mut last: BTreeMap<(String, u64), (TopicPartition, u64)> = BTreeMap::new();
        let mut seen = 0;
        for (tp, producer, n) in first_reads(c) {
            let Some(k) = keys.get(producer) else {
                continue;
            };
            let key = (producer.to_string(), n % *k as u64);
            seen += 1;
            if let Some((was, prev)) = last.get(&key) {
                if *was != tp {
                    return Err(text_with(
                        "seen.key_two_partitions",
                        &[
                            ("key", &key.1.to_string()),
                            ("first", &was.to_string()),
                            ("second", &tp.to_string()),
                        ],
                    ));
                }
                if n <= *prev {
                    return Err(text_with(
                        "seen.key_out_of_order",
                        &[
                            ("key", &key.1.to_string()),
                            ("n", &n.to_string()),
                            ("prev", &prev.to_string()),
                        ],
                    ));
                }
            }
            last.insert(key, (tp, n));
        }
        ok(seen > 0, || text("seen.no_keyed_records").into())
    }
}

/// The consumer's reads as (partition, producer, record number), each offset once: a record read
/// again after a rebalance or a reset is the consumer's doing, not the producer's.
pub(super) fn first_reads(
    c: &crate::clients::consumer::SimConsumer,
) -> impl Iterator<Item = (TopicPartition, &str, u64)> {
    let mut highest: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    c.history.iter().filter_map(move |r| {
        let top = highest.entry(r.tp.clone()).or_insert(-1);
        if r.offset <= *top {
            return None;
        }
        *top = r.offset;
        let (producer, n) = producer_and_number(r.value.as_ref()?)?;
        Some((r.tp.clone(), producer, n))
    })
}

/// `PRODUCER#N…` split into the producer's name and N.
fn producer_and_number(value: &Bytes) -> Option<(&str, u64)> {
    let text = std::str::from_utf8(value).ok()?;
    let (producer, rest) = text.split_once('#')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some((producer, rest[..digits].parse().ok()?))
}

/// Records (of producer `from`, or all) the consumer read at more than one offset.
pub(super) fn duplicates(c: &crate::clients::consumer::SimConsumer, from: Option<&str>) -> u64 {
    let mut seen = std::collections::BTreeSet::new();
    let mut copies = 0;
    for (_, producer, n) in first_reads(c) {
        if from.is_some_and(|f| f != producer) {
            continue;
        }
        if !seen.insert((producer, n)) {
            copies += 1;
        }
    }
    copies
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::consumer::{ConsumedRecord, SimConsumer};
    use crate::clients::spec::ConsumerSpec;

    fn reader(reads: &[(i64, &str)]) -> SimConsumer {
        let mut c = SimConsumer::new(1, "A".into(), ConsumerSpec::new("g", "t"), 0);
        for (offset, value) in reads {
            c.history.push_back(ConsumedRecord {
                tp: TopicPartition::new("t", 0),
                offset: *offset,
                value: Some(Bytes::from(value.to_string())),
                generation: 1,
            });
        }
        c
    }

    #[test]
    fn a_record_at_a_second_offset_is_a_duplicate_a_re_read_is_not() {
        // P#1 stored twice (offsets 1 and 3); offsets 0..=1 read again after a rebalance.
        let c = reader(&[
            (0, "P#0"),
            (1, "P#1.."),
            (2, "Q#0"),
            (3, "P#1.."),
            (0, "P#0"),
            (1, "P#1.."),
        ]);
        assert_eq!(duplicates(&c, None), 1);
        assert_eq!(duplicates(&c, Some("P")), 1);
        assert_eq!(duplicates(&c, Some("Q")), 0);
        let firsts: Vec<u64> = first_reads(&c).map(|(_, _, n)| n).collect();
        assert_eq!(firsts, vec![0, 1, 0, 1]);
    }
}
