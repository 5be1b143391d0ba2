//! Scripted lessons and headless runs.
