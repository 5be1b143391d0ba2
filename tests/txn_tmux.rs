//! The real `kafka-lab` binary in a real terminal (tmux), on the `exactly-once` lesson: `T` opens
//! the open-transactions overlay with the transactional producer's `copy-job` transaction and its
//! age against `transaction.timeout.ms`, and `T` closes it. Every wait polls the screen; none is a
//! bare sleep. Skipped when tmux is missing (a failure when `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::tmux::{Session, tmux_or_skip};
use std::time::Duration;

#[test]
fn t_lists_the_open_transaction_with_its_age_and_t_closes_it() {
    if !tmux_or_skip("open transactions end-to-end") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!("{bin} lesson exactly-once; echo kafka-lab-exited rc=$?; sleep 60");
    let session = Session::start(120, 36, &command);
    session.wait_for("the lesson", Duration::from_secs(30), |s| {
        s.contains("LESSON") && s.contains("job-1")
    });
    session.keys(&["T"]);
    let screen = session.wait_for("the open transaction", Duration::from_secs(30), |s| {
        s.contains("Open transactions (1)")
            && s.contains("copy-job")
            && s.contains("transaction.timeout.ms=30000")
    });
    assert!(screen.contains("Ongoing"), "{screen}");
    assert!(screen.contains("payments-"), "{screen}");
    session.keys(&["T"]);
    session.wait_for("the overlay to close", Duration::from_secs(10), |s| {
        !s.contains("Open transactions") && s.contains("Partitions")
    });
    session.keys(&["q"]);
    let screen = session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited")
    });
    assert!(screen.contains("kafka-lab-exited rc=0"), "{screen}");
}
