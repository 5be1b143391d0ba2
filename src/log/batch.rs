//! Kafka v2 record batch headers: parse, validate by CRC-32C, and patch offsets and epochs.
//!
//! The on-disk and on-wire layout (all big-endian), as in Kafka's `DefaultRecordBatch`:
//!
//! | bytes  | field                | note                                  |
//! |--------|----------------------|---------------------------------------|
//! | 0..8   | baseOffset i64       | assigned by the leader (outside CRC)  |
//! | 8..12  | batchLength i32      | bytes after this field                |
//! | 12..16 | partitionLeaderEpoch | stamped by the leader (outside CRC)   |
//! | 16     | magic i8             | 2                                     |
//! | 17..21 | crc u32              | CRC-32C of bytes 21..end              |
//! | 21..23 | attributes i16       | compression, timestamp type, flags    |
//! | 23..27 | lastOffsetDelta i32  |                                       |
//! | 27..35 | baseTimestamp i64    |                                       |
//! | 35..43 | maxTimestamp i64     |                                       |
//! | 43..51 | producerId i64       |                                       |
//! | 51..53 | producerEpoch i16    |                                       |
//! | 53..57 | baseSequence i32     |                                       |
//! | 57..61 | recordCount i32      |                                       |
//! | 61..   | records              | encoded by kafka-protocol             |
//!
//! Only the header is read by hand (to validate and patch without decoding); records are always
//! encoded and decoded with the `kafka-protocol` crate.

/// Size of the fixed batch header.
pub const HEADER_LEN: usize = 61;
/// Bytes before `batchLength`'s payload: baseOffset + batchLength.
pub const LOG_OVERHEAD: usize = 12;
/// Largest batch length the log will parse: a bound against corrupt length fields when reading
/// or recovering a file. What a broker accepts is `message.max.bytes`, checked on produce.
pub const MAX_BATCH_LEN: usize = 64 << 20;

/// The fields of a batch header the log needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    /// First offset.
    pub base_offset: i64,
    /// Total bytes of the batch including the 12-byte overhead.
    pub total_len: usize,
    /// Leader epoch stamped by the leader.
    pub leader_epoch: i32,
    /// Last offset = base + lastOffsetDelta.
    pub last_offset: i64,
    /// Largest timestamp in the batch.
    pub max_timestamp: i64,
    /// First timestamp.
    pub base_timestamp: i64,
    /// Producer id (-1 when not idempotent).
    pub producer_id: i64,
    /// Producer epoch.
    pub producer_epoch: i16,
    /// First sequence number.
    pub base_sequence: i32,
    /// Records in the batch.
    pub record_count: i32,
    /// `attributes`: compression (bits 0–2), timestamp type (3), transactional (4), control (5).
    pub attributes: i16,
}

/// The `attributes` bit of a batch written inside a transaction.
pub const TRANSACTIONAL_FLAG: i16 = 1 << 4;
/// The `attributes` bit of a control batch (a COMMIT or ABORT marker).
pub const CONTROL_FLAG: i16 = 1 << 5;

impl BatchHeader {
    /// Whether the batch was written inside a transaction (markers are transactional too).
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_FLAG != 0
    }

    /// Whether the batch is a control batch: a transaction marker, never shown to applications.
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_FLAG != 0
    }
}

/// Which marker a control batch holds (the control record key's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlType {
    /// `type` 0: the transaction was aborted.
    Abort,
    /// `type` 1: the transaction was committed.
    Commit,
}

fn be_i64(b: &[u8], at: usize) -> i64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(a)
}

fn be_i32(b: &[u8], at: usize) -> i32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    i32::from_be_bytes(a)
}

fn be_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}

/// Why a batch is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchProblem {
    /// Fewer bytes than the header or than batchLength says: a torn write.
    Truncated,
    /// The length field is impossible.
    BadLength(i32),
    /// Not magic 2.
    BadMagic(i8),
    /// The stored CRC does not match the bytes.
    BadCrc {
        /// Stored.
        stored: u32,
        /// Computed.
        computed: u32,
    },
    /// Header fields that cannot be right (negative counts, delta out of range).
    BadHeader(String),
}

impl std::fmt::Display for BatchProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchProblem::Truncated => f.write_str("truncated batch (torn write)"),
            BatchProblem::BadLength(l) => write!(f, "impossible batch length {l}"),
            BatchProblem::BadMagic(m) => write!(f, "magic {m}, expected 2"),
            BatchProblem::BadCrc { stored, computed } => {
                write!(
                    f,
                    "CRC-32C mismatch: stored {stored:#010x}, computed {computed:#010x}"
                )
            }
            BatchProblem::BadHeader(s) => f.write_str(s),
        }
    }
}

