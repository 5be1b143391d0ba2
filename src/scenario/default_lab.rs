//! The embedded default lab: the source article's experiment 2, already running.

use crate::clients::spec::{ConsumerSpec, ProducerSpec};

use crate::clients::spec::{CommitMode, GroupProtocol, OffsetReset};
use crate::cluster::topic::TopicSpec;
use crate::cluster::types::Acks;
use crate::lab::{Command, Lab};

/// What the default lab starts with.
#[derive(Clone, Debug)]
pub struct DefaultLab {
    /// Topic name.
    pub topic: String,
    /// Partitions of the topic.
    pub partitions: i32,
    /// Replication factor (capped at the broker count).
    pub replication_factor: i16,
    /// `min.insync.replicas` of the topic.
    pub min_insync_replicas: i16,
    /// Producer rate in records/s (0 = no producer).
    pub producer_rate: f64,
    /// The producer's `acks`.
    pub acks: Acks,
    /// Group of the consumers.
    pub group: String,
    /// Number of consumers in the group.
    pub consumers: usize,
    /// The consumers' `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// The consumers' `group.protocol`.
    pub group_protocol: GroupProtocol,
}

impl Default for DefaultLab {
    fn default() -> Self {
        Self {
            topic: "test".into(),
            partitions: 2,
            replication_factor: 3,
            min_insync_replicas: 1,
            producer_rate: 5.0,
            acks: Acks::All,
            group: "lab-group".into(),
            consumers: 2,
            session_timeout_ms: 45_000,
            group_protocol: GroupProtocol::Classic,
        }
    }
}

impl DefaultLab {
    /// The commands that set this lab up on `brokers` brokers (a journal's header keeps them).
    pub fn commands(&self, brokers: usize) -> Vec<Command> {
        let brokers = brokers as i16;
        let mut spec = TopicSpec::new(
            self.topic.clone(),
            self.partitions,
            self.replication_factor.min(brokers),
        );
        spec.min_insync_replicas = self.min_insync_replicas.min(spec.replication_factor);
        let mut out = vec![Command::CreateTopic(spec)];
        if self.producer_rate > 0.0 {
            let mut p = ProducerSpec::new(self.topic.clone(), self.producer_rate);
            p.acks = self.acks;
            // The default lab is the source article's experiment 2, whose producer spreads
            // keyless records round robin, so both consumers get records from the first second
            // (Kafka's sticky default would feed one partition for batch.size bytes at a time).
            p.partitioner = crate::clients::spec::Partitioner::RoundRobin;
            out.push(Command::SpawnProducer(p));
        }
        for i in 0..self.consumers {
            let mut c = ConsumerSpec::new(self.group.clone(), self.topic.clone());
            c.client_id = Some(format!("consumer-{}", (b'A' + (i % 26) as u8) as char));
            c.session_timeout_ms = self.session_timeout_ms;
            c.group_protocol = self.group_protocol;
            c.commit_mode = CommitMode::Auto { interval_ms: 5_000 };
            // Earliest, so the audience sees every record the producer wrote, even on a rerun.
            c.auto_offset_reset = OffsetReset::Earliest;
            out.push(Command::SpawnConsumer(c));
        }
        out
    }

    /// Creates the topic (kept if it exists: a rerun on the same data dir) and starts the clients.
    pub fn install(&self, lab: &mut Lab) -> Result<(), String> {
        lab.set_up(&self.commands(lab.config().brokers))
    }
}
