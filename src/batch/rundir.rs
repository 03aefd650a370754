//! Run folders that are never shared: unique default names, and checks on a given `--out`.

use std::io;
use std::path::{Path, PathBuf};

/// Most suffixes tried before giving up (`-2` … `-1000`).
const MAX_SUFFIX: u32 = 1000;

/// Why a run folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: the folder is not empty; use --force to write into it anyway (or --resume for a batch)", path.display())]
    NotEmpty { path: PathBuf },
    #[error("{}: is a symbolic link; give the real folder", path.display())]
    Symlink { path: PathBuf },
    #[error("{}: exists and is not a folder", path.display())]
    NotADirectory { path: PathBuf },
    #[error("{}: the folder is not writable: {source}", path.display())]
    NotWritable { path: PathBuf, source: io::Error },
    #[error("{}: no free folder name for `{name}` (tried up to -{MAX_SUFFIX})", base.display())]
    Exhausted { base: PathBuf, name: String },
}

/// Creates and returns a new folder `base/<UTC timestamp with ms>-<flow>` such as
/// `runs/20250301T081500.123Z-autoriseren`, adding `-2`, `-3`, … when the name is taken.
///
/// The leaf is made with `create_dir`, which fails when the folder exists, so concurrent runs
/// (threads or processes) never get the same folder.
pub fn unique_run_dir(base: &Path, flow_name: &str) -> Result<PathBuf, OutDirError> {
    std::fs::create_dir_all(base).map_err(|source| OutDirError::Io {
        path: base.to_path_buf(),
        source,
    })?;
    let name = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        safe_name(flow_name)
    );
    create_unique(base, &name)
}

/// Creates `base/name`, or the first free `base/name-N`.
fn create_unique(base: &Path, name: &str) -> Result<PathBuf, OutDirError> {
    for n in 1..=MAX_SUFFIX {
        let candidate = match n {
            1 => base.join(name),
            n => base.join(format!("{name}-{n}")),
        };
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(OutDirError::Io {
                    path: candidate,
                    source,
                })
            }
        }
    }
    Err(OutDirError::Exhausted {
        base: base.to_path_buf(),
        name: name.to_string(),
    })
}

/// Whether `name` looks like a folder made by [`unique_run_dir`] (`YYYYMMDDTHHMMSS.mmmZ-…`).
pub fn is_run_dir_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 21
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'.'
        && b[16..19].iter().all(u8::is_ascii_digit)
        && b[19] == b'Z'
        && b[20] == b'-'
}

/// The flow name made safe for a folder name: anything but ASCII letters, digits, `-`, `_`
/// and `.` becomes `_`.
fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.trim_matches('.') {
        "" => "run".to_string(),
        t => t.to_string(),
    }
}

