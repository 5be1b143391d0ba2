//! Checks about transactions: how many records of aborted transactions a consumer read (the log
//! decides what aborted, as a `read_committed` fetch would), and a transactional producer's state.

use super::{Check, Observed, Subject, ok, seen_n};
use crate::clients::read_committed::visible_records;
use crate::cluster::types::TopicPartition;
use crate::log::batch::decode_records;
use crate::text::{text, text_with};
use std::collections::{BTreeMap, BTreeSet};

/// Fetches looked at per partition at most, so a check stays bounded on a long log.
const FETCHES_MAX: usize = 1_000;

impl Observed<'_> {
    /// The result of a transaction check, or `None` when `c` is another kind.
    pub(super) fn txn_check(&self, subject: &Subject, c: &Check) -> Option<Result<(), String>> {
        match (subject, c) {
            (Subject::Consumer(name), Check::AbortedRead(_) | Check::AbortedReadAtLeast(_)) => {
                let Some(consumer) = self
                    .consumers
                    .get(name)
                    .and_then(|id| self.lab.consumer(*id))
                else {
                    return Some(Err(text_with("seen.never_started", &[("name", name)])));
                };
                let mut aborted: BTreeMap<&TopicPartition, BTreeSet<i64>> = BTreeMap::new();
                let mut n = 0;
                for r in &consumer.history {
                    let offsets = aborted
                        .entry(&r.tp)
                        .or_insert_with(|| self.aborted_offsets(&r.tp));
                    if offsets.contains(&r.offset) {
                        n += 1;
                    }
                }
                Some(match c {
                    Check::AbortedRead(want) => ok(n == *want, || seen_n("seen.aborted_read", n)),
                    _ => ok(matches!(c, Check::AbortedReadAtLeast(w) if n >= *w), || {
                        seen_n("seen.aborted_read", n)
                    }),
                })
            }
            (Subject::Producer(name), Check::ProducerTxnState(want)) => {
                let Some(p) = self
                    .producers
                    .get(name)
                    .and_then(|id| self.lab.producer(*id))
                else {
                    return Some(Err(text_with("seen.never_started", &[("name", name)])));
                };
                Some(match p.transaction_state() {
                    None => Err(text("seen.not_transactional").into()),
                    Some(s) => ok(s == *want, || {
                        text_with("seen.it_is", &[("state", &format!("{s:?}"))])
                    }),
                })
            }
            (_, Check::AbortedRead(_) | Check::AbortedReadAtLeast(_)) => {
                Some(Err(text("seen.not_consumer_check").into()))
            }
            (_, Check::ProducerTxnState(_)) => Some(Err(text("seen.not_producer_check").into())),
            _ => None,
        }
    }

    /// Offsets of `tp` holding records of aborted transactions, below the leader's LSO: what a
    /// `read_committed` fetch returns but its consumer drops.
    fn aborted_offsets(&self, tp: &TopicPartition) -> BTreeSet<i64> {
        let mut out = BTreeSet::new();
        let Some(leader) = self.lab.leader_of(tp) else {
            return out;
        };
        let Some(log) = self.lab.replica_log(leader, tp) else {
            return out;
        };
        let mut pos = log.log_start_offset();
        for _ in 0..FETCHES_MAX {
            let Ok(f) = self.lab.fetch_isolated(leader, tp, pos, 1 << 20, true) else {
                break;
            };
            let Ok(records) = decode_records(&f.batches.bytes) else {
                break;
            };
            let records: Vec<_> = records.into_iter().filter(|r| r.offset >= pos).collect();
            let visible: BTreeSet<i64> =
                visible_records(records.clone(), &f.aborted_transactions, true)
                    .iter()
                    .map(|r| r.offset)
                    .collect();
            out.extend(
                records
                    .iter()
                    .filter(|r| !r.control && !visible.contains(&r.offset))
                    .map(|r| r.offset),
            );
            if f.batches.next_offset <= pos {
                break;
            }
            pos = f.batches.next_offset;
        }
        out
    }
}
