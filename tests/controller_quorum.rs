//! The KRaft controller quorum seen from the cluster: a killed active controller is replaced by
//! vote; below a majority nothing is elected and no topic is created, until the majority returns;
//! brokers apply only committed metadata.

mod common;

use common::{TestLab, tp};
use kafka_lab::cluster::KafkaError;
use kafka_lab::cluster::event::{EventKind, QuorumChange};
use kafka_lab::cluster::kraft::Role;
use kafka_lab::cluster::topic::TopicSpec;

fn dedicated(seed: u64) -> TestLab {
    let mut t = TestLab::new(3, seed, |c| {
        c.controllers = 3;
        c.broker_session_timeout_ms = 3_000;
        c.auto_leader_rebalance = false;
    });
    t.lab
        .create_topic(TopicSpec::new("test", 3, 3))
        .expect("topic");
    t.run_for(500);
    t
}

#[test]
fn killing_the_active_dedicated_controller_elects_another_by_vote() {
    let mut t = dedicated(3);
    let active = t.lab.controller().expect("an active controller");
    assert!((101..=103).contains(&active), "dedicated ids: {active}");
    t.lab.kill_controller(active).expect("kill");
    let cfg = t.lab.config().clone();
    let bound =
        cfg.controller_quorum_fetch_timeout_ms + 4 * cfg.controller_quorum_election_timeout_ms;
    assert!(
        t.run_until(bound, |l| l.controller().is_some_and(|c| c != active)),
        "{}",
        t.story()
    );
    let won = t.events_where(|e| {
        matches!(e, EventKind::Quorum { change: QuorumChange::Elected { controller, votes, .. } }
            if *controller != active && votes.len() >= 2)
    });
    assert_eq!(won.len(), 1, "{}", t.story());
    assert_eq!(
        t.lab.controller_role(active),
        Some(Role::Down),
        "the killed controller is down"
    );
}

#[test]
fn below_a_majority_no_leader_is_elected_and_no_topic_created_until_it_returns() {
    let mut t = dedicated(5);
    let active = t.lab.controller().expect("active");
    let others: Vec<i32> = (101..=103).filter(|c| *c != active).collect();
    t.lab.kill_controller(others[0]).expect("kill");
    t.lab.kill_controller(others[1]).expect("kill");
    let fetch = t.lab.config().controller_quorum_fetch_timeout_ms;
    // The lone leader resigns once it has heard from no majority for 1.5 × the fetch timeout.
    assert!(
        t.run_until(fetch * 2, |l| l.controller().is_none()),
        "{}",
        t.story()
    );
    assert!(!t.lab.has_quorum());
    assert_eq!(
        t.lab.create_topic(TopicSpec::new("late", 1, 1)),
        Err(KafkaError::RequestTimedOut)
    );
    // A partition whose leader dies now stays led by a dead broker: nobody elects a new one.
    let p = tp("test", 0);
    let leader = t.lab.leader_of(&p).expect("leader");
    t.lab.kill_broker(leader).expect("kill broker");
    let session = t.lab.config().broker_session_timeout_ms;
    t.run_for(session * 3);
    assert_eq!(t.lab.partition(&p).and_then(|m| m.leader), Some(leader));
    assert!(
        t.events_where(|e| matches!(e, EventKind::LeaderElected { tp, .. } if *tp == p))
            .len()
            <= 1
    );
    // The majority returns: an election, then the controller counts the dead broker's session
    // afresh and elects a new leader when it expires.
    t.lab.restart_controller(others[0]).expect("restart");
    assert!(
        t.run_until(10_000, |l| l.controller().is_some()),
        "{}",
        t.story()
    );
    assert!(
        t.run_until(session + 2_000, |l| l
            .leader_of(&p)
            .is_some_and(|b| b != leader)),
        "{}",
        t.story()
    );
    t.lab
        .create_topic(TopicSpec::new("late", 1, 1))
        .expect("topic creation works again");
    let lost = t.events_where(|e| {
        matches!(
            e,
            EventKind::Quorum {
                change: QuorumChange::Lost { up: 1, voters: 3 }
            }
        )
    });
    assert_eq!(lost.len(), 1, "{}", t.story());
}

#[test]
fn brokers_apply_only_committed_metadata_and_catch_up_to_the_controller() {
    let mut t = TestLab::new(5, 9, |_| {});
    t.lab
        .create_topic(TopicSpec::new("test", 2, 3))
        .expect("topic");
    let q = t.lab.quorum();
    let leader = q.leader().expect("leader");
    let leo = q.log(leader).expect("log").log_end_offset();
    assert!(leo > 5, "topic and leader records appended: {leo}");
    t.run_for(1_000);
    let snap = t.lab.snapshot();
    let hw = snap
        .quorum
        .iter()
        .find(|n| n.id == leader)
        .map(|n| n.high_watermark)
        .expect("leader");
    for b in &snap.brokers {
        let applied = b.metadata_offset.expect("running");
        assert!(applied <= hw, "broker {} applied past the HW", b.id);
        assert!(
            applied >= leo,
            "broker {} caught up: {applied} < {leo}",
            b.id
        );
    }
    assert!(
        snap.quorum
            .iter()
            .any(|n| n.id == 4 && n.role == Role::Observer),
        "broker 4 observes"
    );
}

#[test]
fn metadata_answers_a_live_broker_as_controller_with_dedicated_controllers() {
    let mut t = dedicated(7);
    let id = t.lab.wire_controller_id();
    assert!((1..=3).contains(&id), "{id}");
    let combined = TestLab::new(3, 7, |_| {});
    assert_eq!(
        Some(combined.lab.wire_controller_id()),
        combined.lab.controller()
    );
    t.run_for(10);
}
