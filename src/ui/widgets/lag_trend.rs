//! A group's lag over time as one line of block characters, newest on the right, for its header
//! in the groups panel: a backlog building up or draining reads at a glance, also without color.

/// Bars from a lag of 0 (the floor) to the window's peak (`▇`: a steady lag is a line, not a
/// wall of full blocks on a projector).
const BARS: [char; 7] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇'];

/// A second with nothing committed yet: no lag to draw.
const UNKNOWN: char = '·';

/// The newest `width` samples as bars scaled to their own peak (a flat line at the floor for a
/// group with no lag).
pub fn sparkline(samples: &[Option<i64>], width: usize) -> String {
    let window = &samples[samples.len().saturating_sub(width)..];
    let peak = window.iter().flatten().copied().max().unwrap_or(0).max(1);
    window
        .iter()
        .map(|s| match s {
            None => UNKNOWN,
            Some(v) => {
                let v = (*v).clamp(0, peak);
                // Any lag above 0 lifts the bar off the floor, so a small backlog still shows.
                let level = if v == 0 {
                    0
                } else {
                    ((v * 6 + peak - 1) / peak).clamp(1, 6)
                };
                BARS[level as usize]
            }
        })
        .collect()
}

/// Whether the lag grew over the newest `window` samples (first known to last known).
pub fn rising(samples: &[Option<i64>], window: usize) -> bool {
    let recent = &samples[samples.len().saturating_sub(window)..];
    let mut known = recent.iter().flatten();
    match (known.next(), known.last()) {
        (Some(first), Some(last)) => last > first,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_window_peak_and_unknown_seconds_are_dots() {
        let s = [None, Some(0), Some(1), Some(50), Some(100)];
        assert_eq!(sparkline(&s, 10), "·▁▂▄▇");
        // Only the newest samples that fit, scaled to their own peak.
        assert_eq!(sparkline(&s, 2), "▄▇");
        assert_eq!(sparkline(&[Some(7), Some(7)], 5), "▇▇");
        assert_eq!(sparkline(&[Some(0), Some(0)], 5), "▁▁");
        assert_eq!(sparkline(&[], 5), "");
    }

    #[test]
    fn rising_compares_the_first_and_last_known_lag_of_the_window() {
        assert!(rising(&[Some(1), None, Some(5)], 10));
        assert!(!rising(&[Some(5), Some(9), Some(2)], 10));
        assert!(!rising(&[Some(9), Some(9)], 10));
        assert!(!rising(&[None, Some(3)], 10));
        // Outside the window does not count: 100 → 2 → 4 rises over the newest two.
        assert!(rising(&[Some(100), Some(2), Some(4)], 2));
    }
}
