//! Temporary: group and client steps, filled in when those modules land.

use super::lab::Cluster;
use super::snapshot::ClusterSnapshot;
use super::types::BrokerId;

impl Cluster {
    pub(crate) fn step_groups(&mut self) {}
    pub(crate) fn fill_group_and_client_snapshots(&self, _snap: &mut ClusterSnapshot) {}
    pub(crate) fn listener_port(&self, _b: BrokerId) -> Option<u16> {
        None
    }
}
