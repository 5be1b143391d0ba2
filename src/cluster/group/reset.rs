//! Resetting a group's committed offsets, as `kafka-consumer-groups.sh --reset-offsets` does:
//! where to (`--to-earliest`, `--to-latest`, `--to-datetime`, `--by-duration`) and Kafka's rule
//! that only a group without active members may be reset.

use crate::cluster::snapshot::GroupState;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a reset moves a group's offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetTo {
    /// `--to-earliest`: the log start offset.
    Earliest,
    /// `--to-latest`: the high watermark (ListOffsets latest, read_uncommitted).
    Latest,
    /// `--to-datetime`: the first offset whose timestamp is at or after this one (ms since the
    /// Unix epoch); a partition with none goes to latest, as Kafka's tool does.
    Timestamp(i64),
    /// `--by-duration`: this many ms before the moment the reset runs, then as `Timestamp`.
    Ago(i64),
}

impl ResetTo {
    /// The timestamp ListOffsets is asked for, `now_ms` being the cluster's clock (ms since the
    /// Unix epoch); `None` for earliest and latest, which have no timestamp.
    pub fn timestamp_ms(self, now_ms: i64) -> Option<i64> {
        match self {
            ResetTo::Earliest | ResetTo::Latest => None,
            ResetTo::Timestamp(ts) => Some(ts),
            ResetTo::Ago(ms) => Some(now_ms.saturating_sub(ms)),
        }
    }
}

impl fmt::Display for ResetTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResetTo::Earliest => f.write_str("earliest"),
            ResetTo::Latest => f.write_str("latest"),
            ResetTo::Timestamp(ts) => f.write_str(&datetime(*ts)),
            ResetTo::Ago(ms) => write!(f, "{} ago", duration_words(*ms)),
        }
    }
}

/// Whether Kafka lets a group in `state` be reset: only Empty or Dead (no active members).
pub fn is_inactive(state: GroupState) -> bool {
    matches!(state, GroupState::Empty | GroupState::Dead)
}

/// A timestamp as ISO 8601 in UTC, to the second (or the millisecond when it has one).
pub fn datetime(ts_ms: i64) -> String {
    match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts_ms) {
        Some(t) if ts_ms % 1000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => format!("{ts_ms} ms"),
    }
}

/// A duration as `1h30m`, `10m`, `45s`, `2d` (largest units first, zero parts left out).
pub fn duration_words(ms: i64) -> String {
    let mut rest = ms.max(0) / 1000;
    let mut out = String::new();
    for (unit, secs) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= secs {
            out.push_str(&format!("{}{unit}", rest / secs));
            rest %= secs;
        }
    }
    if out.is_empty() {
        format!("{}ms", ms.max(0))
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_or_dead_groups_may_be_reset() {
        assert!(is_inactive(GroupState::Empty));
        assert!(is_inactive(GroupState::Dead));
        for live in [
            GroupState::Stable,
            GroupState::PreparingRebalance,
            GroupState::CompletingRebalance,
            GroupState::Reconciling,
        ] {
            assert!(!is_inactive(live), "{live}");
        }
    }

    #[test]
    fn a_duration_resolves_against_the_clock_and_reads_in_units() {
        assert_eq!(ResetTo::Ago(600_000).timestamp_ms(1_000_000), Some(400_000));
        assert_eq!(ResetTo::Timestamp(5).timestamp_ms(1_000_000), Some(5));
        assert_eq!(ResetTo::Earliest.timestamp_ms(1_000_000), None);
        assert_eq!(ResetTo::Ago(5_400_000).to_string(), "1h30m ago");
        assert_eq!(ResetTo::Ago(600_000).to_string(), "10m ago");
        assert_eq!(
            ResetTo::Timestamp(1_796_119_200_000).to_string(),
            "2026-12-01T10:00:00Z"
        );
    }
}
