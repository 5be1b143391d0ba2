//! The real `kafka-lab` binary in a real terminal (tmux): the dashboard opens, `b` on the leader
//! of `test-0` moves leadership to another broker, `q` quits and leaves the alternate screen; a
//! lesson shows its banner, `n` runs the step waiting for it and `b` starts the lesson over.
//! Every wait polls the screen for content; none is a bare sleep. Skipped when tmux is missing
//! (a failure when `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::tmux::{Session, tmux_or_skip};
use std::time::Duration;

/// The leader column of `test-0` in the partitions table (rows start with the table's border).
fn leader_of_test_0(screen: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let mut tokens = line.split_whitespace();
        let first = tokens.next()?;
        let name = first.strip_prefix('│')?.trim_start_matches('>');
        (name == "test-0").then(|| tokens.next().map(str::to_string))?
    })
}

#[test]
fn killing_the_leader_moves_leadership_and_q_restores_the_terminal() {
    if !tmux_or_skip("dashboard end-to-end") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "{bin} --ephemeral --no-listen --seed 7 --broker-session-timeout-ms 2000; echo kafka-lab-exited rc=$?; sleep 60"
    );
    let session = Session::start(120, 36, &command);
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
    session.wait_for("the question", Duration::from_secs(10), |s| {
        s.contains(&format!("Kill broker {id} (crash)?"))
    });
    session.keys(&["y"]);
    session.wait_for("the kill to be sent", Duration::from_secs(10), |s| {
        s.contains(&format!("kill broker {id}"))
    });
    let screen = session.wait_for("a new leader of test-0", Duration::from_secs(60), |s| {
        // `↓3`: broker 3 still leads on the controller's books but is down (not a new leader).
        leader_of_test_0(s).is_some_and(|l| l != leader && l != "none" && !l.starts_with('↓'))
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

/// The consumer names shown on group rows, in screen order, with the partitions each row shows.
fn group_rows(screen: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut current = String::new();
    for line in screen.lines() {
        // Group rows (right-hand panel) read `[consumer-X] test-N lag …`.
        let Some(at) = line.find(" lag ") else {
            continue;
        };
        let mut words = line[..at].split_whitespace().rev();
        let Some(part) = words.next().filter(|w| w.starts_with("test-")) else {
            continue;
        };
        if let Some(name) = words.next().map(|w| w.trim_start_matches(['>', '┃', '│'])) {
            if name.starts_with("consumer-") {
                current = name.to_string();
            } else if !name.is_empty() {
                current.clear();
            }
        }
        if !current.is_empty() {
            rows.push((current.clone(), part.to_string()));
        }
    }
    rows
}

/// Starts the default lab with a 6 s session timeout, waits for its two consumers to own a
/// partition each, and kills the first one (answering the question): (session, victim, survivor).
fn two_consumers_one_killed() -> (Session, String, String) {
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!("{bin} --ephemeral --seed 11 --session-timeout-ms 6000; sleep 60");
    let session = Session::start(120, 36, &command);
    let screen = session.wait_for(
        "two consumers with a partition each",
        Duration::from_secs(30),
        |s| {
            let rows = group_rows(s);
            rows.len() == 2 && rows[0].0 != rows[1].0
        },
    );
    let rows = group_rows(&screen);
    let (victim, survivor) = (rows[0].0.clone(), rows[1].0.clone());
    for _ in 0..8 {
        if session.screen().contains("┏ Consumer groups") {
            break;
        }
        session.keys(&["Tab"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        session.screen().contains("┏ Consumer groups"),
        "focus never reached the groups panel"
    );
    // The selection starts on the group's header line; the first consumer row is below it.
    session.keys(&["Down", "k"]);
    session.wait_for("the question", Duration::from_secs(10), |s| {
        s.contains(&format!("Kill {victim} (crash)?"))
    });
    session.keys(&["y"]);
    session.wait_for("the consumer to be killed", Duration::from_secs(10), |s| {
        s.contains(&format!("kill {victim}")) || s.contains(&format!("{victim} killed"))
    });
    (session, victim, survivor)
}

#[test]
fn killing_a_consumer_hands_its_partition_to_the_other_after_the_session_timeout() {
    if !tmux_or_skip("dashboard end-to-end") {
        return;
    }
    let (session, victim, survivor) = two_consumers_one_killed();
    // Until the session expires, the victim's row counts its silence against the 6 s timeout.
    session.wait_for("the victim's countdown", Duration::from_secs(10), |s| {
        s.lines()
            .any(|l| l.contains(&victim) && l.contains("killed") && l.contains("/6s"))
    });
    let screen = session.wait_for(
        "the survivor to own both partitions",
        Duration::from_secs(30),
        |s| {
            let rows = group_rows(s);
            rows.len() == 2 && rows.iter().all(|(c, _)| c == &survivor)
        },
    );
    assert!(screen.contains("gen 2"), "{screen}");
    assert!(screen.contains("session.timeout.ms=6000"), "{screen}");
    session.keys(&["q"]);
}

#[test]
fn lesson_banner_n_runs_the_key_step_and_b_starts_over() {
    if !tmux_or_skip("lesson end-to-end") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!("{bin} lesson experiment-2; echo kafka-lab-exited rc=$?; sleep 60");
    let session = Session::start(120, 36, &command);
    session.wait_for("the key step", Duration::from_secs(30), |s| {
        s.contains("LESSON 4/8") && s.contains("press n for the next step")
    });
    session.keys(&["n"]);
    session.wait_for("the consumer kill", Duration::from_secs(15), |s| {
        s.contains("consumer-A killed") && s.contains("Now consumer-A crashes")
    });
    session.wait_for("the next expectation", Duration::from_secs(15), |s| {
        s.contains("PASS [7/8]")
    });
    session.keys(&["b"]);
    session.wait_for("a fresh start", Duration::from_secs(15), |s| {
        s.contains("lesson restarted from the beginning") && !s.contains("PASS [7/8]")
    });
    session.wait_for("the key step again", Duration::from_secs(30), |s| {
        s.contains("LESSON 4/8") && s.contains("press n for the next step")
    });
    session.keys(&["q"]);
    let screen = session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited")
    });
    assert!(screen.contains("kafka-lab-exited rc=0"), "{screen}");
}

#[test]
fn closing_the_terminal_stops_the_lab_and_removes_its_ephemeral_data_dir() {
    if !tmux_or_skip("dashboard end-to-end") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "TMPDIR={} {bin} --ephemeral --no-listen --seed 5",
        tmp.path().display()
    );
    let lab_dirs = || common::ephemeral_dirs_in(tmp.path());
    let session = Session::start(120, 36, &command);
    session.wait_for("the dashboard", Duration::from_secs(30), |s| {
        s.contains("Brokers") && s.contains("b3")
    });
    assert_eq!(lab_dirs(), 1, "the --ephemeral data dir is under TMPDIR");
    // Closing the window hangs up the terminal (SIGHUP), as closing a terminal emulator does.
    drop(session);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while lab_dirs() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the lab kept running (or left its data dir) after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn e_on_a_killed_consumer_explains_the_session_timeout_it_waits_for() {
    if !tmux_or_skip("dashboard end-to-end") {
        return;
    }
    let (session, victim, _) = two_consumers_one_killed();
    // Keys in the 0.3 s after the answer are dropped on purpose: press e until the overlay opens.
    for _ in 0..20 {
        session.keys(&["e"]);
        // Longer than the guard, which each dropped key restarts.
        std::thread::sleep(Duration::from_millis(500));
        if session.screen().contains("e or Esc closes") {
            break;
        }
    }
    // Killed, whether still a member or already removed: the overlay names the wait and its value.
    session.wait_for(
        "the explanation of the killed consumer",
        Duration::from_secs(10),
        |s| {
            s.contains("e or Esc closes")
                && s.contains(&format!("{victim} was killed"))
                && s.contains("session.timeout.ms=6000")
        },
    );
    session.keys(&["e"]);
    session.wait_for("the overlay to close", Duration::from_secs(10), |s| {
        !s.contains("e or Esc closes")
    });
    session.keys(&["q"]);
}
