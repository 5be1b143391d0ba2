//! The text catalogue: every text the lab shows that is not data (key help, panel titles,
//! explanations, event lines) lives under `assets/text/<lang>.toml`, keyed, so a second language
//! is a new file with the same keys. It sits between `lab` and `scenario` so the headless story
//! and the dashboard both speak the chosen language. Parsed once; a key missing from a language
//! falls back to English, and a key missing everywhere shows as itself (tests make that a
//! failure, never a panic).

pub mod description;
pub mod error;
pub mod event;
pub mod io;
pub mod lang;
pub mod note;
pub mod offsets_reset;
pub mod reason;
pub mod security;
pub mod width;

pub use lang::Lang;

use std::collections::HashMap;
use std::sync::OnceLock;

/// The English catalogue, the fallback of every other language.
pub const EN: &str = include_str!("../../assets/text/en.toml");

/// The Simplified Chinese catalogue.
pub const ZH: &str = include_str!("../../assets/text/zh.toml");

/// Texts by dotted key (`help.kill_broker`), one language, with an optional fallback.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    texts: HashMap<String, String>,
    fallback: Option<Box<Catalogue>>,
}

impl Catalogue {
    /// Parses a catalogue: TOML tables become dotted keys, every leaf must be a string.
    pub fn parse(source: &str) -> Result<Self, String> {
        let table: toml::Table = source.parse().map_err(|e| format!("{e}"))?;
        let mut texts = HashMap::new();
        flatten("", &table, &mut texts)?;
        Ok(Self {
            texts,
            fallback: None,
        })
    }

    /// The same catalogue, asking `fallback` for keys it lacks.
    pub fn with_fallback(mut self, fallback: Catalogue) -> Self {
        self.fallback = Some(Box::new(fallback));
        self
    }

    /// The text for `key`, here or in the fallback.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts
            .get(key)
            .map(String::as_str)
            .or_else(|| self.fallback.as_ref().and_then(|f| f.get(key)))
    }

    /// Every key of this language (fallback excluded), for tests that compare languages.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
) -> Result<(), String> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            _ => return Err(format!("{key}: texts must be strings")),
        }
    }
    Ok(())
}

/// The language chosen at start; set once, before the first text is asked for.
static LANG: OnceLock<Lang> = OnceLock::new();

/// Chooses the language of this process (the CLI calls it once, first). Later calls are ignored:
/// texts already shown must not change language mid-run. Returns the language in force.
pub fn set_lang(lang: Lang) -> Lang {
    *LANG.get_or_init(|| lang)
}

thread_local! {
    /// A language for this thread only, set by `with_lang`: snapshot tests draw the dashboard in
    /// Chinese beside English tests on other threads of the same process.
    static THREAD_LANG: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// The language in force: this thread's `with_lang`, else the one chosen at start, else English.
pub fn lang() -> Lang {
    THREAD_LANG
        .with(|l| l.get())
        .or_else(|| LANG.get().copied())
        .unwrap_or(Lang::En)
}

/// Runs `f` with every text on this thread in `lang` (tests draw the dashboard in Chinese so).
pub fn with_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    let before = THREAD_LANG.with(|l| l.replace(Some(lang)));
    let out = f();
    THREAD_LANG.with(|l| l.set(before));
    out
}

/// The catalogue of `lang`, parsed once per language, falling back to English.
pub fn catalogue_of(lang: Lang) -> &'static Catalogue {
    static EN_CAT: OnceLock<Catalogue> = OnceLock::new();
    static ZH_CAT: OnceLock<Catalogue> = OnceLock::new();
    // The files are compiled in and parsed by tests, so the empty default is never seen in use.
    let en = || Catalogue::parse(EN).unwrap_or_default();
    match lang {
        Lang::En => EN_CAT.get_or_init(en),
        Lang::Zh => {
            ZH_CAT.get_or_init(|| Catalogue::parse(ZH).unwrap_or_default().with_fallback(en()))
        }
    }
}

/// The catalogue in force.
pub fn catalogue() -> &'static Catalogue {
    catalogue_of(lang())
}

