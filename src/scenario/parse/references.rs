//! Reference checks: what exists at each step (brokers, topics, groups, producers, consumers), so
//! a step that names something missing is refused before the lab starts.

use super::defs::BrokerDef;
use super::location::Ctx;
use crate::cluster::types::{BrokerId, TopicPartition};
use crate::scenario::model::{BrokerRef, ScenarioError};
use std::collections::{BTreeMap, BTreeSet};

/// What exists at a point of the scenario, to check references before anything runs.
#[derive(Default)]
pub(super) struct Known {
    /// Broker count: ids run 1..=brokers.
    pub(super) brokers: usize,
    /// Topic name → partition count.
    pub(super) topics: BTreeMap<String, i32>,
    /// Producers spawned so far.
    pub(super) producers: BTreeSet<String>,
    /// Consumer name → its group (a name keeps its group).
    pub(super) consumers: BTreeMap<String, String>,
    /// Groups some consumer has joined.
    pub(super) groups: BTreeSet<String>,
}

impl Known {
    /// A partition written `TOPIC-N`, of a topic that exists with that many partitions.
    pub(super) fn tp(&self, cx: &Ctx, text: &str) -> Result<TopicPartition, ScenarioError> {
        let (topic, p) = text.rsplit_once('-').ok_or_else(|| {
            cx.err(format!(
                "found partition {text:?}, expected TOPIC-N such as \"test-0\""
            ))
        })?;
        let p: i32 = p.parse().map_err(|_| {
            cx.err(format!(
                "found partition {text:?}, expected TOPIC-N such as \"test-0\""
            ))
        })?;
        match self.topics.get(topic) {
            None => Err(cx.err(format!(
                "partition {text:?} refers to topic {topic:?}, which does not exist at this step (topics: {})",
                self.topic_list()
            ))),
            Some(n) if p < 0 || p >= *n => Err(cx.err(format!(
                "partition {text:?} does not exist: topic {topic} has partitions 0..={}",
                n - 1
            ))),
            Some(_) => Ok(TopicPartition::new(topic, p)),
        }
    }

    fn topic_list(&self) -> String {
        if self.topics.is_empty() {
            "none".into()
        } else {
            self.topics.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    }

    /// A broker id within this lab.
    pub(super) fn broker(&self, cx: &Ctx, id: i32) -> Result<BrokerId, ScenarioError> {
        if id < 1 || id as usize > self.brokers {
            return Err(cx.err(format!(
                "broker {id} does not exist: this lab has brokers 1..={}",
                self.brokers
            )));
        }
        Ok(id)
    }

    /// Refuses a topic that does not exist yet.
    pub(super) fn topic(&self, cx: &Ctx, name: &str) -> Result<(), ScenarioError> {
        if self.topics.contains_key(name) {
            Ok(())
        } else {
            Err(cx.err(format!(
                "topic {name:?} does not exist at this step (topics: {}); create it in [lab] or with create_topic first",
                self.topic_list()
            )))
        }
    }

    /// A producer spawned by an earlier step.
    pub(super) fn producer(&self, cx: &Ctx, name: &str) -> Result<String, ScenarioError> {
        if self.producers.contains(name) {
            Ok(name.to_string())
        } else {
            Err(cx.err(format!(
                "no producer named {name:?} was spawned before this step (producers: {})",
                list(&self.producers)
            )))
        }
    }

    /// A consumer spawned by an earlier step.
    pub(super) fn consumer(&self, cx: &Ctx, name: &str) -> Result<String, ScenarioError> {
        if self.consumers.contains_key(name) {
            Ok(name.to_string())
        } else {
            Err(cx.err(format!(
                "no consumer named {name:?} was spawned before this step (consumers: {})",
                list(self.consumers.keys())
            )))
        }
    }

    /// A broker by id or as the leader of an existing partition.
    pub(super) fn broker_ref(&self, cx: &Ctx, def: &BrokerDef) -> Result<BrokerRef, ScenarioError> {
        match def {
            BrokerDef::Id(id) => self.broker(cx, *id).map(BrokerRef::Id),
            BrokerDef::LeaderOf { leader_of } => self.tp(cx, leader_of).map(BrokerRef::LeaderOf),
        }
    }
}

/// Names for an error message, or "none".
pub(super) fn list<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let v: Vec<&str> = items.into_iter().map(String::as_str).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}
