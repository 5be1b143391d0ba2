//! What the KRaft controller quorum reports on the timeline: votes, a new active controller, a
//! lost or regained majority, dedicated controllers killed and started.

use crate::cluster::types::BrokerId;
use serde::Serialize;
use std::fmt;

/// One change in the controller quorum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum QuorumChange {
    /// A voter's timer fired without a leader: it asks the voters for votes in a new epoch.
    ElectionStarted {
        /// The candidate.
        candidate: BrokerId,
        /// Its new epoch.
        epoch: i32,
    },
    /// A candidate won a majority of votes: the new active controller.
    Elected {
        /// The active controller.
        controller: BrokerId,
        /// Its epoch.
        epoch: i32,
        /// Who voted for it.
        votes: Vec<BrokerId>,
    },
    /// The active controller stopped leading: it lost touch with a majority, or saw a newer epoch.
    Resigned {
        /// The old active controller.
        controller: BrokerId,
        /// The epoch it led.
        epoch: i32,
    },
    /// Fewer than a majority of controllers run: no election, no topic creation.
    Lost {
        /// Controllers running.
        up: usize,
        /// Controllers in the quorum.
        voters: usize,
    },
    /// A majority of controllers runs again.
    Regained {
        /// Controllers running.
        up: usize,
        /// Controllers in the quorum.
        voters: usize,
    },
    /// A dedicated controller crashed.
    ControllerKilled {
        /// Which controller.
        controller: BrokerId,
    },
    /// A dedicated controller started.
    ControllerStarted {
        /// Which controller.
        controller: BrokerId,
    },
}

fn ids(v: &[BrokerId]) -> String {
    v.iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for QuorumChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumChange::ElectionStarted { candidate, epoch } => write!(
                f,
                "controller {candidate} is a candidate in epoch {epoch}: it asks the voters for votes"
            ),
            QuorumChange::Elected {
                controller,
                epoch,
                votes,
            } => write!(
                f,
                "controller {controller} is the active controller (epoch {epoch}, votes from {})",
                ids(votes)
            ),
            QuorumChange::Resigned { controller, epoch } => write!(
                f,
                "controller {controller} stopped leading epoch {epoch}: no majority heard from"
            ),
            QuorumChange::Lost { up, voters } => write!(
                f,
                "quorum lost: {up} of {voters} controllers up, elections and topic creation wait"
            ),
            QuorumChange::Regained { up, voters } => write!(
                f,
                "quorum regained: {up} of {voters} controllers up, an election can succeed"
            ),
            QuorumChange::ControllerKilled { controller } => {
                write!(f, "controller {controller} killed")
            }
            QuorumChange::ControllerStarted { controller } => {
                write!(f, "controller {controller} started")
            }
        }
    }
}

impl QuorumChange {
    /// Its line's catalogue key (`event.quorum_*`) and the values the template names: a code the
    /// text layer says, since the cluster cannot reach the catalogue.
    pub fn key_and_args(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let s = |v: &dyn fmt::Display| v.to_string();
        match self {
            QuorumChange::ElectionStarted { candidate, epoch } => (
                "event.quorum_election_started",
                vec![("candidate", s(candidate)), ("epoch", s(epoch))],
            ),
            QuorumChange::Elected {
                controller,
                epoch,
                votes,
            } => (
                "event.quorum_elected",
                vec![
                    ("controller", s(controller)),
                    ("epoch", s(epoch)),
                    ("votes", ids(votes)),
                ],
            ),
            QuorumChange::Resigned { controller, epoch } => (
                "event.quorum_resigned",
                vec![("controller", s(controller)), ("epoch", s(epoch))],
            ),
            QuorumChange::Lost { up, voters } => (
                "event.quorum_lost",
                vec![("up", s(up)), ("voters", s(voters))],
            ),
            QuorumChange::Regained { up, voters } => (
                "event.quorum_regained",
                vec![("up", s(up)), ("voters", s(voters))],
            ),
            QuorumChange::ControllerKilled { controller } => (
                "event.quorum_controller_killed",
                vec![("controller", s(controller))],
            ),
            QuorumChange::ControllerStarted { controller } => (
                "event.quorum_controller_started",
                vec![("controller", s(controller))],
            ),
        }
    }
}
