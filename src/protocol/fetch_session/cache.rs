//! Kafka's `FetchSessionCache` on simulated time: the sessions, ordered by last use (to find a
//! stale one) and by value (privileged, partitions, id: to find one a newcomer may evict).

use super::session::{Answer, Session, next_epoch};
use super::{
    Context, FINAL_EPOCH, INITIAL_EPOCH, NO_SESSION, Part, PartKey, SESSION_PARTITIONS_MAX,
};
use crate::cluster::topic_id::TopicId;
use crate::protocol::wire_error::WireError;
use std::collections::{BTreeMap, BTreeSet};

/// Kafka's `EvictableKey`, ordered as it is: consumers' sessions before followers', then fewer
/// partitions first, then id.
type EvictKey = (bool, usize, i32);

/// One broker's fetch sessions, at most `slots` of them.
#[derive(Clone, Debug)]
pub struct SessionCache {
    slots: usize,
    eviction_ms: i64,
    sessions: BTreeMap<i32, Session>,
    /// (last used ms, id) of every session.
    last_used: BTreeSet<(i64, i32)>,
    /// The value key each session was filed under at its last use.
    filed: BTreeMap<i32, EvictKey>,
    /// Sessions anyone may evict: created more than `eviction_ms` before their last use.
    evictable_by_all: BTreeSet<EvictKey>,
    /// Sessions a follower may evict: those, and every consumer's session.
    evictable_by_privileged: BTreeSet<EvictKey>,
    /// State of the seeded generator of session ids.
    rng: u64,
}

impl SessionCache {
    /// An empty cache of `slots` sessions; `seed` makes the session ids.
    pub fn new(slots: usize, eviction_ms: i64, seed: u64) -> Self {
        Self {
            slots,
            eviction_ms,
            sessions: BTreeMap::new(),
            last_used: BTreeSet::new(),
            filed: BTreeMap::new(),
            evictable_by_all: BTreeSet::new(),
            evictable_by_privileged: BTreeSet::new(),
            rng: seed,
        }
    }

    /// Sessions held.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// A session, by id.
    pub fn get(&self, id: i32) -> Option<&Session> {
        self.sessions.get(&id)
    }

    /// Reads a request's session fields (Kafka's `FetchManager.newContext`). `parts` are the
    /// partitions it names, `forgotten` those it drops, `resolve` names a topic id as the
    /// metadata does now.
    #[allow(clippy::too_many_arguments)]
    pub fn new_context(
        &mut self,
        version: i16,
        session_id: i32,
        epoch: i32,
        privileged: bool,
        parts: Vec<Part>,
        forgotten: &[PartKey],
        now_ms: i64,
        resolve: &dyn Fn(TopicId) -> Option<String>,
    ) -> Context {
        if epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH {
            // A full fetch closes the session it names.
            if session_id != NO_SESSION {
                self.remove(session_id);
            }
            return if epoch == FINAL_EPOCH {
                Context::Sessionless(parts)
            } else {
                Context::Full {
                    parts,
                    privileged,
                    uses_topic_ids: version >= 13,
                }
            };
        }
        let Some(session) = self.sessions.get_mut(&session_id) else {
            return Context::SessionError(WireError::FetchSessionIdNotFound);
        };
        if session.epoch != epoch {
            return Context::SessionError(WireError::InvalidFetchSessionEpoch);
        }
        if session.uses_topic_ids != (version >= 13) {
            return Context::SessionError(WireError::FetchSessionTopicIdError);
        }
        session.update(&parts, forgotten);
        if session.partitions.is_empty() {
            // Nothing left to fetch: the session ends and the request is answered as named.
            self.remove(session_id);
            return Context::Sessionless(parts);
        }
        if session.partitions.len() > SESSION_PARTITIONS_MAX {
            self.remove(session_id);
            return Context::SessionError(WireError::FetchSessionIdNotFound);
        }
        session.epoch = next_epoch(session.epoch);
        let epoch = session.epoch;
        let parts = session.parts(resolve);
        self.touch(session_id, now_ms);
        Context::Incremental {
            session_id,
            epoch,
            parts,
        }
    }

