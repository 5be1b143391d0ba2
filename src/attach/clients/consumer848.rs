//! A consumer the dashboard started on a real cluster with `group.protocol=consumer` (KIP-848):
//! it joins with ConsumerGroupHeartbeat at member epoch 0 under a member id it made itself,
//! heartbeats every `group.consumer.heartbeat.interval.ms` the coordinator returns, takes the
//! assignment it is sent (topic ids named through Metadata v10+), revokes what it loses (commit,
//! stop fetching, report it gone) and acknowledges on the next heartbeat, sent at once. Fenced
//! or forgotten, it drops its partitions and rejoins at epoch 0. Closed (`x`) it leaves with
//! epoch -1; killed (`k`) it sends nothing and the coordinator expires it after
//! `group.consumer.session.timeout.ms`. It reads and commits through the classic consumer's
//! [`Reader`], committing with its member epoch as the generation (OffsetCommit v9).

use super::consumer::{ConsumerView, LOOP_TICK, RETRY_BACKOFF_MS, no_offset};
use super::group::find_coordinator;
use super::group::{CallError, JoinSpec, KIP848_COMMIT_VERSIONS, Membership, commit};
use super::kip848::{Beat, heartbeat, offered, owned_by_id};
use super::metadata::names_by_id;
use super::reader::Reader;
use super::reconcile::{
    CommitStep, HeartbeatStep, JOIN_MEMBER_EPOCH, LEAVE_MEMBER_EPOCH, LEAVE_STATIC_MEMBER_EPOCH,
    Reconciliation, commit_step, heartbeat_step, member_id, reconcile,
};
use super::{ClientLink, now_epoch_ms};
use crate::attach::session::Session;
use crate::clients::backoff::retry_backoff_ms;
use crate::clients::spec::{CommitMode, ConsumerSpec};
use crate::clients::view::ConsumerState;
use crate::cluster::event::{EventKind, NoteText};
use crate::cluster::types::{BrokerId, TopicPartition};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

struct Member {
    spec: ConsumerSpec,
    /// Group id and instance id for OffsetCommit (the classic consumer's call).
    commit_as: JoinSpec,
    session: Session,
    link: ClientLink<ConsumerView>,
    coordinator: Option<BrokerId>,
    /// The ConsumerGroupHeartbeat version, once ApiVersions said the cluster offers it.
    version: Option<i16>,
    member_id: String,
    member_epoch: i32,
    /// Partitions it owns (fetches, commits, reports), sorted.
    owned: Vec<TopicPartition>,
    reader: Reader,
    next_heartbeat: Instant,
    not_before: Instant,
    attempts: u32,
    rng: ChaCha8Rng,
}

/// Runs the member until closed (true on the watch: commit, leave with epoch -1) or its sender
/// drops; ends at once, with the refusal on the timeline, when the cluster does not offer
/// ConsumerGroupHeartbeat.
pub async fn run(
    spec: ConsumerSpec,
    session: Session,
    link: ClientLink<ConsumerView>,
    mut close: tokio::sync::watch::Receiver<bool>,
) {
    let commit_as = JoinSpec::of(&spec, Default::default());
    let now = Instant::now();
    let seed = u64::from(link.id) ^ now_epoch_ms() as u64;
    let mut m = Member {
        spec,
        commit_as,
        session,
        link,
        coordinator: None,
        version: None,
        // The id stays the member's for the client's life, across rejoins (KIP-1082).
        member_id: member_id(rand::random::<u128>),
        member_epoch: JOIN_MEMBER_EPOCH,
        owned: Vec::new(),
        reader: Reader::new(now),
        next_heartbeat: now,
        not_before: now,
        attempts: 0,
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    let mut tick = tokio::time::interval(LOOP_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = close.changed() => if changed.is_err() { break },
        }
        if *close.borrow() {
            m.close().await;
            return;
        }
        if !m.step().await {
            break;
        }
    }
    m.link.update(|v| {
        v.snapshot.state = ConsumerState::Closed;
        v.snapshot.assigned.clear();
    });
}

