//! The skip-or-fail rule of end-to-end tests: without `KAFKA_LAB_REQUIRE_E2E=1` a test whose tool
//! is missing skips with a note; with it the same test fails, naming the tool. Checked on the pure
//! decision and on a real test of this binary run as a child process.

mod common;

use common::require::{REQUIRE_E2E_VAR, skip_or_fail};
use std::process::Command;

/// A variable no environment sets: the probe's stand-in for a missing tool.
const PROBE_VAR: &str = "KAFKA_LAB_E2E_PROBE_TOOL_THAT_IS_NEVER_SET";

#[test]
fn a_missing_tool_skips_by_default_and_fails_when_required() {
    let skip = skip_or_fail(false, "tmux is not installed", "dashboard");
    assert!(
        skip.as_ref().is_ok_and(|n| n.contains("skipping")),
        "{skip:?}"
    );
    let fail = skip_or_fail(true, "tmux is not installed", "dashboard");
    let message = fail.expect_err("a required run must not skip");
    assert!(message.contains("tmux is not installed"), "{message}");
    assert!(message.contains(REQUIRE_E2E_VAR), "{message}");
}

/// Runs like a real end-to-end test whose tool is missing; `probe_*` tests below run it as a child.
#[test]
#[ignore = "run as a child process by the tests below"]
fn probe_needs_a_missing_tool() {
    let Some(_) = common::live_lab::env_or_skip(PROBE_VAR, "probe") else {
        return;
    };
    unreachable!("{PROBE_VAR} is never set");
}

/// Runs the probe in a child of this test binary with `KAFKA_LAB_REQUIRE_E2E` as given; returns
/// whether it passed and its output.
fn run_probe(require: &str) -> (bool, String) {
    let exe = std::env::current_exe().expect("test binary path");
    let out = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "probe_needs_a_missing_tool",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .env(REQUIRE_E2E_VAR, require)
        .env_remove(PROBE_VAR)
        .output()
        .expect("run the probe");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("1 passed") || text.contains("1 failed"),
        "the probe did not run:\n{text}"
    );
    (out.status.success(), text)
}

#[test]
fn probe_skips_when_not_required() {
    let (passed, text) = run_probe("0");
    assert!(passed, "{text}");
    assert!(
        text.contains(&format!("{PROBE_VAR} is not set")) && text.contains("skipping"),
        "{text}"
    );
}

#[test]
fn probe_fails_naming_the_tool_when_required() {
    let (passed, text) = run_probe("1");
    assert!(!passed, "a required end-to-end test skipped:\n{text}");
    assert!(text.contains(&format!("{PROBE_VAR} is not set")), "{text}");
    assert!(text.contains("forbids skipping"), "{text}");
}
