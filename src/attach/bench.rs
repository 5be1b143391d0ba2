//! `kafka-lab bench attach`, the cluster half: a lab in-process with its wire listener, seeded
//! with topics, records and Empty groups with committed offsets, and the poller's cycles against
//! it, counted per broker from the connections themselves (what was really sent, not what the
//! poller thinks it sent).

use super::poll::{View, poll};
use super::session::{AttachError, Session};
use crate::cluster::config::ClusterConfig;
use crate::cluster::group::OffsetAndMetadata;
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::{Acks, BrokerId, TopicPartition};
use crate::lab::Lab;
use crate::lab::driver::LabChannels;
use crate::lab::live::{self, LiveLab, LiveOptions, WireOptions};
use crate::log::batch::encode_batch;
use crate::protocol::ListenerConfig;
use crate::protocol::client_transport::{ClientSecurity, Traffic};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Partitions per topic: 2,000 partitions are 40 topics of 50.
pub const PARTITIONS_PER_TOPIC: usize = 50;
/// Records written to each partition, so high watermarks and lag are not zero.
pub const RECORDS_PER_PARTITION: i64 = 20;
/// Simulated ms the seeding may step before it gives up (leaders, replication, commits).
const SEED_STEPS_MAX_MS: i64 = 120_000;

/// The cluster a bench runs on: `partitions` over topics of [`PARTITIONS_PER_TOPIC`] on 3
/// brokers (replication factor 3), and `groups` Empty groups, group `g` committed on every
/// partition of topic `g % topics`, half-way to its high watermark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// Partitions in all (topics `topic-000`...).
    pub partitions: usize,
    /// Consumer groups (`group-000`...).
    pub groups: usize,
}

impl Scale {
    /// The topics and their partition counts.
    pub fn topics(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut left = self.partitions;
        while left > 0 {
            let n = left.min(PARTITIONS_PER_TOPIC);
            out.push((format!("topic-{:03}", out.len()), n));
            left -= n;
        }
        out
    }
}

/// A seeded lab serving the Kafka protocol on free local ports; dropping [`SeededLab::stop`]'s
/// caller's handle stops it.
pub struct SeededLab {
    live: LiveLab,
    front: LabChannels,
    /// Broker 1's address.
    pub bootstrap: String,
    /// Wall time building and seeding it took.
    pub seed_time: Duration,
}

