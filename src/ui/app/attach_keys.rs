//! Which keys a dashboard attached to a real cluster takes: the lab's faults and clock keys
//! never, its client keys only with `--allow-writes` and only on the clients it started.

use super::App;
use crate::ui::action::Action;
use crate::ui::rows::{GroupLineKind, group_lines};

/// Keys that act on the lab itself (faults, its clock, its simulated clients): a dashboard
/// attached to a real cluster has no such power.
pub fn lab_only(action: Action) -> bool {
    matches!(
        action,
        Action::KillBroker
            | Action::ShutdownBroker
            | Action::RestartBroker
            | Action::KillController
            | Action::RestartController
            | Action::KillConsumer
            | Action::CloseConsumer
            | Action::AddPartition
            | Action::DeleteTopic
            | Action::TogglePause
            | Action::Slower
            | Action::Faster
            | Action::RateUp
            | Action::RateDown
            | Action::SpawnProducer
            | Action::StopProducer
            | Action::SpawnConsumer
            | Action::LessonNext
            | Action::LessonRestart
    )
}

/// Keys for the clients an attached dashboard starts itself (`p`, `P`, `c`, `k`, `x`, `+`, `-`):
/// writes, so only with `--allow-writes`; `k` and `x` reach only the dashboard's own consumers.
pub fn attach_client_key(action: Action) -> bool {
    matches!(
        action,
        Action::SpawnProducer
            | Action::StopProducer
            | Action::SpawnConsumer
            | Action::KillConsumer
            | Action::CloseConsumer
            | Action::RateUp
            | Action::RateDown
    )
}

/// Why an attached dashboard does not take `action` now, as a flash text key (None: it does).
pub(super) fn attach_refusal(
    app: &App,
    writes_allowed: bool,
    action: Action,
) -> Option<&'static str> {
    if attach_client_key(action) {
        if !writes_allowed {
            return Some("flash.attach_read_only");
        }
        let line = group_lines(&app.snapshot)
            .get(app.selection.group_line)
            .copied();
        // A member line with no consumer of the dashboard's: someone else's client.
        let not_ours = line.is_some_and(|l| {
            l.consumer.is_none()
                && matches!(
                    l.kind,
                    GroupLineKind::IdleMember { .. }
                        | GroupLineKind::Partition {
                            member: Some(_),
                            ..
                        }
                )
        });
        if matches!(action, Action::KillConsumer | Action::CloseConsumer) && not_ours {
            return Some("flash.attach_not_ours");
        }
        return None;
    }
    if lab_only(action) {
        return Some("flash.attach_unavailable");
    }
    (matches!(action, Action::CreateTopic | Action::ResetOffsets) && !writes_allowed)
        .then_some("flash.attach_read_only")
}
