//! The real binary in Simplified Chinese: `--lang zh` or a `zh` locale picks the language,
//! `--json` keeps English event kinds for scripts, and an unknown language is a clear error.

use std::process::Command;

/// The binary with no locale of its own, so only what a test sets decides the language.
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kafka-lab"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn lesson_list_follows_lang_and_the_locale() {
    let zh = stdout(bin().args(["lesson", "--lang", "zh"]));
    assert!(zh.contains("内置课程") && zh.contains("实验 2"), "{zh}");
    let locale = stdout(bin().arg("lesson").env("LANG", "zh_CN.UTF-8"));
    assert_eq!(locale, zh);
    let en = stdout(
        bin()
            .args(["lesson"])
            .env("LANG", "zh_CN.UTF-8")
            .env("LC_ALL", "en_US.UTF-8"),
    );
    assert!(
        en.contains("Built-in lessons") && !en.contains("实验"),
        "{en}"
    );
    let flag_wins = stdout(
        bin()
            .args(["lesson", "--lang", "en"])
            .env("LANG", "zh_CN.UTF-8"),
    );
    assert_eq!(flag_wins, en);
}

#[test]
fn chinese_story_prints_chinese_lines_and_json_keeps_english_kinds() {
    let story = stdout(bin().args(["lesson", "experiment-2", "--headless", "--lang", "zh"]));
    assert!(story.contains("consumer-A 被杀掉"), "{story}");
    assert!(story.contains("现在 consumer-A 崩溃了"), "{story}");
    assert!(!story.contains("killed (no LeaveGroup"), "{story}");
    let json = stdout(bin().args([
        "lesson",
        "experiment-2",
        "--headless",
        "--json",
        "--lang",
        "zh",
    ]));
    assert!(json.contains(r#""type":"ConsumerKilled""#), "{json}");
}

#[test]
fn unknown_language_names_the_ones_there_are() {
    let out = bin().args(["lesson", "--lang", "fr"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'fr'") && err.contains("en, zh"), "{err}");
}
