//! Forking a cluster: an independent cluster equal in every state, whose brokers' and controllers'
//! logs live under another data dir (time travel's checkpoints). Everything in memory is cloned;
//! logs fork on disk (`PartitionLog::fork_to`, sealed segments shared by hard links).

use super::broker::{Broker, Replica};
use super::lab::Cluster;
use crate::log::shared_files;
use std::path::{Path, PathBuf};

/// Moves paths from one data dir to another.
pub(crate) struct Rebase {
    from: PathBuf,
    to: PathBuf,
}

impl Rebase {
    /// The path `p` (under the old data dir) has under the new one.
    pub(crate) fn path(&self, p: &Path) -> Result<PathBuf, String> {
        let rest = p.strip_prefix(&self.from).map_err(|_| {
            format!(
                "{} is outside the data dir {}",
                p.display(),
                self.from.display()
            )
        })?;
        Ok(self.to.join(rest))
    }
}

impl Cluster {
    /// An independent cluster, equal in every state, with its logs under `data_dir` (which should
    /// be empty): stepped and commanded the same way, it tells the same story, and nothing it
    /// does reaches this one's files.
    pub fn fork(&self, data_dir: &Path) -> Result<Cluster, String> {
        let rebase = Rebase {
            from: self.config.data_dir.clone(),
            to: data_dir.to_path_buf(),
        };
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let topics = self.config.data_dir.join("topics.json");
        shared_files::copy(&topics, &data_dir.join("topics.json")).map_err(|e| e.to_string())?;
        let mut config = self.config.clone();
        config.data_dir = data_dir.to_path_buf();
        let mut brokers = std::collections::BTreeMap::new();
        for (id, b) in &self.brokers {
            brokers.insert(*id, b.fork(&rebase)?);
        }
        Ok(Cluster {
            config,
            now_ms: self.now_ms,
            rng: self.rng.clone(),
            brokers,
            controller: self.controller,
            topics: self.topics.clone(),
            partitions: self.partitions.clone(),
            leader_history: self.leader_history.clone(),
            last_known: self.last_known.clone(),
            tickets: self.tickets.clone(),
            producer_states: self.producer_states.clone(),
            events: self.events.clone(),
            shutdowns: self.shutdowns.clone(),
            retention_check: self.retention_check.clone(),
            preferred_leader_check: self.preferred_leader_check.clone(),
            catch_ups: self.catch_ups.clone(),
            hosting: self.hosting.clone(),
            txn_hosting: self.txn_hosting.clone(),
            elr_changed: self.elr_changed.clone(),
            listener_base_port: self.listener_base_port,
            quorum: self.quorum.fork(&rebase)?,
            quorum_lost: self.quorum_lost,
            pending_registrations: self.pending_registrations.clone(),
        })
    }
}

impl Broker {
    /// This broker under the new data dir: a running broker's hosted logs fork; anything else in
    /// its dir (a stopped broker's whole dir, logs it does not host now) is linked or copied. Its
    /// `__cluster_metadata-0` is the quorum node's to fork.
    fn fork(&self, rebase: &Rebase) -> Result<Broker, String> {
        let dir = rebase.path(&self.dir)?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let hosted: Vec<PathBuf> = self
            .replicas
            .values()
            .map(|r| r.log.dir().to_path_buf())
            .collect();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if hosted.contains(&path) || entry.file_name() == "__cluster_metadata-0" {
                    continue;
                }
                let to = dir.join(entry.file_name());
                let done = if path.is_dir() {
                    shared_files::fork_tree(&path, &to)
                } else {
                    shared_files::copy(&path, &to)
                };
                done.map_err(|e| e.to_string())?;
            }
        }
        let mut replicas = std::collections::BTreeMap::new();
        for (tp, r) in &self.replicas {
            let log = r
                .log
                .fork_to(&rebase.path(r.log.dir())?)
                .map_err(|e| e.to_string())?;
            replicas.insert(
                tp.clone(),
                Replica {
                    log,
                    high_watermark: r.high_watermark,
                    followers: r.followers.clone(),
                    synced_epoch: r.synced_epoch,
                    last_hw_event: r.last_hw_event,
                },
            );
        }
        Ok(Broker {
            id: self.id,
            state: self.state,
            slow: self.slow,
            dir,
            replicas,
            last_heartbeat_ms: self.last_heartbeat_ms,
            registered: self.registered,
            clean_shutdown: self.clean_shutdown,
            fenced_since_ms: self.fenced_since_ms,
            starts: self.starts,
        })
    }
}
