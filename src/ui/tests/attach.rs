//! The dashboard attached to a real cluster (`kafka-lab attach`): the bar says where and how it
//! polls instead of a seed and a clock, and the lab-only keys say why they do nothing.

use super::screen_text;
use crate::lab::{AttachedCluster, BrokerAddress};
use crate::ui::action::Action;
use crate::ui::app::{App, Mode, update};
use crate::ui::fixture;

/// The fixture's cluster as a real one shows it: no simulated clients, polled every second.
pub(super) fn attached_snapshot(writes_allowed: bool) -> crate::lab::LabSnapshot {
    let mut snap = fixture::snapshot();
    snap.producers.clear();
    snap.consumers.clear();
    snap.seed = 0;
    snap.next_retention_check_ms = 0;
    // A client sees no quorum, generation or consumer position.
    snap.quorum.clear();
    for b in &mut snap.brokers {
        b.port = Some(9092);
    }
    for g in &mut snap.groups {
        g.generation = 0;
        for p in &mut g.partitions {
            p.position = None;
        }
    }
    snap.attached = Some(AttachedCluster {
        bootstrap: "kafka-1:9092,kafka-2:9092".into(),
        interval_ms: 1_000,
        writes_allowed,
        cluster_id: Some("MkU3OEVBNTcwNTJENDM2Qg".into()),
        brokers: snap
            .brokers
            .iter()
            .map(|b| BrokerAddress {
                id: b.id,
                host: format!("kafka-{}", b.id),
                port: 9092,
                rack: None,
            })
            .collect(),
        last_poll_ms: 12,
        poll_error: None,
        sizes_unknown: false,
    });
    snap
}

pub(super) fn attached_app(width: u16, height: u16, writes_allowed: bool) -> App {
    let mut app = App::new(crate::ui::theme::Theme::colored(), width, height);
    app.set_snapshot(attached_snapshot(writes_allowed));
    for e in fixture::events() {
        app.push_event(e);
    }
    app
}

#[test]
fn the_bar_names_the_cluster_the_poll_interval_and_read_only() {
    let app = attached_app(160, 48, false);
    let text = screen_text(&app);
    assert!(
        text.contains("attached kafka-1:9092,kafka-2:9092"),
        "{text}"
    );
    assert!(text.contains("poll every 1000 ms (12 ms)"), "{text}");
    assert!(text.contains("read-only"), "{text}");
    assert!(!text.contains("seed 0"), "{text}");
    assert!(text.contains("b s r: lab only"), "{text}");
    insta::assert_snapshot!("attach_160x48", text);
    insta::assert_snapshot!("attach_80x24", screen_text(&attached_app(80, 24, false)));
}

#[test]
fn sizes_read_dash_on_a_cluster_without_describe_log_dirs() {
    let mut app = attached_app(160, 48, false);
    let known = screen_text(&app);
    let mut snap = app.snapshot.clone();
    if let Some(a) = snap.attached.as_mut() {
        a.sizes_unknown = true;
    }
    app.set_snapshot(snap);
    let unknown = screen_text(&app);
    // The fixture's sizes are KiB and MiB: none is drawn once DescribeLogDirs is missing.
    let sized = |t: &str| t.contains("KiB") || t.contains("MiB");
    assert!(sized(&known), "{known}");
    assert!(!sized(&unknown), "{unknown}");
}

#[test]
fn a_failing_poll_is_on_the_bar() {
    let mut app = attached_app(160, 48, true);
    let mut snap = app.snapshot.clone();
    if let Some(a) = snap.attached.as_mut() {
        a.poll_error = Some("no bootstrap server answered".into());
    }
    app.set_snapshot(snap);
    assert!(screen_text(&app).contains("poll failing"));
}

#[test]
fn lab_only_keys_say_why_and_send_nothing() {
    for action in [
        Action::KillBroker,
        Action::ShutdownBroker,
        Action::RestartBroker,
        Action::KillController,
        Action::DeleteTopic,
        Action::TogglePause,
        Action::Faster,
    ] {
        let mut app = attached_app(160, 48, true);
        assert_eq!(update(&mut app, action), None, "{action:?}");
        assert_eq!(app.mode, Mode::Normal, "{action:?}");
        let flash = app.flash.clone().unwrap_or_default();
        assert!(
            flash.contains("not on a real cluster"),
            "{action:?}: {flash}"
        );
    }
}

#[test]
fn create_topic_needs_allow_writes() {
    let mut app = attached_app(160, 48, false);
    assert_eq!(update(&mut app, Action::CreateTopic), None);
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.flash
            .clone()
            .unwrap_or_default()
            .contains("--allow-writes")
    );
    let mut app = attached_app(160, 48, true);
    update(&mut app, Action::CreateTopic);
    assert!(matches!(app.mode, Mode::Dialog(_)), "{:?}", app.mode);
}

#[test]
fn the_lab_keeps_its_keys() {
    let mut app = fixture::app(160, 48);
    update(&mut app, Action::KillBroker);
    assert!(matches!(app.mode, Mode::Confirm(_)), "{:?}", app.mode);
}
