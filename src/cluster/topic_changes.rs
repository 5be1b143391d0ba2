//! Topics that change after creation, as Kafka's controller changes them: DeleteTopics (every
//! replica's log deleted from disk, the groups' committed offsets for it removed with
//! tombstones), CreatePartitions (new partitions placed and led like a new topic's) and config
//! changes (IncrementalAlterConfigs, AlterConfigs).

use super::broker::PartitionMeta;
use super::error::KafkaError;
use super::event::EventKind;
use super::group::{OffsetAndMetadata, OffsetCommitRecord};
use super::lab::{Cluster, OFFSETS_TOPIC};
use super::placement::assign_replicas;
use super::snapshot::BrokerState;
use super::topic::{PARTITIONS_MAX, PARTITIONS_TOTAL_MAX, TopicSpec};
use super::topic_config::set_topic_config;
use super::types::{Acks, BrokerId, TopicPartition};
use crate::log::LogConfig;
use crate::log::batch::encode_records;
use std::collections::BTreeMap;

/// Why a topic change was refused: Kafka's error and, where Kafka gives one, its message.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicChangeError {
    /// The error code's name.
    pub error: KafkaError,
    /// Kafka's message for it (empty when Kafka sends none).
    pub message: String,
}

impl TopicChangeError {
    fn new(error: KafkaError, message: impl Into<String>) -> Self {
        Self {
            error,
            message: message.into(),
        }
    }
}

impl From<KafkaError> for TopicChangeError {
    fn from(error: KafkaError) -> Self {
        Self::new(error, "")
    }
}

impl Cluster {
    /// A topic's log settings: the broker's, with the topic's own values over them.
    pub(crate) fn log_config_for(&self, spec: &TopicSpec) -> LogConfig {
        let mut c = self.config.log.clone();
        if let Some(b) = spec.segment_bytes {
            c.segment_bytes = b;
        }
        if let Some(ms) = spec.retention_ms {
            c.retention_ms = ms;
        }
        if let Some(b) = spec.retention_bytes {
            c.retention_bytes = b;
        }
        c
    }

    /// DeleteTopics: the topic's partitions go offline at once, every replica's log is deleted
    /// from disk (a stopped broker's too: KRaft deletes such a stray log when it starts), and every
    /// group's committed offsets for it are removed with tombstones in `__consumer_offsets`.
    pub fn delete_topic(&mut self, name: &str) -> Result<(), TopicChangeError> {
        let Some(meta) = self.topics.get(name) else {
            return Err(KafkaError::UnknownTopicOrPartition.into());
        };
        if meta.internal {
            // The lab's groups live in __consumer_offsets; it is not the lab's to delete.
            return Err(TopicChangeError::new(
                KafkaError::InvalidTopic,
                format!("kafka-lab does not delete the internal topic {name}"),
            ));
        }
        let partitions = meta.spec.partitions;
        let tps: Vec<TopicPartition> = (0..partitions)
            .map(|p| TopicPartition::new(name, p))
            .collect();
        for b in self.brokers.values_mut() {
            for tp in &tps {
                // Closing the log first: its files are gone from disk next.
                b.replicas.remove(tp);
                let _ = std::fs::remove_dir_all(b.dir.join(tp.to_string()));
            }
        }
        for tp in &tps {
            self.partitions.remove(tp);
            self.elr_changed.remove(tp);
        }
        self.leader_history.forget_topic(name);
        self.last_known.forget_topic(name);
        self.catch_ups.forget_topic(name);
        self.producer_states.forget_topic(name);
        for p in self.tickets.take_waiting() {
            if p.tp.topic == name {
                self.tickets
                    .finish(p.ticket, Err(KafkaError::UnknownTopicOrPartition));
            } else {
                self.tickets.wait(p);
            }
        }
        self.topics.remove(name);
        let removed = self.hosting.coordinator_mut().remove_topic_offsets(name);
        let offsets_removed = removed.len();
        self.write_offset_tombstones(removed);
        self.save_topics_file();
        self.emit(EventKind::TopicDeleted {
            topic: name.to_string(),
            partitions,
            offsets_removed,
        });
        Ok(())
    }

    /// Tombstones in `__consumer_offsets` for removed offsets, appended without waiting as
    /// Kafka's coordinator does, so a coordinator that reloads does not bring them back.
    fn write_offset_tombstones(&mut self, removed: Vec<(String, TopicPartition)>) {
        let mut by_group: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
        for (g, tp) in removed {
            by_group.entry(g).or_default().push(tp);
        }
        let ts = self.config.epoch.timestamp_millis() + self.now_ms;
        for (group, tps) in by_group {
            let records: Vec<_> = tps
                .into_iter()
                .map(|tp| {
                    let r = OffsetCommitRecord {
                        group: group.clone(),
                        tp,
                        committed: OffsetAndMetadata::new(0),
                        commit_timestamp: ts,
                    };
                    (Some(r.key()), None, ts)
                })
                .collect();
            let offsets_tp = self.offsets_partition(&group);
            if let (Ok(bytes), Some(leader)) =
                (encode_records(&records, 0), self.leader_of(&offsets_tp))
            {
                let _ = self.produce(leader, &offsets_tp, &bytes, Acks::None, 0);
            }
        }
    }