impl Member {
    /// One turn of the loop; false when the member cannot go on.
    async fn step(&mut self) -> bool {
        let now = Instant::now();
        if now < self.not_before {
            return true;
        }
        let Some(coordinator) = self.coordinator else {
            // FindCoordinator first reads ApiVersions, which say whether KIP-848 is offered.
            match find_coordinator(&mut self.session, &self.spec.group_id).await {
                Ok(b) => self.coordinator = Some(b),
                Err(e) => return self.backoff("FindCoordinator", &e),
            }
            if self.version.is_none() {
                let Some(v) = offered(&self.session) else {
                    self.link.emit(EventKind::Note {
                        text: NoteText::AttachConsumerProtocolRefused,
                    });
                    return false;
                };
                self.version = Some(v);
            }
            return true;
        };
        if let Err(e) = self
            .reader
            .refresh_leaders(&mut self.session, &self.spec.topics)
            .await
        {
            return self.backoff("Metadata", &CallError::Transport(e.to_string()));
        }
        if now >= self.next_heartbeat && !self.heartbeat(coordinator).await {
            return false;
        }
        if self.coordinator.is_none() || self.member_epoch <= JOIN_MEMBER_EPOCH {
            return true;
        }
        self.reader
            .poll(&mut self.session, &self.spec, &mut self.link)
            .await;
        if self
            .reader
            .commit_due(self.spec.commit_mode, Instant::now())
        {
            self.commit(coordinator, None).await;
        }
        true
    }

    fn auto_commit(&self) -> bool {
        matches!(self.spec.commit_mode, CommitMode::Auto { .. })
    }

    /// Topic name → id of the subscribed topics Metadata named.
    fn topic_ids(&self) -> BTreeMap<String, Uuid> {
        names_by_id(&self.reader.leaders)
            .into_iter()
            .map(|(id, name)| (name, id))
            .collect()
    }

    /// One ConsumerGroupHeartbeat (a join at epoch 0) and what its answer says; false when
    /// the member must stop.
    async fn heartbeat(&mut self, coordinator: BrokerId) -> bool {
        let Some(version) = self.version else {
            return true;
        };
        let owned = owned_by_id(&self.owned, &self.topic_ids());
        let beat = Beat {
            group: &self.spec.group_id,
            // v0 predates client-made ids: the first join asks the coordinator for one.
            member_id: if version == 0 && self.member_epoch == JOIN_MEMBER_EPOCH {
                ""
            } else {
                &self.member_id
            },
            member_epoch: self.member_epoch,
            instance_id: self.spec.group_instance_id.as_deref(),
            rebalance_timeout_ms: i32::try_from(self.spec.max_poll_interval_ms).unwrap_or(i32::MAX),
            topics: &self.spec.topics,
            assignor: self.spec.remote_assignor.map(|a| a.name()),
            owned: &owned,
        };
        let answer = match heartbeat(&mut self.session, coordinator, version, &beat).await {
            Ok(a) => a,
            Err(e) => {
                let step = match &e {
                    CallError::Code(c, _) => heartbeat_step(*c),
                    CallError::Transport(_) => HeartbeatStep::Rediscover,
                };
                return match step {
                    HeartbeatStep::Rejoin => {
                        self.link.error(&format!("ConsumerGroupHeartbeat: {e}"));
                        self.lose_partitions();
                        true
                    }
                    HeartbeatStep::Rediscover => {
                        self.coordinator = None;
                        self.backoff("ConsumerGroupHeartbeat", &e)
                    }
                    HeartbeatStep::Retry => self.backoff("ConsumerGroupHeartbeat", &e),
                    HeartbeatStep::Fatal => {
                        self.link.error(&format!("ConsumerGroupHeartbeat: {e}"));
                        false
                    }
                };
            }
        };
        self.attempts = 0;
        self.link.clear_error();
        if let Some(id) = answer.member_id.filter(|id| !id.is_empty()) {
            self.member_id = id;
        }
        self.member_epoch = answer.member_epoch;
        let interval = Duration::from_millis(answer.heartbeat_interval_ms.max(1) as u64);
        self.next_heartbeat = Instant::now() + interval;
        if let Some(assignment) = answer.assignment {
            let done = self.reconcile(coordinator, &assignment).await;
            if done.changed() {
                // Acknowledge at once: the coordinator gives revoked partitions to the others
                // only once this member reports them gone.
                self.next_heartbeat = Instant::now();
            }
        }
        let (epoch, member_id, owned) = (
            self.member_epoch,
            self.member_id.clone(),
            self.owned.clone(),
        );
        self.link.update(|v| {
            v.generation = epoch;
            v.snapshot.member_id = Some(member_id);
            v.snapshot.assigned = owned;
        });
        true
    }

