//! Throughput history for the dashboard's sparklines: one records/s sample per simulated second.

use serde::Serialize;

/// Samples kept per series: two minutes at one a second.
pub const THROUGHPUT_SAMPLES_MAX: usize = 120;

/// Throughput history for sparklines.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ThroughputSnapshot {
    /// Records produced (acknowledged) per simulated second.
    pub produced_per_sec: Vec<u64>,
    /// Records consumed per simulated second.
    pub consumed_per_sec: Vec<u64>,
}

/// Turns running totals into per-second samples.
#[derive(Clone, Debug, Default)]
pub struct ThroughputMeter {
    history: ThroughputSnapshot,
    /// (time, produced, consumed) at the last sample.
    mark: (i64, u64, u64),
}

impl ThroughputMeter {
    /// Takes a sample when a simulated second has passed since the last one.
    pub fn observe(&mut self, now_ms: i64, produced: u64, consumed: u64) {
        let (at, produced_before, consumed_before) = self.mark;
        if now_ms - at < 1_000 {
            return;
        }
        let h = &mut self.history;
        h.produced_per_sec
            .push(produced.saturating_sub(produced_before));
        h.consumed_per_sec
            .push(consumed.saturating_sub(consumed_before));
        for v in [&mut h.produced_per_sec, &mut h.consumed_per_sec] {
            if v.len() > THROUGHPUT_SAMPLES_MAX {
                v.remove(0);
            }
        }
        self.mark = (now_ms, produced, consumed);
    }

    /// The history so far.
    pub fn history(&self) -> &ThroughputSnapshot {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_second_and_bounded() {
        let mut m = ThroughputMeter::default();
        m.observe(500, 10, 0);
        assert!(m.history().produced_per_sec.is_empty());
        m.observe(1_000, 10, 4);
        m.observe(2_000, 25, 4);
        assert_eq!(m.history().produced_per_sec, vec![10, 15]);
        assert_eq!(m.history().consumed_per_sec, vec![4, 0]);
        for s in 3..500 {
            m.observe(s * 1_000, 0, 0);
        }
        assert_eq!(m.history().produced_per_sec.len(), THROUGHPUT_SAMPLES_MAX);
    }
}
