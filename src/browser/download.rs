//! Watching the download directory: a download is done when a new file is there, no partial
//! (`.crdownload`) file is left, and its size has stopped changing.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::engine::Attempts;
use super::error::BrowserError;

/// File names Chromium uses while a download is in progress.
/// Chromium writes a download under a temporary name first: `*.crdownload`, or a hidden
/// `.org.chromium.Chromium.*` / `.com.google.Chrome.*` file that is renamed when complete.
/// Hidden files are never a finished download.
pub(crate) fn is_partial(name: &str) -> bool {
    name.ends_with(".crdownload") || name.ends_with(".tmp") || name.ends_with(".part") || name.starts_with('.')
}

/// The names in `dir` now.
pub(crate) fn snapshot(dir: &Path) -> HashSet<OsString> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default()
}

/// Waits (bounded) for one new, complete file in `dir` that was not in `before`.
pub(crate) async fn wait_for_new_file(
    dir: &Path,
    before: &HashSet<OsString>,
    timeout: Duration,
) -> Result<PathBuf, BrowserError> {
    let mut attempts = Attempts::new(timeout);
    let mut partial_seen = false;
    loop {
        let mut partial = false;
        let mut fresh: Vec<PathBuf> = Vec::new();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.filter_map(|e| e.ok()) {
                let name = e.file_name();
                if is_partial(&name.to_string_lossy()) {
                    partial = true;
                } else if !before.contains(&name) {
                    fresh.push(e.path());
                }
            }
        }
        partial_seen |= partial;
        if !partial && fresh.len() == 1 {
            let path = fresh.remove(0);
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            // Browsers write into a partial file (`*.crdownload`, `*.part`) and rename it when
            // done: a new, non-empty file with no partial one left is complete.
            if size > 0 {
                return Ok(path);
            }
        }
        if !attempts.next().await {
            return Err(BrowserError::Download(if partial || partial_seen && fresh.is_empty() {
                format!("the download did not finish within {:.0} s", timeout.as_secs_f64())
            } else if fresh.len() > 1 {
                format!("several new files arrived in {}", dir.display())
            } else {
                format!(
                    "no file arrived in {} within {:.0} s",
                    dir.display(),
                    timeout.as_secs_f64()
                )
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_partial;

    #[test]
    fn temporary_download_names_are_partial() {
        assert!(is_partial("report.pdf.crdownload"));
        assert!(is_partial(".org.chromium.Chromium.AbCdEf"));
        assert!(is_partial(".com.google.Chrome.xyz"));
        assert!(is_partial("report.pdf.part"));
        assert!(!is_partial("e-commerce-inzichten-9401138.pdf"));
    }
}