/// Checks a folder given with `--out`: it must not be a symbolic link or a file; an existing
/// non-empty folder is refused unless `force` or `resume`; a missing one is created; a probe
/// file proves it is writable. Returns the folder's canonical path.
pub fn prepare_out_dir(path: &Path, force: bool, resume: bool) -> Result<PathBuf, OutDirError> {
    let io_err = |source| OutDirError::Io {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(OutDirError::Symlink {
                path: path.to_path_buf(),
            })
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(OutDirError::NotADirectory {
                path: path.to_path_buf(),
            })
        }
        Ok(_) => {
            let mut entries = std::fs::read_dir(path).map_err(io_err)?;
            if entries.next().is_some() && !force && !resume {
                return Err(OutDirError::NotEmpty {
                    path: path.to_path_buf(),
                });
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(path).map_err(io_err)?,
        Err(e) => return Err(io_err(e)),
    }
    tempfile::Builder::new()
        .prefix(".write-probe-")
        .tempfile_in(path)
        .map_err(|source| OutDirError::NotWritable {
            path: path.to_path_buf(),
            source,
        })?;
    std::fs::canonicalize(path).map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::{Arc, Barrier};

    #[test]
    fn names_have_timestamp_and_flow() {
        let base = tempfile::tempdir().unwrap();
        let dir = unique_run_dir(base.path(), "autoriseren").unwrap();
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        assert!(is_run_dir_name(&name), "{name}");
        assert!(name.ends_with("Z-autoriseren"), "{name}");
        assert!(dir.is_dir());
        let odd = unique_run_dir(base.path(), "../a b/c").unwrap();
        assert_eq!(odd.parent().unwrap(), base.path());
        assert!(
            odd.file_name().unwrap().to_str().unwrap().ends_with("Z-_a_b_c"),
            "{}",
            odd.display()
        );
    }

    #[test]
    fn collisions_get_a_suffix() {
        let base = tempfile::tempdir().unwrap();
        let name = "20250301T081500.123Z-f";
        let made: Vec<_> = (0..4).map(|_| create_unique(base.path(), name).unwrap()).collect();
        let names: Vec<_> = made.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(
            names,
            vec![name, &format!("{name}-2"), &format!("{name}-3"), &format!("{name}-4")]
        );
    }

    #[test]
    fn racing_threads_never_share_a_folder() {
        let base = tempfile::tempdir().unwrap();
        let threads = 8;
        let barrier = Arc::new(Barrier::new(threads));
        // Every thread asks for the same name at once (the worst case of runs started in the
        // same millisecond) and also for default names.
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (base, barrier) = (base.path().to_path_buf(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut dirs: Vec<_> = (0..5).map(|_| create_unique(&base, "same").unwrap()).collect();
                    dirs.extend((0..5).map(|_| unique_run_dir(&base, "flow").unwrap()));
                    dirs
                })
            })
            .collect();
        let dirs: Vec<PathBuf> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        let unique: HashSet<_> = dirs.iter().collect();
        assert_eq!(unique.len(), threads * 10);
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), threads * 10);
        let same: HashSet<String> = (1..=threads * 5)
            .map(|n| {
                if n == 1 {
                    "same".to_string()
                } else {
                    format!("same-{n}")
                }
            })
            .collect();
        let got: HashSet<String> = dirs
            .iter()
            .map(|d| d.file_name().unwrap().to_str().unwrap().to_string())
            .filter(|n| n.starts_with("same"))
            .collect();
        assert_eq!(got, same);
    }

    #[test]
    fn recognises_run_folder_names() {
        assert!(is_run_dir_name("20250301T081500.123Z-autoriseren"));
        assert!(is_run_dir_name("20250301T081500.123Z-autoriseren-2"));
        assert!(!is_run_dir_name("history.jsonl"));
        assert!(!is_run_dir_name("20250301T081500Z-autoriseren"));
    }

    #[test]
    fn out_dir_empty_missing_nonempty() {
        let base = tempfile::tempdir().unwrap();
        let missing = base.path().join("a/b");
        assert!(prepare_out_dir(&missing, false, false).unwrap().is_dir());
        // Still empty: accepted again (the probe file is gone).
        prepare_out_dir(&missing, false, false).unwrap();
        std::fs::write(missing.join("report.html"), "x").unwrap();
        let err = prepare_out_dir(&missing, false, false).unwrap_err();
        assert!(matches!(err, OutDirError::NotEmpty { .. }), "{err}");
        prepare_out_dir(&missing, true, false).unwrap();
        prepare_out_dir(&missing, false, true).unwrap();
        let file = missing.join("report.html");
        assert!(matches!(
            prepare_out_dir(&file, true, false),
            Err(OutDirError::NotADirectory { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn out_dir_refuses_symlinks_and_unwritable_folders() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let real = base.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            prepare_out_dir(&link, true, false),
            Err(OutDirError::Symlink { .. })
        ));

        let ro = base.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root may write anywhere; only check when the permission bits are enforced.
        if std::fs::write(ro.join("t"), "x").is_err() {
            assert!(matches!(
                prepare_out_dir(&ro, false, false),
                Err(OutDirError::NotWritable { .. })
            ));
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}
