//! Raft's safety invariants over the KRaft quorum, checked after every step of a chaos run: at
//! most one leader per epoch, committed metadata never lost, every node's applied metadata a
//! prefix of the committed log; and liveness: with a majority up, a leader within a bound.

use kafka_lab::cluster::Cluster;
use kafka_lab::cluster::kraft::Role;
use std::collections::BTreeMap;

/// With a majority of controllers up, an active controller must exist within this long: the
/// fetch timeout, then a few randomised election timeouts of split votes.
pub const LEADER_WITHIN_MS: i64 = 12_000;

/// What the checker remembers between steps.
#[derive(Default)]
pub struct KraftSafety {
    leaders_by_epoch: BTreeMap<i32, i32>,
    /// The committed log as (epoch, start offset) runs, and its length.
    committed: Vec<(i32, i64)>,
    committed_len: i64,
    leaderless_since_ms: Option<i64>,
}

/// The runs of `entries` that start below `len`: the epochs of the log's first `len` records.
fn prefix(entries: &[(i32, i64)], len: i64) -> Vec<(i32, i64)> {
    entries.iter().copied().filter(|(_, s)| *s < len).collect()
}

impl KraftSafety {
    /// Checks every invariant now.
    pub fn check(&mut self, c: &Cluster) -> Result<(), String> {
        let at = c.now_ms();
        let q = c.quorum();
        let nodes = q.snapshot();
        for n in nodes.iter().filter(|n| n.role == Role::Leader) {
            let first = *self.leaders_by_epoch.entry(n.epoch).or_insert(n.id);
            if first != n.id {
                return Err(format!(
                    "KRaft epoch {} had leaders {first} and {} at {at}ms",
                    n.epoch, n.id
                ));
            }
        }
        if let Some(leader) = q.leader() {
            let log = q.log(leader).ok_or("the leader has no log")?;
            let hw = nodes
                .iter()
                .find(|n| n.id == leader)
                .map_or(0, |n| n.high_watermark);
            // Committed records are never lost: the leader holds the committed prefix as it was.
            if prefix(log.epoch_entries(), self.committed_len) != self.committed {
                return Err(format!(
                    "controller {leader} lost committed metadata: {:?} vs {:?} below {} at {at}ms",
                    prefix(log.epoch_entries(), self.committed_len),
                    self.committed,
                    self.committed_len
                ));
            }
            if hw > self.committed_len {
                self.committed = prefix(log.epoch_entries(), hw);
                self.committed_len = hw;
            }
        }
        // Every node applies a prefix of the committed log (never past it, never different).
        for n in nodes.iter().filter(|n| n.role != Role::Down) {
            if n.high_watermark > self.committed_len {
                return Err(format!(
                    "node {} applied {} but only {} is committed at {at}ms",
                    n.id, n.high_watermark, self.committed_len
                ));
            }
            let log = q.log(n.id).ok_or("a running node has no log")?;
            if prefix(log.epoch_entries(), n.high_watermark)
                != prefix(&self.committed, n.high_watermark)
            {
                return Err(format!(
                    "node {}'s applied metadata is not a prefix of the committed log at {at}ms",
                    n.id
                ));
            }
        }
        // Liveness: a majority up elects a leader within the bound.
        if q.leader().is_some() || q.voters_up() < q.majority() {
            self.leaderless_since_ms = None;
        } else {
            let since = *self.leaderless_since_ms.get_or_insert(at);
            if at - since > LEADER_WITHIN_MS {
                return Err(format!(
                    "{} of {} controllers up but no leader for {} ms at {at}ms",
                    q.voters_up(),
                    q.voters().len(),
                    at - since
                ));
            }
        }
        Ok(())
    }

    /// Leader elections seen (epochs with a leader).
    pub fn epochs_led(&self) -> usize {
        self.leaders_by_epoch.len()
    }
}
