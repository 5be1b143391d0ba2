//! Kafka's exponential retry backoff: `retry.backoff.ms` doubled per attempt up to
//! `retry.backoff.max.ms`, times a jitter factor in [0.8, 1.2) so many clients do not retry in step.
//! The jitter comes from the lab's seeded RNG, never the wall clock, so a seed replays a run.

use rand::Rng;

/// Kafka's jitter around the backoff (`CommonClientConfigs.RETRY_BACKOFF_JITTER`).
const JITTER: f64 = 0.2;
/// Kafka's growth per attempt (`RETRY_BACKOFF_EXP_BASE`).
const MULTIPLIER: f64 = 2.0;

/// How long a retry waits after `attempts` failed tries before it (0 for the first retry).
pub fn retry_backoff_ms(initial_ms: u64, max_ms: u64, attempts: u32, rng: &mut impl Rng) -> i64 {
    // As Kafka: a maximum at or below the initial backoff means a constant one, without jitter.
    if max_ms <= initial_ms {
        return initial_ms as i64;
    }
    let exp_max = (max_ms as f64 / initial_ms.max(1) as f64).ln() / MULTIPLIER.ln();
    let exp = f64::from(attempts).min(exp_max);
    let term = initial_ms as f64 * MULTIPLIER.powf(exp);
    let factor = rng.random_range((1.0 - JITTER)..(1.0 + JITTER));
    (factor * term) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn backoff_doubles_from_100_to_about_1000_with_seeded_jitter() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let waits: Vec<i64> = (0..8)
            .map(|a| retry_backoff_ms(100, 1_000, a, &mut rng))
            .collect();
        for (attempt, (wait, centre)) in waits
            .iter()
            .zip([100.0, 200.0, 400.0, 800.0, 1000.0, 1000.0, 1000.0, 1000.0])
            .enumerate()
        {
            let (lo, hi) = ((centre * 0.8) as i64, (centre * 1.2) as i64);
            assert!(
                (lo..=hi).contains(wait),
                "attempt {attempt}: {wait} not in {lo}..={hi}"
            );
        }
        let mut again = ChaCha8Rng::seed_from_u64(1);
        let replay: Vec<i64> = (0..8)
            .map(|a| retry_backoff_ms(100, 1_000, a, &mut again))
            .collect();
        assert_eq!(waits, replay, "the same seed gives the same waits");
        assert_eq!(
            retry_backoff_ms(500, 100, 3, &mut rng),
            500,
            "max below initial: constant"
        );
    }
}
