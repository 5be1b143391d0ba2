//! The tables at scale in a real terminal (tmux): a lab whose topic has 100 partitions, `/`
//! filters the partitions table as the name is typed and its title counts what matches, Enter
//! keeps the filter, PgDn pages the table, Esc lists every partition again. Every wait polls the
//! screen; none is a bare sleep. Skipped when tmux is missing (a failure when
//! `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::tmux::{Session, tmux_or_skip};
use std::time::Duration;

/// The partitions the partitions table lists, in screen order (rows start with its border and
/// the selection mark).
fn listed(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| {
            let mut words = line.trim_start_matches(['│', '┃']).split_whitespace();
            let name = words.next()?.trim_start_matches('>');
            // The map lists the same names; its rows have `L`/`F` cells, the table's numbers.
            let second = words.next()?;
            (name.starts_with("test-") && second.chars().all(|c| c.is_ascii_digit()))
                .then(|| name.to_string())
        })
        .collect()
}

#[test]
fn slash_filters_a_hundred_partitions_and_pgdn_pages_them() {
    if !tmux_or_skip("tables filter end-to-end") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "{bin} --ephemeral --no-listen --seed 7 --partitions 100; echo kafka-lab-exited rc=$?; sleep 60"
    );
    let session = Session::start(160, 48, &command);
    session.wait_for("a hundred partitions", Duration::from_secs(60), |s| {
        s.contains("test-0") && s.contains("more")
    });
    // Focus the partitions table.
    session.keys(&["Tab"]);
    session.keys(&["/"]);
    session.wait_for("the filter line", Duration::from_secs(10), |s| {
        s.contains("FILTER")
    });
    session.send(&["-l", "test-4"]);
    let screen = session.wait_for("the count", Duration::from_secs(10), |s| {
        s.contains("/test-4: 11 of 100")
    });
    let rows = listed(&screen);
    assert!(!rows.is_empty(), "{screen}");
    assert!(
        rows.iter()
            .all(|r| r == "test-4" || r.starts_with("test-4")),
        "only test-4 and test-40..49 are listed: {rows:?}\n{screen}"
    );
    session.keys(&["Enter"]);
    session.wait_for("the filter kept", Duration::from_secs(10), |s| {
        !s.contains("FILTER") && s.contains("/test-4: 11 of 100")
    });
    // Every partition again, test-4 still selected (the filter's first row), then a page down:
    // the selection moves a screen on.
    session.keys(&["Escape"]);
    let first = session.wait_for("every partition", Duration::from_secs(10), |s| {
        !s.contains("/test-4") && listed(s).first().is_some_and(|r| r == "test-0")
    });
    let page = listed(&first).len();
    assert!(page > 3 && page < 100, "{first}");
    session.keys(&["PageDown"]);
    let screen = session.wait_for("the next page", Duration::from_secs(10), |s| {
        listed(s).first().is_some_and(|r| r != "test-0")
    });
    let to = 4 + page;
    assert!(
        screen.contains(&format!(">test-{to}")),
        "the selection moved a page, from test-4 to test-{to}:\n{screen}"
    );
    session.keys(&["q"]);
    session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited rc=0")
    });
}
