//! Step actions: each `create_topic`, `spawn_producer`, `kill_broker`, … turned into an
//! [`Action`], with every name it uses checked against what exists at that step.

use super::defs::StepDef;
use super::lab::topic_spec;
use super::location::Ctx;
use super::references::Known;
use crate::clients::spec::{CommitMode, GroupProtocol, KeyMode, OffsetReset, Partitioner};
use crate::clients::spec::{ConsumerSpec, ProducerSpec, validate_rate};
use crate::cluster::group::consumer_group::ServerAssignor;
use crate::cluster::types::{Acks, AssignorKind};
use crate::scenario::model::{Action, ConfigChange, ScenarioError};

/// `acks` written as a string or a number.
fn parse_acks(cx: &Ctx, v: &toml::Value) -> Result<Acks, ScenarioError> {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        other => other.to_string(),
    };
    text.parse()
        .map_err(|_| cx.err(format!("found acks = {v}, expected \"all\", 1 or 0")))
}

/// `commit = "auto" | "each" | "every:N" | "never"`.
fn parse_commit(cx: &Ctx, text: &str) -> Result<CommitMode, ScenarioError> {
    let bad = || {
        cx.err(format!(
            "found commit = {text:?}, expected \"auto\", \"each\", \"every:N\" or \"never\""
        ))
    };
    Ok(match text {
        "auto" => CommitMode::Auto { interval_ms: 5_000 },
        "each" => CommitMode::EveryRecords { records: 1 },
        "never" => CommitMode::Never,
        other => {
            let n: u32 = other
                .strip_prefix("every:")
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(bad)?;
            CommitMode::EveryRecords { records: n }
        }
    })
}

