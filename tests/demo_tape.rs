//! Plays `demo.tape` (the vhs script behind the README's demo GIF) against the real binary in
//! tmux: every key it types is sent, every `Wait /regex/` must match the screen within its
//! timeout. The build in the `Hide` block is skipped (`cargo build …` becomes `true`) and
//! `./target/release/kafka-lab` is the binary under test. Skipped when tmux is missing.

mod common;

use common::tmux::{Session, tmux_or_skip};
use regex::Regex;
use std::time::{Duration, Instant};

/// One command of a vhs tape, as far as this player needs to know.
#[derive(Debug, Clone, PartialEq)]
enum TapeCommand {
    /// `Type "text"`.
    Type(String),
    /// A key: `Enter`, `Down`, `Tab`, `Ctrl+C`… as tmux names it, repeated.
    Key(String, usize),
    /// `Sleep 2s`.
    Sleep(Duration),
    /// `Wait[+Screen][@timeout] /regex/` (the whole screen, or the last non-empty line).
    Wait {
        screen: bool,
        timeout: Duration,
        pattern: String,
    },
}

fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (n, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = n.parse().map_err(|_| format!("bad duration {text:?}"))?;
    Ok(Duration::from_secs_f64(v * scale))
}

fn unquote(text: &str) -> Result<String, String> {
    let t = text.trim();
    for q in ['"', '\'', '`'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return Ok(t[1..t.len() - 1].to_string());
        }
    }
    Err(format!("expected a quoted string, found {t:?}"))
}

/// vhs key names → tmux key names.
fn tmux_key(name: &str) -> Option<String> {
    let k = match name {
        "Enter" => "Enter",
        "Up" => "Up",
        "Down" => "Down",
        "Left" => "Left",
        "Right" => "Right",
        "Tab" => "Tab",
        "Escape" => "Escape",
        "Space" => "Space",
        "Backspace" => "BSpace",
        "Delete" => "DC",
        "PageUp" => "PageUp",
        "PageDown" => "PageDown",
        "Home" => "Home",
        "End" => "End",
        _ => {
            let rest = name.strip_prefix("Ctrl+")?;
            return Some(format!("C-{}", rest.to_lowercase()));
        }
    };
    Some(k.to_string())
}

/// Parses a tape. Settings (`Output`, `Set`, `Require`, `Hide`, `Show`) do not change what the
/// program sees and are skipped; anything unknown is an error, so a new command is noticed.
fn parse_tape(text: &str) -> Result<Vec<TapeCommand>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let err = |e: String| format!("demo.tape:{}: {e}", i + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "Output" | "Set" | "Require" | "Hide" | "Show" | "Source" | "Env" => {}
            "Type" => out.push(TapeCommand::Type(unquote(rest).map_err(err)?)),
            "Sleep" => out.push(TapeCommand::Sleep(duration(rest).map_err(err)?)),
            w if w.starts_with("Wait") => {
                let mut screen = false;
                let mut timeout = Duration::from_secs(15);
                let mut opts = &w[4..];
                if let Some(o) = opts.strip_prefix("+Screen") {
                    screen = true;
                    opts = o;
                } else if let Some(o) = opts.strip_prefix("+Line") {
                    opts = o;
                }
                if let Some(t) = opts.strip_prefix('@') {
                    timeout = duration(t).map_err(err)?;
                } else if !opts.is_empty() {
                    return Err(err(format!("unknown Wait option {opts:?}")));
                }
                let pattern = rest
                    .trim()
                    .strip_prefix('/')
                    .and_then(|p| p.strip_suffix('/'))
                    .ok_or_else(|| err(format!("expected /regex/, found {rest:?}")))?;
                Regex::new(pattern).map_err(|e| err(e.to_string()))?;
                out.push(TapeCommand::Wait {
                    screen,
                    timeout,
                    pattern: pattern.to_string(),
                });
            }
            key => {
                // `Down`, `Down 3`, `Down@100ms 3`, `Ctrl+C`.
                let name = key.split('@').next().unwrap_or(key);
                let tmux = tmux_key(name).ok_or_else(|| err(format!("unknown command {key:?}")))?;
                let times = match rest.trim() {
                    "" => 1,
                    n => n
                        .parse()
                        .map_err(|_| err(format!("expected a repeat count, found {n:?}")))?,
                };
                out.push(TapeCommand::Key(tmux, times));
            }
        }
    }
    Ok(out)
}