/// The text for `key` in `lang`, or the key itself when no language has it: pure, for tests.
pub fn text_in(lang: Lang, key: &'static str) -> &'static str {
    catalogue_of(lang).get(key).unwrap_or(key)
}

/// The text for `key` in the language in force, or the key itself (a test catches that).
pub fn text(key: &'static str) -> &'static str {
    text_in(lang(), key)
}

/// `text_with` in `lang`: pure, for tests.
pub fn text_with_in(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    fill(text_in(lang, key), args)
}

/// Whether the catalogue has `key`: tests walk every key the code asks for.
pub fn has(key: &str) -> bool {
    catalogue().get(key).is_some()
}

/// The text for `key` with each `{name}` replaced by its value from `args`.
pub fn text_with(key: &'static str, args: &[(&str, &str)]) -> String {
    fill(text(key), args)
}

/// `template` with each `{name}` replaced by its value from `args`; unknown names stay as they
/// are, so a test can find them.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template, for tests that check every one is filled.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Latin words a Chinese line may keep: Kafka's own terms and names of things on screen, as
    /// Chinese Kafka documentation keeps them. Words with a digit, `.`, `_`, `-` or `=` in them
    /// (config keys, ids, topic names, error codes) are data and need no entry.
    pub(crate) const KAFKA_WORDS: &[&str] = &[
        "acks",
        "all",
        "KRaft",
        "Raft",
        "CreateTopics",
        "LSO",
        "EndTxn",
        "AddPartitionsToTxn",
        "ConsumerGroupHeartbeat",
        "ISR",
        "HW",
        "LEO",
        "leader",
        "follower",
        "offset",
        "offsets",
        "epoch",
        "broker",
        "brokers",
        "KIP",
        "LeaveGroup",
        "JoinGroup",
        "SyncGroup",
        "Kafka",
        "Empty",
        "Stable",
        "PreparingRebalance",
        "CompletingRebalance",
        "Dead",
        "Running",
        "Killed",
        "Closed",
        "Up",
        "Down",
        "ShuttingDown",
        "range",
        "roundrobin",
        "sticky",
        "earliest",
        "latest",
        "none",
        "auto",
        "manual",
        "key",
        "KiB",
        "MiB",
        "GiB",
        "TiB",
        "B",
        "ms",
        "s",
        "lag",
        "PASS",
        "FAIL",
        "OFFLINE",
        "UNCLEAN",
        "id",
        "controller",
        "b",
        "L",
        "F",
        "O",
        "X",
        "S",
        "H",
        "c",
        "p",
        "e",
        "i",
        "t",
        "f",
        "v",
        "k",
        "x",
        "r",
        "q",
        "y",
        "n",
        "Enter",
        "Esc",
        "Tab",
        "End",
        "Home",
        "PgUp",
        "PgDn",
        "space",
        "TLS",
        "PEM",
        "SASL",
        "CA",
        "PKCS",
        "PLAIN",
        // `kafka-lab attach` names the requests it saw or sent.
        "attach",
        "DescribeGroups",
        "CreateTopics",
        "DescribeLogDirs",
        "ListOffsets",
        "ListGroups",
        "OffsetFetch",
    ];

    /// Fails unless `line` has Chinese in it and every Latin word is a Kafka term or data.
    pub(crate) fn assert_chinese(line: &str) {
        assert!(
            line.chars().any(|c| c > '\u{2e80}'),
            "no Chinese in {line:?}"
        );
        for word in english_words(line) {
            assert!(
                KAFKA_WORDS.contains(&word),
                "{word:?} is English in {line:?}: translate it, or add a Kafka term to KAFKA_WORDS"
            );
        }
    }

    /// The Latin words of `line` that are words, not data (no digit, `.`, `_`, `-`, `=`) and not
    /// a key's name (one letter).
    pub(crate) fn english_words(line: &str) -> Vec<&str> {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || "._-=".contains(c)))
            .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() > 1)
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit() || "._-=".contains(c)))
            .collect()
    }

    #[test]
    fn english_words_skip_data_and_catch_words() {
        assert_eq!(
            english_words("consumer-A-0001 离开 session.timeout.ms=10000 NOT_ENOUGH_REPLICAS"),
            Vec::<&str>::new()
        );
        assert_eq!(
            english_words("test-0：broker 1 — new partition"),
            vec!["broker", "new", "partition"]
        );
    }

    #[test]
    fn english_parses_and_every_leaf_is_a_string() {
        let en = Catalogue::parse(EN).expect("assets/text/en.toml parses");
        assert!(en.keys().count() > 50);
        assert!(Catalogue::parse("[a]\nb = 1\n").is_err());
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_stay_visible() {
        let t = "removed after {session.timeout.ms} ms; {other} {";
        assert_eq!(
            fill(t, &[("session.timeout.ms", "45000")]),
            "removed after 45000 ms; {other} {"
        );
        assert_eq!(placeholders(t), vec!["session.timeout.ms", "other"]);
    }

    #[test]
    fn a_second_language_falls_back_to_english_for_a_missing_key() {
        let en = Catalogue::parse("[help]\nquit = \"quit\"\nhelp = \"this help\"\n").unwrap();
        let other = Catalogue::parse("[help]\nquit = \"beenden\"\n")
            .unwrap()
            .with_fallback(en);
        assert_eq!(other.get("help.quit"), Some("beenden"));
        assert_eq!(other.get("help.help"), Some("this help"));
        assert_eq!(other.get("help.nothing"), None);
    }

    #[test]
    fn every_english_key_is_in_chinese_and_every_chinese_key_in_english() {
        let en = Catalogue::parse(EN).expect("en.toml parses");
        let zh = Catalogue::parse(ZH).expect("zh.toml parses");
        let missing: Vec<&str> = en.keys().filter(|k| zh.get(k).is_none()).collect();
        assert!(missing.is_empty(), "zh.toml lacks {missing:?}");
        let extra: Vec<&str> = zh.keys().filter(|k| en.get(k).is_none()).collect();
        assert!(
            extra.is_empty(),
            "zh.toml has keys English lacks: {extra:?}"
        );
    }

    #[test]
    fn chinese_texts_use_the_same_placeholders_as_english() {
        let en = Catalogue::parse(EN).unwrap();
        let zh = Catalogue::parse(ZH).unwrap();
        for k in en.keys() {
            let mut want = placeholders(en.get(k).unwrap_or_default());
            let mut got = placeholders(zh.get(k).unwrap_or_default());
            want.sort_unstable();
            want.dedup();
            got.sort_unstable();
            got.dedup();
            assert_eq!(got, want, "{k}: placeholders differ between en and zh");
        }
    }

    #[test]
    fn chinese_is_chinese_and_keeps_kafka_terms() {
        // A copied English line would pass the key test; a translated one has CJK in it.
        assert!(
            text_in(Lang::Zh, "panel.partitions")
                .chars()
                .any(|c| c > '\u{2e80}')
        );
        assert_eq!(text_in(Lang::En, "panel.partitions"), "Partitions");
        assert!(text_in(Lang::Zh, "explain.partition.acks").contains("acks=all"));
        assert!(text_in(Lang::Zh, "explain.member.heartbeat").contains("session.timeout.ms"));
    }

    #[test]
    fn an_unknown_key_shows_as_itself_instead_of_panicking() {
        assert_eq!(text("no.such.key"), "no.such.key");
        assert!(!has("no.such.key"));
        assert!(has("help.quit"));
    }
}
