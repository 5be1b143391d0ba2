//! Scenario files: the TOML a lesson is written in, parsed and checked whole before anything runs.
//!
//! ```toml
//! title = "Leader failover when a broker dies"   # one line, shown in `kafka-lab lesson`
//! duration = "30s"                                 # optional: headless runs last at least this long
//!
//! [lab]                                            # the cluster to start
//! brokers = 3
//! seed = 7
//! profile = "teaching"                             # optional: only under this profile (teaching, kafka)
//! broker_session_timeout_ms = 6000                 # also: replica_lag_time_max_ms,
//!                                                  # unclean_leader_election, auto_leader_rebalance,
//!                                                  # group_initial_rebalance_delay_ms,
//!                                                  # retention_check_interval_ms, segment_bytes,
//!                                                  # replica_fetch_max_bytes
//! [[lab.topic]]
//! name = "test"
//! partitions = 2
//! replication_factor = 3                           # default: min(brokers, 3)
//! min_insync_replicas = 1                          # also: retention = "10s", retention_bytes, segment_bytes
//!
//! [[step]]
//! at = "0s"                                        # or after = "5s" (after the previous step), or on = "key"
//! caption = "A producer writes to test"            # shown in the banner and the timeline
//! spawn_producer = { name = "P", topic = "test", rate = 5, acks = "all", keys = 0 }
//!
//! [[step]]
//! after = "10s"
//! expect = { partition = "test-0", hw_at_least = 20, within = "5s" }
//! ```
//!
//! Actions (one per step): `create_topic = {…}` (like `[[lab.topic]]`), `spawn_producer = {name,
//! topic, rate, acks, keys, linger_ms, value_bytes, enable_idempotence, max_in_flight,
//! request_timeout_ms, delivery_timeout_ms}`, `stop_producer = "P"`, `spawn_consumer =
//! {name, group, topic, commit = "auto"|"each"|"every:N"|"never", offset_reset, assignor,
//! session_timeout_ms, processing_ms_per_record}`, `kill_consumer = "A"`, `close_consumer = "A"`,
//! `kill_broker = 1` or `= { leader_of = "test-0" }`, `shutdown_broker` (same), `restart_broker = 1`,
//! `slow_broker = 2`, `resume_broker = 2`, `set_config = { unclean_leader_election = true }` or
//! `= { producer = "P", rate = 50 }`, `pause = true` (the dashboard stops time until `n`).
//! Any step may add `show_log = "test-0"`: the dashboard opens that partition's replica logs.
//! Expectations are listed in [`crate::scenario::expect`].

mod actions;
mod defs;
mod expects;
mod lab;
mod location;
mod references;

use super::model::{Scenario, ScenarioError, Step, Trigger};
use super::schedule::parse_duration_ms;
use actions::step_action;
use defs::FileDef;
use expects::step_expect;
use lab::lab_spec;
use location::Ctx;

/// Parses and checks a scenario; `file` names it in errors, `stem` is its default name.
pub fn parse_scenario(file: &str, stem: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let def: FileDef = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        ScenarioError::at(file, source, offset, e.message().trim().to_string())
    })?;
    let whole = Ctx {
        file,
        source,
        span: 0..0,
    };
    let (lab, mut known) = lab_spec(file, source, &def.lab)?;
    let mut steps = Vec::new();
    let mut last_at = 0;
    for (i, s) in def.step.iter().enumerate() {
        // An array-of-tables entry's span is its `[[step]]` header: its fields run to the next one.
        let end = def
            .step
            .get(i + 1)
            .map_or(source.len(), |n| n.span().start)
            .max(s.span().end);
        let cx = Ctx {
            file,
            source,
            span: s.span().start..end,
        };
        let d = s.get_ref();
        let cx_at = |f: &str| cx.at_field(f);
        let trigger = match (&d.at, &d.after, &d.on) {
            (None, None, None) => Trigger::After(0),
            (Some(a), None, None) => {
                let at = duration(&cx_at("at"), "at", a)?;
                if at < last_at {
                    return Err(cx_at("at").err(format!(
                        "found at = {a:?}, which is before an earlier step's at; steps run in file order (use after = … for relative times)"
                    )));
                }
                last_at = at;
                Trigger::At(at)
            }
            (None, Some(a), None) => Trigger::After(duration(&cx_at("after"), "after", a)?),
            (None, None, Some(k)) if k == "key" => Trigger::Key,
            (None, None, Some(k)) => {
                return Err(cx_at("on").err(format!("found on = {k:?}, expected on = \"key\"")));
            }
            _ => return Err(cx.err("a step has one of at, after or on, not several")),
        };
        let action = step_action(&cx, d, &mut known)?;
        let expect = match &d.expect {
            Some(e) => Some(step_expect(&cx.at_field("expect"), e, &known)?),
            None => None,
        };
        if action.is_some() && expect.is_some() {
            return Err(
                cx.err("a step either acts or expects, not both: split it into two [[step]]s")
            );
        }
        let show_log = match &d.show_log {
            Some(t) => Some(known.tp(&cx.at_field("show_log"), t)?),
            None => None,
        };
        if action.is_none()
            && expect.is_none()
            && d.caption.is_none()
            && d.pause.is_none()
            && show_log.is_none()
        {
            return Err(cx.err(
                "this step does nothing: give it an action (spawn_producer, kill_broker, …), an expect or a caption",
            ));
        }
        let line = source[..s.span().start.min(source.len())]
            .matches('\n')
            .count()
            + 1;
        steps.push(Step {
            line,
            trigger,
            caption: d.caption.clone(),
            action,
            expect,
            show_log,
        });
    }
    let duration_ms = match &def.duration {
        Some(d) => {
            let cx = Ctx {
                file,
                source,
                span: d.span(),
            };
            duration(&cx, "duration", d.get_ref())?
        }
        None => 0,
    };
    if def.title.trim().is_empty() {
        return Err(whole.err("title is empty: give the lesson a one-line title"));
    }
    Ok(Scenario {
        name: def.name.unwrap_or_else(|| stem.to_string()),
        title: def.title,
        duration_ms,
        lab,
        steps,
    })
}

/// Reads and parses a scenario file.
pub fn load_scenario_file(path: &std::path::Path) -> Result<Scenario, String> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read scenario {}: {e}", path.display()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    parse_scenario(&path.display().to_string(), &stem, &source).map_err(|e| e.to_string())
}

/// A duration field, with the error pointing at it.
fn duration(cx: &Ctx, field: &str, text: &str) -> Result<i64, ScenarioError> {
    parse_duration_ms(text).map_err(|e| cx.err(format!("{field}: {e}")))
}
