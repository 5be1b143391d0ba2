//! A consumer the dashboard started on a real cluster, in a group by the classic protocol: finds
//! its coordinator, joins (the leader assigns with the lab's assignors), heartbeats every
//! `heartbeat.interval.ms`, rejoins when the coordinator says so, fetches from the leaders from
//! the committed offsets (`auto.offset.reset` otherwise), commits as its commit mode says, and
//! sends LeaveGroup when closed. Killed, it simply stops: its connections drop, no LeaveGroup.

use super::assign::{leader_assignment, revoked, subscribed_topics};
use super::group::{
    CLASSIC_COMMIT_VERSIONS, CallError, JoinSpec, Membership, Step, commit, find_coordinator,
    heartbeat, join, leave, next_step, sync,
};
use super::metadata::leaders;
use super::reader::Reader;
use super::{ClientLink, now_epoch_ms};
use crate::attach::session::Session;
use crate::clients::backoff::retry_backoff_ms;
use crate::clients::spec::{CommitMode, ConsumerSpec};
use crate::clients::view::{ConsumerSnapshot, ConsumerState};
use crate::cluster::types::{AssignorKind, BrokerId, TopicPartition};
use crate::protocol::consumer_protocol::{decode_assignment, encode_subscription};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How often the consumer's loop wakes when nothing arrives (a Fetch waits up to 500 ms itself).
pub const LOOP_TICK: Duration = Duration::from_millis(100);
/// Kafka's `retry.backoff.ms` and `retry.backoff.max.ms` for group calls.
pub const RETRY_BACKOFF_MS: (u64, u64) = (100, 1_000);

/// What the dashboard shows of its consumer: the lab's consumer view and the group generation
/// (which a poller cannot see: DescribeGroups does not tell it).
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerView {
    /// As the lab's consumers show.
    pub snapshot: ConsumerSnapshot,
    /// The generation of its last SyncGroup (0 before); a KIP-848 member's epoch instead.
    pub generation: i32,
    /// Whether it speaks the consumer protocol (KIP-848): `generation` is its member epoch.
    pub kip848: bool,
}

struct Consumer {
    spec: ConsumerSpec,
    join: JoinSpec,
    session: Session,
    link: ClientLink<ConsumerView>,
    coordinator: Option<BrokerId>,
    member: Membership,
    joined: bool,
    reader: Reader,
    last_heartbeat: Instant,
    not_before: Instant,
    attempts: u32,
    rng: ChaCha8Rng,
}

/// Runs the consumer until closed (true on the watch: commit, LeaveGroup) or its sender drops.
pub async fn run(
    spec: ConsumerSpec,
    session: Session,
    link: ClientLink<ConsumerView>,
    mut close: tokio::sync::watch::Receiver<bool>,
) {
    let join = JoinSpec::of(
        &spec,
        (
            spec.assignor.protocol_name().to_string(),
            Default::default(),
        ),
    );
    let now = Instant::now();
    let seed = u64::from(link.id) ^ now_epoch_ms() as u64;
    let mut c = Consumer {
        spec,
        join,
        session,
        link,
        coordinator: None,
        member: Membership::default(),
        joined: false,
        reader: Reader::new(now),
        last_heartbeat: now,
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
            c.close().await;
            return;
        }
        if !c.step().await {
            break;
        }
    }
    c.link.update(|v| v.snapshot.state = ConsumerState::Closed);
}

impl Consumer {
    /// One turn of the loop; false when the consumer cannot go on.
    async fn step(&mut self) -> bool {
        if Instant::now() < self.not_before {
            return true;
        }
        let Some(coordinator) = self.coordinator else {
            match find_coordinator(&mut self.session, &self.spec.group_id).await {
                Ok(b) => self.coordinator = Some(b),
                Err(e) => return self.failed("FindCoordinator", e),
            }
            return true;
        };
        if let Err(e) = self
            .reader
            .refresh_leaders(&mut self.session, &self.spec.topics)
            .await
        {
            return self.failed("Metadata", CallError::Transport(e.to_string()));
        }
        if !self.joined {
            return match self.rejoin(coordinator).await {
                Ok(()) => {
                    self.attempts = 0;
                    self.link.clear_error();
                    true
                }
                Err((call, e)) => self.failed(call, e),
            };
        }
        let now = Instant::now();
        if now.duration_since(self.last_heartbeat)
            >= Duration::from_millis(self.spec.heartbeat_interval_ms)
        {
            self.last_heartbeat = now;
            if let Err(e) =
                heartbeat(&mut self.session, coordinator, &self.join, &self.member).await
            {
                if matches!(e, CallError::Code(..)) && self.auto_commit() {
                    // Kafka's consumer commits before it gives its partitions up.
                    self.commit(coordinator).await;
                }
                return self.failed("Heartbeat", e);
            }
        }
        self.reader
            .poll(&mut self.session, &self.spec, &mut self.link)
            .await;
        if self.reader.commit_due(self.spec.commit_mode, now) {
            self.commit(coordinator).await;
        }
        true
    }

