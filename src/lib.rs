//! kafka-lab: an in-process Kafka cluster with real on-disk logs, for learning how Kafka behaves.
//!
//! The layers, bottom up, each using only those below it (`tests/layers.rs` checks): [`log`]
//! (segment files and indexes), [`cluster`] (brokers, replication, controller, group coordinator;
//! deterministic under a seed), [`clients`] (simulated producers and consumers) and [`protocol`]
//! (the Kafka wire listener), [`lab`] (the cluster with its clients, commands, snapshots and the one
//! live driver), [`text`] (the texts in each language), [`scenario`] (scripted lessons) and [`ui`] (the ratatui dashboard, which only
//! reads snapshots).
#![deny(unsafe_code)]

pub mod attach;
pub mod clients;
pub mod cluster;
pub mod data_dir;
pub mod lab;
pub mod log;
pub mod protocol;
pub mod scenario;
pub mod signals;
pub mod text;
pub mod ui;
