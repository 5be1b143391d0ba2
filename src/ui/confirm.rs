//! Confirmation of destructive keys: `b`/`B`, `s`, `k`, `x`, `A` and `D` ask a one-line question in the
//! status bar, and only `y` or Enter sends the command. A stray key in front of a room (typed
//! for a dialog that just closed, or one key too many) then costs a question, not a broker.

use crate::cluster::group::reset::ResetTo;
use crate::lab::command::Command;
use crate::text::{text, text_with};

/// A destructive command waiting for `y` or Enter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Crash a broker.
    KillBroker(i32),
    /// Controlled shutdown of a broker.
    ShutdownBroker(i32),
    /// Crash the active KRaft controller.
    KillController(i32),
    /// Crash a consumer: its id and client id.
    KillConsumer(u32, String),
    /// Close a consumer (LeaveGroup): its id and client id.
    CloseConsumer(u32, String),
    /// Grow a topic by one partition: its name and partition count now.
    AddPartition(String, i32),
    /// Delete a topic.
    DeleteTopic(String),
    /// Reset a group's offsets: group, topic (none: all its topics), where to.
    ResetOffsets(String, Option<String>, ResetTo),
}

/// How the answer keys read in the status bar.
pub fn answer_hint() -> &'static str {
    text("confirm.answer")
}

impl Confirm {
    /// The question, naming the target and how it goes down.
    pub fn question(&self) -> String {
        match self {
            Confirm::KillBroker(id) => {
                text_with("confirm.kill_broker", &[("broker", &id.to_string())])
            }
            Confirm::ShutdownBroker(id) => {
                text_with("confirm.shutdown_broker", &[("broker", &id.to_string())])
            }
            Confirm::KillController(id) => {
                text_with("confirm.kill_controller", &[("node", &id.to_string())])
            }
            Confirm::KillConsumer(_, name) => {
                text_with("confirm.kill_consumer", &[("client", name)])
            }
            Confirm::CloseConsumer(_, name) => {
                text_with("confirm.close_consumer", &[("client", name)])
            }
            Confirm::AddPartition(topic, now) => text_with(
                "confirm.add_partition",
                &[
                    ("topic", topic),
                    ("from", &now.to_string()),
                    ("to", &(now + 1).to_string()),
                ],
            ),
            Confirm::DeleteTopic(topic) => text_with("confirm.delete_topic", &[("topic", topic)]),
            Confirm::ResetOffsets(..) => self.reset_words("confirm.reset_offsets"),
        }
    }

    /// What the status bar says once it is sent (the tmux tests and demo tape poll for it).
    pub fn sent(&self) -> String {
        match self {
            Confirm::KillBroker(id) => {
                text_with("confirm.sent_kill_broker", &[("broker", &id.to_string())])
            }
            Confirm::ShutdownBroker(id) => text_with(
                "confirm.sent_shutdown_broker",
                &[("broker", &id.to_string())],
            ),
            Confirm::KillController(id) => {
                text_with("confirm.sent_kill_controller", &[("node", &id.to_string())])
            }
            Confirm::KillConsumer(_, name) => {
                text_with("confirm.sent_kill_consumer", &[("client", name)])
            }
            Confirm::CloseConsumer(_, name) => {
                text_with("confirm.sent_close_consumer", &[("client", name)])
            }
            Confirm::AddPartition(topic, now) => text_with(
                "confirm.sent_add_partition",
                &[("topic", topic), ("to", &(now + 1).to_string())],
            ),
            Confirm::DeleteTopic(topic) => {
                text_with("confirm.sent_delete_topic", &[("topic", topic)])
            }
            Confirm::ResetOffsets(..) => self.reset_words("confirm.sent_reset_offsets"),
        }
    }

    /// The command `y` sends.
    pub fn command(&self) -> Command {
        match self {
            Confirm::KillBroker(id) => Command::KillBroker(*id),
            Confirm::ShutdownBroker(id) => Command::ShutdownBroker(*id),
            Confirm::KillController(id) => Command::KillController(*id),
            Confirm::KillConsumer(id, _) => Command::KillConsumer(*id),
            Confirm::CloseConsumer(id, _) => Command::CloseConsumer(*id),
            Confirm::AddPartition(topic, now) => Command::AddPartitions {
                topic: topic.clone(),
                partitions: now + 1,
            },
            Confirm::DeleteTopic(topic) => Command::DeleteTopic(topic.clone()),
            Confirm::ResetOffsets(group, topic, to) => Command::ResetOffsets {
                group: group.clone(),
                topic: topic.clone(),
                to: *to,
            },
        }
    }

    /// The question a dialog's command needs before it is sent, if it needs one.
    pub fn before(command: &Command) -> Option<Confirm> {
        match command {
            Command::ResetOffsets { group, topic, to } => {
                Some(Confirm::ResetOffsets(group.clone(), topic.clone(), *to))
            }
            _ => None,
        }
    }

    fn reset_words(&self, key: &'static str) -> String {
        let Confirm::ResetOffsets(group, topic, to) = self else {
            return String::new();
        };
        let topic = crate::ui::reset_dialog::topic_words(topic.as_deref());
        let to = crate::text::offsets_reset::to_in(crate::text::lang(), *to);
        text_with(key, &[("group", group), ("topic", &topic), ("to", &to)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_question_names_its_target_and_sends_its_own_command() {
        let c = Confirm::KillBroker(2);
        assert_eq!(c.question(), "Kill broker 2 (crash)?");
        assert_eq!(c.command(), Command::KillBroker(2));
        let c = Confirm::ShutdownBroker(3);
        assert_eq!(c.sent(), "shut down broker 3");
        assert_eq!(c.command(), Command::ShutdownBroker(3));
        let c = Confirm::KillConsumer(7, "consumer-A".into());
        assert_eq!(c.question(), "Kill consumer-A (crash)?");
        assert_eq!(c.command(), Command::KillConsumer(7));
        let c = Confirm::CloseConsumer(8, "consumer-B".into());
        assert_eq!(c.question(), "Close consumer-B (LeaveGroup)?");
        assert_eq!(c.command(), Command::CloseConsumer(8));
        let c = Confirm::AddPartition("test".into(), 2);
        assert_eq!(
            c.question(),
            "Add a partition to test (2 → 3)? Keys may map elsewhere"
        );
        assert_eq!(
            c.command(),
            Command::AddPartitions {
                topic: "test".into(),
                partitions: 3
            }
        );
        let c = Confirm::DeleteTopic("test".into());
        assert_eq!(
            c.question(),
            "Delete topic test, its logs and its committed offsets?"
        );
        assert_eq!(c.command(), Command::DeleteTopic("test".into()));
    }
}