    fn auto_commit(&self) -> bool {
        matches!(self.spec.commit_mode, CommitMode::Auto { .. })
    }

    /// Decides what an error means (rejoin, find the coordinator, back off); false when fatal.
    fn failed(&mut self, call: &str, e: CallError) -> bool {
        let step = match &e {
            CallError::Code(c, member) => {
                if *c == 79 {
                    // MEMBER_ID_REQUIRED: the coordinator gave the id to join with (KIP-394).
                    self.member.member_id = member.clone();
                }
                next_step(*c)
            }
            // The connection to the coordinator failed: find it again (Kafka marks it unknown).
            CallError::Transport(_) => Step::Rediscover,
        };
        match step {
            Step::Continue => {}
            Step::Rejoin { reset_member } => {
                self.joined = false;
                if reset_member {
                    self.member.member_id.clear();
                }
                return true;
            }
            Step::Rediscover => {
                self.coordinator = None;
                self.joined = false;
            }
            Step::Retry => {}
            Step::Fatal => {
                self.link.error(&format!("{call}: {e}"));
                return false;
            }
        }
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

    /// JoinGroup and SyncGroup (the leader computing the assignment), then positions.
    async fn rejoin(&mut self, coordinator: BrokerId) -> Result<(), (&'static str, CallError)> {
        let owned = self.member.assigned.clone();
        self.join.protocol.1 = encode_subscription(&self.spec.topics, &owned);
        let member_id = self.member.member_id.clone();
        let joined = join(&mut self.session, coordinator, &self.join, &member_id)
            .await
            .map_err(|e| ("JoinGroup", e))?;
        self.member.member_id = joined.member_id.clone();
        let assignments = if joined.leader == joined.member_id {
            let topics = subscribed_topics(&joined.members);
            let counts: BTreeMap<String, i32> = leaders(&mut self.session, &topics)
                .await
                .map_err(|e| ("Metadata", CallError::Transport(e.to_string())))?
                .into_iter()
                .map(|(t, l)| (t, l.count()))
                .collect();
            let kind =
                AssignorKind::from_protocol_name(&joined.protocol).unwrap_or(self.spec.assignor);
            leader_assignment(kind, &joined.members, &counts)
        } else {
            Vec::new()
        };
        let bytes = sync(
            &mut self.session,
            coordinator,
            &self.join,
            &joined,
            assignments,
        )
        .await
        .map_err(|e| ("SyncGroup", e))?;
        let assigned = decode_assignment(&bytes).unwrap_or_default();
        self.member = Membership {
            member_id: joined.member_id.clone(),
            generation: joined.generation,
            assigned: assigned.clone(),
        };
        self.joined = true;
        self.last_heartbeat = Instant::now();
        self.reader.keep_only(&assigned);
        let new: Vec<TopicPartition> = assigned
            .iter()
            .filter(|tp| !self.reader.reads(tp))
            .cloned()
            .collect();
        let missing = self
            .reader
            .start(&mut self.session, coordinator, &self.spec, &new)
            .await
            .map_err(|e| ("OffsetFetch", CallError::Transport(e)))?;
        if missing > 0 {
            self.link.error(&no_offset(missing));
        }
        let generation = joined.generation;
        let member_id = joined.member_id.clone();
        self.link.update(|v| {
            v.generation = generation;
            v.snapshot.member_id = Some(member_id);
            v.snapshot.assigned = assigned.clone();
        });
        if self.spec.assignor == AssignorKind::CooperativeSticky
            && !revoked(&owned, &self.member.assigned).is_empty()
        {
            // KIP-429: partitions taken away are revoked now and handed over in the next round.
            self.joined = false;
        }
        Ok(())
    }

    /// Commits the positions that moved since the last commit.
    async fn commit(&mut self, coordinator: BrokerId) {
        let changed = self.reader.to_commit(None);
        if changed.is_empty() {
            return;
        }
        match commit(
            &mut self.session,
            coordinator,
            &self.join,
            &self.member,
            &changed,
            CLASSIC_COMMIT_VERSIONS,
        )
        .await
        {
            Ok(()) => self.reader.committed(changed),
            Err(e) => self.link.error(&format!("OffsetCommit: {e}")),
        }
    }

    /// `x`: commit (auto commit does on close), LeaveGroup, end.
    async fn close(&mut self) {
        if let (Some(coordinator), true) = (self.coordinator, self.joined) {
            if self.auto_commit() {
                self.commit(coordinator).await;
            }
            if let Err(e) = leave(
                &mut self.session,
                coordinator,
                &self.join,
                &self.member.member_id,
            )
            .await
            {
                self.link.error(&format!("LeaveGroup: {e}"));
            }
        }
        self.link.update(|v| {
            v.snapshot.state = ConsumerState::Closed;
            v.snapshot.assigned.clear();
        });
    }
}

/// What `auto.offset.reset=none` says when partitions have no committed offset.
pub fn no_offset(partitions: usize) -> String {
    format!(
        "no committed offset for {partitions} and auto.offset.reset=none (NoOffsetForPartitionException)"
    )
}
