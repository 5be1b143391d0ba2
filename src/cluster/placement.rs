//! Replica placement and leader election: Kafka's rules as pure functions.

use super::types::BrokerId;

/// Kafka's rack-unaware replica assignment (`AdminUtils.assignReplicasToBrokers`).
///
/// `start_index` and `shift` are the random starting points Kafka draws; the lab draws them from
/// its seeded RNG so the same seed places replicas the same way. Leaders (first replicas) spread
/// round robin over brokers, and followers are shifted so load spreads too.
pub fn assign_replicas(
    brokers: &[BrokerId],
    partitions: i32,
    replication_factor: usize,
    start_index: usize,
    shift: usize,
) -> Vec<Vec<BrokerId>> {
    let n = brokers.len();
    if n == 0 {
        return Vec::new();
    }
    let rf = replication_factor.min(n);
    let mut shift = shift % n;
    let mut out = Vec::with_capacity(partitions.max(0) as usize);
    for p in 0..partitions.max(0) as usize {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start_index) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..rf.saturating_sub(1) {
            let step = 1 + (shift + j) % (n - 1).max(1);
            replicas.push(brokers[(first + step) % n]);
        }
        out.push(replicas);
    }
    out
}

/// The outcome of a leader election for one partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Election {
    /// A live ISR member leads (clean).
    Clean(BrokerId),
    /// The ISR is empty; a live eligible leader replica leads (clean: it has every committed
    /// record, KIP-966).
    FromElr(BrokerId),
    /// ISR and ELR are empty; the last known leader, unfenced again, leads (Kafka 4.1 does this
    /// without `unclean.leader.election.enable`, as Kafka did before ELR).
    LastKnownLeader(BrokerId),
    /// No live ISR member; an out-of-sync live replica leads (`unclean.leader.election.enable`).
    Unclean(BrokerId),
    /// Nobody can lead: the partition is offline.
    Offline,
}

/// Who may lead one partition, as the controller records it.
#[derive(Clone, Copy, Debug)]
pub struct Candidates<'a> {
    /// Assigned replicas, preferred first: ties go to the earlier one.
    pub replicas: &'a [BrokerId],
    /// In-sync replicas.
    pub isr: &'a [BrokerId],
    /// Eligible leader replicas (only considered while the ISR is empty).
    pub elr: &'a [BrokerId],
    /// The leader when the ISR became empty.
    pub last_known_leader: Option<BrokerId>,
}

/// Kafka's choice: the first replica in assignment order that is alive and in the ISR; if the
/// ISR is empty, the first live one in the ELR; if that is empty too, the last known leader when
/// alive; only then the first live replica, when unclean election is enabled.
pub fn elect_leader(
    c: Candidates<'_>,
    alive: impl Fn(BrokerId) -> bool,
    unclean: bool,
) -> Election {
    if let Some(&b) = c.replicas.iter().find(|b| c.isr.contains(b) && alive(**b)) {
        return Election::Clean(b);
    }
    if c.isr.is_empty() {
        if let Some(&b) = c.replicas.iter().find(|b| c.elr.contains(b) && alive(**b)) {
            return Election::FromElr(b);
        }
        if c.elr.is_empty()
            && let Some(b) = c.last_known_leader.filter(|b| alive(*b))
        {
            return Election::LastKnownLeader(b);
        }
    }
    if unclean && let Some(&b) = c.replicas.iter().find(|b| alive(**b)) {
        return Election::Unclean(b);
    }
    Election::Offline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_brokers_two_partitions_spread_leaders_like_the_article() {
        let a = assign_replicas(&[1, 2, 3], 2, 3, 0, 0);
        assert_eq!(a, vec![vec![1, 2, 3], vec![2, 3, 1]]);
    }

    #[test]
    fn every_partition_gets_distinct_replicas() {
        for n in 1..=9usize {
            let brokers: Vec<i32> = (1..=n as i32).collect();
            for rf in 1..=n {
                for start in 0..n {
                    let a = assign_replicas(&brokers, 20, rf, start, start + 1);
                    for r in &a {
                        let mut s = r.clone();
                        s.sort();
                        s.dedup();
                        assert_eq!(s.len(), rf, "{r:?}");
                    }
                }
            }
        }
    }

    fn isr(replicas: &'static [BrokerId], isr: &'static [BrokerId]) -> Candidates<'static> {
        Candidates {
            replicas,
            isr,
            elr: &[],
            last_known_leader: None,
        }
    }

    #[test]
    fn election_prefers_first_live_isr_member() {
        let alive = |b: i32| b != 1;
        assert_eq!(
            elect_leader(isr(&[1, 2, 3], &[1, 3]), alive, false),
            Election::Clean(3)
        );
        assert_eq!(
            elect_leader(isr(&[1, 2, 3], &[1]), alive, false),
            Election::Offline
        );
        assert_eq!(
            elect_leader(isr(&[1, 2, 3], &[1]), alive, true),
            Election::Unclean(2)
        );
    }

    #[test]
    fn empty_isr_elects_from_the_elr_before_anything_unclean() {
        let alive = |b: i32| b != 1;
        let c = Candidates {
            replicas: &[1, 2, 3],
            isr: &[],
            elr: &[1, 3],
            last_known_leader: Some(1),
        };
        assert_eq!(elect_leader(c, alive, true), Election::FromElr(3));
        // An ELR whose members are all down: the last known leader is not tried, only unclean.
        let c = Candidates { elr: &[1], ..c };
        assert_eq!(elect_leader(c, alive, false), Election::Offline);
        assert_eq!(elect_leader(c, alive, true), Election::Unclean(2));
    }

    #[test]
    fn empty_isr_and_elr_bring_back_the_last_known_leader_once_alive() {
        let c = Candidates {
            replicas: &[1, 2, 3],
            isr: &[],
            elr: &[],
            last_known_leader: Some(2),
        };
        assert_eq!(
            elect_leader(c, |_| true, false),
            Election::LastKnownLeader(2)
        );
        assert_eq!(elect_leader(c, |b| b != 2, false), Election::Offline);
        // The ELR is only for an empty ISR: a dead ISR member keeps the others out.
        let c = Candidates {
            isr: &[1],
            elr: &[3],
            ..c
        };
        assert_eq!(elect_leader(c, |b| b != 1, false), Election::Offline);
    }
}
