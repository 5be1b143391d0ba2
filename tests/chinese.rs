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

/// The fixed words of every `[note]` template in en.toml (the text between its placeholders).
fn english_note_fragments() -> Vec<String> {
    let en = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/text/en.toml"))
        .unwrap();
    let section = en.split("\n[note]\n").nth(1).expect("en.toml has [note]");
    let section = section.split("\n[").next().unwrap();
    let mut out = Vec::new();
    for line in section.lines().filter(|l| l.contains(" = \"")) {
        let template = line.split(" = \"").nth(1).unwrap().trim_end_matches('"');
        for part in template.split(['{', '}']) {
            // Long enough to be words, not a separator or a config key on its own.
            if part.split_whitespace().count() >= 2
                && part.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 6
            {
                out.push(part.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn a_chinese_story_with_a_restart_and_a_client_start_has_no_english_note() {
    // leader-failover starts a producer and restarts a broker that is behind its leaders.
    let story = stdout(bin().args(["lesson", "leader-failover", "--headless", "--lang", "zh"]));
    assert!(story.contains("已启动：生产者 → test，每秒"), "{story}");
    assert!(
        story.contains("重启后落后于 leader（test-0 落后"),
        "{story}"
    );
    let fragments = english_note_fragments();
    assert!(
        fragments.iter().any(|f| f.contains("restarts behind")),
        "{fragments:?}"
    );
    for line in story.lines() {
        for f in &fragments {
            assert!(!line.contains(f.as_str()), "English note {f:?} in {line:?}");
        }
        assert!(
            line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "no Chinese in {line:?}"
        );
    }
    // The same run in English still prints today's sentences.
    let en = stdout(bin().args(["lesson", "leader-failover", "--headless", "--lang", "en"]));
    assert!(
        en.contains("restarts behind its leaders (test-0 by"),
        "{en}"
    );
    assert!(en.contains("started: producer → test at"), "{en}");
}

/// Latin words of `text` that are words, not data or flags (no digit, `.`, `_`, `-`, `=`, `/`,
/// `@`, backquote), and not on `allowed`.
fn english_words<'a>(text: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "._-=/@`~".contains(c)))
        .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() > 1)
        .filter(|w| {
            !w.chars()
                .any(|c| c.is_ascii_digit() || "._-=/@`~".contains(c))
        })
        .filter(|w| !allowed.contains(w))
        .collect()
}

#[test]
fn help_reads_in_chinese_and_english_help_is_unchanged() {
    // Kafka's words, the lab's own names, flag values and clap's placeholders (flag names).
    let allowed = [
        "Apache",
        "Kafka",
        "broker",
        "follower",
        "leader",
        "acks",
        "all",
        "teaching",
        "kafka",
        "zh",
        "en",
        "LC_ALL",
        "LANG",
        "json",
        "JSON",
        "DescribeConfigs",
        "PASS",
        "FAIL",
        "Ctrl",
        "PORT",
        "BROKER",
        "TIME",
        "DIR",
        "LANG",
        "PROFILE",
        "OPTIONS",
        "COMMAND",
        "BROKERS",
        "SEED",
        "PARTITIONS",
        "RATE",
        "ACKS",
        "CONSUMERS",
        "BIND",
        "LESSON",
        "RECORDS",
        "WHAT",
        "DURATION",
        "CONTROLLERS",
        "KRaft",
        "replay",
        "FILE",
        "classic",
        "consumer",
        "N",
        "log",
        "cluster",
        "groups",
        "ui",
        "toml",
        "test",
        "lab",
        "run",
        "bench",
        "lesson",
        "help",
        "possible",
        "values",
        "attach",
        "HOST",
        "PROTOCOL",
        "MECHANISM",
        "USER",
        "PLAINTEXT",
        "SASL_PLAINTEXT",
        "SASL_SSL",
        "SCRAM",
        "SHA",
        "librdkafka",
        "CA",
        "Java",
        "TLS",
        "PEM",
        "SSL",
        "SASL",
        "PLAIN",
    ];
    for args in [
        vec!["--help", "--lang", "zh"],
        vec!["lesson", "--help", "--lang=zh"],
        vec!["attach", "--help", "--lang=zh"],
    ] {
        let help = stdout(bin().args(&args));
        assert!(help.contains("用法：") && help.contains("选项"), "{help}");
        let left = english_words(&help, &allowed);
        assert!(left.is_empty(), "English in {args:?}: {left:?}\n{help}");
    }
    let zh = stdout(bin().args(["--help"]).env("LANG", "zh_CN.UTF-8"));
    assert!(zh.contains("broker 的数量（1-9）。 [默认：3]"), "{zh}");
    assert!(zh.contains("实验室遵循 Kafka 4.1"), "{zh}");
    let en = stdout(bin().args(["--help"]));
    assert!(
        en.contains("A terminal playground")
            && en.contains("Usage:")
            && en.contains("[default: 3]"),
        "{en}"
    );
    assert!(!en.contains("用法"), "{en}");
}

#[test]
fn a_taken_port_is_refused_in_chinese() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = bin()
        .args(["--ephemeral", "--port", &port, "--lang", "zh"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "无法为 broker 1 监听 127.0.0.1:{port}：地址已被占用"
        )),
        "{err}"
    );
    assert!(!err.contains("cannot listen"), "{err}");
}
