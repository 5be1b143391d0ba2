//! The source article's three experiments as headless stories (`kafka-lab run --headless
//! --experiment N`): a timed list of steps on named clients, with captions on the event stream and
//! a closing summary of what each consumer read.

use super::headless::{OutputFormat, format_event};
use crate::cluster::command::{ConsumerSpec, ProducerSpec, TopicSpec};
use crate::cluster::event::EventKind;
use crate::cluster::lab::Cluster;
use crate::cluster::types::{ClientId, CommitMode, OffsetReset, TopicPartition};
use std::collections::BTreeMap;
use std::io::Write;

/// One step of an experiment.
#[derive(Clone, Debug)]
pub enum Step {
    /// A caption on the event stream.
    Caption(String),
    /// Create a topic.
    Topic(TopicSpec),
    /// Start a producer.
    Producer(ProducerSpec),
    /// Stop the producer with this `client.id`.
    StopProducer(String),
    /// Start a consumer (its `client.id` names it for later steps).
    Consumer(ConsumerSpec),
    /// Crash the consumer with this `client.id`.
    KillConsumer(String),
    /// Close the consumer with this `client.id`.
    CloseConsumer(String),
}

/// An experiment: steps at simulated times, and how long the story runs.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// Its number in the article.
    pub number: u8,
    /// One-line title.
    pub title: &'static str,
    /// (simulated ms, step), in time order.
    pub steps: Vec<(i64, Step)>,
    /// Simulated length of the story.
    pub duration_ms: i64,
}

fn consumer(
    client: &str,
    group: &str,
    commit: CommitMode,
    session_timeout_ms: u64,
) -> ConsumerSpec {
    let mut c = ConsumerSpec::new(group, "test");
    c.client_id = Some(client.into());
    c.commit_mode = commit;
    c.auto_offset_reset = OffsetReset::Earliest;
    c.session_timeout_ms = session_timeout_ms;
    c
}

fn producer(rate: f64) -> ProducerSpec {
    let mut p = ProducerSpec::new("test", rate);
    p.client_id = Some("producer-1".into());
    p
}

fn caption(text: &str) -> Step {
    Step::Caption(text.to_string())
}

/// Experiment `n` (1–3) on a lab of `brokers` brokers.
pub fn experiment(n: u8, brokers: usize) -> Result<Experiment, String> {
    let rf = brokers.min(3) as i16;
    let auto = CommitMode::Auto { interval_ms: 5_000 };
    let e = match n {
        1 => Experiment {
            number: 1,
            title: "a producer and a consumer on topic test",
            duration_ms: 15_000,
            steps: vec![
                (
                    0,
                    caption(
                        "Experiment 1: one producer writes to topic test, one consumer reads it",
                    ),
                ),
                (0, Step::Topic(TopicSpec::new("test", 1, rf))),
                (0, Step::Producer(producer(2.0))),
                (
                    0,
                    Step::Consumer(consumer("consumer-A", "exp1-group", auto, 10_000)),
                ),
                (
                    14_000,
                    caption("Every record the producer sent was read, in order, offset by offset"),
                ),
            ],
        },
        2 => Experiment {
            number: 2,
            title: "a consumer group shares two partitions; a killed consumer's partition moves",
            duration_ms: 40_000,
            steps: vec![
                (
                    0,
                    caption(
                        "Experiment 2: topic test has 2 partitions; consumer-A and consumer-B share them in lab-group",
                    ),
                ),
                (0, Step::Topic(TopicSpec::new("test", 2, rf))),
                (0, Step::Producer(producer(5.0))),
                (
                    0,
                    Step::Consumer(consumer("consumer-A", "lab-group", auto, 10_000)),
                ),
                (
                    0,
                    Step::Consumer(consumer("consumer-B", "lab-group", auto, 10_000)),
                ),
                (
                    15_000,
                    caption(
                        "Killing consumer-A: no LeaveGroup, so the coordinator waits for session.timeout.ms=10000",
                    ),
                ),
                (15_000, Step::KillConsumer("consumer-A".into())),
                (
                    39_000,
                    caption(
                        "consumer-B now owns both partitions and carries on from the committed offsets",
                    ),
                ),
            ],
        },
        3 => Experiment {
            number: 3,
            title: "offsets: a consumer that commits resumes after a restart, one that does not starts over",
            duration_ms: 36_000,
            steps: vec![
                (
                    0,
                    caption(
                        "Experiment 3: topic test with 1 partition; the producer writes 10 records and stops",
                    ),
                ),
                (0, Step::Topic(TopicSpec::new("test", 1, rf))),
                (0, Step::Producer(producer(2.0))),
                (5_000, Step::StopProducer("producer-1".into())),
                (
                    6_000,
                    caption("no-commit reads with enable.auto.commit=false and never commits"),
                ),
                (
                    6_000,
                    Step::Consumer(consumer(
                        "no-commit",
                        "group-no-commit",
                        CommitMode::Never,
                        10_000,
                    )),
                ),
                (11_000, Step::CloseConsumer("no-commit".into())),
                (
                    12_000,
                    caption(
                        "Restarting no-commit: nothing was committed, so auto.offset.reset=earliest starts it over at offset 0",
                    ),
                ),
                (
                    12_000,
                    Step::Consumer(consumer(
                        "no-commit",
                        "group-no-commit",
                        CommitMode::Never,
                        10_000,
                    )),
                ),
                (17_000, Step::CloseConsumer("no-commit".into())),
                (18_000, caption("committer commits after every record")),
                (
                    18_000,
                    Step::Consumer(consumer(
                        "committer",
                        "group-commit",
                        CommitMode::EveryRecords { records: 1 },
                        10_000,
                    )),
                ),
                (23_000, Step::CloseConsumer("committer".into())),
                (
                    24_000,
                    caption("The producer writes 5 more records while committer is down"),
                ),
                (24_000, Step::Producer(producer(2.0))),
                (26_500, Step::StopProducer("producer-1".into())),
                (
                    28_000,
                    caption(
                        "Restarting committer: it resumes at its committed offset and reads only the new records",
                    ),
                ),
                (
                    28_000,
                    Step::Consumer(consumer(
                        "committer",
                        "group-commit",
                        CommitMode::EveryRecords { records: 1 },
                        10_000,
                    )),
                ),
            ],
        },
        other => return Err(format!("there are experiments 1, 2 and 3, not {other}")),
    };
    Ok(e)
}