/// `seq` moved on by `by` records as Kafka's `DefaultRecordBatch.incrementSequence` does:
/// after `i32::MAX` comes 0, never a negative sequence.
pub fn increment_sequence(seq: i32, by: i32) -> i32 {
    if seq > i32::MAX - by {
        by - (i32::MAX - seq) - 1
    } else {
        seq + by
    }
}

/// An idempotent producer's stamp on a batch: its id, epoch and the batch's first sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerStamp {
    /// `producerId` from InitProducerId.
    pub producer_id: i64,
    /// `producerEpoch`.
    pub producer_epoch: i16,
    /// Sequence of the batch's first record.
    pub base_sequence: i32,
}

/// Encodes `(key, value, timestamp)` records as one uncompressed v2 batch with kafka-protocol.
/// Offsets start at 0 (the leader assigns real ones); no producer id, base sequence −1.
pub fn encode_records(
    records: &[(Option<bytes::Bytes>, Option<bytes::Bytes>, i64)],
    leader_epoch: i32,
) -> Result<bytes::Bytes, String> {
    encode_stamped_records(records, leader_epoch, None)
}

/// [`encode_records`], stamped by an idempotent producer when `producer` is given.
pub fn encode_stamped_records(
    records: &[(Option<bytes::Bytes>, Option<bytes::Bytes>, i64)],
    leader_epoch: i32,
    producer: Option<ProducerStamp>,
) -> Result<bytes::Bytes, String> {
    encode_with_flags(records, leader_epoch, producer, false)
}

/// [`encode_stamped_records`] for a transactional producer: the batch carries the
/// transactional bit, so its records stay invisible to `read_committed` until a COMMIT marker.
pub fn encode_transactional_records(
    records: &[(Option<bytes::Bytes>, Option<bytes::Bytes>, i64)],
    leader_epoch: i32,
    producer: ProducerStamp,
) -> Result<bytes::Bytes, String> {
    encode_with_flags(records, leader_epoch, Some(producer), true)
}

/// A control batch holding one COMMIT or ABORT marker for `producer_id` at `producer_epoch`,
/// as the transaction coordinator writes it: key = (version 0, type), value = (version 0,
/// coordinator epoch), no sequence (markers are not part of the producer's sequence).
pub fn encode_control_batch(
    producer_id: i64,
    producer_epoch: i16,
    marker: ControlType,
    coordinator_epoch: i32,
    timestamp: i64,
) -> Result<bytes::Bytes, String> {
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };
    let kind: i16 = match marker {
        ControlType::Abort => 0,
        ControlType::Commit => 1,
    };
    let mut key = Vec::with_capacity(4);
    key.extend_from_slice(&0i16.to_be_bytes());
    key.extend_from_slice(&kind.to_be_bytes());
    let mut value = Vec::with_capacity(6);
    value.extend_from_slice(&0i16.to_be_bytes());
    value.extend_from_slice(&coordinator_epoch.to_be_bytes());
    let rec = Record {
        transactional: true,
        control: true,
        partition_leader_epoch: 0,
        producer_id,
        producer_epoch,
        timestamp_type: TimestampType::Creation,
        offset: 0,
        sequence: -1,
        timestamp,
        key: Some(bytes::Bytes::from(key)),
        value: Some(bytes::Bytes::from(value)),
        headers: Default::default(),
        delete_horizon: false,
    };
    let mut buf = bytes::BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &[rec],
        &RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(buf.freeze())
}

/// The marker in a control batch (`batch` starts at its header): read from the first record's
/// key by hand, so the log can index an ABORT without decoding records. `None` when `batch`
/// is not a control batch or its first record is not a marker key.
pub fn control_type(batch: &[u8]) -> Option<ControlType> {
    let h = parse_header(batch).ok()?;
    if !h.is_control() || h.attributes & 0x7 != 0 {
        return None;
    }
    let mut at = HEADER_LEN;
    let _len = read_varint(batch, &mut at)?;
    at += 1; // record attributes
    let _ts_delta = read_varint(batch, &mut at)?;
    let _offset_delta = read_varint(batch, &mut at)?;
    let key_len = read_varint(batch, &mut at)?;
    if key_len < 4 {
        return None;
    }
    let key = batch.get(at..at + 4)?;
    match be_i16(key, 2) {
        0 => Some(ControlType::Abort),
        1 => Some(ControlType::Commit),
        _ => None,
    }
}

