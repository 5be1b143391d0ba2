//! The create-topic, spawn-producer and add-consumer dialogs: validation in place, and the
//! commands they send.

use super::{clear_field, press, screen_text};
use crate::clients::spec::KeyMode;
use crate::cluster::types::Acks;
use crate::lab::command::Command;
use crate::ui::action::Action;
use crate::ui::app::{Mode, Panel, update};
use crate::ui::fixture;

#[test]
fn topic_dialog_rejects_a_name_kafka_would_reject_in_place() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    assert!(matches!(app.mode, Mode::Dialog(_)));
    assert!(press(&mut app, "bad name!\n").is_empty());
    let Mode::Dialog(d) = &app.mode else {
        panic!("the dialog closed on bad input")
    };
    let err = d.error.clone().unwrap_or_default();
    assert!(err.contains("' '"), "{err}");
    let shown = screen_text(&app);
    assert!(shown.contains("only letters, digits"), "{shown}");
}

#[test]
fn topic_dialog_rejects_replication_above_live_brokers() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "orders\t\t");
    clear_field(&mut app);
    assert!(press(&mut app, "3\n").is_empty());
    let shown = screen_text(&app);
    assert!(
        shown.contains("replication factor 3 is above the 2 live broker(s)"),
        "{shown}"
    );
    press(&mut app, "\x08");
    press(&mut app, "0\n");
    assert!(screen_text(&app).contains("at least 1"));
    press(&mut app, "\x08");
    let sent = press(&mut app, "2\n");
    assert_eq!(sent.len(), 1);
    let Command::CreateTopic(spec) = &sent[0] else {
        panic!("{sent:?}")
    };
    assert_eq!(
        (spec.name.as_str(), spec.partitions, spec.replication_factor),
        ("orders", 3, 2)
    );
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn topic_dialog_rejects_zero_partitions_and_existing_names() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::CreateTopic);
    press(&mut app, "test\n");
    assert!(screen_text(&app).contains("topic test already exists"));
    clear_field(&mut app);
    press(&mut app, "t2\t");
    clear_field(&mut app);
    assert!(press(&mut app, "0\n").is_empty());
    assert!(screen_text(&app).contains("partitions must be at least 1"));
}

#[test]
fn producer_dialog_rejects_a_rate_of_zero() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    press(&mut app, "\t");
    clear_field(&mut app);
    assert!(press(&mut app, "0\n").is_empty());
    assert!(screen_text(&app).contains("producer rate must be more than 0"));
    clear_field(&mut app);
    press(&mut app, "20\t");
    clear_field(&mut app);
    press(&mut app, "8\t");
    clear_field(&mut app);
    let sent = press(&mut app, "1\n");
    let [Command::SpawnProducer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(spec.topic, "test");
    assert_eq!(spec.rate_per_sec, 20.0);
    assert_eq!(spec.acks, Acks::Leader);
    assert_eq!(spec.key_mode, KeyMode::Keyed { distinct_keys: 8 });
}

#[test]
fn producer_dialog_rejects_unknown_topic_and_bad_acks() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    clear_field(&mut app);
    press(&mut app, "nope\n");
    assert!(screen_text(&app).contains("no topic nope"));
    clear_field(&mut app);
    press(&mut app, "test\t\t\t");
    clear_field(&mut app);
    press(&mut app, "2\n");
    assert!(screen_text(&app).contains("acks must be 0, 1 or all"));
}

#[test]
fn producer_dialog_turns_idempotence_off() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    assert!(screen_text(&app).contains("idempotence"));
    press(&mut app, "\t\t\t\t");
    clear_field(&mut app);
    assert!(press(&mut app, "maybe\n").is_empty());
    assert!(screen_text(&app).contains("idempotence must be true or false"));
    clear_field(&mut app);
    let sent = press(&mut app, "false\n");
    let [Command::SpawnProducer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert!(!spec.enable_idempotence && !spec.idempotent());
}

#[test]
fn consumer_dialog_joins_the_selected_group() {
    let mut app = fixture::app(80, 24);
    app.focus = Panel::Groups;
    update(&mut app, Action::Down);
    update(&mut app, Action::SpawnConsumer);
    let sent = press(&mut app, "\n");
    let [Command::SpawnConsumer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(spec.group_id, "lab-group");
    assert_eq!(spec.topics, vec!["test".to_string()]);
}

#[test]
fn producer_dialog_makes_a_transactional_producer_and_refuses_one_without_acks_all() {
    let mut app = fixture::app(80, 24);
    update(&mut app, Action::SpawnProducer);
    assert!(screen_text(&app).contains("transactional.id"));
    press(&mut app, "\t\t\t");
    clear_field(&mut app);
    press(&mut app, "1\t\t\t");
    assert!(press(&mut app, "copy-job\n").is_empty());
    assert!(
        screen_text(&app).contains("transactional.id needs enable.idempotence=true"),
        "{}",
        screen_text(&app)
    );
    press(&mut app, "\t\t\t\t");
    clear_field(&mut app);
    let sent = press(&mut app, "all\n");
    let [Command::SpawnProducer(spec)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(spec.transactional_id.as_deref(), Some("copy-job"));
    assert_eq!(spec.acks, Acks::All);
}
