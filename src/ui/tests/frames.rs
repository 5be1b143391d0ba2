//! Insta snapshots of every panel, the whole screen, the overlays, the empty and the large lab.

use super::{PanelFn, panel_text, press, screen_text};
use crate::ui::action::Action;
use crate::ui::app::{App, update};
use crate::ui::fixture;
use crate::ui::layout::areas;
use crate::ui::widgets;
use ratatui::layout::Rect;

fn panels(app: &App) -> Vec<(&'static str, Rect, PanelFn)> {
    let a = areas(app.size, &app.snapshot).unwrap();
    vec![
        ("brokers", a.brokers, widgets::brokers::render),
        ("partition_map", a.map, widgets::partition_map::render),
        ("partitions", a.partitions, widgets::partitions::render),
        ("groups", a.groups, widgets::groups::render),
        ("producers", a.producers, widgets::producers::render),
        ("throughput", a.throughput, widgets::throughput::render),
        ("timeline", a.timeline, widgets::timeline::render),
        ("status", a.status, widgets::status::render),
    ]
}

#[test]
fn snapshot_every_panel() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = fixture::app(w, h);
        for (name, area, render) in panels(&app) {
            insta::assert_snapshot!(
                format!("panel_{name}_{w}x{h}"),
                panel_text(&app, area, render)
            );
        }
    }
}

