//! Which replicas took new records a moment ago, for every partition: the partition map marks
//! them (`L+412`), so a room sees records flow from a leader to its followers without opening
//! the log view. Worked out by comparing each snapshot's LEOs with the previous one's.

use super::log_view::APPENDED_SHOWN_MS;
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::lab::LabSnapshot;
use std::collections::HashMap;

/// Each replica's LEO in the previous snapshot and when it last grew. Bounded by the replicas
/// the newest snapshot holds (at most `PARTITIONS_TOTAL_MAX` × replication factor): replicas that
/// are gone are forgotten.
#[derive(Clone, Debug, Default)]
pub struct Pulses {
    leos: HashMap<(TopicPartition, BrokerId), (i64, Option<i64>)>,
}

impl Pulses {
    /// Takes a new snapshot's LEOs.
    pub fn observe(&mut self, snap: &LabSnapshot) {
        let now = snap.now_ms;
        let mut replicas = 0;
        for p in &snap.partitions {
            for r in &p.replica_states {
                replicas += 1;
                let key = (p.tp.clone(), r.broker);
                let entry = self.leos.entry(key).or_insert((r.log_end_offset, None));
                if r.log_end_offset > entry.0 {
                    entry.1 = Some(now);
                }
                entry.0 = r.log_end_offset;
            }
        }
        if self.leos.len() > replicas {
            let present: std::collections::HashSet<(&TopicPartition, BrokerId)> = snap
                .partitions
                .iter()
                .flat_map(|p| p.replica_states.iter().map(move |r| (&p.tp, r.broker)))
                .collect();
            self.leos.retain(|(tp, b), _| present.contains(&(tp, *b)));
        }
    }

    /// Whether this replica's LEO grew within the last [`APPENDED_SHOWN_MS`] before `now_ms`.
    pub fn grew(&self, tp: &TopicPartition, broker: BrokerId, now_ms: i64) -> bool {
        self.leos
            .get(&(tp.clone(), broker))
            .and_then(|(_, at)| *at)
            .is_some_and(|at| at <= now_ms && now_ms - at < APPENDED_SHOWN_MS)
    }

    /// Replicas remembered (the bound's witness in tests).
    pub fn len(&self) -> usize {
        self.leos.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.leos.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::fixture;

    #[test]
    fn a_growing_leo_pulses_for_half_a_second_and_gone_partitions_are_forgotten() {
        let mut snap = fixture::snapshot();
        let mut pulses = Pulses::default();
        pulses.observe(&snap);
        let tp = snap.partitions[2].tp.clone();
        assert!(
            !pulses.grew(&tp, 2, snap.now_ms),
            "the first snapshot is the baseline"
        );
        snap.partitions[2].replica_states[0].log_end_offset += 3;
        snap.now_ms += 10;
        pulses.observe(&snap);
        let b = snap.partitions[2].replica_states[0].broker;
        assert!(pulses.grew(&tp, b, snap.now_ms));
        assert!(!pulses.grew(
            &tp,
            snap.partitions[2].replica_states[1].broker,
            snap.now_ms
        ));
        assert!(!pulses.grew(&tp, b, snap.now_ms + APPENDED_SHOWN_MS));
        let all = pulses.len();
        snap.partitions.truncate(1);
        pulses.observe(&snap);
        assert!(pulses.len() < all);
        assert_eq!(pulses.len(), snap.partitions[0].replica_states.len());
    }
}
