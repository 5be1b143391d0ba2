//! The ratatui dashboard: snapshot in, frame out.
//!
//! State ([`app`]), intents ([`action`], decoded by [`keymap`]) and drawing ([`view`], [`widgets`])
//! are apart: `update(app, action)` is pure and returns the [`Command`](crate::lab::Command)
//! to send, `draw(frame, app)` is a pure function of the state, and [`run`] is the only part that
//! touches the terminal and the lab's channels.

pub mod action;
pub mod app;
pub mod bench;
pub mod bench_attach;
pub mod caption;
pub mod confirm;
pub mod dialog;
pub mod explain;
pub mod fixture;
pub mod fixture_scale;
pub mod keymap;
pub mod layout;
pub mod log_view;
pub mod pulses;
pub mod reset_dialog;
pub mod rows;
pub mod run;
pub mod tables;
pub mod text;
pub mod theme;
pub mod timeline_filter;
pub mod tui;
pub mod view;
pub mod widgets;

#[cfg(test)]
mod tests;

pub use run::{run_dashboard, run_lesson_dashboard};
