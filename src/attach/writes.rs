//! The writes a dashboard attached to a real cluster may make (only with `--allow-writes`):
//! creating a topic, resetting a group's offsets (`offsets`), and starting, changing and stopping
//! its own clients ([`super::clients`]). Each is named on the timeline.

use super::session::{Session, error_name};
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::topic::TopicSpec;
use crate::lab::command::Command;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::{ApiKey, CreateTopicsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

/// How long CreateTopics lets the controller take (Kafka's admin client default, 30 s, is
/// `default.api.timeout.ms` at 60 s; the request's own is `request.timeout.ms`).
const CREATE_TIMEOUT_MS: i32 = 30_000;

/// Whether a dashboard command writes to the cluster (the rest are lab-only).
pub fn is_write(cmd: &Command) -> bool {
    matches!(cmd, Command::CreateTopic(_) | Command::ResetOffsets { .. })
        || super::clients::is_client_command(cmd)
}

/// Sends the write; returns what the timeline says about it.
pub async fn apply(session: &mut Session, cmd: Command) -> Vec<EventKind> {
    match cmd {
        Command::CreateTopic(spec) => create_topic(session, spec).await,
        Command::ResetOffsets { group, topic, to } => {
            super::offsets::reset(session, group, topic, to).await
        }
        _ => vec![note(NoteText::AttachUnavailable)],
    }
}

async fn create_topic(session: &mut Session, spec: TopicSpec) -> Vec<EventKind> {
    let request_name = "CreateTopics".to_string();
    let failed = |error: String| {
        vec![note(NoteText::AttachWriteFailed {
            request: request_name.clone(),
            error,
        })]
    };
    let version = match session.version(ApiKey::CreateTopics, 2, 7) {
        Ok(v) => v,
        Err(e) => return failed(e.to_string()),
    };
    let mut configs = Vec::new();
    if spec.min_insync_replicas > 1 {
        configs.push(
            CreatableTopicConfig::default()
                .with_name(StrBytes::from_static_str("min.insync.replicas"))
                .with_value(Some(StrBytes::from_string(
                    spec.min_insync_replicas.to_string(),
                ))),
        );
    }
    let request = CreateTopicsRequest::default()
        .with_timeout_ms(CREATE_TIMEOUT_MS)
        .with_topics(vec![
            CreatableTopic::default()
                .with_name(TopicName(StrBytes::from_string(spec.name.clone())))
                .with_num_partitions(spec.partitions)
                .with_replication_factor(spec.replication_factor)
                .with_configs(configs),
        ]);
    let r = match session.call_any(request, version).await {
        Ok(r) => r,
        Err(e) => return failed(e.to_string()),
    };
    match r.topics.first() {
        Some(t) if t.error_code == 0 => vec![note(NoteText::AttachWrote {
            request: request_name,
            detail: format!(
                "{} ({} partitions, replication factor {})",
                spec.name, spec.partitions, spec.replication_factor
            ),
        })],
        Some(t) => {
            let mut error = error_name(t.error_code);
            if let Some(m) = t.error_message.as_ref().filter(|m| !m.is_empty()) {
                error = format!("{error}: {m}");
            }
            failed(error)
        }
        None => failed("no answer for the topic".into()),
    }
}

fn note(text: NoteText) -> EventKind {
    EventKind::Note { text }
}
