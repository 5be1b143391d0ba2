//! The tables' `/` filter: typing it, keeping it (Enter), clearing it (Esc), and keeping each
//! table's selected row selected when the filter still lists it.

use super::{App, Mode};
use crate::ui::action::Action;
use crate::ui::tables::NameFilter;

impl App {
    /// Opens the filter line; what is typed filters the tables at once.
    pub(crate) fn open_filter(&mut self) {
        self.flash = None;
        self.mode = Mode::Filter;
    }

    /// A key while the filter line is open.
    pub(crate) fn filter_key(&mut self, action: Action) {
        match action {
            Action::Input(c) => {
                self.filter.push(c);
                self.filter_changed();
            }
            Action::Backspace => {
                self.filter.pop();
                self.filter_changed();
            }
            Action::Submit => self.mode = Mode::Normal,
            Action::Cancel => {
                self.mode = Mode::Normal;
                self.clear_filter();
            }
            _ => {}
        }
    }

    /// Lists every row again.
    pub(crate) fn clear_filter(&mut self) {
        if !self.filter.is_empty() {
            self.filter = NameFilter::default();
            self.filter_changed();
        }
    }

    /// Lists the rows the filter keeps; a selected row still listed stays selected, else the
    /// first row is.
    fn filter_changed(&mut self) {
        let partition = self.selected_partition();
        let line = self
            .tables
            .group_lines
            .get(self.selection.group_line)
            .copied();
        let producer = self.tables.producers.get(self.selection.producer).copied();
        self.refresh_tables();
        let t = &self.tables;
        self.selection.partition = partition
            .and_then(|p| t.partitions.iter().position(|i| *i == p))
            .unwrap_or(0);
        self.selection.group_line = line
            .and_then(|l| t.group_lines.iter().position(|x| *x == l))
            .unwrap_or(0);
        self.selection.producer = producer
            .and_then(|p| t.producers.iter().position(|i| *i == p))
            .unwrap_or(0);
    }
}
