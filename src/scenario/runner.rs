//! The lesson runner: walks a scenario's steps against a [`Lab`] as simulated time passes.
//!
//! The same runner serves headless runs and the dashboard: the caller advances the lab one step at
//! a time, hands each step's events to [`LessonRunner::observe`] and then calls
//! [`LessonRunner::tick`], which applies every step that is due. Captions and expectation results
//! go onto the lab's event stream, so they appear in the story and on the timeline alike.
//!
//! Captions are paced for a room (issue 12, bug 5): a step that checks an expectation shows its
//! caption when the expectation is met (or has failed), so the words arrive with their effect and
//! the previous caption stays up while the lab gets there; a chained step (no `at`, `after` or
//! `on`) that brings a new caption waits until the caption on screen has had its reading time
//! ([`super::pacing::reading_ms`]) or the presenter presses `n`. Steps with explicit times run on
//! time: the file's author chose them. The banner's step number is the step whose caption it shows.

use super::expect::Observed;
use super::model::{Action, BrokerRef, ConfigChange, Scenario, Trigger};
use super::pacing::reading_ms;
use crate::cluster::event::{Event, EventKind};
use crate::cluster::types::{ClientId, TopicPartition};
use crate::lab::Lab;
use crate::lab::command::Command;
use crate::lab::snapshot::LessonStatus;
use crate::text::{text, text_with};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Acknowledged records kept per producer for `lost_acked` (older ones are not checked).
const ACKED_MAX: usize = 200_000;

/// How `on = "key"` steps behave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPolicy {
    /// Wait for [`LessonRunner::press_next`] (the dashboard's `n`).
    Wait,
    /// Auto-advance (headless): run once the caption on screen has had its reading time, as a
    /// presenter would press `n` after reading it.
    Immediate,
}

/// The outcome of one expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectResult {
    /// Step number (1-based).
    pub step: usize,
    /// Line in the file.
    pub line: usize,
    /// What was expected.
    pub text: String,
    /// `Err` says what was seen instead.
    pub outcome: Result<(), String>,
}

/// Runs one scenario on one lab.
pub struct LessonRunner {
    scenario: Arc<Scenario>,
    keys: KeyPolicy,
    next: usize,
    last_done_ms: i64,
    key_pressed: bool,
    /// When the pending expectation was first checked.
    expect_since_ms: Option<i64>,
    /// The step whose caption is on screen, and when it appeared.
    shown: Option<(usize, i64)>,
    /// `n` was pressed while a chained step waited for the caption to be read.
    reading_skipped: bool,
    /// Simulated time of the last [`LessonRunner::tick`], for the status.
    now_ms: i64,
    pause_requested: bool,
    producers: BTreeMap<String, ClientId>,
    consumers: BTreeMap<String, ClientId>,
    /// Every consumer incarnation in spawn order, for the closing summary.
    runs: Vec<(String, ClientId)>,
    acked: BTreeMap<String, Vec<(TopicPartition, i64, Bytes)>>,
    revoked: BTreeMap<String, usize>,
    results: Vec<ExpectResult>,
    /// Run number shown to the dashboard (bumped by the live driver on restart).
    pub run: u32,
}

