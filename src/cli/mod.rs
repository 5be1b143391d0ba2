//! Parts of the command line too big for `main.rs`: each file one subcommand or flag group.

pub mod journal;
