//! Liveness for the chaos tests: after the faults stop and the cluster is healed, it must get back
//! to work within a bounded time — every partition led with its full ISR, every group Stable with
//! each partition owned by one live member, every consumer caught up to the HW, the producer with
//! nothing left in flight, and every acknowledged record consumed.

use super::TestLab;
use bytes::Bytes;
use kafka_lab::clients::consumer::SimConsumer;
use kafka_lab::cluster::snapshot::{BrokerState, GroupState};
use kafka_lab::cluster::types::{ClientId, TopicPartition};
use kafka_lab::lab::Lab;
use std::collections::{BTreeMap, BTreeSet};

/// One record a producer had acknowledged, and when.
#[derive(Clone, Debug)]
pub struct Acked {
    /// Where it went.
    pub tp: TopicPartition,
    /// The offset the ack gave it.
    pub offset: i64,
    /// Its value.
    pub value: Bytes,
    /// Simulated time of the ack.
    pub at_ms: i64,
}

/// Appends the acks of `producer`'s last step to `acked`.
pub fn collect_acks(lab: &Lab, producer: ClientId, acked: &mut Vec<Acked>) {
    let Some(p) = lab.producer(producer) else {
        return;
    };
    acked.extend(p.recent_acks.iter().map(|(tp, offset, value)| Acked {
        tp: tp.clone(),
        offset: *offset,
        value: value.clone(),
        at_ms: lab.now_ms(),
    }));
}

/// Ends every fault: restarts each down broker and makes nobody slow.
pub fn heal(lab: &mut Lab) {
    for (b, s) in lab.broker_states() {
        let _ = lab.set_broker_slow(b, false);
        if s == BrokerState::Down {
            let _ = lab.restart_broker(b);
        }
    }
}

/// What the cluster must be back to once healed; `Ok` when it is, else the first thing that is not.
pub struct Liveness<'a> {
    /// The topic the producer writes and the groups read.
    pub topic: &'a str,
    /// Groups that must be Stable and caught up.
    pub groups: &'a [&'a str],
    /// The producer that must have nothing in flight.
    pub producer: Option<ClientId>,
}

impl Liveness<'_> {
    /// Heals the cluster, stops the producer (so the group has a fixed HW to catch up to) and
    /// waits for liveness, collecting acks and running `safety` after every step; fails when
    /// nothing was ever acknowledged.
    pub fn heal_and_await(
        &self,
        t: &mut TestLab,
        max_ms: i64,
        acked: &mut Vec<Acked>,
        mut safety: impl FnMut(&Lab) -> Result<(), String>,
    ) -> Result<i64, String> {
        heal(&mut t.lab);
        let producer = self
            .producer
            .ok_or("liveness after healing needs the producer")?;
        t.lab.stop_producer(producer).map_err(|e| e.to_string())?;
        let live_after_ms = self.await_live(t, max_ms, |t| {
            collect_acks(&t.lab, producer, acked);
            safety(&t.lab)
        })?;
        if acked.is_empty() {
            return Err("no record was ever acknowledged".into());
        }
        Ok(live_after_ms)
    }

    /// `Ok` when every liveness condition holds now.
    pub fn check(&self, lab: &Lab) -> Result<(), String> {
        self.partitions_led_with_full_isr(lab)?;
        if let Some(id) = self.producer {
            producer_settled(lab, id)?;
        }
        for g in self.groups {
            group_stable_and_owned(lab, g, self.topic)?;
            consumers_at_hw(lab, g)?;
        }
        Ok(())
    }

    /// Steps `t` until [`Self::check`] holds, for at most `max_ms`; runs `each_step` (the caller's
    /// safety checks and ack collection) after every step. Returns the last reason on timeout.
    pub fn await_live(
        &self,
        t: &mut TestLab,
        max_ms: i64,
        mut each_step: impl FnMut(&TestLab) -> Result<(), String>,
    ) -> Result<i64, String> {
        let started = t.lab.now_ms();
        let step = t.lab.config().step_ms;
        loop {
            let verdict = self.check(&t.lab);
            let waited = t.lab.now_ms() - started;
            match verdict {
                Ok(()) => return Ok(waited),
                Err(why) if waited >= max_ms => {
                    return Err(format!("not live {waited} ms after healing: {why}"));
                }
                Err(_) => {}
            }
            t.run_for(step);
            each_step(t)?;
        }
    }

    fn partitions_led_with_full_isr(&self, lab: &Lab) -> Result<(), String> {
        for meta in lab.partitions().filter(|m| m.tp.topic == self.topic) {
            if meta.leader.is_none() {
                return Err(format!("{} has no leader", meta.tp));
            }
            let isr: BTreeSet<_> = meta.isr.iter().collect();
            let replicas: BTreeSet<_> = meta.replicas.iter().collect();
            if isr != replicas {
                return Err(format!(
                    "{} ISR {:?} lacks some of {:?}",
                    meta.tp, meta.isr, meta.replicas
                ));
            }
        }
        Ok(())
    }
}

/// The producer has nothing left to send or waiting for an ack.
fn producer_settled(lab: &Lab, id: ClientId) -> Result<(), String> {
    let p = lab.producer(id).ok_or("the producer vanished")?;
    let pending = p.sent.saturating_sub(p.acknowledged + p.failed);
    if pending > 0 {
        return Err(format!("producer still has {pending} records unsettled"));
    }
    Ok(())
}

