//! Eligible leader replicas (KIP-966, on by default for new Kafka 4.1 clusters): the rules the
//! controller applies to one partition's ISR, ELR and last known leader at every change, as
//! Kafka's `PartitionChangeBuilder` does. Pure functions on [`PartitionMeta`], tested here.
//!
//! Why it is safe: the HW does not advance while the ISR is below `min.insync.replicas`, so a
//! replica that was in the ISR when it fell below holds every committed record and may lead
//! cleanly even though it is no longer in the ISR.

use super::broker::PartitionMeta;
use super::types::BrokerId;

impl PartitionMeta {
    /// `min.insync.replicas` as Kafka applies it: never more than the replication factor (Kafka
    /// accepts a larger setting and uses min(`min.insync.replicas`, RF)).
    pub fn effective_min_isr(&self) -> usize {
        let configured = usize::try_from(self.min_insync_replicas)
            .unwrap_or(1)
            .max(1);
        configured.min(self.replicas.len().max(1))
    }

    /// Sets the ISR to `target` (kept in assignment order) and, with ELR on, updates the ELR:
    /// cleared when `target` reaches the effective min ISR, otherwise every replica that was in
    /// the ISR or the ELR and is not in `target`. The first time the ISR becomes empty the
    /// current leader is remembered as the last known leader. Returns whether the ELR changed.
    pub(crate) fn change_isr(&mut self, target: Vec<BrokerId>, elr_enabled: bool) -> bool {
        let before = self.elr.clone();
        if elr_enabled {
            if target.len() >= self.effective_min_isr() {
                self.elr.clear();
                self.last_known_leader = None;
            } else {
                let was: Vec<BrokerId> = self.elr.iter().chain(&self.isr).copied().collect();
                self.elr = self
                    .replicas
                    .iter()
                    .copied()
                    .filter(|b| was.contains(b) && !target.contains(b))
                    .collect();
            }
            // Kafka remembers the leader; a partition already offline (its leader crashed and the
            // lab's controller saw it) remembers the member that would have led, the last in the ISR.
            if target.is_empty() && !self.isr.is_empty() {
                self.last_known_leader = self.leader.or_else(|| self.isr.first().copied());
            }
        } else {
            self.elr.clear();
        }
        let order = self.replicas.clone();
        let mut isr = target;
        isr.sort_by_key(|b| order.iter().position(|x| x == b));
        isr.dedup();
        self.isr = isr;
        self.elr != before
    }

    /// A broker that registers again after an unclean shutdown (a crash) may have lost records
    /// it had not flushed: it leaves the ELR. Returns whether it was there.
    pub(crate) fn forget_unclean_replica(&mut self, broker: BrokerId) -> bool {
        let had = self.elr.contains(&broker);
        self.elr.retain(|b| *b != broker);
        had
    }

    /// The state after `leader` was elected from the ELR: it becomes the whole ISR and leaves
    /// the ELR; the others stay eligible.
    pub(crate) fn lead_from_elr(&mut self, leader: BrokerId) {
        self.isr = vec![leader];
        self.elr.retain(|b| *b != leader);
        self.last_known_leader = None;
    }

    /// The state after an unclean election (or the last known leader's return): the new leader
    /// is the whole ISR and nobody else is eligible, as its log now defines what is committed.
    pub(crate) fn lead_unclean(&mut self, leader: BrokerId) {
        self.isr = vec![leader];
        self.elr.clear();
        self.last_known_leader = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::types::TopicPartition;

    fn meta(isr: &[BrokerId], min_isr: i16) -> PartitionMeta {
        PartitionMeta {
            tp: TopicPartition::new("t", 0),
            replicas: vec![1, 2, 3],
            leader: Some(1),
            leader_epoch: 0,
            isr: isr.to_vec(),
            elr: Vec::new(),
            last_known_leader: None,
            min_insync_replicas: min_isr,
        }
    }

    #[test]
    fn replicas_leaving_below_min_isr_become_eligible() {
        let mut m = meta(&[1, 2, 3], 2);
        // Down to 2: still at min ISR, nobody is eligible.
        assert!(!m.change_isr(vec![1, 2], true));
        assert!(m.elr.is_empty());
        // Below min ISR: the replica that just left was in sync, broker 3 left earlier and is not.
        assert!(m.change_isr(vec![1], true));
        assert_eq!(m.elr, vec![2]);
    }

    #[test]
    fn both_followers_leaving_at_once_are_both_eligible() {
        let mut m = meta(&[1, 2, 3], 2);
        m.change_isr(vec![1], true);
        assert_eq!(m.elr, vec![2, 3]);
    }

    #[test]
    fn fencing_the_last_member_empties_the_isr_and_remembers_the_leader() {
        let mut m = meta(&[1], 2);
        m.elr = vec![2, 3];
        m.change_isr(vec![], true);
        assert!(m.isr.is_empty());
        assert_eq!(m.elr, vec![1, 2, 3]);
        assert_eq!(m.last_known_leader, Some(1));
        // Already leaderless: the last ISR member is the one that would have led.
        let mut m = meta(&[3], 2);
        m.leader = None;
        m.change_isr(vec![], true);
        assert_eq!(m.last_known_leader, Some(3));
    }

    #[test]
    fn reaching_min_isr_again_clears_the_elr() {
        let mut m = meta(&[2], 2);
        m.elr = vec![1, 3];
        assert!(m.change_isr(vec![2, 3], true));
        assert!(m.elr.is_empty());
        assert_eq!(m.isr, vec![2, 3]);
    }

    #[test]
    fn a_replica_rejoining_the_isr_leaves_the_elr() {
        let mut m = meta(&[2], 3);
        m.elr = vec![1, 3];
        m.change_isr(vec![2, 3], true);
        assert_eq!(m.elr, vec![1]);
    }

    #[test]
    fn without_elr_nothing_is_eligible() {
        let mut m = meta(&[1, 2, 3], 2);
        m.change_isr(vec![1], false);
        assert!(m.elr.is_empty());
        assert_eq!(m.last_known_leader, None);
    }

    #[test]
    fn min_isr_above_the_replication_factor_counts_as_the_replication_factor() {
        let m = meta(&[1, 2, 3], 5);
        assert_eq!(m.effective_min_isr(), 3);
        assert_eq!(meta(&[1], 0).effective_min_isr(), 1);
    }

    #[test]
    fn election_from_the_elr_makes_the_leader_the_isr() {
        let mut m = meta(&[], 2);
        m.elr = vec![1, 2, 3];
        m.last_known_leader = Some(1);
        m.lead_from_elr(2);
        assert_eq!((m.isr.clone(), m.elr.clone()), (vec![2], vec![1, 3]));
        assert_eq!(m.last_known_leader, None);
        assert!(m.forget_unclean_replica(1));
        assert_eq!(m.elr, vec![3]);
        m.lead_unclean(3);
        assert!(m.elr.is_empty());
    }
}
