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
    /// No live ISR member; an out-of-sync live replica leads (`unclean.leader.election.enable`).
    Unclean(BrokerId),
    /// Nobody can lead: the partition is offline.
    Offline,
}

/// Kafka's choice: the first replica in assignment order that is alive and in the ISR; if none,
/// the first live replica only when unclean election is enabled.
pub fn elect_leader(
    replicas: &[BrokerId],
    isr: &[BrokerId],
    alive: impl Fn(BrokerId) -> bool,
    unclean: bool,
) -> Election {
    if let Some(&b) = replicas.iter().find(|b| isr.contains(b) && alive(**b)) {
        return Election::Clean(b);
    }
    if unclean && let Some(&b) = replicas.iter().find(|b| alive(**b)) {
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

    #[test]
    fn election_prefers_first_live_isr_member() {
        let alive = |b: i32| b != 1;
        assert_eq!(
            elect_leader(&[1, 2, 3], &[1, 3], alive, false),
            Election::Clean(3)
        );
        assert_eq!(
            elect_leader(&[1, 2, 3], &[1], alive, false),
            Election::Offline
        );
        assert_eq!(
            elect_leader(&[1, 2, 3], &[1], alive, true),
            Election::Unclean(2)
        );
    }
}
