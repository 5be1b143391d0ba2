//! The ratatui dashboard: snapshot in, frame out.
