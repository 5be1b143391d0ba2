//! Segment files shared between forked labs by hard links (see `PartitionLog::fork_to`).
//!
//! A sealed segment's files are linked, not copied, into a fork: both logs then name one inode.
//! That is only safe while nobody writes such a file in place, so every in-place write of a
//! segment file that may be shared goes through here: a file with more than one link is first
//! copied to a private one (copy-on-write), and whole-file rewrites replace the file by rename,
//! which never touches the inode the other log still reads. Unlinking (retention, deletion) needs
//! nothing: the other name keeps the data.

use super::error::{LogError, io_err};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Whether `path` is shared with another log (more than one hard link).
pub fn is_shared(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.nlink() > 1)
}

/// Makes `path` this log's own before it is written in place: a shared file is copied to a
/// temporary name beside it and renamed over its name. Returns whether it copied.
pub fn make_private(path: &Path) -> Result<bool, LogError> {
    if !is_shared(path) {
        return Ok(false);
    }
    let tmp = temp_name(path);
    std::fs::copy(path, &tmp).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))?;
    Ok(true)
}

/// Replaces `path`'s contents with `bytes` by writing a new file and renaming it over: a linked
/// twin keeps the old contents.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), LogError> {
    let tmp = temp_name(path);
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Links `from` at `to` (a fork shares a sealed file); copies when linking is impossible (another
/// file system). A missing `from` is skipped: a segment without aborts has no `.txnindex`.
pub fn link_or_copy(from: &Path, to: &Path) -> Result<(), LogError> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) => copy(from, to),
    }
}

/// Copies `from` to `to` (a fork's own copy of a file its original still writes); a missing
/// `from` is skipped.
pub fn copy(from: &Path, to: &Path) -> Result<(), LogError> {
    match std::fs::copy(from, to) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(to)(e)),
    }
}

/// Link-copies a closed log dir tree (a stopped broker's, a stopped controller's): segment files
/// are linked, anything else copied. Their next opener makes the active segment its own.
pub fn fork_tree(from: &Path, to: &Path) -> Result<(), LogError> {
    let entries = match std::fs::read_dir(from) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(from)(e)),
    };
    std::fs::create_dir_all(to).map_err(io_err(to))?;
    for entry in entries {
        let entry = entry.map_err(io_err(from))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(io_err(&src))?;
        if kind.is_dir() {
            fork_tree(&src, &dst)?;
        } else if is_segment_file(&src) {
            link_or_copy(&src, &dst)?;
        } else {
            copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Whether `path` is one of a segment's files (`.log`, `.index`, `.timeindex`, `.txnindex`).
fn is_segment_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("log" | "index" | "timeindex" | "txnindex")
    )
}

fn temp_name(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".cow-tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_file_is_copied_before_it_is_written_and_the_twin_keeps_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
        std::fs::write(&a, b"12345").unwrap();
        link_or_copy(&a, &b).unwrap();
        assert!(is_shared(&a) && is_shared(&b));
        assert!(make_private(&a).unwrap());
        assert!(!is_shared(&a) && !is_shared(&b));
        let f = std::fs::OpenOptions::new().write(true).open(&a).unwrap();
        f.set_len(2).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"12345");
        assert!(!make_private(&a).unwrap(), "a private file is left alone");
        link_or_copy(&a, &dir.path().join("c.log")).unwrap();
        replace(&a, b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("c.log")).unwrap(), b"12");
    }
}
