//! `history.jsonl` (every run and skip of a job) and `status.json` (the last run and the last
//! success, for monitoring), both in the job's `out` folder.

use crate::durable;
use chrono::{DateTime, Utc};
use std::io;
use std::path::{Path, PathBuf};

pub const HISTORY_FILE: &str = "history.jsonl";
pub const STATUS_FILE: &str = "status.json";

/// How a scheduled run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Passed,
    Failed,
    /// A committing action was sent, then the run ended before its outcome was confirmed.
    CommittedUnknown,
    /// A verify job found drift: every step could be performed, something changed.
    Drift,
    /// The run could not start or ended in an error of its own (no browser, bad flow, I/O).
    Error,
    /// Stopped by SIGTERM/SIGINT.
    Interrupted,
    /// Not started: the previous run of the job was still going.
    Skipped,
}

/// One line of `history.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryEntry {
    pub job: String,
    /// When the run started (for a skip: when it was due).
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    /// The run's folder (absent for a skip).
    pub folder: Option<PathBuf>,
    pub message: Option<String>,
}

/// `status.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    pub job: String,
    pub updated: DateTime<Utc>,
    pub last_run: Option<HistoryEntry>,
    pub last_success: Option<HistoryEntry>,
}

/// Appends `entry` to `out/history.jsonl` (one synced line).
pub fn append(out: &Path, entry: &HistoryEntry) -> io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut f = durable::open_append(&out.join(HISTORY_FILE))?;
    durable::append_line(&mut f, &serde_json::to_string(entry).expect("history entry serialises"))
}

/// Reads `out/history.jsonl`, skipping a torn last line.
pub fn read(out: &Path) -> io::Result<Vec<HistoryEntry>> {
    let text = match std::fs::read_to_string(out.join(HISTORY_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .split_terminator('\n')
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// Records a finished run (not a skip) in `out/status.json`, keeping the last success when the
/// run failed. The file is replaced atomically.
pub fn update_status(out: &Path, entry: &HistoryEntry) -> io::Result<Status> {
    let path = out.join(STATUS_FILE);
    let previous: Option<Status> = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let last_success = match entry.status {
        RunStatus::Passed => Some(entry.clone()),
        _ => previous.and_then(|p| p.last_success),
    };
    let status = Status {
        job: entry.job.clone(),
        updated: Utc::now(),
        last_run: Some(entry.clone()),
        last_success,
    };
    let json = serde_json::to_vec_pretty(&status).expect("status serialises");
    durable::write_atomic(&path, &json)?;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: RunStatus, folder: &str) -> HistoryEntry {
        HistoryEntry {
            job: "ochtend".into(),
            started: Utc::now(),
            finished: Some(Utc::now()),
            status,
            exit_code: Some(if status == RunStatus::Passed { 0 } else { 1 }),
            folder: Some(folder.into()),
            message: None,
        }
    }

    #[test]
    fn history_lines_append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("runs/ochtend");
        append(&out, &entry(RunStatus::Passed, "a")).unwrap();
        append(&out, &entry(RunStatus::Skipped, "b")).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(HISTORY_FILE))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"job\":\"och"))
            .unwrap();
        let h = read(&out).unwrap();
        assert_eq!(
            h.iter().map(|e| e.status).collect::<Vec<_>>(),
            vec![RunStatus::Passed, RunStatus::Skipped]
        );
        let text = std::fs::read_to_string(out.join(HISTORY_FILE)).unwrap();
        assert!(text.starts_with(r#"{"job":"ochtend","started":""#), "{text}");
        assert!(text.contains(r#""status":"skipped""#), "{text}");
        assert!(read(&dir.path().join("none")).unwrap().is_empty());
    }

    #[test]
    fn status_keeps_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let s = update_status(dir.path(), &entry(RunStatus::Passed, "a")).unwrap();
        assert_eq!(s.last_success.unwrap().folder, Some("a".into()));
        update_status(dir.path(), &entry(RunStatus::Failed, "b")).unwrap();
        let s: Status = serde_json::from_slice(&std::fs::read(dir.path().join(STATUS_FILE)).unwrap()).unwrap();
        assert_eq!(s.last_run.unwrap().folder, Some("b".into()));
        assert_eq!(s.last_success.unwrap().folder, Some("a".into()));
        let s = update_status(dir.path(), &entry(RunStatus::Passed, "c")).unwrap();
        assert_eq!(s.last_success.unwrap().folder, Some("c".into()));
    }
}
