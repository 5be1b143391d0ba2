//! The whole dashboard drawn from a real lab: seed 7, the default lab (3 brokers, topic `test`,
//! a producer and two consumers in `lab-group`), 20 s of simulated time, then consumer-A killed and
//! 20 s more. Simulated time makes the frame exact, so it is an insta snapshot at 80×24 and 160×48.

use kafka_lab::cluster::config::ClusterConfig;
use kafka_lab::lab::Lab;
use kafka_lab::scenario::default_lab::DefaultLab;
use kafka_lab::ui::app::App;
use kafka_lab::ui::theme::Theme;
use kafka_lab::ui::view::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn seeded_app(width: u16, height: u16) -> App {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = Lab::new(ClusterConfig::new(3, 7, dir.path())).unwrap();
    let default = DefaultLab {
        session_timeout_ms: 10_000,
        ..DefaultLab::default()
    };
    default.install(&mut lab).unwrap();
    let mut app = App::new(Theme::colored(), width, height);
    lab.advance_by(20_000);
    let victim = lab.consumers().next().unwrap().id;
    lab.kill_consumer(victim).unwrap();
    lab.advance_by(20_000);
    for e in lab.drain_events() {
        app.push_event(e);
    }
    app.set_snapshot(lab.snapshot());
    app
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buffer[(x, y)].symbol();
            // Wide glyphs occupy two cells; the second is blank padding.
            skip = s
                .chars()
                .map(|c| if c as u32 > 0x2E80 { 2 } else { 1 })
                .sum::<usize>()
                .saturating_sub(1);
            line.push_str(s);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn seeded_lab_after_a_consumer_crash_80x24() {
    let app = seeded_app(80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("lab-group"), "{text}");
    insta::assert_snapshot!("seeded_80x24", text);
}

#[test]
fn seeded_lab_after_a_consumer_crash_160x48() {
    let app = seeded_app(160, 48);
    let text = screen(&app, 160, 48);
    assert!(text.contains("consumer-B"), "{text}");
    insta::assert_snapshot!("seeded_160x48", text);
}

#[test]
fn same_seed_draws_the_same_frame() {
    assert_eq!(
        screen(&seeded_app(160, 48), 160, 48),
        screen(&seeded_app(160, 48), 160, 48)
    );
}
