//! Consumer groups: assignors, the group coordinator (classic protocol, and KIP-848's consumer
//! protocol in `consumer_group`), and the layout of `__consumer_offsets` records.

pub mod assignor;
pub mod consumer_group;
pub mod coordinator;
pub mod offsets_codec;
pub mod reset;

pub use assignor::{Assignment, MemberSubscription, assign};
pub use coordinator::{CoordinatorConfig, GroupCoordinator, JoinRequest, JoinResponse};
pub use offsets_codec::{
    OFFSET_METADATA_MAX_BYTES, OffsetAndMetadata, OffsetCommitRecord, offsets_partition_for,
};
