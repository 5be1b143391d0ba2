//! The session cache on its own: epochs, incremental omission, forgetting, eviction by Kafka's
//! rules, all on simulated milliseconds.

use super::*;
use crate::protocol::wire_error::WireError;

fn part(topic: &str, p: i32, offset: i64) -> Part {
    Part {
        key: PartKey::Name(topic.into(), p),
        name: Some(topic.into()),
        fetch_offset: offset,
        max_bytes: 1 << 20,
    }
}

fn answer(hw: i64, bytes: usize) -> Answer {
    Answer {
        records_bytes: bytes,
        high_watermark: hw,
        log_start_offset: 0,
        error_code: 0,
    }
}

fn no_ids(_: TopicId) -> Option<String> {
    None
}

/// A full fetch of `n` partitions of topic `t` at `now`: the session id it got.
fn full(c: &mut SessionCache, t: &str, n: i32, privileged: bool, now: i64) -> i32 {
    let parts: Vec<Part> = (0..n).map(|p| part(t, p, 0)).collect();
    let ctx = c.new_context(
        12,
        0,
        INITIAL_EPOCH,
        privileged,
        parts.clone(),
        &[],
        now,
        &no_ids,
    );
    assert!(matches!(ctx, Context::Full { .. }));
    let answered: Vec<_> = parts.into_iter().map(|p| (p, answer(0, 0))).collect();
    c.finish_full(now, privileged, false, &answered)
}

fn incremental(c: &mut SessionCache, id: i32, epoch: i32, parts: Vec<Part>) -> Context {
    c.new_context(12, id, epoch, false, parts, &[], 1_000, &no_ids)
}

#[test]
fn a_full_fetch_opens_a_session_and_epochs_must_follow_one_by_one() {
    let mut c = SessionCache::new(10, EVICTION_MS, 7);
    let id = full(&mut c, "t", 2, false, 0);
    assert_ne!(id, NO_SESSION);
    assert_eq!(c.get(id).expect("session").epoch, 1);
    let Context::Incremental { epoch, parts, .. } = incremental(&mut c, id, 1, vec![]) else {
        panic!("epoch 1 is the next one")
    };
    assert_eq!(epoch, 2);
    assert_eq!(
        parts.len(),
        2,
        "an incremental fetch reads every partition of the session"
    );
    assert_eq!(
        incremental(&mut c, id, 1, vec![]),
        Context::SessionError(WireError::InvalidFetchSessionEpoch),
        "a replayed epoch is refused"
    );
    assert_eq!(
        incremental(&mut c, id + 1, 2, vec![]),
        Context::SessionError(WireError::FetchSessionIdNotFound)
    );
    // A request naming topics by id (v13+) cannot use a session made with names.
    assert_eq!(
        c.new_context(13, id, 2, false, vec![], &[], 1_000, &no_ids),
        Context::SessionError(WireError::FetchSessionTopicIdError)
    );
    assert!(matches!(
        incremental(&mut c, id, 2, vec![]),
        Context::Incremental { epoch: 3, .. }
    ));
}

#[test]
fn an_incremental_answer_leaves_out_partitions_with_nothing_new() {
    let mut c = SessionCache::new(10, EVICTION_MS, 7);
    let id = full(&mut c, "t", 3, false, 0);
    let Context::Incremental { epoch, .. } = incremental(&mut c, id, 1, vec![]) else {
        panic!()
    };
    let keys: Vec<PartKey> = (0..3).map(|p| PartKey::Name("t".into(), p)).collect();
    // Partition 0 got records (and a new HW), 1 only a new log start offset, 2 nothing.
    let mut moved_start = answer(0, 0);
    moved_start.log_start_offset = 5;
    let include = c
        .finish_incremental(
            id,
            epoch,
            &[
                (keys[0].clone(), answer(3, 120)),
                (keys[1].clone(), moved_start),
                (keys[2].clone(), answer(0, 0)),
            ],
        )
        .expect("same epoch");
    assert_eq!(include, vec![true, true, false]);
    // The partition that sent records reads last next time.
    let order: Vec<_> = c
        .get(id)
        .expect("s")
        .partitions
        .iter()
        .map(|p| p.key.clone())
        .collect();
    assert_eq!(
        order,
        vec![keys[1].clone(), keys[2].clone(), keys[0].clone()]
    );
    // An error is always sent, and the HW is forgotten so the partition comes back after it.
    let Context::Incremental { epoch, .. } = incremental(&mut c, id, epoch, vec![]) else {
        panic!()
    };
    let mut failed = answer(-1, 0);
    failed.error_code = 6;
    let include = c
        .finish_incremental(
            id,
            epoch,
            &[(keys[0].clone(), failed), (keys[1].clone(), moved_start)],
        )
        .expect("same epoch");
    assert_eq!(include, vec![true, false]);
    assert_eq!(c.get(id).expect("s").partitions[2].high_watermark, -1);
    // A second request took the session meanwhile: the first one's answer is refused.
    let Context::Incremental { epoch: stale, .. } = incremental(&mut c, id, epoch, vec![]) else {
        panic!()
    };
    let Context::Incremental { .. } = incremental(&mut c, id, stale, vec![]) else {
        panic!()
    };
    assert_eq!(
        c.finish_incremental(id, stale, &[]),
        Err(WireError::InvalidFetchSessionEpoch)
    );
}

