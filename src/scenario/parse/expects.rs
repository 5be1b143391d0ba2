//! Step expectations: an `expect` table turned into an [`Expect`], refusing fields that belong
//! to another subject and names that do not exist at that step.

use super::defs::ExpectDef;
use super::duration;
use super::location::Ctx;
use super::references::{Known, list};
use crate::clients::view::ConsumerState;
use crate::cluster::snapshot::{BrokerState, GroupState};
use crate::scenario::expect::{Check, Expect, Subject};
use crate::scenario::model::ScenarioError;

/// A step's `expect`: one subject that exists at this step and the checks about it.
pub(super) fn step_expect(cx: &Ctx, e: &ExpectDef, known: &Known) -> Result<Expect, ScenarioError> {
    let subjects = [
        e.group.is_some(),
        e.partition.is_some(),
        e.consumer.is_some(),
        e.producer.is_some(),
        e.broker.is_some(),
        e.quorum.is_some(),
    ];
    if subjects.iter().filter(|s| **s).count() != 1 {
        return Err(cx.err(
            "an expect names exactly one subject: group, partition, consumer, producer, broker or quorum",
        ));
    }
    if e.controller_not.is_some() && e.quorum.as_deref() != Some("active") {
        return Err(cx.err("expect field `controller_not` belongs to quorum = \"active\""));
    }
    if let Some(q) = &e.quorum {
        let within_ms = match &e.within {
            Some(w) => duration(cx, "within", w)?,
            None => 0,
        };
        let check = match q.as_str() {
            "lost" => Check::QuorumLost(true),
            "kept" => Check::QuorumLost(false),
            "active" => Check::ControllerNot(e.controller_not),
            other => {
                return Err(cx.err(format!(
                    "found quorum = {other:?}, expected \"active\", \"lost\" or \"kept\""
                )));
            }
        };
        return Ok(Expect {
            subject: Subject::Quorum,
            checks: vec![check],
            within_ms,
        });
    }
    let within_ms = match &e.within {
        Some(w) => duration(cx, "within", w)?,
        None => 0,
    };
    let mut checks = Vec::new();
    let misplaced = |field: &str, subject: &str| {
        cx.err(format!(
            "expect field `{field}` belongs to a {subject} expectation (add {subject} = …)"
        ))
    };
    let subject = if let Some(g) = &e.group {
        if !known.groups.contains(g) {
            return Err(cx.err(format!(
                "no consumer joined group {g:?} before this step (groups: {})",
                list(&known.groups)
            )));
        }
        if let Some(s) = &e.state {
            checks.push(Check::GroupState(parse_state(
                cx,
                s,
                &[
                    ("Empty", GroupState::Empty),
                    ("PreparingRebalance", GroupState::PreparingRebalance),
                    ("CompletingRebalance", GroupState::CompletingRebalance),
                    ("Stable", GroupState::Stable),
                    ("Dead", GroupState::Dead),
                ],
            )?));
        }
        if let Some(n) = e.members {
            checks.push(Check::Members(n));
        }
        if let Some(n) = e.generation_at_least {
            checks.push(Check::GenerationAtLeast(n));
        }
        if let Some(o) = &e.owner {
            let consumer = known.consumer(cx, &o.consumer)?;
            if known.consumers.get(&consumer) != Some(g) {
                return Err(cx.err(format!("consumer {consumer:?} is not in group {g:?}")));
            }
            let partitions = o
                .partitions
                .iter()
                .map(|p| known.tp(cx, p))
                .collect::<Result<Vec<_>, _>>()?;
            checks.push(Check::Owner {
                consumer,
                partitions,
            });
        }
        if let Some(n) = e.revoked_at_least {
            checks.push(Check::RevokedAtLeast(n));
        }
        if let Some(n) = e.revoked_at_most {
            checks.push(Check::RevokedAtMost(n));
        }
        Subject::Group(g.clone())
    } else {
        for (set, f) in [
            (e.members.is_some(), "members"),
            (e.generation_at_least.is_some(), "generation_at_least"),
            (e.owner.is_some(), "owner"),
            (e.revoked_at_least.is_some(), "revoked_at_least"),
            (e.revoked_at_most.is_some(), "revoked_at_most"),
        ] {
            if set {
                return Err(misplaced(f, "group"));
            }
        }
        if let Some(p) = &e.partition {
            let tp = known.tp(cx, p)?;
            if let Some(b) = e.leader {
                checks.push(Check::Leader(known.broker(cx, b)?));
            }
            if let Some(b) = e.leader_not {
                checks.push(Check::LeaderNot(known.broker(cx, b)?));
            }
            if let Some(isr) = &e.isr {
                let mut v = isr
                    .iter()
                    .map(|b| known.broker(cx, *b))
                    .collect::<Result<Vec<_>, _>>()?;
                v.sort();
                checks.push(Check::Isr(v));
            }
            if let Some(n) = e.isr_size {
                checks.push(Check::IsrSize(n));
            }
            if let Some(b) = e.isr_excludes {
                checks.push(Check::IsrExcludes(known.broker(cx, b)?));
            }
            if let Some(elr) = &e.elr {
                let mut v = elr
                    .iter()
                    .map(|b| known.broker(cx, *b))
                    .collect::<Result<Vec<_>, _>>()?;
                v.sort();
                checks.push(Check::Elr(v));
            }
            if let Some(o) = e.offline {
                checks.push(Check::Offline(o));
            }
            if let Some(n) = e.hw_at_least {
                checks.push(Check::HwAtLeast(n));
            }
            if let Some(n) = e.log_start_at_least {
                checks.push(Check::LogStartAtLeast(n));
            }
            if e.state.is_some() {
                return Err(cx.err("a partition expectation has no `state`; use leader, isr, offline, hw_at_least …"));
            }
            Subject::Partition(tp)
        } else {
            for (set, f) in [
                (e.leader.is_some(), "leader"),
                (e.leader_not.is_some(), "leader_not"),
                (e.isr.is_some(), "isr"),
                (e.isr_size.is_some(), "isr_size"),
                (e.isr_excludes.is_some(), "isr_excludes"),
                (e.elr.is_some(), "elr"),
                (e.offline.is_some(), "offline"),
                (e.hw_at_least.is_some(), "hw_at_least"),
                (e.log_start_at_least.is_some(), "log_start_at_least"),
            ] {
                if set {
                    return Err(misplaced(f, "partition"));
                }
            }
            if let Some(c) = &e.consumer {
                let name = known.consumer(cx, c)?;
                if let Some(s) = &e.state {
                    checks.push(Check::ConsumerState(parse_state(
                        cx,
                        s,
                        &[
                            ("Running", ConsumerState::Running),
                            ("Killed", ConsumerState::Killed),
                            ("Closed", ConsumerState::Closed),
                        ],
                    )?));
                }
                if let Some(f) = &e.first_offset {
                    checks.push(Check::FirstOffset(known.tp(cx, &f.partition)?, f.offset));
                }
                if let Some(n) = e.read_at_least {
                    checks.push(Check::ReadAtLeast(n));
                }
                if let Some(n) = e.aborted_read {
                    checks.push(Check::AbortedRead(n));
                }
                if let Some(n) = e.aborted_read_at_least {
                    checks.push(Check::AbortedReadAtLeast(n));
                }
                if let Some(ps) = &e.owns {
                    let v = ps
                        .iter()
                        .map(|p| known.tp(cx, p))
                        .collect::<Result<Vec<_>, _>>()?;
                    checks.push(Check::Owns(v));
                }
                let from = match &e.from {
                    Some(p) => Some(known.producer(cx, p)?),
                    None => None,
                };
                if let Some(holds) = e.keys_in_order {
                    checks.push(Check::KeysInOrder {
                        from: from.clone(),
                        holds,
                    });
                }
                if let Some(n) = e.duplicates {
                    checks.push(Check::Duplicates {
                        from: from.clone(),
                        count: n,
                    });
                }
                if let Some(n) = e.duplicates_at_least {
                    checks.push(Check::DuplicatesAtLeast {
                        from: from.clone(),
                        count: n,
                    });
                }
                if from.is_some()
                    && e.keys_in_order.is_none()
                    && e.duplicates.is_none()
                    && e.duplicates_at_least.is_none()
                {
                    return Err(cx.err(
                        "`from` picks one producer's records for keys_in_order or duplicates; add one of them",
                    ));
                }
                Subject::Consumer(name)
            } else {
                for (set, f) in [
                    (e.first_offset.is_some(), "first_offset"),
                    (e.read_at_least.is_some(), "read_at_least"),
                    (e.aborted_read.is_some(), "aborted_read"),
                    (e.aborted_read_at_least.is_some(), "aborted_read_at_least"),
                    (e.owns.is_some(), "owns"),
                    (e.keys_in_order.is_some(), "keys_in_order"),
                    (e.duplicates.is_some(), "duplicates"),
                    (e.duplicates_at_least.is_some(), "duplicates_at_least"),
                    (e.from.is_some(), "from"),
                ] {
                    if set {
                        return Err(misplaced(f, "consumer"));
                    }
                }
                if let Some(p) = &e.producer {
                    let name = known.producer(cx, p)?;
                    if let Some(n) = e.acked_at_least {
                        checks.push(Check::AckedAtLeast(n));
                    }
                    if let Some(n) = e.lost_acked {
                        checks.push(Check::LostAcked(n));
                    }
                    if let Some(n) = e.lost_acked_at_least {
                        checks.push(Check::LostAckedAtLeast(n));
                    }
                    if let Some(s) = &e.state {
                        use crate::clients::view::ProducerTxnState as S;
                        checks.push(Check::ProducerTxnState(parse_state(
                            cx,
                            s,
                            &[
                                ("Initializing", S::Initializing),
                                ("Ready", S::Ready),
                                ("InTransaction", S::InTransaction),
                                ("Committing", S::Committing),
                                ("Aborting", S::Aborting),
                                ("Fenced", S::Fenced),
                            ],
                        )?));
                    }
                    Subject::Producer(name)
                } else {
                    for (set, f) in [
                        (e.acked_at_least.is_some(), "acked_at_least"),
                        (e.lost_acked.is_some(), "lost_acked"),
                        (e.lost_acked_at_least.is_some(), "lost_acked_at_least"),
                    ] {
                        if set {
                            return Err(misplaced(f, "producer"));
                        }
                    }
                    let id = known.broker(cx, e.broker.unwrap_or(0))?;
                    if let Some(s) = &e.state {
                        checks.push(Check::BrokerState(parse_state(
                            cx,
                            s,
                            &[
                                ("Up", BrokerState::Up),
                                ("ShuttingDown", BrokerState::ShuttingDown),
                                ("Down", BrokerState::Down),
                            ],
                        )?));
                    }
                    Subject::Broker(id)
                }
            }
        }
    };
    if checks.is_empty() {
        return Err(cx.err(format!(
            "this expect about {subject} checks nothing: add e.g. state, leader, hw_at_least, owner …"
        )));
    }
    Ok(Expect {
        subject,
        within_ms,
        checks,
    })
}

/// A state name, matched case-insensitively against the subject's states.
fn parse_state<T>(cx: &Ctx, text: &str, options: &[(&str, T)]) -> Result<T, ScenarioError>
where
    T: Copy,
{
    options
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            cx.err(format!(
                "found state = {text:?}, expected one of {}",
                names.join(", ")
            ))
        })
}
