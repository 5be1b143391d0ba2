//! Parts of the command line too big for `main.rs`: each file one subcommand or flag group.

pub mod attach;
pub mod bench;
pub mod journal;
pub mod listen;
pub mod replay;
pub mod stream;