#[test]
fn forgotten_partitions_leave_the_session_and_the_last_one_ends_it() {
    let mut c = SessionCache::new(10, EVICTION_MS, 7);
    let id = full(&mut c, "t", 2, false, 0);
    let gone = [PartKey::Name("t".into(), 0)];
    let Context::Incremental { parts, epoch, .. } =
        c.new_context(12, id, 1, false, vec![part("t", 1, 9)], &gone, 10, &no_ids)
    else {
        panic!()
    };
    assert_eq!(
        parts,
        vec![part("t", 1, 9)],
        "updated offset, partition 0 forgotten"
    );
    let gone = [PartKey::Name("t".into(), 1)];
    assert_eq!(
        c.new_context(12, id, epoch, false, vec![], &gone, 20, &no_ids),
        Context::Sessionless(vec![])
    );
    assert!(c.get(id).is_none());
}

#[test]
fn epoch_minus_one_closes_the_named_session_and_fetches_without_one() {
    let mut c = SessionCache::new(10, EVICTION_MS, 7);
    let id = full(&mut c, "t", 1, false, 0);
    let ctx = c.new_context(
        12,
        id,
        FINAL_EPOCH,
        false,
        vec![part("t", 0, 0)],
        &[],
        5,
        &no_ids,
    );
    assert_eq!(ctx, Context::Sessionless(vec![part("t", 0, 0)]));
    assert!(c.is_empty());
    // A new full fetch naming an old session closes it and opens another.
    let a = full(&mut c, "t", 1, false, 0);
    let ctx = c.new_context(12, a, INITIAL_EPOCH, false, vec![], &[], 5, &no_ids);
    assert!(matches!(ctx, Context::Full { .. }));
    assert!(c.get(a).is_none());
}

#[test]
fn a_full_cache_evicts_stale_then_smaller_old_sessions_and_spares_young_ones() {
    let mut c = SessionCache::new(2, EVICTION_MS, 7);
    let a = full(&mut c, "a", 2, false, 0);
    let b = full(&mut c, "b", 5, false, 0);
    // Both young: a consumer's new session finds no slot.
    assert_eq!(full(&mut c, "c", 9, false, 1_000), NO_SESSION);
    // A follower may evict a young consumer session: the smallest goes.
    let f = full(&mut c, "f", 1, true, 1_000);
    assert_ne!(f, NO_SESSION);
    assert!(c.get(a).is_none() && c.get(b).is_some());
    // b is used again after 130 s: old enough to be evicted by a bigger consumer session, but
    // not by a smaller one; the follower's stays while young.
    let Context::Incremental { .. } = c.new_context(12, b, 1, false, vec![], &[], 130_000, &no_ids)
    else {
        panic!()
    };
    let Context::Incremental { .. } = c.new_context(12, f, 1, true, vec![], &[], 130_000, &no_ids)
    else {
        panic!()
    };
    assert_eq!(full(&mut c, "small", 3, false, 130_500), NO_SESSION);
    let big = full(&mut c, "big", 6, false, 130_500);
    assert_ne!(big, NO_SESSION);
    assert!(c.get(b).is_none() && c.get(f).is_some());
    // A session unused for over 120 s is stale: any newcomer takes its slot.
    let late = full(&mut c, "late", 1, false, 130_000 + EVICTION_MS + 1);
    assert_ne!(late, NO_SESSION);
    assert!(
        c.get(f).is_none(),
        "the least recently used session was stale"
    );
    assert_eq!(c.len(), 2);
}

#[test]
fn session_ids_are_positive_unique_and_the_same_for_the_same_seed() {
    let ids = |seed| {
        let mut c = SessionCache::new(SESSION_SLOTS, EVICTION_MS, seed);
        (0..50)
            .map(|i| full(&mut c, "t", 1, false, i))
            .collect::<Vec<_>>()
    };
    let a = ids(3);
    assert_eq!(a, ids(3));
    assert_ne!(a, ids(4));
    assert!(a.iter().all(|id| *id > 0));
    let unique: std::collections::BTreeSet<_> = a.iter().collect();
    assert_eq!(unique.len(), a.len());
}

#[test]
fn a_broker_restart_forgets_its_sessions() {
    let mut s = FetchSessions::default();
    let id = full(s.cache(1, 1, 42), "t", 1, false, 0);
    assert_ne!(id, NO_SESSION);
    assert_eq!(s.count(1, 1), 1);
    assert_eq!(s.count(1, 2), 0);
    assert!(s.cache(1, 2, 42).get(id).is_none());
}