#[test]
fn snapshot_whole_screen() {
    for (w, h) in [(80, 24), (160, 48)] {
        let app = fixture::app(w, h);
        insta::assert_snapshot!(format!("screen_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn snapshot_overlays() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::ToggleHelp);
    insta::assert_snapshot!("help_80x24", screen_text(&app));
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "bad name!\n");
    insta::assert_snapshot!("topic_dialog_error_80x24", screen_text(&app));
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    insta::assert_snapshot!("producer_dialog_80x24", screen_text(&app));
    insta::assert_snapshot!("too_small_60x20", screen_text(&fixture::app(60, 20)));
}

#[test]
fn snapshot_explain_overlay() {
    use crate::clients::view::ConsumerState;
    use crate::ui::app::Panel;
    for (w, h) in [(80, 24), (160, 48)] {
        // A killed consumer that is still a member: the session timeout is what the room waits for.
        let mut app = fixture::app(w, h);
        let mut snap = app.snapshot.clone();
        snap.consumers[0].state = ConsumerState::Killed;
        app.set_snapshot(snap);
        app.focus = Panel::Groups;
        update(&mut app, Action::Down);
        update(&mut app, Action::Explain);
        insta::assert_snapshot!(format!("explain_consumer_{w}x{h}"), screen_text(&app));
        let mut app = fixture::app(w, h);
        app.focus = Panel::Partitions;
        update(&mut app, Action::Explain);
        insta::assert_snapshot!(format!("explain_partition_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn snapshot_empty_lab_before_the_first_snapshot() {
    let app = App::new(crate::ui::theme::Theme::colored(), 80, 24);
    insta::assert_snapshot!("screen_empty_80x24", screen_text(&app));
}

#[test]
fn snapshot_large_lab() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = App::new(crate::ui::theme::Theme::colored(), w, h);
        app.set_snapshot(fixture::large_snapshot(9, 50, 10));
        insta::assert_snapshot!(format!("screen_large_{w}x{h}"), screen_text(&app));
    }
}

#[test]
fn caught_up_consumer_shows_lag_as_read_but_not_committed() {
    // consumer-A has read up to the HW (409) but committed only 403: Kafka's lag is 6.
    for (w, h, shown) in [(160, 48, "uncommitted 6"), (80, 24, "com 403 read +6")] {
        let mut app = fixture::app(w, h);
        let mut snap = app.snapshot.clone();
        let p = &mut snap.groups[0].partitions[0];
        p.position = Some(p.high_watermark);
        p.committed = Some(p.high_watermark - 6);
        p.lag = Some(6);
        app.set_snapshot(snap);
        let a = areas(app.size, &app.snapshot).unwrap();
        let text = panel_text(&app, a.groups, widgets::groups::render);
        assert!(text.contains("lag 6"), "{text}");
        assert!(text.contains(shown), "{w}x{h}: {text}");
    }
}

#[test]
fn eligible_leader_replicas_are_marked_e_and_named_in_the_title_without_colour() {
    for (w, h) in [(160, 48), (80, 24)] {
        let mut app = fixture::app(w, h);
        let mut snap = app.snapshot.clone();
        // test-1: broker 2 is out of sync; make it eligible (it left while the ISR was short).
        let p = snap
            .partitions
            .iter_mut()
            .find(|p| p.tp.to_string() == "test-1")
            .unwrap();
        p.elr = vec![2];
        app.set_snapshot(snap);
        let a = areas(app.size, &app.snapshot).unwrap();
        let text = panel_text(&app, a.partitions, widgets::partitions::render);
        assert!(text.contains("e2"), "{w}x{h}: {text}");
        assert!(!text.contains("✗2"), "{w}x{h}: {text}");
        assert!(text.contains("ELR"), "{w}x{h}: {text}");
    }
}

#[test]
fn lag_with_nothing_committed_shows_a_dash() {
    let mut app = fixture::app(160, 48);
    let mut snap = app.snapshot.clone();
    let p = &mut snap.groups[0].partitions[0];
    p.committed = None;
    p.lag = None;
    app.set_snapshot(snap);
    let a = areas(app.size, &app.snapshot).unwrap();
    let text = panel_text(&app, a.groups, widgets::groups::render);
    assert!(text.contains("lag -"), "{text}");
}

/// A copy job's transaction open on `test-0` since 12 s ago: the partitions panel shows the LSO
/// below the HW, the producers panel the transaction's age against `transaction.timeout.ms`.
#[test]
fn snapshot_open_transaction() {
    use crate::cluster::snapshot::TransactionSnapshot;
    use crate::cluster::types::TopicPartition;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut snap = fixture::snapshot();
        let now = snap.cluster.now_ms;
        let p = snap
            .cluster
            .partitions
            .iter_mut()
            .find(|p| p.tp == TopicPartition::new("test", 0))
            .unwrap();
        p.last_stable_offset = p.high_watermark - 7;
        snap.cluster.transactions = vec![TransactionSnapshot {
            transactional_id: "copy-job".into(),
            producer_id: 3,
            producer_epoch: 1,
            state: "Ongoing",
            partitions: vec![
                TopicPartition::new("test", 0),
                TopicPartition::new("test", 1),
            ],
            started_ms: now - 12_000,
            timeout_ms: 60_000,
        }];
        let mut app = fixture::app(w, h);
        app.set_snapshot(snap);
        let a = areas(app.size, &app.snapshot).unwrap();
        for (name, area, render) in [
            (
                "partitions",
                a.partitions,
                widgets::partitions::render as PanelFn,
            ),
            ("producers", a.producers, widgets::producers::render),
        ] {
            insta::assert_snapshot!(
                format!("txn_{name}_{w}x{h}"),
                panel_text(&app, area, render)
            );
        }
    }
}

/// A KIP-848 group: the header counts group epochs and names the protocol, members show their
/// member epochs, and a reconciling group is marked as such.
#[test]
fn snapshot_groups_panel_of_a_kip848_group() {
    use crate::cluster::snapshot::GroupState;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::app(w, h);
        let mut snap = app.snapshot.clone();
        let g = &mut snap.cluster.groups[0];
        g.protocol = "consumer".into();
        g.state = GroupState::Reconciling;
        g.generation = 4;
        g.assignor = Some("uniform".into());
        g.leader_member = None;
        for (i, m) in g.members.iter_mut().enumerate() {
            m.member_epoch = Some(3 + i as i32);
        }
        app.set_snapshot(snap);
        let a = areas(app.size, &app.snapshot).unwrap();
        let text = panel_text(&app, a.groups, widgets::groups::render);
        assert!(text.contains("epoch 4 KIP-848"), "{text}");
        insta::assert_snapshot!(format!("panel_groups_kip848_{w}x{h}"), text);
    }
}

#[test]
fn snapshot_open_transactions_overlay() {
    use crate::cluster::snapshot::TransactionSnapshot;
    use crate::cluster::types::TopicPartition;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut app = fixture::app(w, h);
        update(&mut app, Action::ToggleTransactions);
        insta::assert_snapshot!(format!("transactions_none_{w}x{h}"), screen_text(&app));
        let mut snap = app.snapshot.clone();
        let now = snap.cluster.now_ms;
        snap.cluster.transactions = vec![
            TransactionSnapshot {
                transactional_id: "copy-job".into(),
                producer_id: 3,
                producer_epoch: 1,
                state: "Ongoing",
                partitions: vec![
                    TopicPartition::new("test", 0),
                    TopicPartition::new("test", 1),
                ],
                started_ms: now - 42_000,
                timeout_ms: 60_000,
            },
            TransactionSnapshot {
                transactional_id: "zombie-job".into(),
                producer_id: 4,
                producer_epoch: 0,
                state: "PrepareAbort",
                partitions: vec![TopicPartition::new("test", 1)],
                started_ms: now - 9_500,
                timeout_ms: 10_000,
            },
        ];
        app.set_snapshot(snap);
        let shown = screen_text(&app);
        assert!(
            shown.contains("copy-job") && shown.contains("42s/60s"),
            "{shown}"
        );
        insta::assert_snapshot!(format!("transactions_{w}x{h}"), shown);
        update(&mut app, Action::Cancel);
        assert!(!screen_text(&app).contains("zombie-job"));
    }
}

#[test]
fn producers_panel_says_killed_frozen_and_fenced() {
    use crate::clients::view::{ProducerSnapshot, ProducerTxnState};
    type Change = fn(&mut ProducerSnapshot);
    let cases: [(&str, Change); 3] = [
        ("killed", |p| {
            p.running = false;
            p.killed = true;
        }),
        ("frozen", |p| p.paused = true),
        ("fenced", |p| {
            p.running = false;
            p.transaction = Some(ProducerTxnState::Fenced);
        }),
    ];
    for (word, change) in cases {
        let mut app = fixture::app(160, 48);
        let mut snap = app.snapshot.clone();
        change(&mut snap.producers[0]);
        app.set_snapshot(snap);
        let shown = screen_text(&app);
        assert!(
            shown.contains(&format!("producer-1 {word}")),
            "{word}: {shown}"
        );
    }
}
