//! `LabSnapshot`: everything observable about the lab at one instant, the only thing the UI reads:
//! the cluster's snapshot, the clients, throughput, the clock, and the director's status.

pub use super::throughput::ThroughputSnapshot;
use crate::clients::view::{ConsumerSnapshot, ProducerSnapshot};
use crate::cluster::snapshot::ClusterSnapshot;
use serde::Serialize;

/// The whole lab at one simulated instant. It reads as its [`ClusterSnapshot`] too (`snap.brokers`),
/// since a lab *is* its cluster plus clients.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LabSnapshot {
    /// Brokers, topics, partitions and groups.
    #[serde(flatten)]
    pub cluster: ClusterSnapshot,
    /// Simulated-time speed (1.0 = real time).
    pub speed: f64,
    /// Whether simulated time is paused.
    pub paused: bool,
    /// Producers in spawn order, simulated ones first, then real clients seen on the wire.
    pub producers: Vec<ProducerSnapshot>,
    /// Consumers in spawn order.
    pub consumers: Vec<ConsumerSnapshot>,
    /// Records/s produced and consumed, one sample per simulated second, oldest first.
    pub throughput: ThroughputSnapshot,
    /// The running lesson's progress, when a lesson directs the lab (`kafka-lab lesson NAME`).
    pub lesson: Option<LessonStatus>,
    /// Set when the dashboard shows a real cluster (`kafka-lab attach`) instead of the lab.
    pub attached: Option<AttachedCluster>,
    /// Where in the run the screen is, when that is not simply now: the past of a live run, or a
    /// replay. The viewer's, not the run's, so fingerprints and `--json` leave it out.
    #[serde(skip)]
    pub travel: Option<TravelStatus>,
}

/// A real cluster the dashboard is attached to: what the lab's own snapshot has no place for.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AttachedCluster {
    /// The `bootstrap.servers` given.
    pub bootstrap: String,
    /// How often the cluster is polled (`--interval`), ms.
    pub interval_ms: i64,
    /// Whether the dashboard may write (`--allow-writes`).
    pub writes_allowed: bool,
    /// The cluster id Metadata reports.
    pub cluster_id: Option<String>,
    /// Every broker Metadata lists, with its address and rack, in id order.
    pub brokers: Vec<BrokerAddress>,
    /// How long the newest poll cycle took, ms.
    pub last_poll_ms: i64,
    /// Why the newest poll failed, if it did (the view is then the last one that succeeded).
    pub poll_error: Option<String>,
    /// The cluster does not serve DescribeLogDirs: sizes are unknown (drawn `-`), not zero.
    pub sizes_unknown: bool,
}

impl LabSnapshot {
    /// Whether byte sizes are unknown (an attached cluster without DescribeLogDirs).
    pub fn sizes_unknown(&self) -> bool {
        self.attached.as_ref().is_some_and(|a| a.sizes_unknown)
    }
}

/// A broker's listener as Metadata gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokerAddress {
    /// `node.id`.
    pub id: crate::cluster::types::BrokerId,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: i32,
    /// `broker.rack`, when set.
    pub rack: Option<String>,
}

/// Where in a run the screen is: what the position bar draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TravelStatus {
    /// The instant on screen (simulated ms).
    pub at_ms: i64,
    /// How long the run is: the live lab's now, or a replayed journal's end (simulated ms).
    pub run_ms: i64,
    /// The screen shows the past of a live run, which is paused meanwhile.
    pub past: bool,
}

impl std::ops::Deref for LabSnapshot {
    type Target = ClusterSnapshot;
    fn deref(&self) -> &ClusterSnapshot {
        &self.cluster
    }
}

impl std::ops::DerefMut for LabSnapshot {
    fn deref_mut(&mut self) -> &mut ClusterSnapshot {
        &mut self.cluster
    }
}

/// Where a lesson is: what the banner over the dashboard shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LessonStatus {
    /// Short name (`leader-failover`).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// How many times the lesson was started over (`b`); the dashboard clears its timeline on a change.
    pub run: u32,
    /// The step whose caption is shown (1-based, 0 before the first caption; all of them once
    /// finished), so the banner's `i/N` always matches its words.
    pub step: usize,
    /// Steps in all.
    pub steps: usize,
    /// The newest caption.
    pub caption: Option<String>,
    /// The next step waits for `n`.
    pub waiting_for_key: bool,
    /// When the next timed step is due (simulated ms).
    pub next_at_ms: Option<i64>,
    /// The next step waits until then for the caption on screen to be read; `n` skips the wait.
    pub reading_until_ms: Option<i64>,
    /// Expectations that held so far.
    pub passed: usize,
    /// Expectations that failed, with why.
    pub failed: Vec<String>,
    /// Every step is done.
    pub finished: bool,
    /// The partition whose replica logs the lesson wants on screen (the newest `show_log` of the
    /// steps run so far): the dashboard opens its log view when this changes.
    pub show_log: Option<crate::cluster::types::TopicPartition>,
}