/// A zigzag varint (or varlong) at `*at`, moving `*at` past it; `None` when cut short or too long.
fn read_varint(buf: &[u8], at: &mut usize) -> Option<i64> {
    let mut raw: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*at)?;
        *at += 1;
        raw |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some((raw >> 1) as i64 ^ -((raw & 1) as i64));
        }
    }
    None
}

fn encode_with_flags(
    records: &[(Option<bytes::Bytes>, Option<bytes::Bytes>, i64)],
    leader_epoch: i32,
    producer: Option<ProducerStamp>,
    transactional: bool,
) -> Result<bytes::Bytes, String> {
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };
    // kafka-protocol keeps records in one batch while offset − sequence is constant; without a
    // producer this gives base sequence −1, Kafka's "not idempotent".
    let (producer_id, producer_epoch, base_sequence) = match producer {
        Some(p) => (p.producer_id, p.producer_epoch, p.base_sequence),
        None => (-1, -1, -1),
    };
    let recs: Vec<Record> = records
        .iter()
        .enumerate()
        .map(|(i, (k, v, ts))| Record {
            transactional,
            control: false,
            partition_leader_epoch: leader_epoch,
            producer_id,
            producer_epoch,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            sequence: increment_sequence(base_sequence, i as i32),
            timestamp: *ts,
            key: k.clone(),
            value: v.clone(),
            headers: Default::default(),
            delete_horizon: false,
        })
        .collect();
    let mut buf = bytes::BytesMut::new();
    RecordBatchEncoder::encode(
        &mut buf,
        &recs,
        &RecordEncodeOptions {
            version: 2,
            compression: Compression::None,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(buf.freeze())
}

/// Parses the header at the start of `buf` without checking the CRC.
pub fn parse_header(buf: &[u8]) -> Result<BatchHeader, BatchProblem> {
    if buf.len() < LOG_OVERHEAD {
        return Err(BatchProblem::Truncated);
    }
    let batch_len = be_i32(buf, 8);
    if batch_len < (HEADER_LEN - LOG_OVERHEAD) as i32 || batch_len as usize > MAX_BATCH_LEN {
        return Err(BatchProblem::BadLength(batch_len));
    }
    if buf.len() < HEADER_LEN {
        return Err(BatchProblem::Truncated);
    }
    let magic = buf[16] as i8;
    if magic != 2 {
        return Err(BatchProblem::BadMagic(magic));
    }
    let base_offset = be_i64(buf, 0);
    let delta = be_i32(buf, 23);
    let record_count = be_i32(buf, 57);
    if delta < 0 || record_count < 0 || base_offset < 0 {
        return Err(BatchProblem::BadHeader(format!(
            "bad header: base offset {base_offset}, last offset delta {delta}, record count {record_count}"
        )));
    }
    Ok(BatchHeader {
        base_offset,
        total_len: batch_len as usize + LOG_OVERHEAD,
        leader_epoch: be_i32(buf, 12),
        last_offset: base_offset + delta as i64,
        base_timestamp: be_i64(buf, 27),
        max_timestamp: be_i64(buf, 35),
        producer_id: be_i64(buf, 43),
        producer_epoch: be_i16(buf, 51),
        base_sequence: be_i32(buf, 53),
        record_count,
        attributes: be_i16(buf, 21),
    })
}

/// Parses and fully validates the batch at the start of `buf` (length, magic, CRC-32C).
pub fn validate(buf: &[u8]) -> Result<BatchHeader, BatchProblem> {
    let h = parse_header(buf)?;
    if buf.len() < h.total_len {
        return Err(BatchProblem::Truncated);
    }
    let stored = u32::from_be_bytes([buf[17], buf[18], buf[19], buf[20]]);
    let computed = crc32c::crc32c(&buf[21..h.total_len]);
    if stored != computed {
        return Err(BatchProblem::BadCrc { stored, computed });
    }
    Ok(h)
}

/// Overwrites baseOffset and partitionLeaderEpoch: both lie outside the CRC, so the batch stays valid.
pub fn patch(buf: &mut [u8], base_offset: i64, leader_epoch: i32) {
    if buf.len() >= 16 {
        buf[0..8].copy_from_slice(&base_offset.to_be_bytes());
        buf[12..16].copy_from_slice(&leader_epoch.to_be_bytes());
    }
}

/// Valid batches with their positions, and the first problem with its position, if any.
pub type SplitBatches = (Vec<(usize, BatchHeader)>, Option<(usize, BatchProblem)>);

/// Splits a buffer of concatenated batches, validating each; stops at the first problem.
pub fn split_valid(buf: &[u8]) -> SplitBatches {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        match validate(&buf[pos..]) {
            Ok(h) => {
                out.push((pos, h));
                pos += h.total_len;
            }
            Err(p) => return (out, Some((pos, p))),
        }
    }
    (out, None)
}