impl SeededLab {
    /// Stops the driver and the listener.
    pub async fn stop(self) -> Result<(), String> {
        drop(self.front);
        self.live
            .finish()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Builds the lab of `scale` in `dir`, seeds it before its driver starts (through the cluster's
/// own produce and OffsetCommit paths, stepping until replicated: a 2,000-partition lab cannot
/// keep up with real time on a small machine, and seeding through the wire would time the
/// driver, not the poller), then serves it on three free ports.
pub async fn start_seeded(dir: &Path, scale: Scale) -> Result<SeededLab, String> {
    let began = Instant::now();
    let lab = seeded_lab(dir, scale)?;
    let port = free_ports()?;
    let options = LiveOptions {
        wire: Some(WireOptions {
            config: ListenerConfig::new(port),
            required: true,
        }),
        ..LiveOptions::default()
    };
    let (live, front) = live::start(lab, options).await.map_err(|e| e.to_string())?;
    Ok(SeededLab {
        live,
        front,
        bootstrap: format!("127.0.0.1:{port}"),
        seed_time: began.elapsed(),
    })
}

/// The lab of `scale`, seeded, not yet running.
pub fn seeded_lab(dir: &Path, scale: Scale) -> Result<Lab, String> {
    let mut config = ClusterConfig::new(3, 1, dir);
    config.group_initial_rebalance_delay_ms = 0;
    let mut lab = Lab::new(config)?;
    let topics = scale.topics();
    for (name, n) in &topics {
        lab.create_topic(TopicSpec::new(name, *n as i32, 3))
            .map_err(|e| format!("cannot create {name}: {e}"))?;
    }
    let all: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|(name, n)| (0..*n as i32).map(move |p| TopicPartition::new(name.clone(), p)))
        .collect();
    step_until(&mut lab, "every partition to have a leader", |lab| {
        all.iter().all(|tp| lab.leader_of(tp).is_some())
    })?;
    let value = Bytes::from_static(b"kafka-lab bench attach");
    let records: Vec<_> = (0..RECORDS_PER_PARTITION)
        .map(|_| (None, value.clone(), 0))
        .collect();
    let batch = encode_batch(&records);
    for tp in &all {
        let leader = lab.leader_of(tp).ok_or("a leader left")?;
        if let crate::cluster::ProduceOutcome::Done(Err(e)) =
            lab.produce(leader, tp, &batch, Acks::Leader, 30_000)
        {
            return Err(format!("cannot write to {tp}: {e}"));
        }
    }
    step_until(
        &mut lab,
        "every high watermark to pass the records",
        |lab| {
            all.iter()
                .all(|tp| lab.high_watermark(tp) == Some(RECORDS_PER_PARTITION))
        },
    )?;
    let groups: Vec<String> = (0..scale.groups).map(|g| format!("group-{g:03}")).collect();
    step_until(&mut lab, "every group's coordinator to load", |lab| {
        groups.iter().all(|g| lab.coordinator_for(g).is_ok())
    })?;
    for (g, group) in groups.iter().enumerate() {
        let (topic, n) = &topics[g % topics.len()];
        let offsets: Vec<(TopicPartition, OffsetAndMetadata)> = (0..*n as i32)
            .map(|p| {
                let committed = OffsetAndMetadata {
                    offset: RECORDS_PER_PARTITION / 2,
                    metadata: String::new(),
                };
                (TopicPartition::new(topic.clone(), p), committed)
            })
            .collect();
        let coordinator = lab.coordinator_for(group).map_err(|e| e.to_string())?;
        // As the admin client commits for a group with no members: generation -1, no member id.
        lab.commit_offsets(coordinator, group, None, -1, &offsets)
            .map_err(|e| format!("cannot commit for {group}: {e}"))?;
    }
    step_until(&mut lab, "every group's commit to replicate", |lab| {
        groups.iter().enumerate().all(|(g, group)| {
            let want = topics[g % topics.len()].1;
            lab.group_coordinator()
                .group(group)
                .is_some_and(|x| x.committed.len() == want)
        })
    })?;
    Ok(lab)
}

/// Steps until `done`, at most [`SEED_STEPS_MAX_MS`] of simulated time.
fn step_until(lab: &mut Lab, what: &str, done: impl Fn(&Lab) -> bool) -> Result<(), String> {
    let until = lab.now_ms() + SEED_STEPS_MAX_MS;
    while !done(lab) {
        if lab.now_ms() >= until {
            return Err(format!(
                "waited {SEED_STEPS_MAX_MS} simulated ms for {what}"
            ));
        }
        lab.step();
    }
    Ok(())
}

/// Three consecutive free ports on 127.0.0.1 (broker N listens on the first + N - 1).
fn free_ports() -> Result<u16, String> {
    use std::net::TcpListener;
    for _ in 0..100 {
        let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let base = l.local_addr().map_err(|e| e.to_string())?.port();
        drop(l);
        if base < 65_000 && (0..3).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return Ok(base);
        }
    }
    Err("no three consecutive free ports on 127.0.0.1".into())
}

/// One poll cycle as the connections saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cycle {
    /// Wall time of the whole cycle.
    pub wall: Duration,
    /// What each broker's connection carried in it (Metadata included, on the broker it went to).
    pub traffic: BTreeMap<BrokerId, Traffic>,
}

impl Cycle {
    /// The most requests any one broker received.
    pub fn max_requests(&self) -> u64 {
        self.traffic.values().map(|t| t.requests).max().unwrap_or(0)
    }
}

/// Polls `cycles` times after one warm-up cycle (which opens the connections and learns the
/// versions); returns each cycle and the last view. A broker left out of a cycle is an error:
/// the figures would not be the whole cluster's.
pub async fn poll_cycles(
    session: &mut Session,
    cycles: usize,
) -> Result<(Vec<Cycle>, View), AttachError> {
    let mut view = poll(session).await?;
    let mut out = Vec::with_capacity(cycles);
    for _ in 0..cycles {
        let before = session.traffic();
        let began = Instant::now();
        view = poll(session).await?;
        let wall = began.elapsed();
        if let Some(e) = view.unreachable.first() {
            return Err(e.clone());
        }
        let after = session.traffic();
        let traffic = after
            .iter()
            .map(|(b, t)| (*b, t.since(before.get(b).copied().unwrap_or_default())))
            .collect();
        out.push(Cycle { wall, traffic });
    }
    Ok((out, view))
}

/// A plaintext session on a seeded lab.
pub fn session(lab: &SeededLab) -> Session {
    Session::new(vec![lab.bootstrap.clone()], ClientSecurity::plaintext())
}
