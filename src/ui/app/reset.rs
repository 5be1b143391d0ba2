//! `o`: the reset-offsets dialog for the selected group, refused at once (Kafka's words in the
//! status bar, nothing sent) while the group has active members.

use super::{App, Mode};
use crate::ui::dialog::Dialog;
use crate::ui::reset_dialog::{ALL_TOPICS, live_group_refusal};
use crate::ui::rows::group_lines;
use crate::ui::text::text;

impl App {
    /// Opens the dialog for the Groups panel's selected group, or says why not.
    pub(super) fn open_reset_dialog(&mut self) {
        let group = group_lines(&self.snapshot)
            .get(self.selection.group_line)
            .and_then(|l| self.snapshot.groups.get(l.group));
        let Some(g) = group else {
            self.flash = Some(text("flash.select_group").into());
            return;
        };
        if let Some(refusal) = live_group_refusal(&self.snapshot, &g.group_id) {
            self.flash = Some(refusal);
            return;
        }
        let mut topics: Vec<&str> = g.partitions.iter().map(|p| p.tp.topic.as_str()).collect();
        topics.dedup();
        // One topic: name it; several (or none known): all of them, as --all-topics.
        let topic = match topics.as_slice() {
            [one] => one.to_string(),
            _ => ALL_TOPICS.to_string(),
        };
        self.flash = None;
        self.mode = Mode::Dialog(Dialog::reset_offsets(&g.group_id, &topic));
    }
}
