//! Skip or fail: end-to-end tests that need a tool (Python clients, the Java client, tmux, a free
//! port) skip without it on a laptop, but CI sets `KAFKA_LAB_REQUIRE_E2E=1` so that a missing tool
//! fails the run instead of letting a green build hide tests that never ran.

/// The variable that turns a skip into a failure (`.ci/run` exports it).
pub const REQUIRE_E2E_VAR: &str = "KAFKA_LAB_REQUIRE_E2E";

/// Whether this run must not skip end-to-end tests (`KAFKA_LAB_REQUIRE_E2E=1`).
pub fn require_e2e() -> bool {
    std::env::var(REQUIRE_E2E_VAR).is_ok_and(|v| v == "1")
}

/// The decision for a test that lacks `missing`: `Ok(note)` to skip with a note, or `Err(message)`
/// naming the tool when the run requires every end-to-end test.
pub fn skip_or_fail(required: bool, missing: &str, test: &str) -> Result<String, String> {
    if required {
        Err(format!(
            "{missing}: the {test} test cannot run, and {REQUIRE_E2E_VAR}=1 forbids skipping it \
             (run `bash .ci/test`, which installs what the end-to-end tests need)"
        ))
    } else {
        Ok(format!(
            "{missing}: skipping the {test} test (set {REQUIRE_E2E_VAR}=1 to make this a failure)"
        ))
    }
}

/// Says why the caller skips, or panics when skipping is forbidden. Callers return right after.
#[track_caller]
pub fn skip_unless_required(missing: &str, test: &str) {
    match skip_or_fail(require_e2e(), missing, test) {
        Ok(note) => eprintln!("{note}"),
        Err(message) => panic!("{message}"),
    }
}

/// Whether a test may go on: true when `available`, otherwise skips (false) or panics as
/// [`skip_unless_required`] decides.
#[track_caller]
pub fn available_or_skip(available: bool, missing: &str, test: &str) -> bool {
    if !available {
        skip_unless_required(missing, test);
    }
    available
}
