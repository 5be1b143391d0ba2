//! The driver side of the listener: answers each request against the cluster, and keeps the
//! requests that must wait until they can be answered or time out. Every deadline is in the
//! cluster's simulated milliseconds, so pausing or slowing the lab pauses or slows them too.

use super::frame::Request;
use super::topic_admin;
use super::wire_clients::WireClients;
use super::{
    admin, consumer_groups, consumer_protocol::MemberBytes, describe_groups,
    describe_topic_partitions, fetch, fetch_session::FetchSessions, groups, list_offsets, metadata,
    offset_commit, offset_for_leader_epoch, produce, txn, versions,
};
use crate::cluster::lab::Cluster;
use crate::cluster::snapshot::BrokerState;
use crate::cluster::types::BrokerId;
use kafka_protocol::messages::{ApiKey, RequestKind, ResponseKind};
use std::net::IpAddr;

/// Capacity of the channel from connection tasks to the driver.
pub const API_CHANNEL_CAPACITY: usize = 1024;
/// Parked requests kept at most; beyond this new waits are answered at once.
pub const MAX_PARKED: usize = 10_000;

/// How the listener runs.
#[derive(Clone, Debug)]
pub struct ListenerConfig {
    /// Address to bind (loopback by default).
    pub bind: IpAddr,
    /// Broker N listens on `base_port + N - 1`.
    pub base_port: u16,
    /// Host name advertised in Metadata and FindCoordinator.
    pub advertised_host: String,
    /// `auto.create.topics.enable` (the partition count and replication factor of a topic created
    /// this way are the cluster's `num.partitions` and `default.replication.factor`).
    pub auto_create_topics: bool,
    /// TLS and SASL (PLAINTEXT unless the flags say otherwise).
    pub security: super::ListenerSecurity,
}

impl ListenerConfig {
    /// Loopback at `base_port`, auto-creation on.
    pub fn new(base_port: u16) -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            base_port,
            advertised_host: "127.0.0.1".into(),
            auto_create_topics: true,
            security: super::ListenerSecurity::plaintext(),
        }
    }

    /// The port of broker `b`.
    pub fn port_of(&self, b: BrokerId) -> i32 {
        i32::from(self.base_port) + b - 1
    }
}

/// What the driver sends back to a connection.
#[derive(Debug)]
pub enum Reply {
    /// Encode and send this.
    Response(Box<ResponseKind>),
    /// No response on the wire (produce with acks=0).
    Nothing,
    /// Close the connection (the broker is down, as a real client would see).
    Close,
}

/// One request from a connection to broker `broker`.
#[derive(Debug)]
pub struct ApiCall {
    /// The broker whose port the connection came in on.
    pub broker: BrokerId,
    /// The request.
    pub request: Box<Request>,
    /// Where the answer goes.
    pub reply: tokio::sync::oneshot::Sender<Reply>,
    /// The connection it came on, numbered from 1 in accept order (0 when built in a test).
    pub connection: u64,
    /// The frame as received, without its length prefix, for the journal (empty when built in a
    /// test): decoding it again gives the same request.
    pub raw: bytes::Bytes,
}

/// Per-request context a handler needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Broker answering.
    pub broker: BrokerId,
    /// API version of the request.
    pub version: i16,
    /// `client.id` from the header (empty when absent).
    pub client_id: String,
}

/// A request answered now or later.
pub enum Outcome {
    /// The response.
    Done(ResponseKind),
    /// Nothing goes back.
    Nothing,
    /// Wait: re-check until answered or the deadline (simulated ms) passes.
    Park(Waiting, i64),
}

/// Requests that wait.
#[derive(Clone)]
pub enum Waiting {
    /// acks=all produce.
    Produce(produce::PendingProduce),
    /// Fetch waiting for `min_bytes`.
    Fetch(Box<fetch::PendingFetch>),
    /// JoinGroup waiting for the join phase.
    Join(groups::PendingJoin),
    /// SyncGroup waiting for the leader's assignment.
    Sync(groups::PendingSync),
    /// OffsetCommit waiting for `__consumer_offsets` replication.
    Commit(offset_commit::PendingCommit),
    /// A transactional request waiting for its coordinator's change to replicate.
    Txn(txn::PendingTxn),
}

