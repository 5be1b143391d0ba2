//! What a journal holds: its header line, and one [`Line`] per input.

use crate::cluster::config::{ClusterConfig, Profile};
use crate::lab::command::Command;
use crate::protocol::ListenerConfig;
use serde::{Deserialize, Serialize};

/// The `format` field of every journal's header.
pub const FORMAT: &str = "kafka-lab-journal";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// A journal stops recording past this size (the run goes on, and the timeline says so).
pub const JOURNAL_BYTES_MAX: u64 = 1 << 30;

/// The first line: what the run started from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this build.
    pub version: u32,
    /// The kafka-lab version that recorded it.
    pub kafka_lab: String,
    /// The seed of every random choice (also in `config`).
    pub seed: u64,
    /// The brokers' settings, whole (`data_dir` is where the recording ran; a replay uses its own).
    pub config: ClusterConfig,
    /// How the lab was set up before its first step.
    pub start: Start,
    /// The wire listener, when real clients could connect.
    pub wire: Option<WireSetup>,
    /// Whether the data dir held no logs when the run started: only then does a replay, which
    /// starts from an empty dir, see the same logs.
    pub data_dir_fresh: bool,
}

impl Header {
    /// A header for a run of this build.
    pub fn new(
        config: ClusterConfig,
        start: Start,
        wire: Option<&ListenerConfig>,
        data_dir_fresh: bool,
    ) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            kafka_lab: env!("CARGO_PKG_VERSION").into(),
            seed: config.seed,
            config,
            start,
            wire: wire.map(WireSetup::from),
            data_dir_fresh,
        }
    }
}

/// How a run's lab was built before its first step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Start {
    /// A lab of `config` on which these commands were applied (the default lab: its topic,
    /// producer and consumers).
    Commands(Vec<Command>),
    /// A lesson, which builds its own lab and directs it.
    Lesson(LessonStart),
}

/// The lesson a run followed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LessonStart {
    /// A built-in lesson's name, or the scenario file's path as given.
    pub lesson: String,
    /// The scenario file's text, when the lesson came from a file (so a journal travels alone).
    pub text: Option<String>,
    /// `--seed` given to the lesson, if any (else the scenario's own).
    pub seed: Option<u64>,
    /// The profile it ran under.
    pub profile: Profile,
}

/// The wire listener's settings that shape answers (ports and host in Metadata, auto-creation).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireSetup {
    /// Port of broker 1.
    pub base_port: u16,
    /// Host advertised in Metadata and FindCoordinator.
    pub advertised_host: String,
    /// `auto.create.topics.enable`.
    pub auto_create_topics: bool,
    /// The address bound.
    pub bind: std::net::IpAddr,
    /// `security.protocol` (PLAINTEXT in journals from before TLS and SASL): a replay answers
    /// ApiVersions as the recorded listener did. Certificates and users are never recorded.
    #[serde(default = "plaintext")]
    pub security_protocol: String,
}

fn plaintext() -> String {
    "PLAINTEXT".into()
}

impl From<&ListenerConfig> for WireSetup {
    fn from(c: &ListenerConfig) -> Self {
        Self {
            base_port: c.base_port,
            advertised_host: c.advertised_host.clone(),
            auto_create_topics: c.auto_create_topics,
            bind: c.bind,
            security_protocol: c.security.protocol().name().into(),
        }
    }
}

impl From<&WireSetup> for ListenerConfig {
    fn from(w: &WireSetup) -> Self {
        Self {
            bind: w.bind,
            base_port: w.base_port,
            advertised_host: w.advertised_host.clone(),
            auto_create_topics: w.auto_create_topics,
            security: crate::protocol::ListenerSecurity::recorded(
                crate::protocol::security::SecurityProtocol::parse(&w.security_protocol)
                    .unwrap_or(crate::protocol::security::SecurityProtocol::Plaintext),
            ),
        }
    }
}

/// One input, at the simulated instant it was applied (`{"t":1200,"cmd":…}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Simulated ms (the lab's `now_ms`; a lesson started over counts from 0 again).
    pub t: i64,
    /// What was applied.
    #[serde(flatten)]
    pub input: Input,
}

/// What the driver applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// A command: a key, a dialog's result, a schedule's entry, `n`/`b` of a lesson, speed and
    /// pause.
    Cmd(Command),
    /// A request from a real client.
    Wire {
        /// The connection it came on (numbered in accept order).
        conn: u64,
        /// The broker whose port it came to.
        broker: i32,
        /// The frame without its length prefix, base64.
        frame: String,
    },
    /// The wire host re-checked its parked requests, dropping those whose clients had hung up
    /// (numbered in the order the host took requests).
    Tick(Vec<u64>),
    /// A fingerprint of the lab's snapshot (see [`super::fingerprint`]) at every simulated
    /// second, taken right after the step reaching it: a replay compares its own.
    Check(String),
    /// The run stopped here (the front end quit); a journal without it ends where the process
    /// did.
    End,
}
