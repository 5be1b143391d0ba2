//! The real `kafka-lab` binary in a real terminal (tmux): the dashboard opens, `b` on the leader
//! of `test-0` moves leadership to another broker, `q` quits and leaves the alternate screen.
//! Every wait polls the screen for content; none is a bare sleep. Skipped when tmux is missing.

use std::process::Command;
use std::time::{Duration, Instant};

struct Session(String);

impl Session {
    fn start(width: u16, height: u16, command: &str) -> Option<Self> {
        let name = format!("kafka-lab-e2e-{}", std::process::id());
        let ok = Command::new("tmux")
            .args(["new-session", "-d", "-s", &name, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(command)
            .status()
            .ok()?
            .success();
        ok.then_some(Session(name))
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.0, k])
                .status()
                .expect("tmux send-keys")
                .success();
            assert!(ok, "send-keys {k}");
        }
    }

    fn alternate_screen_on(&self) -> bool {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.0, "#{alternate_on}"])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Polls the screen until `ready` holds, or fails with the last screen after `timeout`.
    fn wait_for(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
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

/// The leader column of `test-0` in the partitions table (rows start with the table's border).
fn leader_of_test_0(screen: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let mut tokens = line.split_whitespace();
        let first = tokens.next()?;
        let name = first.strip_prefix('│')?.trim_start_matches('>');
        (name == "test-0").then(|| tokens.next().map(str::to_string))?
    })
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn killing_the_leader_moves_leadership_and_q_restores_the_terminal() {
    if !tmux_available() {
        eprintln!("tmux is not installed: skipping the dashboard end-to-end test");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "{bin} --ephemeral --no-listen --seed 7 --broker-session-timeout-ms 2000; echo kafka-lab-exited rc=$?; sleep 60"
    );
    let session = Session::start(120, 36, &command).expect("tmux new-session");
    let screen = session.wait_for("three brokers", Duration::from_secs(30), |s| {
        s.contains("Brokers") && s.contains("b3") && leader_of_test_0(s).is_some()
    });
    let leader = leader_of_test_0(&screen).unwrap();
    let id: usize = leader.parse().expect("a leader id");
    assert!((1..=3).contains(&id), "{screen}");
    // Brokers are listed in id order and the selection starts on the first.
    for _ in 1..id {
        session.keys(&["Down"]);
    }
    session.keys(&["b"]);
    session.wait_for("the kill to be sent", Duration::from_secs(10), |s| {
        s.contains(&format!("kill broker {id}"))
    });
    let screen = session.wait_for("a new leader of test-0", Duration::from_secs(60), |s| {
        leader_of_test_0(s).is_some_and(|l| l != leader && l != "none")
    });
    assert!(screen.contains("DOWN"), "{screen}");
    session.keys(&["q"]);
    let screen = session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited")
    });
    assert!(screen.contains("kafka-lab-exited rc=0"), "{screen}");
    assert!(!screen.contains("Partition map"), "{screen}");
    assert!(!session.alternate_screen_on());
}