const TAPE: &str = include_str!("../demo.tape");

#[test]
fn tape_parses_and_uses_only_known_commands() {
    let commands = parse_tape(TAPE).unwrap_or_else(|e| panic!("{e}"));
    let waits = commands
        .iter()
        .filter(|c| matches!(c, TapeCommand::Wait { .. }))
        .count();
    assert!(waits >= 6, "every milestone is checked with a Wait");
    assert!(TAPE.contains("Output assets/demo.gif"));
    assert!(TAPE.contains("--ephemeral --seed 7"));
    // The tour shown (after the hidden start) lasts 30-45 s, not counting the Waits.
    let shown = TAPE.split("\nShow\n").nth(1).expect("a Show");
    let slept: Duration = parse_tape(shown)
        .unwrap()
        .iter()
        .filter_map(|c| match c {
            TapeCommand::Sleep(d) => Some(*d),
            _ => None,
        })
        .sum();
    assert!(slept <= Duration::from_secs(45), "{slept:?} of sleeps");
    assert_eq!(
        parse_tape("Ctrl+C\nDown 3\nWait+Screen@2s /x/").unwrap(),
        vec![
            TapeCommand::Key("C-c".into(), 1),
            TapeCommand::Key("Down".into(), 3),
            TapeCommand::Wait {
                screen: true,
                timeout: Duration::from_secs(2),
                pattern: "x".into()
            }
        ]
    );
    assert!(parse_tape("Jump 3").is_err());
}

#[test]
fn demo_tape_plays_against_the_real_binary() {
    if !tmux_or_skip("demo.tape playback") {
        return;
    }
    let commands = parse_tape(TAPE).unwrap_or_else(|e| panic!("{e}"));
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    // About what vhs's 1440×900 window at font size 16 holds.
    let session = Session::start(140, 40, "bash --norc --noprofile");
    let mut milestones = 0;
    for (i, c) in commands.iter().enumerate() {
        match c {
            TapeCommand::Type(text) => {
                let text = text
                    .replace("cargo build --release --quiet", "true")
                    .replace("cargo build --release", "true")
                    .replace("./target/release/kafka-lab", bin);
                session.send(&["-l", &text]);
            }
            TapeCommand::Key(key, n) => {
                for _ in 0..*n {
                    session.send(&[key]);
                }
            }
            TapeCommand::Sleep(d) => std::thread::sleep(*d),
            TapeCommand::Wait {
                screen,
                timeout,
                pattern,
            } => {
                let re = Regex::new(pattern).unwrap();
                let started = Instant::now();
                loop {
                    let s = session.screen();
                    let target = if *screen {
                        s.clone()
                    } else {
                        s.lines()
                            .rfind(|l| !l.trim().is_empty())
                            .unwrap_or("")
                            .to_string()
                    };
                    if re.is_match(&target) {
                        break;
                    }
                    assert!(
                        started.elapsed() < *timeout,
                        "tape command {} (Wait /{pattern}/) did not match within {timeout:?}; screen:\n{s}",
                        i + 1
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
                milestones += 1;
            }
        }
    }
    assert!(milestones >= 6);
    // `q` at the end of the tape quits: the shell prompt comes back, the dashboard is gone.
    session.send(&["-l", "echo tape-finished rc=$?"]);
    session.send(&["Enter"]);
    let started = Instant::now();
    loop {
        let s = session.screen();
        if s.contains("tape-finished rc=0") {
            assert!(!s.contains("Partition map"), "{s}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "kafka-lab did not quit on q:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
