//! Scripted lessons and headless runs: scenario files ([`parse`]) and the checked [`model`] they
//! become, their expectations ([`expect`]), the runner shared by headless stories ([`story`]) and
//! the dashboard ([`live`]), and the built-in lessons ([`lessons`]).

pub mod default_lab;
pub mod expect;
pub mod headless;
pub mod lessons;
pub mod live;
pub mod model;
pub mod parse;
pub mod runner;
pub mod schedule;
pub mod story;
