//! Keeping only the newest N run folders of a job.

use crate::batch::rundir::is_run_dir_name;
use std::io;
use std::path::{Path, PathBuf};

/// Deletes all but the newest `keep` run folders in `out` and returns what was deleted.
///
/// Only folders named like run folders (`YYYYMMDDTHHMMSS.mmmZ-…`) count; other files
/// (`history.jsonl`, `status.json`, anything a person put there) and symbolic links are never
/// touched. `protect` (the run still going) is never deleted.
pub fn prune_runs(out: &Path, keep: usize, protect: Option<&Path>) -> io::Result<Vec<PathBuf>> {
    let mut runs: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let entry = entry?;
        // `file_type` does not follow symbolic links.
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_run_dir_name(&name) {
            runs.push((name, entry.path()));
        }
    }
    // Names start with the UTC timestamp: sorting by name is sorting by start time.
    runs.sort_by(|a, b| sort_key(&a.0).cmp(&sort_key(&b.0)));
    let excess = runs.len().saturating_sub(keep);
    let mut deleted = Vec::new();
    for (_, path) in runs.into_iter().take(excess) {
        if protect.is_some_and(|p| p == path) {
            continue;
        }
        std::fs::remove_dir_all(&path)?;
        deleted.push(path);
    }
    Ok(deleted)
}

/// Timestamp, then the `-N` suffix numerically (so `-10` sorts after `-9`).
fn sort_key(name: &str) -> (&str, u32) {
    let stamp = &name[..20];
    let suffix = name.rsplit_once('-').and_then(|(_, n)| n.parse().ok()).unwrap_or(1);
    (stamp, suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_and_leaves_other_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let names = [
            "20250301T070000.000Z-ochtend",
            "20250302T070000.000Z-ochtend",
            "20250303T070000.000Z-ochtend",
            "20250303T070000.000Z-ochtend-2",
            "20250304T070000.000Z-ochtend",
        ];
        for n in names {
            std::fs::create_dir(out.join(n)).unwrap();
            std::fs::write(out.join(n).join("report.html"), "x").unwrap();
        }
        std::fs::write(out.join("history.jsonl"), "").unwrap();
        std::fs::create_dir(out.join("notities")).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(elsewhere.path(), out.join("20240101T000000.000Z-link")).unwrap();

        let deleted = prune_runs(out, 2, None).unwrap();
        assert_eq!(
            deleted,
            vec![out.join(names[0]), out.join(names[1]), out.join(names[2])]
        );
        let mut left: Vec<_> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut want = vec!["history.jsonl", "notities", names[3], names[4]];
        #[cfg(unix)]
        want.push("20240101T000000.000Z-link");
        want.sort();
        assert_eq!(left, want);
        assert!(elsewhere.path().exists());
    }

    #[test]
    fn protects_the_running_folder_and_handles_numeric_suffixes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let base = "20250301T070000.000Z-j";
        for n in ["", "-2", "-9", "-10"] {
            std::fs::create_dir(out.join(format!("{base}{n}"))).unwrap();
        }
        let running = out.join(format!("{base}-2"));
        let deleted = prune_runs(out, 1, Some(&running)).unwrap();
        assert_eq!(deleted, vec![out.join(base), out.join(format!("{base}-9"))]);
        assert!(running.exists());
        assert!(out.join(format!("{base}-10")).exists(), "-10 is the newest");
    }
}
