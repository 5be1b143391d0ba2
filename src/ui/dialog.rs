//! Dialogs: a few text fields, validated against the newest snapshot before a command goes out.

use crate::clients::spec::{ConsumerSpec, ProducerSpec};

use crate::cluster::topic::{TopicSpec, validate_topic_name};

use crate::clients::spec::KeyMode;
use crate::cluster::snapshot::BrokerState;
use crate::cluster::types::Acks;
use crate::lab::LabSnapshot;
use crate::lab::command::Command;
use crate::text::{text, text_with};

/// The longest text a field accepts (a topic name may be 249 chars).
pub const FIELD_CHARS_MAX: usize = 249;

/// Which command a dialog builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    /// `p`: spawn a producer.
    Producer,
    /// `c`: spawn a consumer.
    Consumer,
    /// `t`: create a topic.
    Topic,
    /// `o`: reset a group's offsets (then a confirmation).
    ResetOffsets,
}

/// One labelled text field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Label shown before the value.
    pub label: &'static str,
    /// Current text.
    pub value: String,
    /// What is accepted, shown after the value.
    pub hint: &'static str,
}

/// An open dialog: its fields, the focused one, and the last validation error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    /// Which command it builds.
    pub kind: DialogKind,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Index of the focused field.
    pub focus: usize,
    /// What is wrong with the input, shown in place.
    pub error: Option<String>,
}

fn field(label: &'static str, value: impl Into<String>, hint: &'static str) -> Field {
    Field {
        label,
        value: value.into(),
        hint,
    }
}

impl Dialog {
    /// The spawn-producer dialog, prefilled with `topic`.
    pub fn producer(topic: &str) -> Self {
        Self::new(
            DialogKind::Producer,
            vec![
                field(text("field.topic"), topic, text("dialog.hint_topic")),
                field(text("field.rate"), "5", text("dialog.hint_rate")),
                field(text("field.keys"), "0", text("dialog.hint_keys")),
                field("acks", "all", text("dialog.hint_acks")),
                field(
                    text("field.idempotence"),
                    "true",
                    text("dialog.hint_idempotence"),
                ),
                field("partitioner", "sticky", text("dialog.hint_partitioner")),
                field("transactional.id", "", text("dialog.hint_transactional_id")),
            ],
        )
    }

    /// The spawn-consumer dialog, prefilled with `group` and `topic`.
    pub fn consumer(group: &str, topic: &str) -> Self {
        Self::new(
            DialogKind::Consumer,
            vec![
                field(text("field.group"), group, "group.id"),
                field(text("field.topic"), topic, text("dialog.hint_topic")),
                field(
                    "group.protocol",
                    "classic",
                    text("dialog.hint_group_protocol"),
                ),
            ],
        )
    }

    /// The create-topic dialog; the default replication factor is at most `live_brokers`.
    pub fn topic(live_brokers: usize) -> Self {
        let rf = live_brokers.clamp(1, 3);
        Self::new(
            DialogKind::Topic,
            vec![
                field(text("field.name"), "", text("dialog.hint_name")),
                field(text("field.partitions"), "3", ">= 1"),
                field(
                    text("field.replication"),
                    rf.to_string(),
                    text("dialog.hint_replication"),
                ),
            ],
        )
    }

    /// The reset-offsets dialog for `group`, prefilled with `topic` (`*`: all its topics).
    pub fn reset_offsets(group: &str, topic: &str) -> Self {
        Self::new(
            DialogKind::ResetOffsets,
            vec![
                field(text("field.group"), group, text("dialog.hint_reset_group")),
                field(text("field.topic"), topic, text("dialog.hint_reset_topic")),
                field(
                    text("field.reset_to"),
                    "earliest",
                    text("dialog.hint_reset_to"),
                ),
            ],
        )
    }

    fn new(kind: DialogKind, fields: Vec<Field>) -> Self {
        Self {
            kind,
            fields,
            focus: 0,
            error: None,
        }
    }

