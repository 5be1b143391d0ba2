//! The text catalogue: every text the dashboard shows that is not data (key help, panel titles,
//! explanations) lives under `assets/text/<lang>.toml`, keyed, so a second language is a new
//! file with the same keys. Parsed once; a key missing from a language falls back to English,
//! and a key missing everywhere shows as itself (tests make that a failure, never a panic).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The English catalogue, the fallback of every other language.
pub const EN: &str = include_str!("../../assets/text/en.toml");

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

/// The catalogue in force (English until a language is chosen; issue 18 adds the choice).
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    // en.toml is compiled in and parsed by a test, so the empty fallback is never seen in use.
    CATALOGUE.get_or_init(|| Catalogue::parse(EN).unwrap_or_default())
}

/// The text for `key`, or the key itself when no language has it (a test catches that).
pub fn text(key: &'static str) -> &'static str {
    catalogue().get(key).unwrap_or(key)
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
mod tests {
    use super::*;

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
    fn an_unknown_key_shows_as_itself_instead_of_panicking() {
        assert_eq!(text("no.such.key"), "no.such.key");
        assert!(!has("no.such.key"));
        assert!(has("help.quit"));
    }
}

#[cfg(test)]
mod keys_in_code {
    use super::*;

    /// The source files that ask the catalogue for texts.
    const SOURCES: &[&str] = &[
        include_str!("keymap.rs"),
        include_str!("explain.rs"),
        include_str!("widgets/brokers.rs"),
        include_str!("widgets/explain.rs"),
        include_str!("widgets/groups.rs"),
        include_str!("widgets/help.rs"),
        include_str!("widgets/partition_map.rs"),
        include_str!("widgets/partitions.rs"),
        include_str!("widgets/producers.rs"),
        include_str!("widgets/throughput.rs"),
        include_str!("widgets/timeline.rs"),
    ];

    #[test]
    fn every_key_the_code_asks_for_is_in_english() {
        let re = regex::Regex::new(r#""((?:help|panel|explain)\.[a-z_.]+)""#).unwrap();
        let en = Catalogue::parse(EN).unwrap();
        let mut asked = 0;
        for source in SOURCES {
            for c in re.captures_iter(source) {
                asked += 1;
                assert!(en.get(&c[1]).is_some(), "en.toml lacks {}", &c[1]);
            }
        }
        assert!(
            asked > 100,
            "only {asked} keys found: did the pattern break?"
        );
        for b in crate::ui::keymap::KEYMAP
            .iter()
            .chain(crate::ui::keymap::LESSON_KEYMAP)
        {
            assert!(has(b.text_key), "en.toml lacks {}", b.text_key);
        }
    }

    #[test]
    fn texts_without_arguments_have_no_placeholders() {
        let en = Catalogue::parse(EN).unwrap();
        // Keys shown through `text`, never `text_with`: a placeholder there would show raw.
        for key in ["help.", "explain.close", "explain.more", "explain.nothing"] {
            for k in en.keys().filter(|k| k.starts_with(key)) {
                let t = en.get(k).unwrap_or_default();
                assert!(placeholders(t).is_empty(), "{k} has a placeholder: {t}");
            }
        }
        for k in [
            "panel.brokers",
            "panel.timeline",
            "panel.partition_map_legend",
        ] {
            assert!(
                placeholders(en.get(k).unwrap_or_default()).is_empty(),
                "{k}"
            );
        }
    }
}
