//! The real dashboard in Simplified Chinese in a real terminal (tmux) at 80x24: a `zh` locale
//! alone picks the language, panels and the `?` overlay read in Chinese, wide characters do not
//! push any row past the terminal's width, and `q` still quits cleanly. Skipped when tmux is
//! missing (a failure when `KAFKA_LAB_REQUIRE_E2E=1`).

mod common;

use common::tmux::{Session, tmux_or_skip};
use std::time::Duration;

/// Terminal cells of a captured row: a CJK character takes two.
fn cells(row: &str) -> usize {
    row.chars()
        .map(|c| {
            if ('\u{2e80}'..='\u{ffef}').contains(&c) && c != '…' {
                2
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn the_dashboard_speaks_chinese_when_the_locale_is_chinese() {
    if !tmux_or_skip("dashboard end-to-end in Chinese") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kafka-lab");
    let command = format!(
        "env -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8 {bin} --ephemeral --no-listen --seed 7; echo kafka-lab-exited rc=$?; sleep 60"
    );
    let session = Session::start(80, 24, &command);
    let screen = session.wait_for("the Chinese dashboard", Duration::from_secs(30), |s| {
        s.contains("消费者组") && s.contains("分区") && s.contains("运行中")
    });
    assert!(!screen.contains("Consumer groups"), "{screen}");
    for row in screen.lines() {
        assert!(cells(row) <= 80, "row wider than 80 cells: {row}\n{screen}");
    }
    session.keys(&["?"]);
    session.wait_for("the Chinese help", Duration::from_secs(10), |s| {
        s.contains("按键") && s.contains("退出")
    });
    // The replica-log view and a refused topic name: no English left in either.
    session.keys(&["Escape", "Tab", "l"]);
    let log = session.wait_for(
        "the Chinese replica-log view",
        Duration::from_secs(10),
        |s| s.contains("副本日志") && s.contains("起点"),
    );
    assert!(
        !log.contains("committed") && !log.contains(" start "),
        "{log}"
    );
    session.keys(&["l", "t", "a", "/", "b", "Enter"]);
    session.wait_for(
        "a topic name refused in Chinese",
        Duration::from_secs(10),
        |s| s.contains("主题名含有 '/'"),
    );
    session.keys(&["Escape"]);
    session.wait_for("the dialog to close", Duration::from_secs(10), |s| {
        !s.contains("主题名含有")
    });
    // Keys just after a dialog closes are ignored (they were typed for the dialog): wait it out.
    std::thread::sleep(Duration::from_millis(1_500));
    session.keys(&["q"]);
    let screen = session.wait_for("the lab to exit", Duration::from_secs(30), |s| {
        s.contains("kafka-lab-exited")
    });
    assert!(screen.contains("kafka-lab-exited rc=0"), "{screen}");
}
