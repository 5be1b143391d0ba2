//! The `[lab]` table: the cluster a scenario starts and the topics that exist before its first
//! step (also the rules every `create_topic` follows).

use super::defs::{LabDef, TopicDef};
use super::duration;
use super::location::Ctx;
use super::references::Known;
use crate::cluster::topic::{TopicSpec, validate_topic_name};
use crate::scenario::model::{LabSpec, ScenarioError};

/// The lab as a [`LabSpec`], with what exists before the first step.
pub(super) fn lab_spec(
    file: &str,
    source: &str,
    def: &LabDef,
) -> Result<(LabSpec, Known), ScenarioError> {
    let brokers = match &def.brokers {
        Some(b) => {
            let cx = Ctx {
                file,
                source,
                span: b.span(),
            };
            let n = *b.get_ref();
            if !(1..=9).contains(&n) {
                return Err(cx.err(format!("found brokers = {n}, expected 1..=9")));
            }
            n
        }
        None => 3,
    };
    let mut known = Known {
        brokers,
        ..Known::default()
    };
    let mut topics = Vec::new();
    for t in &def.topic {
        let cx = Ctx {
            file,
            source,
            span: t.span(),
        };
        let spec = topic_spec(&cx, t.get_ref(), brokers)?;
        if known
            .topics
            .insert(spec.name.clone(), spec.partitions)
            .is_some()
        {
            return Err(cx.err(format!("topic {:?} is listed twice", spec.name)));
        }
        topics.push(spec);
    }
    let profile = match &def.profile {
        Some(p) => {
            let cx = Ctx {
                file,
                source,
                span: p.span(),
            };
            Some(p.get_ref().parse().map_err(|e: String| cx.err(e))?)
        }
        None => None,
    };
    let lab = LabSpec {
        brokers,
        seed: def.seed.unwrap_or(7),
        profile,
        broker_session_timeout_ms: def.broker_session_timeout_ms,
        replica_lag_time_max_ms: def.replica_lag_time_max_ms,
        unclean_leader_election: def.unclean_leader_election,
        auto_leader_rebalance: def.auto_leader_rebalance,
        group_initial_rebalance_delay_ms: def.group_initial_rebalance_delay_ms,
        retention_check_interval_ms: def.retention_check_interval_ms,
        segment_bytes: def.segment_bytes,
        replica_fetch_max_bytes: def.replica_fetch_max_bytes,
        topics,
    };
    Ok((lab, known))
}

/// A topic as written, checked against the lab's broker count.
pub(super) fn topic_spec(
    cx: &Ctx,
    def: &TopicDef,
    brokers: usize,
) -> Result<TopicSpec, ScenarioError> {
    validate_topic_name(&def.name).map_err(|e| cx.err(format!("topic {:?}: {e}", def.name)))?;
    let partitions = def.partitions.unwrap_or(1);
    if !(1..=1000).contains(&partitions) {
        return Err(cx.err(format!(
            "topic {}: found partitions = {partitions}, expected 1..=1000",
            def.name
        )));
    }
    let rf = def.replication_factor.unwrap_or(brokers.min(3) as i16);
    if rf < 1 || rf as usize > brokers {
        return Err(cx.err(format!(
            "topic {}: found replication_factor = {rf}, expected 1..={brokers} (the lab's broker count)",
            def.name
        )));
    }
    let mut spec = TopicSpec::new(def.name.clone(), partitions, rf);
    spec.min_insync_replicas = def.min_insync_replicas.unwrap_or(1);
    // Above the replication factor is allowed, as in Kafka, which then uses min(it, RF).
    if spec.min_insync_replicas < 1 {
        return Err(cx.err(format!(
            "topic {}: found min_insync_replicas = {}, expected at least 1 (above the replication factor {rf} acts as {rf})",
            def.name, spec.min_insync_replicas
        )));
    }
    if let Some(r) = &def.retention {
        spec.retention_ms = Some(duration(cx, "retention", r)?);
    }
    spec.retention_bytes = def.retention_bytes;
    spec.segment_bytes = def.segment_bytes;
    Ok(spec)
}
