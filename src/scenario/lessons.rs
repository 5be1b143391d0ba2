//! The built-in lessons, embedded from `assets/scenarios/*.toml`.

use super::model::{Scenario, ScenarioError};
use super::parse::parse_scenario;

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
        "keyed-order",
        include_str!("../../assets/scenarios/keyed-order.toml"),
    ),
    (
        "retention-and-reset",
        include_str!("../../assets/scenarios/retention-and-reset.toml"),
    ),
];

/// A built-in lesson by name.
pub fn built_in(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, src)| parse_scenario(&format!("assets/scenarios/{n}.toml"), n, src))
}

/// Every built-in lesson's name and title (a lesson that does not parse shows its error).
pub fn list() -> Vec<(String, String)> {
    BUILT_IN
        .iter()
        .map(|(n, _)| {
            let title = match built_in(n) {
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
    fn every_built_in_lesson_parses() {
        for (name, _) in BUILT_IN {
            let s = built_in(name).unwrap().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&s.name, name);
            assert!(!s.steps.is_empty());
        }
    }
}
