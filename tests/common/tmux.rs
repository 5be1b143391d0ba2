//! A tmux session driving the real binary for end-to-end tests: start, send keys, read the
//! screen, wait for content. Every test that uses it calls [`tmux_or_skip`] first: it skips when
//! tmux is missing, or fails when `KAFKA_LAB_REQUIRE_E2E=1`.

use std::process::Command;
use std::time::{Duration, Instant};

/// One detached tmux session, killed on drop.
pub struct Session(String);

impl Session {
    /// Starts `command` in a new `width`×`height` session; panics when tmux cannot start one
    /// (callers checked [`tmux_or_skip`] first, so this is a real failure, not a missing tool).
    pub fn start(width: u16, height: u16, command: &str) -> Self {
        // Tests run in parallel threads: each session needs its own name.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("kafka-lab-e2e-{}-{n}", std::process::id());
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(command)
            .status()
            .unwrap_or_else(|e| panic!("tmux new-session: {e}"));
        assert!(status.success(), "tmux new-session failed: {status}");
        Session(name)
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// One `tmux send-keys` call with these arguments (`-l` for literal text, key names otherwise).
    pub fn send(&self, args: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.0])
            .args(args)
            .status()
            .expect("tmux send-keys")
            .success();
        assert!(ok, "send-keys {args:?}");
    }

    /// Sends each key name in turn.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.send(&[k]);
        }
    }

    /// Whether the program in the pane has the alternate screen on.
    pub fn alternate_screen_on(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.0, "#{alternate_on}"])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Polls the screen until `ready` holds, or fails with the last screen after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < timeout,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

/// Whether a tmux test may go on: skips (false) when tmux is missing, or panics when
/// `KAFKA_LAB_REQUIRE_E2E=1`.
#[track_caller]
pub fn tmux_or_skip(test: &str) -> bool {
    super::require::available_or_skip(tmux_available(), "tmux is not installed", test)
}

/// Whether tmux can run here.
pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
