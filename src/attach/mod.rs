//! `kafka-lab attach`: the dashboard on a real Kafka cluster. A poller, a client of the cluster
//! over the Kafka protocol, builds the lab's own snapshot types from what the cluster answers
//! ([`poll`], [`build`]) and tells what changed between polls with the lab's event kinds
//! ([`diff`]); [`runner`] sends both to the dashboard over the same bounded channels a live lab
//! uses, and takes its commands back: the writes a real cluster allows, only with
//! `--allow-writes`, each named on the timeline ([`writes`]). [`bench`] measures it on a large lab.

pub mod bench;
pub mod build;
pub mod clients;
pub mod degrade;
pub mod diff;
pub mod kip848_groups;
pub mod offsets;
pub mod poll;
pub mod runner;
pub mod session;
pub mod writes;

pub use runner::{AttachOptions, start};
