//! Lag over time for the groups panel: each group's total lag once a second, so a room sees
//! whether a group is catching up or falling behind, not only where it stands.

use crate::cluster::snapshot::GroupSnapshot;
use std::collections::{BTreeMap, VecDeque};

/// Samples kept per group: one minute at one a second (a sparkline fits a group's header).
pub const LAG_SAMPLES_MAX: usize = 60;

/// Groups followed at once; past it the ones with the lowest ids are dropped. Groups that leave
/// the snapshot are dropped at once, so only a cluster with this many live groups reaches it.
pub const LAG_GROUPS_MAX: usize = 4_096;

/// Each group's total lag, sampled once a second (simulated in the lab, wall clock when attached).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LagHistory {
    groups: BTreeMap<String, VecDeque<Option<i64>>>,
    /// When the last sample was taken.
    last_ms: Option<i64>,
}

impl LagHistory {
    /// Whether a sample is due at `now_ms`: a second since the last one (or none yet).
    pub fn due(&self, now_ms: i64) -> bool {
        self.last_ms.is_none_or(|at| now_ms - at >= 1_000)
    }

    /// Takes one sample of every group in `groups` if one is due; groups gone are forgotten.
    pub fn observe(&mut self, now_ms: i64, groups: &[GroupSnapshot]) {
        if !self.due(now_ms) {
            return;
        }
        self.last_ms = Some(now_ms);
        self.groups
            .retain(|id, _| groups.iter().any(|g| &g.group_id == id));
        for g in groups {
            let samples = self.groups.entry(g.group_id.clone()).or_default();
            samples.push_back(total_lag(g));
            if samples.len() > LAG_SAMPLES_MAX {
                samples.pop_front();
            }
        }
        while self.groups.len() > LAG_GROUPS_MAX {
            self.groups.pop_first();
        }
    }

    /// Writes each group's samples into its snapshot, oldest first.
    pub fn fill(&self, groups: &mut [GroupSnapshot]) {
        for g in groups {
            g.lag_history = self
                .groups
                .get(&g.group_id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
        }
    }
}

/// The group's lag summed over the partitions with a committed offset; `None` when none has one
/// (`kafka-consumer-groups.sh` shows `-` then, not 0).
pub fn total_lag(g: &GroupSnapshot) -> Option<i64> {
    g.partitions
        .iter()
        .filter_map(|p| p.lag)
        .fold(None, |sum, lag| Some(sum.unwrap_or(0) + lag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::snapshot::{GroupPartitionSnapshot, GroupState};
    use crate::cluster::types::TopicPartition;

    fn group(id: &str, lags: &[Option<i64>]) -> GroupSnapshot {
        GroupSnapshot {
            group_id: id.into(),
            state: GroupState::Stable,
            generation: 1,
            assignor: None,
            coordinator: None,
            leader_member: None,
            members: Vec::new(),
            partitions: lags
                .iter()
                .enumerate()
                .map(|(i, lag)| GroupPartitionSnapshot {
                    tp: TopicPartition::new("t", i as i32),
                    owner: None,
                    committed: lag.map(|_| 0),
                    position: None,
                    high_watermark: lag.unwrap_or(0),
                    lag: *lag,
                    stale: false,
                    moved_at_ms: None,
                })
                .collect(),
            rebalance: None,
            protocol: "classic".into(),
            lag_history: Vec::new(),
        }
    }

    fn history_of(h: &LagHistory, g: &GroupSnapshot) -> Vec<Option<i64>> {
        let mut g = [g.clone()];
        h.fill(&mut g);
        g[0].lag_history.clone()
    }

    #[test]
    fn the_total_skips_partitions_without_a_commit_and_is_none_with_none() {
        assert_eq!(total_lag(&group("g", &[Some(3), None, Some(4)])), Some(7));
        assert_eq!(total_lag(&group("g", &[None, None])), None);
        assert_eq!(total_lag(&group("g", &[Some(0)])), Some(0));
    }

    #[test]
    fn one_sample_a_second_bounded_oldest_first() {
        let mut h = LagHistory::default();
        h.observe(0, &[group("g", &[Some(1)])]);
        h.observe(999, &[group("g", &[Some(2)])]);
        h.observe(1_000, &[group("g", &[Some(5)])]);
        assert_eq!(history_of(&h, &group("g", &[])), vec![Some(1), Some(5)]);
        for s in 2..200 {
            h.observe(s * 1_000, &[group("g", &[Some(s)])]);
        }
        let kept = history_of(&h, &group("g", &[]));
        assert_eq!(kept.len(), LAG_SAMPLES_MAX);
        assert_eq!(kept.last(), Some(&Some(199)));
        assert_eq!(kept.first(), Some(&Some(199 - LAG_SAMPLES_MAX as i64 + 1)));
    }

    #[test]
    fn a_group_that_leaves_is_forgotten_and_starts_over_if_it_returns() {
        let mut h = LagHistory::default();
        h.observe(0, &[group("a", &[Some(1)]), group("b", &[Some(2)])]);
        h.observe(1_000, &[group("b", &[Some(3)])]);
        assert!(history_of(&h, &group("a", &[])).is_empty());
        h.observe(2_000, &[group("a", &[Some(9)]), group("b", &[Some(4)])]);
        assert_eq!(history_of(&h, &group("a", &[])), vec![Some(9)]);
        assert_eq!(
            history_of(&h, &group("b", &[])),
            vec![Some(2), Some(3), Some(4)]
        );
    }

    #[test]
    fn at_most_lag_groups_max_groups_are_followed() {
        let mut h = LagHistory::default();
        let many: Vec<GroupSnapshot> = (0..LAG_GROUPS_MAX + 5)
            .map(|i| group(&format!("g{i:05}"), &[Some(1)]))
            .collect();
        h.observe(0, &many);
        assert_eq!(h.groups.len(), LAG_GROUPS_MAX);
    }
}