/// The group is Stable, its members are exactly the running consumers of the group, and every
/// partition of `topic` is assigned to exactly one of them, the same on both sides.
fn group_stable_and_owned(lab: &Lab, group: &str, topic: &str) -> Result<(), String> {
    let g = lab
        .group_coordinator()
        .group(group)
        .ok_or_else(|| format!("group {group} unknown"))?;
    if g.state != GroupState::Stable {
        return Err(format!("group {group} is {:?}", g.state));
    }
    // A consumer whose assignor the group does not speak is refused (INCONSISTENT_GROUP_PROTOCOL)
    // for as long as the group lives, as in Kafka: it is not a live member, and must own nothing.
    // KIP-848 groups assign on the broker: every member speaks the group's protocol.
    let kip848 = g.consumer.as_ref();
    let speaks = |c: &&SimConsumer| {
        kip848.is_some()
            || g.protocol
                .as_deref()
                .is_none_or(|p| p == c.spec.assignor.protocol_name())
    };
    let (consumers, refused): (Vec<_>, Vec<_>) = lab
        .consumers()
        .filter(|c| c.is_running() && c.spec.group_id == group)
        .partition(speaks);
    if let Some(c) = refused.iter().find(|c| !c.assignment.is_empty()) {
        return Err(format!(
            "{} owns {:?} though group {group} refuses its assignor",
            c.client_id, c.assignment
        ));
    }
    let running: BTreeMap<String, &Vec<TopicPartition>> = consumers
        .iter()
        .map(|c| (c.member_id.clone().unwrap_or_default(), &c.assignment))
        .collect();
    // Member id → what the coordinator gave it, for either protocol.
    let given_by_id: BTreeMap<String, Vec<TopicPartition>> = match kip848 {
        Some(c) => c
            .members
            .iter()
            .map(|(id, m)| (id.clone(), m.assigned.clone()))
            .collect(),
        None => g
            .members
            .iter()
            .map(|(id, m)| (id.clone(), m.assignment.clone()))
            .collect(),
    };
    let members: BTreeSet<&String> = given_by_id.keys().collect();
    if members != running.keys().collect() || running.len() != consumers.len() {
        let who: Vec<String> = consumers
            .iter()
            .map(|c| format!("{} as {:?}", c.client_id, c.member_id))
            .collect();
        return Err(format!(
            "group {group} members {members:?} are not the running consumers {who:?}"
        ));
    }
    let mut owners: BTreeMap<&TopicPartition, usize> = BTreeMap::new();
    for (id, assignment) in &given_by_id {
        let mut theirs = running[id].clone();
        let mut given = assignment.clone();
        theirs.sort();
        given.sort();
        if theirs != given {
            return Err(format!(
                "member {id} works on {theirs:?} but was given {given:?}"
            ));
        }
        for p in assignment {
            *owners.entry(p).or_default() += 1;
        }
    }
    let count = lab.partition_count(topic).unwrap_or(0);
    for p in 0..count {
        let tp = TopicPartition::new(topic, p);
        match owners.get(&tp) {
            Some(1) => {}
            n => return Err(format!("{tp} has {} owners in {group}", n.unwrap_or(&0))),
        }
    }
    Ok(())
}

/// Every running consumer of `group` has processed up to the HW of each partition it owns.
fn consumers_at_hw(lab: &Lab, group: &str) -> Result<(), String> {
    for c in lab
        .consumers()
        .filter(|c| c.is_running() && c.spec.group_id == group)
    {
        for tp in &c.assignment {
            let hw = lab
                .high_watermark(tp)
                .ok_or_else(|| format!("{tp} has no HW"))?;
            let at = c.positions.get(tp).copied();
            if at != Some(hw) {
                return Err(format!(
                    "consumer {} is at {at:?} on {tp}, HW {hw}",
                    c.client_id
                ));
            }
        }
    }
    Ok(())
}

/// Every value each consumer processed, by partition and offset (more than one value at an offset
/// when an unclean election replaced the record there).
pub fn consumed_values(lab: &Lab) -> BTreeMap<(TopicPartition, i64), BTreeSet<Bytes>> {
    let mut out: BTreeMap<(TopicPartition, i64), BTreeSet<Bytes>> = BTreeMap::new();
    for r in lab.consumers().flat_map(|c| c.history.iter()) {
        out.entry((r.tp.clone(), r.offset))
            .or_default()
            .insert(r.value.clone().unwrap_or_default());
    }
    out
}

/// Every acknowledged record not `excused` was processed by some consumer (same partition, offset
/// and value); otherwise how many were not, and the first.
pub fn all_acked_consumed(
    consumed: &BTreeMap<(TopicPartition, i64), BTreeSet<Bytes>>,
    acked: &[Acked],
    excused: impl Fn(&Acked) -> bool,
) -> Result<(), String> {
    let was_consumed = |a: &Acked| {
        consumed
            .get(&(a.tp.clone(), a.offset))
            .is_some_and(|values| values.contains(&a.value))
    };
    let unconsumed = acked
        .iter()
        .filter(|a| !was_consumed(a) && !excused(a))
        .collect::<Vec<_>>();
    match unconsumed.first() {
        None => Ok(()),
        Some(a) => Err(format!(
            "{} acknowledged records never consumed, the first {} offset {} (acked at {} ms)",
            unconsumed.len(),
            a.tp,
            a.offset,
            a.at_ms
        )),
    }
}
