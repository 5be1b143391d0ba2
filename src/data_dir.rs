//! The data directory: where it is, and a lock so two labs never write the same files.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The platform's data dir for kafka-lab (e.g. `~/.local/share/kafka-lab`).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kafka-lab").map(|d| d.data_dir().to_path_buf())
}

/// An exclusive hold on a data dir, released when dropped.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Creates the dir if needed and locks `<dir>/kafka-lab.lock`, or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
        let path = dir.join("kafka-lab.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open lock file {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    "another kafka-lab".to_string()
                } else {
                    format!("another kafka-lab (pid {holder})")
                };
                return Err(format!(
                    "data dir {} is in use by {who}; stop it, or pass --data-dir DIR or --ephemeral",
                    dir.display()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", path.display()));
            }
        }
        // The pid is only informative: the OS lock is what excludes, and it dies with the process.
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = write!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(Self { _file: file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The data dir a lab runs on, with its lock (and the temp dir that must outlive the lab).
#[derive(Debug)]
pub struct DataDir {
    /// Where the logs live.
    pub path: PathBuf,
    _lock: DataDirLock,
    _temp: Option<tempfile::TempDir>,
}

impl DataDir {
    /// A fresh temporary dir removed on drop (`ephemeral`), `dir`, or the platform's data dir;
    /// locked for this process.
    pub fn open(ephemeral: bool, dir: Option<&Path>) -> Result<Self, String> {
        let (path, temp) = if ephemeral {
            let t = tempfile::Builder::new()
                .prefix("kafka-lab-")
                .tempdir()
                .map_err(|e| format!("cannot create a temporary data dir: {e}"))?;
            (t.path().to_path_buf(), Some(t))
        } else if let Some(d) = dir {
            (d.to_path_buf(), None)
        } else {
            let d = default_data_dir()
                .ok_or("no home directory to keep data in; pass --data-dir DIR or --ephemeral")?;
            (d, None)
        };
        let lock = DataDirLock::acquire(&path)?;
        Ok(Self {
            path,
            _lock: lock,
            _temp: temp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_same_dir_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let _first = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err();
        assert!(err.contains("in use by"), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
    }

    #[test]
    fn lock_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        drop(DataDirLock::acquire(dir.path()).unwrap());
        assert!(DataDirLock::acquire(dir.path()).is_ok());
    }

    #[test]
    fn data_dir_that_is_a_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let err = DataDirLock::acquire(&file).unwrap_err();
        assert!(err.contains(&file.display().to_string()), "{err}");
    }
}
