//! ListOffsets: earliest, latest (the HW, or the LSO for `read_committed`), by timestamp.

use super::host::Ctx;
use super::metadata::topic_name;
use crate::cluster::lab::Cluster;
use crate::cluster::produce::OffsetSpec;
use crate::cluster::types::TopicPartition;
use kafka_protocol::messages::ListOffsetsRequest;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsResponse, ListOffsetsTopicResponse,
};

/// ListOffsets: -2 earliest, -1 latest (the HW), otherwise the first offset at or after a timestamp.
pub fn list_offsets(cluster: &Cluster, ctx: &Ctx, req: &ListOffsetsRequest) -> ListOffsetsResponse {
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let topic = t.name.0.to_string();
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let tp = TopicPartition::new(topic.clone(), p.partition_index);
                    let spec = match p.timestamp {
                        -2 => OffsetSpec::Earliest,
                        // read_committed asks for the LSO.
                        -1 if req.isolation_level == 1 => OffsetSpec::LastStable,
                        -1 => OffsetSpec::Latest,
                        ts => OffsetSpec::Timestamp(ts),
                    };
                    let r = ListOffsetsPartitionResponse::default()
                        .with_partition_index(p.partition_index);
                    let epoch = if ctx.version >= 4 {
                        cluster.partition(&tp).map_or(-1, |m| m.leader_epoch)
                    } else {
                        -1
                    };
                    match cluster.list_offset(ctx.broker, &tp, spec) {
                        Ok(offset) => r
                            .with_offset(offset)
                            .with_timestamp(-1)
                            .with_leader_epoch(if offset >= 0 { epoch } else { -1 }),
                        Err(e) => r
                            .with_error_code(e.code())
                            .with_offset(-1)
                            .with_timestamp(-1),
                    }
                })
                .collect();
            ListOffsetsTopicResponse::default()
                .with_name(topic_name(&topic))
                .with_partitions(partitions)
        })
        .collect();
    ListOffsetsResponse::default().with_topics(topics)
}
