//! The lab: the cluster with its simulated clients ([`Lab`]), the commands every front end sends
//! it, the snapshot every front end reads, and the one live driver that runs it in real time with
//! its attachments (the wire host, a lesson director).

pub mod bench_groups;
pub mod bench_replay;
pub mod checkpoint;
mod clients_host;
pub mod clock;
pub mod command;
mod core;
pub mod driver;
#[cfg(test)]
mod driver_budget_tests;
pub mod journal;
pub mod lag_history;
pub mod live;
pub mod playback;
pub mod replay;
pub mod snapshot;
pub mod throughput;
mod travel;
pub mod wire;

pub use clients_host::MAX_SIM_CLIENTS;
pub use command::{Command, CommandError, DirectorCommand};
pub use core::Lab;
pub use snapshot::{
    AttachedCluster, BrokerAddress, LabSnapshot, LessonStatus, ThroughputSnapshot, TravelStatus,
};