/// Splits a buffer of concatenated batches by their headers (length and magic) without checking
/// CRCs: for bytes already checked by the log they came from. Stops at the first problem.
pub fn split_headers(buf: &[u8]) -> SplitBatches {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        match parse_header(&buf[pos..]) {
            Ok(h) if pos + h.total_len <= buf.len() => {
                out.push((pos, h));
                pos += h.total_len;
            }
            Ok(_) => return (out, Some((pos, BatchProblem::Truncated))),
            Err(p) => return (out, Some((pos, p))),
        }
    }
    (out, None)
}

/// Decodes whole v2 batches into records with kafka-protocol (what consumers do with a fetch).
pub fn decode_records(
    bytes: &bytes::Bytes,
) -> Result<Vec<kafka_protocol::records::Record>, String> {
    let mut buf = bytes.clone();
    let sets = kafka_protocol::records::RecordBatchDecoder::decode_all(&mut buf)
        .map_err(|e| e.to_string())?;
    Ok(sets.into_iter().flat_map(|s| s.records).collect())
}

/// Encodes records as one Kafka v2 batch with kafka-protocol (offsets are assigned by the leader).
pub fn encode_batch(records: &[(Option<bytes::Bytes>, bytes::Bytes, i64)]) -> bytes::Bytes {
    let recs: Vec<_> = records
        .iter()
        .map(|(k, v, ts)| (k.clone(), Some(v.clone()), *ts))
        .collect();
    // Encoding plain records without compression cannot fail; an empty batch is the fallback.
    encode_records(&recs, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {

    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        let recs: Vec<_> = (0..n)
            .map(|i| {
                (
                    None,
                    Some(bytes::Bytes::from(format!("v{i}"))),
                    1000 + i as i64,
                )
            })
            .collect();
        encode_records(&recs, 0).unwrap().to_vec()
    }

    #[test]
    fn encoded_batch_validates_and_patches() {
        let mut b = sample(3);
        let h = validate(&b).unwrap();
        assert_eq!(h.total_len, b.len());
        assert_eq!(h.record_count, 3);
        assert_eq!(h.last_offset - h.base_offset, 2);
        patch(&mut b, 100, 7);
        let h = validate(&b).unwrap();
        assert_eq!(
            (h.base_offset, h.last_offset, h.leader_epoch),
            (100, 102, 7)
        );
    }

    #[test]
    fn flipped_byte_fails_crc_and_short_buffer_is_torn() {
        let mut b = sample(2);
        let n = b.len();
        b[n - 2] ^= 0xff;
        assert!(matches!(validate(&b), Err(BatchProblem::BadCrc { .. })));
        let b = sample(2);
        assert_eq!(validate(&b[..b.len() - 1]), Err(BatchProblem::Truncated));
        assert_eq!(validate(&b[..5]), Err(BatchProblem::Truncated));
    }

    #[test]
    fn markers_are_control_batches_whose_type_is_read_without_decoding() {
        for marker in [ControlType::Commit, ControlType::Abort] {
            let b = encode_control_batch(7, 3, marker, 2, 1234).unwrap();
            let h = validate(&b).unwrap();
            assert!(h.is_control() && h.is_transactional());
            assert_eq!((h.producer_id, h.producer_epoch), (7, 3));
            assert_eq!(control_type(&b), Some(marker));
            let recs = decode_records(&b).unwrap();
            assert!(recs[0].control);
        }
        let stamp = ProducerStamp {
            producer_id: 7,
            producer_epoch: 0,
            base_sequence: 0,
        };
        let data = encode_transactional_records(&[(None, None, 1)], 0, stamp).unwrap();
        let h = validate(&data).unwrap();
        assert!(h.is_transactional() && !h.is_control());
        assert_eq!(control_type(&data), None);
        assert!(!validate(&sample(1)).unwrap().is_transactional());
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..200usize {
            let g: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
            let _ = validate(&g);
            let _ = split_valid(&g);
            let _ = control_type(&g);
        }
    }
}