struct Parked {
    /// The request's number in the order the host took requests, so the journal can name it.
    seq: u64,
    ctx: Ctx,
    waiting: Waiting,
    deadline_ms: i64,
    reply: tokio::sync::oneshot::Sender<Reply>,
}

/// The wire listener's state inside the driver.
pub struct WireHost {
    /// Settings.
    pub config: ListenerConfig,
    parked: Vec<Parked>,
    /// Consumer-protocol bytes members sent, to hand back verbatim.
    pub members: MemberBytes,
    /// Real producers and consumers as the dashboard shows them.
    pub clients: WireClients,
    /// Requests taken so far: the next one's number.
    next_seq: u64,
    /// Every broker's fetch sessions (KIP-227).
    pub sessions: FetchSessions,
}

impl WireHost {
    /// A copy of this host's state for a forked lab (a checkpoint): parked requests are kept, each
    /// with a reply channel nobody reads (a past lab's answers go nowhere; a hang-up comes from
    /// the journal's tick lines, as in a replay).
    pub fn fork(&self) -> Self {
        let parked = self
            .parked
            .iter()
            .map(|p| Parked {
                seq: p.seq,
                ctx: p.ctx.clone(),
                waiting: p.waiting.clone(),
                deadline_ms: p.deadline_ms,
                reply: tokio::sync::oneshot::channel().0,
            })
            .collect();
        Self {
            config: self.config.clone(),
            parked,
            members: self.members.clone(),
            clients: self.clients.clone(),
            next_seq: self.next_seq,
            sessions: self.sessions.clone(),
        }
    }

    /// A host with nothing parked.
    pub fn new(config: ListenerConfig) -> Self {
        Self {
            config,
            parked: Vec::new(),
            members: MemberBytes::default(),
            clients: WireClients::default(),
            next_seq: 0,
            sessions: FetchSessions::default(),
        }
    }