/// A step's action, if it has one, recording what it creates in `known`.
pub(super) fn step_action(
    cx: &Ctx,
    def: &StepDef,
    known: &mut Known,
) -> Result<Option<Action>, ScenarioError> {
    let mut actions = Vec::new();
    if let Some(t) = &def.create_topic {
        let cx = &cx.at_field("create_topic");
        let spec = topic_spec(cx, t, known.brokers)?;
        if known.topics.contains_key(&spec.name) {
            return Err(cx.err(format!("topic {:?} already exists", spec.name)));
        }
        known.topics.insert(spec.name.clone(), spec.partitions);
        actions.push(Action::CreateTopic(spec));
    }
    if let Some(a) = &def.add_partitions {
        let cx = &cx.at_field("add_partitions");
        known.topic(cx, &a.topic)?;
        let now = known.topics.get(&a.topic).copied().unwrap_or_default();
        if a.partitions <= now {
            return Err(cx.err(format!(
                "topic {:?} has {now} partitions; add_partitions must ask for more, found {}",
                a.topic, a.partitions
            )));
        }
        known.topics.insert(a.topic.clone(), a.partitions);
        actions.push(Action::AddPartitions(a.topic.clone(), a.partitions));
    }
    if let Some(t) = &def.delete_topic {
        let cx = &cx.at_field("delete_topic");
        known.topic(cx, t)?;
        known.topics.remove(t);
        actions.push(Action::DeleteTopic(t.clone()));
    }
    if let Some(p) = &def.spawn_producer {
        let cx = &cx.at_field("spawn_producer");
        known.topic(cx, &p.topic)?;
        let rate = p.rate.unwrap_or(5.0);
        if validate_rate(rate).is_err() {
            return Err(cx.err(format!(
                "producer {}: found rate = {rate}, expected more than 0 and at most 1000000 records/s",
                p.name
            )));
        }
        let mut spec = ProducerSpec::new(p.topic.clone(), rate);
        spec.client_id = Some(p.name.clone());
        if let Some(a) = &p.acks {
            spec.acks = parse_acks(cx, a)?;
        }
        if let Some(k) = p.keys.filter(|k| *k > 0) {
            spec.key_mode = KeyMode::Keyed { distinct_keys: k };
        }
        if let Some(name) = &p.partitioner {
            spec.partitioner = name.parse::<Partitioner>().map_err(|e| cx.err(e))?;
        }
        if let Some(l) = p.linger_ms {
            spec.linger_ms = l;
        }
        if let Some(v) = p.value_bytes {
            spec.value_bytes = v;
        }
        if let Some(t) = p.request_timeout_ms {
            spec.request_timeout_ms = t;
        }
        if let Some(t) = p.delivery_timeout_ms {
            spec.delivery_timeout_ms = t;
        }
        if let Some(n) = p.max_in_flight {
            spec.max_in_flight = n;
            // As Kafka's producer: more than 5 in flight turns the default idempotence off;
            // asking for both is refused below.
            if n > 5 && p.enable_idempotence.is_none() {
                spec.enable_idempotence = false;
            }
        }
        if let Some(on) = p.enable_idempotence {
            // Kafka refuses idempotence asked for explicitly with acks other than all.
            if on && spec.acks != Acks::All {
                return Err(cx.err(format!(
                    "producer {}: enable_idempotence = true needs acks = \"all\"",
                    p.name
                )));
            }
            spec.enable_idempotence = on;
        }
        if let Some(id) = &p.transactional_id {
            spec.transactional_id = Some(id.clone());
        }
        if let Some(t) = p.transaction_timeout_ms {
            spec.transaction_timeout_ms = t;
        }
        if let Some(c) = p.commit_interval_ms {
            spec.commit_interval_ms = c;
        }
        spec.validate()
            .map_err(|e| cx.err(format!("producer {}: {e}", p.name)))?;
        known.producers.insert(p.name.clone());
        actions.push(Action::SpawnProducer(spec));
    }
    if let Some(name) = &def.stop_producer {
        let cx = &cx.at_field("stop_producer");
        actions.push(Action::StopProducer(known.producer(cx, name)?));
    }
    if let Some(name) = &def.kill_producer {
        let cx = &cx.at_field("kill_producer");
        actions.push(Action::KillProducer(known.producer(cx, name)?));
    }
    if let Some(name) = &def.pause_producer {
        let cx = &cx.at_field("pause_producer");
        actions.push(Action::PauseProducer(known.producer(cx, name)?, true));
    }
    if let Some(name) = &def.resume_producer {
        let cx = &cx.at_field("resume_producer");
        actions.push(Action::PauseProducer(known.producer(cx, name)?, false));
    }
    if let Some(c) = &def.spawn_consumer {
        let cx = &cx.at_field("spawn_consumer");
        known.topic(cx, &c.topic)?;
        let mut spec = ConsumerSpec::new(c.group.clone(), c.topic.clone());
        spec.client_id = Some(c.name.clone());
        if let Some(m) = &c.commit {
            spec.commit_mode = parse_commit(cx, m)?;
        }
        if let Some(r) = &c.offset_reset {
            spec.auto_offset_reset = r.parse::<OffsetReset>().map_err(|e| cx.err(e))?;
        }
        if let Some(l) = &c.isolation_level {
            spec.isolation_level = l
                .parse::<crate::clients::spec::IsolationLevel>()
                .map_err(|e| cx.err(e))?;
        }
        if let Some(a) = &c.assignor {
            spec.assignor = a.parse::<AssignorKind>().map_err(|e| cx.err(e))?;
        }
        if let Some(s) = c.session_timeout_ms {
            spec.session_timeout_ms = s;
            spec.heartbeat_interval_ms = spec.heartbeat_interval_ms.min(s / 3).max(1);
        }
        if let Some(h) = c.heartbeat_interval_ms {
            spec.heartbeat_interval_ms = h;
        }
        if let Some(p) = c.processing_ms_per_record {
            spec.processing_ms_per_record = p;
        }
        if let Some(p) = &c.group_protocol {
            spec.group_protocol = p.parse::<GroupProtocol>().map_err(|e| cx.err(e))?;
        }
        if spec.group_protocol == GroupProtocol::Consumer {
            // As Kafka's consumer: the broker owns these under the consumer protocol.
            let refused = [
                ("session_timeout_ms", c.session_timeout_ms.is_some()),
                ("heartbeat_interval_ms", c.heartbeat_interval_ms.is_some()),
                ("assignor", c.assignor.is_some()),
            ];
            if let Some((name, _)) = refused.iter().find(|(_, set)| *set) {
                return Err(cx.err(format!(
                    "consumer {}: {name} is not supported with group_protocol = \"consumer\" (the broker's group.consumer.* settings and remote_assignor apply)",
                    c.name
                )));
            }
        }
        if let Some(a) = &c.remote_assignor {
            if spec.group_protocol != GroupProtocol::Consumer {
                return Err(cx.err(format!(
                    "consumer {}: remote_assignor needs group_protocol = \"consumer\"",
                    c.name
                )));
            }
            spec.remote_assignor = Some(ServerAssignor::from_name(a).ok_or_else(|| {
                cx.err(format!(
                    "found remote_assignor = {a:?}, expected \"uniform\" or \"range\""
                ))
            })?);
        }
        if let Some(other) = known.consumers.get(&c.name)
            && *other != c.group
        {
            return Err(cx.err(format!(
                "consumer {:?} was in group {other:?}; a consumer name keeps its group",
                c.name
            )));
        }
        spec.validate()
            .map_err(|e| cx.err(format!("consumer {}: {e}", c.name)))?;
        known.consumers.insert(c.name.clone(), c.group.clone());
        known.groups.insert(c.group.clone());
        actions.push(Action::SpawnConsumer(spec));
    }
    if let Some(name) = &def.kill_consumer {
        let cx = &cx.at_field("kill_consumer");
        actions.push(Action::KillConsumer(known.consumer(cx, name)?));
    }
    if let Some(name) = &def.close_consumer {
        let cx = &cx.at_field("close_consumer");
        actions.push(Action::CloseConsumer(known.consumer(cx, name)?));
    }
    if let Some(b) = &def.kill_broker {
        let cx = &cx.at_field("kill_broker");
        actions.push(Action::KillBroker(known.broker_ref(cx, b)?));
    }
    if let Some(b) = &def.shutdown_broker {
        let cx = &cx.at_field("shutdown_broker");
        actions.push(Action::ShutdownBroker(known.broker_ref(cx, b)?));
    }
    if let Some(b) = def.restart_broker {
        let cx = &cx.at_field("restart_broker");
        actions.push(Action::RestartBroker(known.broker(cx, b)?));
    }
    if let Some(b) = def.slow_broker {
        let cx = &cx.at_field("slow_broker");
        actions.push(Action::SlowBroker(known.broker(cx, b)?, true));
    }
    if let Some(b) = def.resume_broker {
        let cx = &cx.at_field("resume_broker");
        actions.push(Action::SlowBroker(known.broker(cx, b)?, false));
    }
    if let Some(c) = &def.set_config {
        let cx = &cx.at_field("set_config");
        let change = match (c.unclean_leader_election, &c.producer, c.rate) {
            (Some(v), None, None) => ConfigChange::UncleanLeaderElection(v),
            (None, Some(p), Some(r)) if validate_rate(r).is_ok() => {
                ConfigChange::ProducerRate(known.producer(cx, p)?, r)
            }
            _ => {
                return Err(cx.err(
                    "set_config: expected either { unclean_leader_election = true|false } or { producer = \"NAME\", rate = R } with 0 < R <= 1000000",
                ));
            }
        };
        actions.push(Action::SetConfig(change));
    }
    if def.pause == Some(true) {
        actions.push(Action::Pause);
    }
    if actions.len() > 1 {
        return Err(cx.err(format!(
            "a step does one thing; found {} actions here: split them into separate [[step]]s",
            actions.len()
        )));
    }
    Ok(actions.pop())
}