    /// Applies an assignment: revoke first (commit, stop fetching), then take the new ones.
    async fn reconcile(
        &mut self,
        coordinator: BrokerId,
        assignment: &[(Uuid, Vec<i32>)],
    ) -> Reconciliation {
        let mut names = names_by_id(&self.reader.leaders);
        if assignment.iter().any(|(id, _)| !names.contains_key(id)) {
            // A topic id Metadata has not named yet (a topic created since): ask again now.
            self.reader.refresh = true;
            if let Err(e) = self
                .reader
                .refresh_leaders(&mut self.session, &self.spec.topics)
                .await
            {
                self.link.error(&format!("Metadata: {e}"));
            }
            names = names_by_id(&self.reader.leaders);
        }
        let mut r = reconcile(&self.owned, assignment, &names);
        if !r.unresolved.is_empty() {
            self.reader.refresh = true;
        }
        if !r.revoked.is_empty() {
            // onPartitionsRevoked: with auto-commit Kafka's consumer commits what it read first.
            if self.auto_commit() {
                self.commit(coordinator, Some(r.revoked.clone())).await;
            }
            self.owned.retain(|tp| !r.revoked.contains(tp));
            self.reader.keep_only(&self.owned);
        }
        if !r.added.is_empty() {
            match self
                .reader
                .start(&mut self.session, coordinator, &self.spec, &r.added)
                .await
            {
                Ok(missing) => {
                    if missing > 0 {
                        self.link.error(&no_offset(missing));
                    }
                    self.owned.extend(r.added.iter().cloned());
                    self.owned.sort();
                }
                Err(e) => {
                    // Not taken: the coordinator sends them again while the member does not
                    // report them.
                    self.link.error(&format!("OffsetFetch: {e}"));
                    r.added.clear();
                }
            }
        }
        r
    }

    /// Fenced or forgotten: the partitions are lost, not revoked (no commit: another member may
    /// own them already), and the member joins again at epoch 0 with the same id.
    fn lose_partitions(&mut self) {
        self.owned.clear();
        self.reader.keep_only(&[]);
        self.member_epoch = JOIN_MEMBER_EPOCH;
        self.next_heartbeat = Instant::now();
        self.link.update(|v| {
            v.generation = JOIN_MEMBER_EPOCH;
            v.snapshot.assigned.clear();
        });
    }

    /// Commits the positions that moved (of `only`, when given) with the member epoch.
    async fn commit(&mut self, coordinator: BrokerId, only: Option<Vec<TopicPartition>>) {
        let changed = self.reader.to_commit(only.as_deref());
        if changed.is_empty() {
            return;
        }
        let m = Membership {
            member_id: self.member_id.clone(),
            generation: self.member_epoch,
            assigned: self.owned.clone(),
        };
        let r = commit(
            &mut self.session,
            coordinator,
            &self.commit_as,
            &m,
            &changed,
            KIP848_COMMIT_VERSIONS,
        )
        .await;
        let code = match r {
            Ok(()) => {
                self.reader.committed(changed);
                return;
            }
            Err(CallError::Code(c, _)) => c,
            Err(e) => {
                self.link.error(&format!("OffsetCommit: {e}"));
                return;
            }
        };
        self.link.error(&format!(
            "OffsetCommit: {}",
            CallError::Code(code, String::new())
        ));
        match commit_step(code) {
            // Not marked committed: the next commit sends them again, with the epoch the
            // heartbeat by then brought.
            CommitStep::RetryWithNewEpoch | CommitStep::Report => {}
            CommitStep::Rejoin => self.lose_partitions(),
            CommitStep::Rediscover => self.coordinator = None,
        }
    }

    /// Waits `retry.backoff.ms`, growing with each failure, before the next call.
    fn backoff(&mut self, call: &str, e: &CallError) -> bool {
        self.link.error(&format!("{call}: {e}"));
        self.attempts += 1;
        let ms = retry_backoff_ms(
            RETRY_BACKOFF_MS.0,
            RETRY_BACKOFF_MS.1,
            self.attempts.saturating_sub(1),
            &mut self.rng,
        );
        self.not_before = Instant::now() + Duration::from_millis(ms.max(0) as u64);
        true
    }

    /// `x`: commit (auto commit does on close), then leave with epoch -1 (-2 for a static
    /// member, which keeps its partitions until its session expires).
    async fn close(&mut self) {
        if let (Some(coordinator), Some(version)) = (self.coordinator, self.version)
            && self.member_epoch > JOIN_MEMBER_EPOCH
        {
            if self.auto_commit() {
                self.commit(coordinator, None).await;
            }
            let leave = Beat {
                group: &self.spec.group_id,
                member_id: &self.member_id,
                member_epoch: if self.spec.group_instance_id.is_some() {
                    LEAVE_STATIC_MEMBER_EPOCH
                } else {
                    LEAVE_MEMBER_EPOCH
                },
                instance_id: self.spec.group_instance_id.as_deref(),
                rebalance_timeout_ms: -1,
                topics: &[],
                assignor: None,
                owned: &[],
            };
            if let Err(e) = heartbeat(&mut self.session, coordinator, version, &leave).await {
                self.link
                    .error(&format!("ConsumerGroupHeartbeat (leave): {e}"));
            }
        }
        self.link.update(|v| {
            v.snapshot.state = ConsumerState::Closed;
            v.snapshot.assigned.clear();
        });
    }
}