    /// Answers one request now, or parks it.
    pub fn dispatch(&mut self, cluster: &mut Cluster, ctx: &Ctx, body: RequestKind) -> Outcome {
        use Outcome::Done;
        match body {
            RequestKind::ApiVersions(_) => {
                let sasl = self.config.security.protocol().uses_sasl();
                Done(versions::api_versions_response(0, sasl).into())
            }
            RequestKind::Metadata(r) => Done(metadata::metadata(self, cluster, ctx, &r).into()),
            RequestKind::FindCoordinator(r) => {
                Done(metadata::find_coordinator(self, cluster, ctx, &r).into())
            }
            RequestKind::Produce(r) => produce::produce(self, cluster, ctx, r),
            RequestKind::Fetch(r) => fetch::fetch(self, cluster, ctx, r),
            RequestKind::ListOffsets(r) => {
                Done(list_offsets::list_offsets(cluster, ctx, &r).into())
            }
            RequestKind::JoinGroup(r) => groups::join(self, cluster, ctx, r),
            RequestKind::SyncGroup(r) => groups::sync(self, cluster, ctx, r),
            RequestKind::Heartbeat(r) => Done(groups::heartbeat(cluster, ctx, &r).into()),
            RequestKind::LeaveGroup(r) => Done(groups::leave(cluster, ctx, &r).into()),
            RequestKind::OffsetCommit(r) => offset_commit::offset_commit(cluster, ctx, r),
            RequestKind::OffsetFetch(r) => {
                Done(offset_commit::offset_fetch(cluster, ctx, &r).into())
            }
            RequestKind::ConsumerGroupHeartbeat(r) => {
                Done(consumer_groups::heartbeat(cluster, ctx, &r).into())
            }
            RequestKind::ConsumerGroupDescribe(r) => {
                Done(consumer_groups::describe(cluster, ctx, &r).into())
            }
            RequestKind::DescribeGroups(r) => {
                Done(describe_groups::describe_groups(self, cluster, ctx, &r).into())
            }
            RequestKind::ListGroups(r) => {
                Done(describe_groups::list_groups(cluster, ctx, &r).into())
            }
            RequestKind::CreateTopics(r) => Done(admin::create_topics(self, cluster, &r).into()),
            RequestKind::DeleteTopics(r) => Done(topic_admin::delete_topics(cluster, &r).into()),
            RequestKind::CreatePartitions(r) => {
                Done(topic_admin::create_partitions(cluster, &r).into())
            }
            RequestKind::IncrementalAlterConfigs(r) => {
                Done(topic_admin::incremental_alter_configs(cluster, &r).into())
            }
            RequestKind::AlterConfigs(r) => Done(topic_admin::alter_configs(cluster, &r).into()),
            RequestKind::InitProducerId(r) if r.transactional_id.is_some() => {
                txn::init_producer_id(cluster, ctx, &r)
            }
            RequestKind::InitProducerId(r) => Done(admin::init_producer_id(cluster, &r).into()),
            RequestKind::AddPartitionsToTxn(r) => txn::add_partitions(cluster, ctx, &r),
            RequestKind::AddOffsetsToTxn(r) => txn::add_offsets(cluster, ctx, &r),
            RequestKind::TxnOffsetCommit(r) => txn::offset_commit(cluster, ctx, &r),
            RequestKind::EndTxn(r) => txn::end_txn(cluster, ctx, &r),
            RequestKind::OffsetForLeaderEpoch(r) => {
                Done(offset_for_leader_epoch::offset_for_leader_epoch(cluster, ctx, &r).into())
            }
            RequestKind::DescribeTopicPartitions(r) => {
                Done(describe_topic_partitions::describe(cluster, &r).into())
            }
            RequestKind::DescribeConfigs(r) => {
                Done(admin::describe_configs(self, cluster, &r).into())
            }
            // The frame decoder only lets supported APIs through; answer anything else by closing.
            _ => Outcome::Nothing,
        }
    }

    fn poll(
        &mut self,
        cluster: &mut Cluster,
        ctx: &Ctx,
        waiting: &mut Waiting,
        timed_out: bool,
    ) -> Option<ResponseKind> {
        match waiting {
            Waiting::Produce(p) => produce::poll(self, cluster, p, timed_out).map(Into::into),
            Waiting::Fetch(f) => fetch::poll(self, cluster, ctx, f, timed_out),
            Waiting::Join(j) => groups::poll_join(self, cluster, ctx, j, timed_out).map(Into::into),
            Waiting::Sync(s) => groups::poll_sync(self, cluster, ctx, s, timed_out).map(Into::into),
            Waiting::Commit(c) => {
                offset_commit::poll_commit(cluster, ctx, c, timed_out).map(Into::into)
            }
            Waiting::Txn(t) => txn::poll(cluster, t, timed_out),
        }
    }

    fn broker_up(cluster: &Cluster, b: BrokerId) -> bool {
        cluster
            .broker_states()
            .iter()
            .any(|(id, s)| *id == b && *s != BrokerState::Down)
    }
}