    /// CreatePartitions: grows `name` to `total` partitions, the new ones placed on the live
    /// brokers as a new topic's are and led at once. Kafka's checks: the topic exists, the count
    /// grows, and enough brokers are alive for its replication factor.
    pub fn create_partitions(
        &mut self,
        name: &str,
        total: i32,
        validate_only: bool,
    ) -> Result<(), TopicChangeError> {
        let Some(meta) = self.topics.get(name) else {
            return Err(KafkaError::UnknownTopicOrPartition.into());
        };
        if meta.internal || name == OFFSETS_TOPIC {
            return Err(TopicChangeError::new(
                KafkaError::InvalidTopic,
                format!("kafka-lab does not add partitions to the internal topic {name}"),
            ));
        }
        let current = meta.spec.partitions;
        let rf = meta.spec.replication_factor;
        let min_isr = meta.spec.min_insync_replicas;
        if total < current {
            return Err(TopicChangeError::new(
                KafkaError::InvalidPartitions,
                format!(
                    "Topic currently has {current} partitions, which is higher than the requested {total}."
                ),
            ));
        }
        if total == current {
            return Err(TopicChangeError::new(
                KafkaError::InvalidPartitions,
                format!("Topic already has {current} partitions."),
            ));
        }
        let added = (total - current) as usize;
        if total > PARTITIONS_MAX || self.partitions.len() + added > PARTITIONS_TOTAL_MAX {
            return Err(TopicChangeError::new(
                KafkaError::InvalidPartitions,
                format!(
                    "kafka-lab holds at most {PARTITIONS_MAX} partitions per topic and {PARTITIONS_TOTAL_MAX} in all"
                ),
            ));
        }
        let live: Vec<BrokerId> = self
            .brokers
            .values()
            .filter(|b| b.state == BrokerState::Up)
            .map(|b| b.id)
            .collect();
        if (rf as usize) > live.len() {
            return Err(TopicChangeError::new(
                KafkaError::InvalidReplicationFactor,
                format!(
                    "Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {} broker(s) are registered.",
                    live.len()
                ),
            ));
        }
        if validate_only {
            return Ok(());
        }
        let start = self.random_below(live.len());
        let shift = self.random_below(live.len());
        let assignment = assign_replicas(&live, added as i32, rf as usize, start, shift);
        if let Some(t) = self.topics.get_mut(name) {
            t.spec.partitions = total;
        }
        for (i, replicas) in assignment.into_iter().enumerate() {
            let tp = TopicPartition::new(name, current + i as i32);
            self.partitions.insert(
                tp.clone(),
                PartitionMeta::assigned(tp.clone(), replicas.clone(), min_isr),
            );
            for b in replicas {
                self.open_replica(b, &tp);
            }
        }
        self.save_topics_file();
        self.emit(EventKind::PartitionsAdded {
            topic: name.to_string(),
            from: current,
            to: total,
        });
        self.reconcile_leaders();
        Ok(())
    }

    /// IncrementalAlterConfigs / AlterConfigs on a topic: each `(config, Some(value))` sets,
    /// each `(config, None)` resets to the broker's value. All are checked before any applies;
    /// `min.insync.replicas` applies to the next produce, log settings to the next roll and
    /// retention check.
    pub fn alter_topic_configs(
        &mut self,
        name: &str,
        changes: &[(String, Option<String>)],
        validate_only: bool,
    ) -> Result<(), TopicChangeError> {
        let Some(meta) = self.topics.get(name) else {
            return Err(KafkaError::UnknownTopicOrPartition.into());
        };
        let mut spec = meta.spec.clone();
        for (config, value) in changes {
            set_topic_config(&mut spec, self.config.profile, config, value.as_deref())
                .map_err(|m| TopicChangeError::new(KafkaError::InvalidConfig, m))?;
        }
        if validate_only {
            return Ok(());
        }
        let log_config = self.log_config_for(&spec);
        for p in self.partitions.values_mut().filter(|p| p.tp.topic == name) {
            p.min_insync_replicas = spec.min_insync_replicas;
        }
        for b in self.brokers.values_mut() {
            for (tp, r) in b.replicas.iter_mut() {
                if tp.topic == name {
                    r.log.set_config(log_config.clone());
                }
            }
        }
        if let Some(t) = self.topics.get_mut(name) {
            t.spec = spec;
            t.log_config = log_config;
        }
        self.save_topics_file();
        for (config, value) in changes {
            self.emit(EventKind::TopicConfigChanged {
                topic: name.to_string(),
                config: config.clone(),
                value: value.clone(),
            });
        }
        Ok(())
    }
}