    /// After a full fetch is answered: a new session holding its partitions with what was sent,
    /// if there is a slot (or one can be evicted); its id, else [`NO_SESSION`].
    pub fn finish_full(
        &mut self,
        now_ms: i64,
        privileged: bool,
        uses_topic_ids: bool,
        answered: &[(Part, Answer)],
    ) -> i32 {
        let size = answered.len();
        if size > SESSION_PARTITIONS_MAX {
            return NO_SESSION;
        }
        if self.sessions.len() >= self.slots
            && !self.try_evict(privileged, (privileged, size, 0), now_ms)
        {
            return NO_SESSION;
        }
        let id = self.new_session_id();
        let partitions = answered
            .iter()
            .map(|(p, a)| {
                let mut c = super::CachedPartition::new(p);
                c.must_respond(a, true);
                c
            })
            .collect();
        self.sessions.insert(
            id,
            Session {
                id,
                privileged,
                uses_topic_ids,
                partitions,
                creation_ms: now_ms,
                last_used_ms: now_ms,
                epoch: next_epoch(INITIAL_EPOCH),
            },
        );
        self.touch(id, now_ms);
        id
    }

    /// After an incremental fetch is answered: which partitions go in the answer (Kafka's rule,
    /// [`super::CachedPartition::must_respond`]), remembering what they carry. `epoch` is the
    /// context's: if another request used the session meanwhile, INVALID_FETCH_SESSION_EPOCH.
    pub fn finish_incremental(
        &mut self,
        session_id: i32,
        epoch: i32,
        answered: &[(PartKey, Answer)],
    ) -> Result<Vec<bool>, WireError> {
        let Some(session) = self.sessions.get_mut(&session_id) else {
            // Evicted while the fetch waited: Kafka's context still holds the session and
            // answers in full; the next request finds no session.
            return Ok(vec![true; answered.len()]);
        };
        if session.epoch != epoch {
            return Err(WireError::InvalidFetchSessionEpoch);
        }
        let mut moved = Vec::new();
        let include = answered
            .iter()
            .map(|(key, a)| {
                let Some(c) = session.partitions.iter_mut().find(|c| c.key == *key) else {
                    return false;
                };
                let must = c.must_respond(a, true);
                if must && a.records_bytes > 0 {
                    moved.push(key.clone());
                }
                must
            })
            .collect();
        // A partition that sent records goes to the back, so the next answer's byte budget
        // starts with the others.
        for key in moved {
            if let Some(i) = session.partitions.iter().position(|c| c.key == key) {
                let c = session.partitions.remove(i);
                session.partitions.push(c);
            }
        }
        Ok(include)
    }

    /// Kafka's `tryEvict`: a stale session (unused for `eviction_ms`) goes first; else the least
    /// valuable evictable one, if `key` is worth at least as much.
    fn try_evict(&mut self, privileged: bool, key: EvictKey, now_ms: i64) -> bool {
        let Some(&(last_used_ms, oldest)) = self.last_used.first() else {
            return false;
        };
        if now_ms - last_used_ms > self.eviction_ms {
            self.remove(oldest);
            return true;
        }
        let set = if privileged {
            &self.evictable_by_privileged
        } else {
            &self.evictable_by_all
        };
        match set.first() {
            Some(&victim) if key >= victim => {
                self.remove(victim.2);
                true
            }
            _ => false,
        }
    }

    /// Kafka's `touch`: files the session again under its new last use and size.
    fn touch(&mut self, id: i32, now_ms: i64) {
        let Some(s) = self.sessions.get_mut(&id) else {
            return;
        };
        self.last_used.remove(&(s.last_used_ms, id));
        s.last_used_ms = now_ms;
        self.last_used.insert((now_ms, id));
        if let Some(old) = self.filed.remove(&id) {
            self.evictable_by_all.remove(&old);
            self.evictable_by_privileged.remove(&old);
        }
        let key = (s.privileged, s.partitions.len(), id);
        let old_enough = now_ms - s.creation_ms > self.eviction_ms;
        if !s.privileged || old_enough {
            self.evictable_by_privileged.insert(key);
        }
        if old_enough {
            self.evictable_by_all.insert(key);
        }
        self.filed.insert(id, key);
    }

    /// Drops a session (closed, evicted, emptied).
    pub fn remove(&mut self, id: i32) -> Option<Session> {
        let s = self.sessions.remove(&id)?;
        self.last_used.remove(&(s.last_used_ms, id));
        if let Some(key) = self.filed.remove(&id) {
            self.evictable_by_all.remove(&key);
            self.evictable_by_privileged.remove(&key);
        }
        Some(s)
    }

    /// A positive id no session has, from the seeded generator (Kafka draws one at random).
    fn new_session_id(&mut self) -> i32 {
        loop {
            self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let id = (z % (i32::MAX as u64)) as i32 + 1;
            if !self.sessions.contains_key(&id) {
                return id;
            }
        }
    }
}
