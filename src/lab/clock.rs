//! `SimClock`: maps tokio's clock onto simulated time with a speed factor and pause.
//!
//! It reads `tokio::time::Instant`, so tests with tokio's paused clock drive it with no wall time.

use tokio::time::Instant;

/// Simulated time that runs at `speed` × real time and can be paused.
#[derive(Clone, Debug)]
pub struct SimClock {
    base_real: Instant,
    base_sim_ms: f64,
    speed: f64,
    paused: bool,
}

/// The slowest and fastest speeds the lab accepts.
pub const SPEED_RANGE: (f64, f64) = (0.125, 64.0);

impl SimClock {
    /// A clock at simulated 0 ms, running at real time.
    pub fn new() -> Self {
        Self {
            base_real: Instant::now(),
            base_sim_ms: 0.0,
            speed: 1.0,
            paused: false,
        }
    }

    /// Current simulated milliseconds.
    pub fn now_ms(&self) -> i64 {
        if self.paused {
            return self.base_sim_ms as i64;
        }
        let real = self.base_real.elapsed().as_secs_f64() * 1000.0;
        (self.base_sim_ms + real * self.speed) as i64
    }

    fn rebase(&mut self) {
        self.base_sim_ms = self.now_ms() as f64;
        self.base_real = Instant::now();
    }

    /// Sets the speed, clamped to [`SPEED_RANGE`].
    pub fn set_speed(&mut self, speed: f64) {
        self.rebase();
        let speed = if speed.is_finite() { speed } else { 1.0 };
        self.speed = speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1);
    }

    /// Pauses or resumes.
    pub fn set_paused(&mut self, paused: bool) {
        self.rebase();
        self.paused = paused;
    }

    /// Moves simulated now to `ms` (a replay that jumped, or fell behind).
    pub fn set_now_ms(&mut self, ms: i64) {
        self.base_sim_ms = ms as f64;
        self.base_real = Instant::now();
    }

    /// Current speed.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Whether paused.
    pub fn paused(&self) -> bool {
        self.paused
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn speed_and_pause_shape_simulated_time() {
        let mut c = SimClock::new();
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(c.now_ms(), 100);
        c.set_speed(4.0);
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(c.now_ms(), 500);
        c.set_paused(true);
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(c.now_ms(), 500);
        c.set_speed(1000.0);
        assert_eq!(c.speed(), SPEED_RANGE.1);
    }
}
