//! The cluster core: brokers, partition replicas, replication, controller and group coordinator.
//!
//! No terminal code lives here; time and randomness come only from what is passed in.

pub mod command;
pub mod event;
pub mod group;
pub mod snapshot;
pub mod types;