impl LessonRunner {
    /// A runner at the first step.
    pub fn new(scenario: Arc<Scenario>, keys: KeyPolicy) -> Self {
        Self {
            scenario,
            keys,
            next: 0,
            last_done_ms: 0,
            key_pressed: false,
            expect_since_ms: None,
            shown: None,
            reading_skipped: false,
            now_ms: 0,
            pause_requested: false,
            producers: BTreeMap::new(),
            consumers: BTreeMap::new(),
            runs: Vec::new(),
            acked: BTreeMap::new(),
            revoked: BTreeMap::new(),
            results: Vec::new(),
            run: 1,
        }
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Every step is done.
    pub fn finished(&self) -> bool {
        self.next >= self.scenario.steps.len()
    }

    /// Expectation outcomes so far.
    pub fn results(&self) -> &[ExpectResult] {
        &self.results
    }

    /// Consumer incarnations in spawn order (name, id).
    pub fn consumer_runs(&self) -> &[(String, ClientId)] {
        &self.runs
    }

    /// Whether the current step waits for a key press.
    pub fn waiting_for_key(&self) -> bool {
        self.keys == KeyPolicy::Wait
            && !self.key_pressed
            && self
                .scenario
                .steps
                .get(self.next)
                .is_some_and(|s| s.trigger == Trigger::Key)
    }

    /// `n`: lets a step waiting for a key, or for the caption on screen to be read, run. Returns
    /// false when nothing was waiting.
    pub fn press_next(&mut self, now_ms: i64) -> bool {
        if self.waiting_for_key() {
            self.key_pressed = true;
            true
        } else if self.reading_hold_until(now_ms).is_some() {
            self.reading_skipped = true;
            true
        } else {
            false
        }
    }

    /// When the caption on screen has had its reading time (`None` before the first caption).
    fn read_by_ms(&self) -> Option<i64> {
        let (index, since) = self.shown?;
        let caption = self.scenario.steps.get(index)?.caption.as_deref()?;
        Some(since.saturating_add(reading_ms(caption)))
    }

    /// The next step follows the previous one with no time of its own, brings a new caption and
    /// has not started checking yet: it waits for the caption on screen to be read.
    fn chained_caption_next(&self) -> bool {
        self.expect_since_ms.is_none()
            && self
                .scenario
                .steps
                .get(self.next)
                .is_some_and(|s| s.trigger == Trigger::After(0) && s.caption.is_some())
    }

    /// When the next chained step may replace the caption on screen, if it has to wait for that.
    fn reading_hold_until(&self, now: i64) -> Option<i64> {
        if !self.chained_caption_next() || self.reading_skipped {
            return None;
        }
        self.read_by_ms().filter(|&at| at > now)
    }

    /// Set once by a `pause = true` step; the live driver stops its clock.
    pub fn take_pause_request(&mut self) -> bool {
        std::mem::take(&mut self.pause_requested)
    }

    /// Records what one simulation step did: acknowledged records and revoked partitions.
    pub fn observe(&mut self, lab: &Lab, events: &[Event]) {
        for (name, id) in &self.producers {
            let Some(p) = lab.producer(*id) else { continue };
            if p.recent_acks.is_empty() {
                continue;
            }
            let v = self.acked.entry(name.clone()).or_default();
            for a in &p.recent_acks {
                if v.len() < ACKED_MAX {
                    v.push(a.clone());
                }
            }
        }
        for e in events {
            if let EventKind::PartitionsRevoked {
                group, partitions, ..
            } = &e.kind
            {
                *self.revoked.entry(group.clone()).or_default() += partitions.len();
            }
        }
    }

    fn due(&self, now: i64) -> bool {
        let Some(step) = self.scenario.steps.get(self.next) else {
            return false;
        };
        let by_trigger = match step.trigger {
            Trigger::At(t) => now >= t,
            Trigger::After(d) => now >= self.last_done_ms + d,
            Trigger::Key if self.key_pressed => true,
            Trigger::Key => {
                self.keys == KeyPolicy::Immediate && self.read_by_ms().is_none_or(|at| now >= at)
            }
        };
        by_trigger && self.reading_hold_until(now).is_none()
    }

    /// When the next timed step is due.
    pub fn next_at_ms(&self) -> Option<i64> {
        let step = self.scenario.steps.get(self.next)?;
        let at = match step.trigger {
            Trigger::At(t) => t,
            Trigger::After(d) => self.last_done_ms + d,
            Trigger::Key => return None,
        };
        Some(self.reading_hold_until(at).unwrap_or(at))
    }

    /// Applies every step due now. Captions and results become `Note` events on the lab.
    pub fn tick(&mut self, lab: &mut Lab) {
        let now = lab.now_ms();
        self.now_ms = now;
        // Bounded: each pass finishes a step or returns.
        while self.due(now) {
            let index = self.next;
            let step = self.scenario.steps[index].clone();
            let total = self.scenario.steps.len();
            if let Some(expect) = &step.expect {
                let since = *self.expect_since_ms.get_or_insert(now);
                let snapshot = lab.snapshot();
                let outcome = Observed {
                    lab,
                    snapshot: &snapshot,
                    consumers: &self.consumers,
                    producers: &self.producers,
                    acked: &self.acked,
                    revoked: &self.revoked,
                }
                .evaluate(expect);
                if outcome.is_err() && now < since + expect.within_ms {
                    return;
                }
                // The caption arrives with its effect: the state it describes is on screen now.
                if let Some(c) = &step.caption {
                    self.say(lab, index, c, now);
                }
                let text = expect.describe();
                let (n, total_s, line_s) = (
                    (index + 1).to_string(),
                    total.to_string(),
                    step.line.to_string(),
                );
                let line = match &outcome {
                    Ok(()) => format!("[{n}/{total}] {text}"),
                    Err(seen) => text_with(
                        "story.check_failed",
                        &[
                            ("step", &n),
                            ("total", &total_s),
                            ("text", &text),
                            ("line", &line_s),
                            ("seen", seen),
                        ],
                    ),
                };
                lab.emit_event(EventKind::Check {
                    passed: outcome.is_ok(),
                    text: line,
                });
                self.results.push(ExpectResult {
                    step: index + 1,
                    line: step.line,
                    text,
                    outcome,
                });
                self.expect_since_ms = None;
            } else {
                if let Some(c) = &step.caption {
                    self.say(lab, index, c, now);
                }
                if let Some(action) = &step.action
                    && let Err(e) = self.apply(lab, action)
                {
                    let why = text_with("story.action_failed", &[("error", &e)]);
                    lab.emit_event(EventKind::Check {
                        passed: false,
                        text: text_with(
                            "story.action_line",
                            &[
                                ("step", &(index + 1).to_string()),
                                ("total", &total.to_string()),
                                ("text", &why),
                                ("line", &step.line.to_string()),
                            ],
                        ),
                    });
                    self.results.push(ExpectResult {
                        step: index + 1,
                        line: step.line,
                        text: text("story.action_succeeds").into(),
                        outcome: Err(why),
                    });
                }
            }
            self.next += 1;
            self.last_done_ms = now;
            self.key_pressed = false;
            self.reading_skipped = false;
        }
    }

    fn say(&mut self, lab: &mut Lab, index: usize, caption: &str, now: i64) {
        let total = self.scenario.steps.len();
        self.shown = Some((index, now));
        lab.emit_event(EventKind::Note {
            text: format!("▶ [{}/{total}] {caption}", index + 1).into(),
        });
    }

    fn apply(&mut self, lab: &mut Lab, action: &Action) -> Result<(), String> {
        let broker = |lab: &Lab, r: &BrokerRef| match r {
            BrokerRef::Id(id) => Ok(*id),
            BrokerRef::LeaderOf(tp) => lab
                .leader_of(tp)
                .ok_or_else(|| text_with("story.no_leader_to_pick", &[("tp", &tp.to_string())])),
        };
        let e = |e: &dyn std::fmt::Display| e.to_string();
        match action {
            Action::CreateTopic(spec) => lab
                .create_topic(spec.clone())
                .map_err(|e| cannot_create_topic(&spec.name, &e)),
            Action::AddPartitions(topic, partitions) => lab
                .apply(Command::AddPartitions {
                    topic: topic.clone(),
                    partitions: *partitions,
                })
                .map_err(|x| e(&x)),
            Action::DeleteTopic(topic) => lab
                .apply(Command::DeleteTopic(topic.clone()))
                .map_err(|x| e(&x)),
            Action::SpawnProducer(spec) => {
                let name = spec.client_id.clone().unwrap_or_default();
                let id = lab.spawn_producer(spec.clone()).map_err(|x| e(&x))?;
                self.producers.insert(name, id);
                Ok(())
            }
            Action::StopProducer(name) => {
                lab.stop_producer(self.producer(name)?).map_err(|x| e(&x))
            }
            Action::KillProducer(name) => {
                lab.kill_producer(self.producer(name)?).map_err(|x| e(&x))
            }
            Action::PauseProducer(name, paused) => lab
                .set_producer_paused(self.producer(name)?, *paused)
                .map_err(|x| e(&x)),
            Action::SpawnConsumer(spec) => {
                let name = spec.client_id.clone().unwrap_or_default();
                let id = lab.spawn_consumer(spec.clone()).map_err(|x| e(&x))?;
                self.consumers.insert(name.clone(), id);
                self.runs.push((name, id));
                Ok(())
            }
            Action::KillConsumer(name) => {
                lab.kill_consumer(self.consumer(name)?).map_err(|x| e(&x))
            }
            Action::CloseConsumer(name) => {
                lab.close_consumer(self.consumer(name)?).map_err(|x| e(&x))
            }
            Action::KillBroker(r) => {
                let id = broker(lab, r)?;
                lab.kill_broker(id).map_err(|x| e(&x))
            }
            Action::ShutdownBroker(r) => {
                let id = broker(lab, r)?;
                lab.shutdown_broker(id).map_err(|x| e(&x))
            }
            Action::RestartBroker(id) => lab.restart_broker(*id).map_err(|x| e(&x)),
            Action::SlowBroker(id, slow) => lab.set_broker_slow(*id, *slow).map_err(|x| e(&x)),
            Action::SetConfig(ConfigChange::UncleanLeaderElection(v)) => {
                lab.set_unclean_leader_election(*v);
                Ok(())
            }
            Action::SetConfig(ConfigChange::ProducerRate(name, rate)) => lab
                .set_producer_rate(self.producer(name)?, *rate)
                .map_err(|x| e(&x)),
            Action::Pause => {
                self.pause_requested = true;
                Ok(())
            }
        }
    }

    fn producer(&self, name: &str) -> Result<ClientId, String> {
        self.producers
            .get(name)
            .copied()
            .ok_or_else(|| text_with("story.producer_not_running", &[("name", name)]))
    }

    fn consumer(&self, name: &str) -> Result<ClientId, String> {
        self.consumers
            .get(name)
            .copied()
            .ok_or_else(|| text_with("story.consumer_not_running", &[("name", name)]))
    }

    /// What the dashboard's banner shows.
    pub fn status(&self) -> LessonStatus {
        LessonStatus {
            name: self.scenario.name.clone(),
            title: self.scenario.title.clone(),
            run: self.run,
            // The step whose caption is shown, so `i/N` and the words always agree; N/N at the end.
            step: if self.finished() {
                self.scenario.steps.len()
            } else {
                self.shown.map_or(0, |(i, _)| i + 1)
            },
            steps: self.scenario.steps.len(),
            caption: self
                .shown
                .and_then(|(i, _)| self.scenario.steps.get(i)?.caption.clone()),
            waiting_for_key: self.waiting_for_key(),
            next_at_ms: self.next_at_ms(),
            reading_until_ms: self.reading_hold_until(self.now_ms),
            passed: self.results.iter().filter(|r| r.outcome.is_ok()).count(),
            failed: self
                .results
                .iter()
                .filter_map(|r| {
                    r.outcome
                        .as_ref()
                        .err()
                        .map(|e| step_failed(r.step, r.line, e))
                })
                .collect(),
            finished: self.finished(),
            show_log: self.scenario.steps[..self.next.min(self.scenario.steps.len())]
                .iter()
                .rev()
                .find_map(|s| s.show_log.clone()),
        }
    }
}

/// Starts the scenario's lab in `data_dir` (seed overridable) with its topics created.
pub fn build_lab(
    scenario: &Scenario,
    data_dir: &std::path::Path,
    seed: Option<u64>,
) -> Result<Lab, String> {
    let config = scenario
        .lab
        .cluster_config(data_dir, seed.unwrap_or(scenario.lab.seed));
    let mut lab = Lab::new(config)?;
    for t in &scenario.lab.topics {
        lab.create_topic(t.clone())
            .map_err(|e| cannot_create_topic(&t.name, &e))?;
    }
    lab.emit_event(EventKind::Note {
        text: text_with(
            "story.lesson",
            &[("name", &scenario.name), ("title", &scenario.title)],
        )
        .into(),
    });
    Ok(lab)
}

/// `cannot create topic orders: …`, in the language in force.
fn cannot_create_topic(topic: &str, e: &dyn std::fmt::Display) -> String {
    text_with(
        "story.cannot_create_topic",
        &[("topic", topic), ("error", &e.to_string())],
    )
}

/// `step 5 (line 31): expected …`: a failed step as the banner and the story's end list it.
pub fn step_failed(step: usize, line: usize, error: &str) -> String {
    text_with(
        "story.step_failed",
        &[
            ("step", &step.to_string()),
            ("line", &line.to_string()),
            ("error", error),
        ],
    )
}
