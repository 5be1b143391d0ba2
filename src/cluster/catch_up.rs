//! Restarted replicas catching up: when each restart began and how many records each replica
//! has fetched since, so the timeline can say "rejoined the ISR after 2.4 s, caught up 48
//! records" when it is back in sync.

use super::types::{BrokerId, TopicPartition};
use std::collections::BTreeMap;

/// Catch-ups in progress. Bounded by the replicas restarted brokers host (at most one entry per
/// broker and partition): an entry ends when its replica rejoins the ISR or its broker stops.
#[derive(Clone, Debug, Default)]
pub(crate) struct CatchUps {
    running: BTreeMap<(BrokerId, TopicPartition), CatchUp>,
}

/// One replica's catch-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CatchUp {
    /// When its broker restarted (simulated ms).
    pub(crate) since_ms: i64,
    /// Records fetched since then.
    pub(crate) fetched: i64,
}

impl CatchUps {
    /// A restarted broker's replica of `tp` starts catching up now.
    pub(crate) fn start(&mut self, broker: BrokerId, tp: &TopicPartition, now_ms: i64) {
        self.running.insert(
            (broker, tp.clone()),
            CatchUp {
                since_ms: now_ms,
                fetched: 0,
            },
        );
    }

    /// Counts records a catching-up replica fetched (other replicas are not tracked).
    pub(crate) fn fetched(&mut self, broker: BrokerId, tp: &TopicPartition, records: i64) {
        if records > 0
            && let Some(c) = self.running.get_mut(&(broker, tp.clone()))
        {
            c.fetched += records;
        }
    }

    /// Ends the catch-up of a replica back in the ISR, returning it.
    pub(crate) fn finish(&mut self, broker: BrokerId, tp: &TopicPartition) -> Option<CatchUp> {
        self.running.remove(&(broker, tp.clone()))
    }

    /// Forgets a deleted topic's catch-ups.
    pub(crate) fn forget_topic(&mut self, topic: &str) {
        self.running.retain(|(_, tp), _| tp.topic != topic);
    }

    /// Forgets a broker that stopped: its next start begins a new catch-up.
    pub(crate) fn forget(&mut self, broker: BrokerId) {
        self.running.retain(|(b, _), _| *b != broker);
    }

    /// Catch-ups in progress (the bound's witness in tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.running.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catch_up_counts_fetched_records_until_it_finishes_or_its_broker_stops() {
        let mut c = CatchUps::default();
        let (a, b) = (TopicPartition::new("t", 0), TopicPartition::new("t", 1));
        c.start(2, &a, 1_000);
        c.start(2, &b, 1_000);
        c.fetched(2, &a, 5);
        c.fetched(2, &a, 7);
        c.fetched(3, &a, 9);
        assert_eq!(
            c.finish(2, &a),
            Some(CatchUp {
                since_ms: 1_000,
                fetched: 12
            })
        );
        assert_eq!(c.finish(2, &a), None, "finished once");
        assert_eq!(c.len(), 1);
        c.forget(2);
        assert_eq!(c.len(), 0);
        assert_eq!(c.finish(2, &b), None);
    }
}
