//! Consumer groups: assignors and the classic-protocol group coordinator.
