//! Scripted lessons and headless runs: scenario files ([`parse`]) and the checked [`model`] they
//! become, their expectations ([`expect`]), how long captions stay up ([`pacing`]), the runner
//! shared by headless stories ([`story`]) and the dashboard ([`live`]), and the built-in lessons
//! ([`lessons`]).

pub mod default_lab;
pub mod expect;
pub mod from_journal;
pub mod headless;
pub mod lessons;
pub mod live;
pub mod model;
pub mod pacing;
pub mod parse;
pub mod replay;
pub mod runner;
#[cfg(test)]
mod runner_tests;
pub mod schedule;
pub mod story;
