//! The Kafka wire-protocol listener that lets real clients join the lab.
//!
//! Connection tasks ([`listener`]) decode frames ([`frame`]) and send each request as an
//! [`host::ApiCall`] over a bounded channel to the driver, which owns the cluster and hands it to
//! [`host::WireHost`]: requests go through the same cluster API the dashboard and the simulated
//! clients use. Requests that wait (acks=all produces, JoinGroup, SyncGroup, Fetch with
//! `max_wait_ms`, OffsetCommit until replicated) are parked there and re-checked as time moves.

pub mod admin;
pub mod client_transport;
pub mod consumer_protocol;
pub mod describe_groups;
pub mod fetch;
pub mod frame;
pub mod groups;
pub mod host;
pub mod listener;
pub mod listener_security;
pub mod metadata;
pub mod offset_commit;
pub mod produce;
pub mod sasl;
pub mod security;
pub mod tls;
pub mod topic_admin;
pub mod txn;
pub mod versions;
pub mod wire_clients;

pub use host::{ApiCall, ListenerConfig, Reply, WireHost};
pub use listener_security::ListenerSecurity;
#[cfg(test)]
mod tests;