impl WireHost {
    /// Answers one request now, or parks it until it can be answered or times out.
    pub fn handle(&mut self, cluster: &mut Cluster, call: ApiCall) {
        let ApiCall {
            broker,
            request,
            reply,
            ..
        } = call;
        let seq = self.next_seq;
        self.next_seq += 1;
        // A crashed broker's port drops connections, as a dead process would.
        if !Self::broker_up(cluster, broker) {
            let _ = reply.send(Reply::Close);
            return;
        }
        let ctx = Ctx {
            broker,
            version: request.version(),
            client_id: request
                .header
                .client_id
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
        };
        let api_key = request.api_key;
        match self.dispatch(cluster, &ctx, request.body) {
            Outcome::Done(r) => {
                let _ = reply.send(Reply::Response(Box::new(r)));
            }
            Outcome::Nothing => {
                let r = if api_key == ApiKey::Produce {
                    Reply::Nothing
                } else {
                    Reply::Close
                };
                let _ = reply.send(r);
            }
            Outcome::Park(mut waiting, deadline_ms) => {
                if self.parked.len() >= MAX_PARKED {
                    if let Some(r) = self.poll(cluster, &ctx, &mut waiting, true) {
                        let _ = reply.send(Reply::Response(Box::new(r)));
                    }
                    return;
                }
                self.parked.push(Parked {
                    seq,
                    ctx,
                    waiting,
                    deadline_ms,
                    reply,
                });
            }
        }
    }

    /// Re-checks parked requests after simulated time moved; the driver does not call it while
    /// the lab is paused. Requests whose client hung up are dropped.
    pub fn tick(&mut self, cluster: &mut Cluster) -> usize {
        let closed = self.closed_parked();
        self.tick_with(cluster, &closed)
    }

    /// The numbers of parked requests whose client has hung up (nobody reads their answer).
    /// Which ones is a fact of real time, so the live driver journals it before
    /// [`Self::tick_with`] acts on it, and a replay passes the journaled list.
    pub fn closed_parked(&self) -> Vec<u64> {
        self.parked
            .iter()
            .filter(|p| p.reply.is_closed())
            .map(|p| p.seq)
            .collect()
    }

    /// Re-checks parked requests, dropping the ones numbered in `closed` (their client hung up);
    /// returns how many were answered or dropped.
    pub fn tick_with(&mut self, cluster: &mut Cluster, closed: &[u64]) -> usize {
        // Followers answer appends at once, as Kafka's parked follower fetches do, so acks=all
        // produces and offset commits complete below without waiting for the next step.
        cluster.replicate_waiting();
        let now = cluster.now_ms();
        let parked = std::mem::take(&mut self.parked);
        let before = parked.len();
        for mut p in parked {
            if closed.contains(&p.seq) {
                // Nobody will read the answer: drop what the cluster keeps for it.
                forget(cluster, &p.waiting);
                continue;
            }
            let timed_out = now >= p.deadline_ms || !Self::broker_up(cluster, p.ctx.broker);
            match self.poll(cluster, &p.ctx, &mut p.waiting, timed_out) {
                Some(r) => {
                    let _ = p.reply.send(Reply::Response(Box::new(r)));
                }
                None if timed_out => {
                    let _ = p.reply.send(Reply::Close);
                }
                None => self.parked.push(p),
            }
        }
        before - self.parked.len()
    }

    /// Whether requests are parked, to be re-checked sooner than the driver's tick.
    pub fn wants_fast_tick(&self) -> bool {
        !self.parked.is_empty()
    }

    /// Requests parked now (at most [`MAX_PARKED`]).
    pub fn parked_count(&self) -> usize {
        self.parked.len()
    }
}

/// Drops the cluster's tickets a parked request holds.
fn forget(cluster: &mut Cluster, waiting: &Waiting) {
    match waiting {
        Waiting::Produce(p) => produce::forget(cluster, p),
        // A commit appended to `__consumer_offsets` still takes effect, as in Kafka; only the
        // answer kept for the client is dropped.
        Waiting::Commit(c) => {
            if let Some(t) = c.ticket() {
                cluster.forget_commit(t);
            }
        }
        Waiting::Txn(t) => cluster.forget_txn_result(t.ticket()),
        Waiting::Fetch(_) | Waiting::Join(_) | Waiting::Sync(_) => {}
    }
}

/// A deadline `ms` of simulated time after `now_ms` (negative or absurd waits are clamped to
/// 0..=5 minutes).
pub fn deadline_in(cluster: &Cluster, ms: i64) -> i64 {
    cluster.now_ms() + ms.clamp(0, 300_000)
}
