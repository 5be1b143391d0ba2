//! Forking the quorum (see `cluster/fork.rs`): every node's metadata log under the new data dir.

use super::Quorum;
use super::node::RaftNode;
use crate::cluster::fork::Rebase;
use crate::log::shared_files;

impl Quorum {
    /// The quorum with every node's metadata log under the new data dir.
    pub(crate) fn fork(&self, rebase: &Rebase) -> Result<Quorum, String> {
        let mut nodes = std::collections::BTreeMap::new();
        for (id, n) in &self.nodes {
            nodes.insert(*id, fork_node(n, rebase)?);
        }
        Ok(Quorum {
            nodes,
            voters: self.voters.clone(),
            net: self.net.clone(),
            rng: self.rng.clone(),
            timeouts: self.timeouts,
            latency_ms: self.latency_ms,
            log_config: self.log_config.clone(),
            events: self.events.clone(),
        })
    }
}

/// A node under the new data dir: a running node's log forks and its `quorum-state` is copied;
/// a stopped node's dir is linked or copied whole.
fn fork_node(n: &RaftNode, rebase: &Rebase) -> Result<RaftNode, String> {
    let dir = rebase.path(n.dir())?;
    let log = match n.log() {
        Some(log) => {
            let forked = log.fork_to(&dir).map_err(|e| e.to_string())?;
            let state = n.dir().join("quorum-state");
            shared_files::copy(&state, &dir.join("quorum-state")).map_err(|e| e.to_string())?;
            Some(forked)
        }
        None => {
            shared_files::fork_tree(n.dir(), &dir).map_err(|e| e.to_string())?;
            None
        }
    };
    Ok(n.with_log(dir, log))
}
