//! The `T` overlay: every transaction open or completing, as its coordinator sees it: the
//! `transactional.id`, producer id and epoch, state, partitions, and its age against
//! `transaction.timeout.ms` (past it, the coordinator aborts it and fences the producer).

use super::countdown::Countdown;
use super::help::wrap_words;
use crate::cluster::snapshot::TransactionSnapshot;
use crate::cluster::txn::DEFAULT_TRANSACTION_TIMEOUT_MS;
use crate::text::text_with;
use crate::ui::app::App;
use crate::ui::text::text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

/// Widest the overlay gets.
const WIDTH_MAX: u16 = 120;

/// A transaction's age against `transaction.timeout.ms`, as the other countdowns read.
pub fn age(t: &TransactionSnapshot, now_ms: i64) -> Countdown {
    let default = i64::from(DEFAULT_TRANSACTION_TIMEOUT_MS);
    let limit = i64::from(t.timeout_ms);
    Countdown {
        short: text("countdown.txn_age"),
        long: text("countdown.txn_open"),
        config: "transaction.timeout.ms",
        elapsed_ms: if t.started_ms < 0 {
            0
        } else {
            now_ms - t.started_ms
        },
        limit_ms: limit,
        kafka_ms: (limit != default).then_some(default),
    }
}

/// The overlay's lines at `width` columns: two or more per transaction, or one saying none is open.
pub fn lines(app: &App, width: usize) -> Vec<String> {
    let snap = &app.snapshot.cluster;
    if snap.transactions.is_empty() {
        return wrap_words(text("transactions.none"), width);
    }
    let mut out = Vec::new();
    for t in &snap.transactions {
        let partitions: Vec<String> = t.partitions.iter().map(|tp| tp.to_string()).collect();
        let head = text_with(
            "transactions.row",
            &[
                ("id", &t.transactional_id),
                ("pid", &t.producer_id.to_string()),
                ("epoch", &t.producer_epoch.to_string()),
                ("state", t.state),
            ],
        );
        out.extend(wrap_words(&head, width));
        let parts = text_with(
            "transactions.partitions",
            &[("partitions", &partitions.join(", "))],
        );
        out.extend(
            wrap_words(&parts, width.saturating_sub(2))
                .into_iter()
                .map(|l| format!("  {l}")),
        );
        out.push(format!(
            "  {}",
            age(t, snap.now_ms).fit(width.saturating_sub(2))
        ));
    }
    out
}

/// Draws the overlay centred over `area` (the first lines when the screen is short).
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let width = WIDTH_MAX.min(area.width);
    let body = lines(app, width.saturating_sub(4).max(1) as usize);
    let height = (body.len() as u16 + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let title = text_with(
        "transactions.title",
        &[("n", &app.snapshot.cluster.transactions.len().to_string())],
    );
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(Line::styled(format!(" {title} "), theme.header()))
        .title_bottom(
            Line::styled(format!(" {} ", text("transactions.close")), theme.dim()).right_aligned(),
        );
    let body: Vec<Line> = body
        .into_iter()
        .map(|l| Line::raw(format!(" {l}")))
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(body).block(block), rect);
}
