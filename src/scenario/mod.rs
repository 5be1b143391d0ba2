//! Scripted lessons and headless runs.

pub mod default_lab;
pub mod experiments;
pub mod headless;
pub mod schedule;
