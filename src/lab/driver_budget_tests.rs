//! The live driver when steps cost more wall time than they simulate: each advance stops after
//! its wall budget (at least one step), and a debt larger than one advance may repay is
//! forgotten, so simulated time runs slower instead of the driver leaving real clients' requests
//! in its inbox for seconds.

use super::core::Lab;
use super::driver::{Attachments, Driver, MAX_SIM_MS_PER_TICK};
use crate::cluster::config::ClusterConfig;
use std::time::Duration;

fn driver(dir: &std::path::Path) -> Driver {
    let lab = Lab::new(ClusterConfig::new(3, 1, dir)).expect("lab");
    Driver::for_replay(lab, Attachments::default())
}

#[tokio::test(start_paused = true)]
async fn a_driver_far_behind_its_clock_steps_once_per_spent_budget_and_lets_time_slip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut d = driver(dir.path());
    let step = d.lab.config().step_ms;
    // Ten simulated seconds are due at once, as after a run of steps slower than real time.
    d.clock.set_now_ms(10_000);
    d.advance_within(Duration::ZERO);
    assert_eq!(d.lab.now_ms(), step, "one step, then the budget is spent");
    let debt = d.clock.now_ms() - d.lab.now_ms();
    assert!(
        (0..=MAX_SIM_MS_PER_TICK).contains(&debt),
        "the clock waits for the lab: {debt} ms behind"
    );
}

#[tokio::test(start_paused = true)]
async fn a_driver_with_budget_to_spare_catches_up_with_its_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut d = driver(dir.path());
    d.clock.set_now_ms(1_500);
    d.advance_within(Duration::from_secs(3_600));
    assert_eq!(d.lab.now_ms(), 1_500);
    assert_eq!(
        d.clock.now_ms(),
        1_500,
        "a debt it could repay is not forgotten"
    );
}