    /// The dialog's title.
    pub fn title(&self) -> &'static str {
        match self.kind {
            DialogKind::Producer => text("dialog.title_producer"),
            DialogKind::Consumer => text("dialog.title_consumer"),
            DialogKind::Topic => text("dialog.title_topic"),
            DialogKind::ResetOffsets => text("dialog.title_reset"),
        }
    }

    /// Types a character into the focused field.
    pub fn input(&mut self, c: char) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && !c.is_control()
            && f.value.chars().count() < FIELD_CHARS_MAX
        {
            f.value.push(c);
        }
        self.error = None;
    }

    /// Deletes the focused field's last character.
    pub fn backspace(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.value.pop();
        }
        self.error = None;
    }

    /// Focuses the next field, wrapping.
    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    /// Focuses the previous field, wrapping.
    pub fn prev_field(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.value.trim()).unwrap_or("")
    }

    /// Validates the fields against `snap` and builds the command, or says what is wrong.
    pub fn command(&self, snap: &LabSnapshot) -> Result<Command, String> {
        match self.kind {
            DialogKind::ResetOffsets => super::reset_dialog::reset_command(
                snap,
                self.value(0),
                self.value(1),
                self.value(2),
            ),
            DialogKind::Producer => {
                let topic = self.value(0);
                require_topic(snap, topic)?;
                let rate: f64 = self
                    .value(1)
                    .parse()
                    .map_err(|_| not_a_number(text("field.rate"), self.value(1)))?;
                let keys: u32 = self
                    .value(2)
                    .parse()
                    .map_err(|_| text("dialog.error_keys").to_string())?;
                let acks: Acks = self
                    .value(3)
                    .parse()
                    .map_err(|_| text_with("spec_error.acks", &[("value", self.value(3))]))?;
                let mut spec = ProducerSpec::new(topic, rate);
                spec.acks = acks;
                // `enable.idempotence`; with acks other than all it is off, as Kafka's default.
                spec.enable_idempotence = self
                    .value(4)
                    .parse()
                    .map_err(|_| text("dialog.error_idempotence").to_string())?;
                spec.partitioner = self
                    .value(5)
                    .parse()
                    .map_err(|_| text("dialog.error_partitioner").to_string())?;
                // An empty transactional.id: a plain (idempotent) producer, Kafka's default.
                let tid = self.value(6);
                spec.transactional_id = (!tid.is_empty()).then(|| tid.to_string());
                spec.key_mode = if keys == 0 {
                    KeyMode::None
                } else {
                    KeyMode::Keyed {
                        distinct_keys: keys,
                    }
                };
                spec.validate()
                    .map_err(|e| crate::text::error::spec_error(&e))?;
                Ok(Command::SpawnProducer(spec))
            }
            DialogKind::Consumer => {
                let group = self.value(0);
                let topic = self.value(1);
                require_topic(snap, topic)?;
                let mut spec = ConsumerSpec::new(group, topic);
                spec.group_protocol = self
                    .value(2)
                    .parse()
                    .map_err(|_| text("dialog.error_group_protocol").to_string())?;
                spec.validate()
                    .map_err(|e| crate::text::error::spec_error(&e))?;
                Ok(Command::SpawnConsumer(spec))
            }
            DialogKind::Topic => {
                let name = self.value(0);
                validate_topic_name(name).map_err(|e| crate::text::error::topic_name_error(&e))?;
                if snap.topics.iter().any(|t| t.name == name) {
                    return Err(text_with("dialog.error_topic_exists", &[("topic", name)]));
                }
                let partitions: i32 = self
                    .value(1)
                    .parse()
                    .map_err(|_| not_a_number(text("field.partitions"), self.value(1)))?;
                if partitions < 1 {
                    return Err(text("dialog.error_partitions_min").into());
                }
                let live = live_brokers(snap);
                let rf: i16 = self
                    .value(2)
                    .parse()
                    .map_err(|_| not_a_number(text("field.replication"), self.value(2)))?;
                if rf < 1 {
                    return Err(text("dialog.error_rf_min").into());
                }
                if rf as usize > live {
                    let (rf, live) = (rf.to_string(), live.to_string());
                    return Err(text_with(
                        "dialog.error_rf_live",
                        &[("rf", &rf), ("live", &live)],
                    ));
                }
                Ok(Command::CreateTopic(TopicSpec::new(name, partitions, rf)))
            }
        }
    }
}

/// Brokers that are up (what a new topic can be placed on).
pub fn live_brokers(snap: &LabSnapshot) -> usize {
    snap.brokers
        .iter()
        .filter(|b| b.state == BrokerState::Up)
        .count()
}

/// "`field` "x" is not a number", in the language in force.
fn not_a_number(field: &str, value: &str) -> String {
    text_with(
        "dialog.error_not_a_number",
        &[("field", field), ("value", &format!("{value:?}"))],
    )
}

fn require_topic(snap: &LabSnapshot, topic: &str) -> Result<(), String> {
    if topic.is_empty() {
        return Err(text("dialog.error_topic_empty").into());
    }
    if !snap.topics.iter().any(|t| t.name == topic) {
        return Err(text_with("dialog.error_no_topic", &[("topic", topic)]));
    }
    Ok(())
}