/// Runs `exp` on `lab`, printing its story to `out`; ends with what each consumer read.
pub fn run_experiment(
    lab: &mut Cluster,
    exp: &Experiment,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let mut producers: BTreeMap<String, ClientId> = BTreeMap::new();
    let mut consumers: BTreeMap<String, ClientId> = BTreeMap::new();
    let mut runs: Vec<(String, ClientId)> = Vec::new();
    let start = lab.now_ms();
    let mut next = 0;
    let step = lab.config().step_ms;
    loop {
        let elapsed = lab.now_ms() - start;
        while next < exp.steps.len() && exp.steps[next].0 <= elapsed {
            let result = match exp.steps[next].1.clone() {
                Step::Caption(text) => {
                    lab.emit_event(EventKind::Note { text });
                    Ok(())
                }
                Step::Topic(spec) => lab.create_topic(spec).map_err(|e| e.to_string()),
                Step::Producer(spec) => {
                    let name = spec.client_id.clone().unwrap_or_default();
                    lab.spawn_producer(spec).map(|id| {
                        producers.insert(name, id);
                    })
                }
                Step::StopProducer(name) => match producers.get(&name) {
                    Some(id) => lab.stop_producer(*id),
                    None => Err(format!("no producer {name}")),
                },
                Step::Consumer(spec) => {
                    let name = spec.client_id.clone().unwrap_or_default();
                    lab.spawn_consumer(spec).map(|id| {
                        consumers.insert(name.clone(), id);
                        runs.push((name, id));
                    })
                }
                Step::KillConsumer(name) => match consumers.get(&name) {
                    Some(id) => lab.kill_consumer(*id),
                    None => Err(format!("no consumer {name}")),
                },
                Step::CloseConsumer(name) => match consumers.get(&name) {
                    Some(id) => lab.close_consumer(*id),
                    None => Err(format!("no consumer {name}")),
                },
            };
            result.map_err(|e| format!("experiment {} step {}: {e}", exp.number, next + 1))?;
            next += 1;
        }
        for e in lab.drain_events() {
            writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
        }
        if elapsed >= exp.duration_ms {
            break;
        }
        lab.advance_by(step);
    }
    for (name, id) in runs {
        let Some(c) = lab.consumer(id) else { continue };
        let mut first: BTreeMap<TopicPartition, (i64, i64, usize)> = BTreeMap::new();
        for r in &c.history {
            let e = first.entry(r.tp.clone()).or_insert((r.offset, r.offset, 0));
            e.1 = r.offset;
            e.2 += 1;
        }
        let read: Vec<String> = first
            .iter()
            .map(|(tp, (a, b, n))| format!("{tp} offsets {a}..={b} ({n} records)"))
            .collect();
        let text = format!(
            "summary: {name} (consumer {id}, {:?}) read {}",
            c.state,
            if read.is_empty() {
                "nothing".to_string()
            } else {
                read.join(", ")
            }
        );
        lab.emit_event(EventKind::Note { text });
    }
    for e in lab.drain_events() {
        writeln!(out, "{}", format_event(&e, format)).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_experiment_is_a_clear_error() {
        assert!(experiment(4, 3).unwrap_err().contains("1, 2 and 3"));
        for n in 1..=3 {
            let e = experiment(n, 3).unwrap();
            assert!(
                e.steps.windows(2).all(|w| w[0].0 <= w[1].0),
                "steps in time order"
            );
        }
    }
}
