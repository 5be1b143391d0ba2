//! The built-in lessons, embedded from `assets/scenarios/*.toml`.

use super::model::{Scenario, ScenarioError};
use super::parse::parse_scenario;
use crate::text::Lang;

/// (name, TOML source) of every built-in lesson, in teaching order.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "experiment-1",
        include_str!("../../assets/scenarios/experiment-1.toml"),
    ),
    (
        "experiment-2",
        include_str!("../../assets/scenarios/experiment-2.toml"),
    ),
    (
        "experiment-3",
        include_str!("../../assets/scenarios/experiment-3.toml"),
    ),
    (
        "leader-failover",
        include_str!("../../assets/scenarios/leader-failover.toml"),
    ),
    (
        "controller-quorum",
        include_str!("../../assets/scenarios/controller-quorum.toml"),
    ),
    (
        "replicated-log",
        include_str!("../../assets/scenarios/replicated-log.toml"),
    ),
    (
        "slow-follower",
        include_str!("../../assets/scenarios/slow-follower.toml"),
    ),
    (
        "acks-and-unclean-election",
        include_str!("../../assets/scenarios/acks-and-unclean-election.toml"),
    ),
    (
        "eager-vs-cooperative",
        include_str!("../../assets/scenarios/eager-vs-cooperative.toml"),
    ),
    (
        "new-consumer-protocol",
        include_str!("../../assets/scenarios/new-consumer-protocol.toml"),
    ),
    (
        "keyed-order",
        include_str!("../../assets/scenarios/keyed-order.toml"),
    ),
    (
        "idempotence",
        include_str!("../../assets/scenarios/idempotence.toml"),
    ),
    (
        "exactly-once",
        include_str!("../../assets/scenarios/exactly-once.toml"),
    ),
    (
        "retention-and-reset",
        include_str!("../../assets/scenarios/retention-and-reset.toml"),
    ),
];

/// The built-in lessons' titles and captions in Chinese, keyed by lesson, captions keyed by
/// their English text (so a reworded English caption shows, and a test fails, until translated).
pub const LESSONS_ZH: &str = include_str!("../../assets/text/lessons.zh.toml");

/// A built-in lesson by name, in the language in force.
pub fn built_in(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    built_in_in(crate::text::lang(), name)
}

/// A built-in lesson by name with its title and captions in `lang` (English where a text has
/// no translation). Pure over `lang`, for tests.
pub fn built_in_in(lang: Lang, name: &str) -> Option<Result<Scenario, ScenarioError>> {
    BUILT_IN.iter().find(|(n, _)| *n == name).map(|(n, src)| {
        parse_scenario(&format!("assets/scenarios/{n}.toml"), n, src).map(|s| translate(s, lang))
    })
}

/// The translations of lesson `name` in `lang`, if any.
fn translations(lang: Lang, name: &str) -> Option<toml::Table> {
    let source = match lang {
        Lang::En => return None,
        Lang::Zh => LESSONS_ZH,
    };
    let mut all: toml::Table = source.parse().ok()?;
    match all.remove(name) {
        Some(toml::Value::Table(t)) => Some(t),
        _ => None,
    }
}

/// `scenario` with its title and captions in `lang` where translated.
fn translate(mut scenario: Scenario, lang: Lang) -> Scenario {
    let Some(t) = translations(lang, &scenario.name) else {
        return scenario;
    };
    if let Some(title) = t.get("title").and_then(|v| v.as_str()) {
        scenario.title = title.to_string();
    }
    if let Some(captions) = t.get("captions").and_then(|v| v.as_table()) {
        for step in &mut scenario.steps {
            let zh = step.caption.as_deref().and_then(|c| captions.get(c.trim()));
            if let Some(zh) = zh.and_then(|v| v.as_str()) {
                step.caption = Some(zh.to_string());
            }
        }
    }
    scenario
}

/// Every built-in lesson's name and title (a lesson that does not parse shows its error); a
/// lesson that needs the teaching profile's short timers says so, since `--profile kafka`
/// refuses it.
pub fn list() -> Vec<(String, String)> {
    BUILT_IN
        .iter()
        .map(|(n, _)| {
            let title = match built_in(n) {
                Some(Ok(s)) if s.lab.profile == Some(crate::cluster::config::Profile::Teaching) => {
                    format!("{} {}", s.title, crate::text::text("cli.teaching_only"))
                }
                Some(Ok(s)) => s.title,
                Some(Err(e)) => format!("(broken: {e})"),
                None => String::new(),
            };
            (n.to_string(), title)
        })
        .collect()
}

/// The lesson for the article's experiment `n` (1–3), behind `run --headless --experiment N`.
pub fn experiment(n: u8) -> Result<Scenario, String> {
    match built_in(&format!("experiment-{n}")) {
        Some(r) => r.map_err(|e| e.to_string()),
        None => Err(format!("there are experiments 1, 2 and 3, not {n}")),
    }
}

/// Resolves `kafka-lab lesson ARG`: a built-in name, or a path to a `.toml` file.
pub fn resolve(arg: &str) -> Result<Scenario, String> {
    if let Some(r) = built_in(arg) {
        return r.map_err(|e| e.to_string());
    }
    let path = std::path::Path::new(arg);
    if path.extension().is_some_and(|e| e == "toml") || path.exists() {
        return super::parse::load_scenario_file(path);
    }
    let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
    Err(format!(
        "no lesson {arg:?}: built-in lessons are {}; or give a path to a .toml scenario file",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_marks_exactly_the_lessons_that_need_the_teaching_profile() {
        let marked: Vec<String> = list()
            .into_iter()
            .filter(|(_, title)| title.ends_with(crate::text::text("cli.teaching_only")))
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            marked,
            [
                "acks-and-unclean-election",
                "new-consumer-protocol",
                "retention-and-reset"
            ]
        );
    }

    #[test]
    fn every_lesson_title_and_caption_is_in_chinese() {
        let table: toml::Table = LESSONS_ZH.parse().expect("lessons.zh.toml parses");
        for (name, _) in BUILT_IN {
            let en = built_in_in(Lang::En, name).unwrap().unwrap();
            let zh = built_in_in(Lang::Zh, name).unwrap().unwrap();
            assert_ne!(zh.title, en.title, "{name}: no Chinese title");
            for (e, z) in en.steps.iter().zip(&zh.steps) {
                if e.caption.is_some() {
                    assert_ne!(z.caption, e.caption, "{name}: caption not translated");
                }
            }
        }
        // No stale entry: every translated caption still matches an English one.
        for (name, t) in &table {
            let en = built_in_in(Lang::En, name).expect(name).unwrap();
            let captions = t.get("captions").and_then(|c| c.as_table());
            for key in captions.into_iter().flat_map(|c| c.keys()) {
                assert!(
                    en.steps
                        .iter()
                        .any(|s| s.caption.as_deref().map(str::trim) == Some(key)),
                    "{name}: stale caption {key}"
                );
            }
        }
    }

    #[test]
    fn every_built_in_lesson_parses() {
        for (name, _) in BUILT_IN {
            let s = built_in(name).unwrap().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&s.name, name);
            assert!(!s.steps.is_empty());
        }
    }
}
