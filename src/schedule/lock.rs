//! One scheduler per schedule file: an exclusive lock (`flock`) on `<file>.lock`.

use std::fs::{File, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Held while the scheduler runs; the lock is released when this is dropped (or the process
/// ends, however it ends).
#[derive(Debug)]
pub struct ScheduleLock {
    path: PathBuf,
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another scheduler is already running {} (lock {} is held{}); stop it first",
        schedule.display(),
        lock.display(),
        holder.as_deref().map(|h| format!(" by process {h}")).unwrap_or_default()
    )]
    Busy {
        schedule: PathBuf,
        lock: PathBuf,
        holder: Option<String>,
    },
    #[error("{}: cannot lock: {source}", lock.display())]
    Io { lock: PathBuf, source: io::Error },
}

impl ScheduleLock {
    /// Takes the lock for `schedule` without waiting. The lock file records the holder's
    /// process id for the message a second scheduler prints.
    pub fn acquire(schedule: &Path) -> Result<ScheduleLock, LockError> {
        let mut name = schedule.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let path = schedule.with_file_name(name);
        let io_err = |source| LockError::Io {
            lock: path.clone(),
            source,
        };
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                return Err(LockError::Busy {
                    schedule: schedule.to_path_buf(),
                    lock: path,
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
        file.set_len(0).map_err(io_err)?;
        write!(file, "{}", std::process::id()).map_err(io_err)?;
        Ok(ScheduleLock { path, _file: file })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_scheduler_is_refused_until_the_first_stops() {
        let dir = tempfile::tempdir().unwrap();
        let schedule = dir.path().join("nachtelijk.toml");
        let first = ScheduleLock::acquire(&schedule).unwrap();
        assert_eq!(first.path(), dir.path().join("nachtelijk.toml.lock"));
        let err = ScheduleLock::acquire(&schedule).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("another scheduler is already running"), "{msg}");
        assert!(msg.contains(&format!("by process {}", std::process::id())), "{msg}");
        drop(first);
        ScheduleLock::acquire(&schedule).unwrap();
    }

    #[test]
    fn other_schedule_files_have_their_own_lock() {
        let dir = tempfile::tempdir().unwrap();
        let _a = ScheduleLock::acquire(&dir.path().join("a.toml")).unwrap();
        let _b = ScheduleLock::acquire(&dir.path().join("b.toml")).unwrap();
    }
}
