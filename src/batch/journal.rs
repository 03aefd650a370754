//! `journal.jsonl`: the batch's crash-safe record of row outcomes, and resume planning.
//!
//! The first line is a [`Header`] with the CSV's SHA-256; every further line is an [`Entry`].
//! Lines are appended with one write each and synced to disk before the next row's outcome, so
//! a crash (even SIGKILL or power loss) loses at most the line being written, which the reader
//! then ignores.

use super::csv::BatchRow;
use super::key::RowKey;
use crate::durable;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal's file name inside the batch folder.
pub const FILE_NAME: &str = "journal.jsonl";
/// Version of the journal layout, written in the header.
pub const VERSION: u32 = 1;

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub journal: u32,
    pub flow: String,
    /// The CSV as given on the command line.
    pub csv: String,
    /// SHA-256 of the CSV's bytes; a resume with a different file is refused.
    pub csv_sha256: String,
    pub created: DateTime<Utc>,
}

impl Header {
    pub fn new(flow: &str, csv: &Path, csv_sha256: &str) -> Header {
        Header {
            journal: VERSION,
            flow: flow.to_string(),
            csv: csv.display().to_string(),
            csv_sha256: csv_sha256.to_string(),
            created: Utc::now(),
        }
    }
}

/// A row's state as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowStatus {
    /// Written just before the row's committing action (the save) is sent; a journal that ends
    /// here for a row means the process stopped before the outcome was known.
    Committing,
    Passed,
    Failed,
    /// `verify`: every step could be performed, something changed since the baseline.
    Changed,
    /// Stopped by Ctrl-C/SIGTERM or a batch stop before finishing.
    Interrupted,
    /// The committing action was sent, then the row failed or was cancelled before its outcome
    /// was confirmed (the run's `committed-unknown`).
    CommittedUnknown,
}

/// One row outcome (or the `committing` marker).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub key: RowKey,
    /// 1-based CSV line of the row.
    pub line: u64,
    /// The row's parameters (never secrets: they do not come from the CSV).
    pub params: BTreeMap<String, String>,
    pub status: RowStatus,
    pub exit_code: Option<i32>,
    pub message: Option<String>,
    /// The row's run folder, relative to the batch folder.
    pub folder: Option<String>,
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    /// Whether the row's committing action was sent to the portal.
    pub committed: bool,
}

/// Why the journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: already exists; resume the batch with --resume or choose another folder", path.display())]
    Exists { path: PathBuf },
    #[error("{}: no journal to resume: this folder holds no batch started before", path.display())]
    Missing { path: PathBuf },
    #[error("{}:{line}: not a journal line: {reason}", path.display())]
    Corrupt { path: PathBuf, line: usize, reason: String },
    #[error(
        "{}: the CSV changed since the batch started (sha256 {expected}, now {found}); \
         start a new batch in another folder",
        path.display()
    )]
    CsvChanged {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("{}: journal layout version {found} is not supported (expected {VERSION})", path.display())]
    Version { path: PathBuf, found: u32 },
}

/// What a journal file holds.
#[derive(Debug, Clone)]
pub struct Contents {
    pub header: Header,
    pub entries: Vec<Entry>,
    /// Byte length of the intact part (everything up to the last complete line).
    pub intact_len: u64,
    /// Whether a torn last line (a crash mid-write) was ignored.
    pub torn_tail: bool,
}

/// Reads a journal; a torn last line is ignored, a bad line elsewhere is an error.
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    let io_err = |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => JournalError::Missing {
            path: path.to_path_buf(),
        },
        _ => io_err(e),
    })?;
    let mut reader = io::BufReader::new(file);
    let mut header: Option<Header> = None;
    let mut entries = Vec::new();
    let (mut intact_len, mut torn_tail, mut number) = (0u64, false, 0usize);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        number += 1;
        // A last line without its newline is torn, even when it happens to parse: it was never
        // synced as a whole.
        if !buf.ends_with(b"\n") {
            torn_tail = true;
            break;
        }
        let text = String::from_utf8_lossy(&buf);
        let parsed = if header.is_none() {
            serde_json::from_str::<Header>(text.trim_end()).map(|h| header = Some(h))
        } else {
            serde_json::from_str::<Entry>(text.trim_end()).map(|e| entries.push(e))
        };
        if let Err(e) = parsed {
            return Err(JournalError::Corrupt {
                path: path.to_path_buf(),
                line: number,
                reason: e.to_string(),
            });
        }
        intact_len += n as u64;
    }
    let Some(header) = header else {
        return Err(JournalError::Corrupt {
            path: path.to_path_buf(),
            line: 1,
            reason: "the header line is missing (the batch stopped before it started)".into(),
        });
    };
    if header.journal != VERSION {
        return Err(JournalError::Version {
            path: path.to_path_buf(),
            found: header.journal,
        });
    }
    Ok(Contents {
        header,
        entries,
        intact_len,
        torn_tail,
    })
}

/// An open journal; appends are serialised, so workers may share it (`&Journal`).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Starts a new journal in `dir` (which must not hold one yet) and writes the header.
    pub fn create(dir: &Path, header: &Header) -> Result<Journal, JournalError> {
        let path = dir.join(FILE_NAME);
        let io_err = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        let mut file = File::options()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => JournalError::Exists { path: path.clone() },
                _ => io_err(e),
            })?;
        let line = serde_json::to_string(header).expect("header serialises");
        durable::append_line(&mut file, &line).map_err(io_err)?;
        durable::sync_dir(dir).map_err(io_err)?;
        Ok(Journal {
            path,
            file: Mutex::new(file),
        })
    }

    /// Reopens the journal in `dir` for a resumed batch over a CSV whose SHA-256 is
    /// `csv_sha256`. A torn last line is cut off so new lines start on a clean line.
    pub fn resume(dir: &Path, csv_sha256: &str) -> Result<(Journal, Contents), JournalError> {
        let path = dir.join(FILE_NAME);
        let contents = read(&path)?;
        if contents.header.csv_sha256 != csv_sha256 {
            return Err(JournalError::CsvChanged {
                path: path.clone(),
                expected: contents.header.csv_sha256.clone(),
                found: csv_sha256.to_string(),
            });
        }
        let io_err = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        if contents.torn_tail {
            let f = File::options().write(true).open(&path).map_err(io_err)?;
            f.set_len(contents.intact_len).map_err(io_err)?;
            f.sync_all().map_err(io_err)?;
        }
        let file = durable::open_append(&path).map_err(io_err)?;
        Ok((
            Journal {
                path,
                file: Mutex::new(file),
            },
            contents,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and waits until it is on disk (blocking I/O: from async code, call it
    /// in `spawn_blocking` or accept a few milliseconds per row).
    pub fn append(&self, entry: &Entry) -> Result<(), JournalError> {
        let line = serde_json::to_string(entry).expect("entry serialises");
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        durable::append_line(&mut file, &line).map_err(|source| JournalError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// What a resumed batch does with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No outcome recorded: run it.
    Run,
    /// Passed before: skip it.
    Skip,
    /// Failed or interrupted before the committing action was sent: run it again.
    Retry { last: RowStatus },
    /// The committing action was sent but the row never passed: read the portal's state back
    /// first and only act if the change is not there — never blindly repeat.
    Recheck { last: RowStatus },
}

/// The plan for one row of the CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRow {
    /// Index into the batch's rows.
    pub index: usize,
    pub plan: Plan,
}

/// Decides per row (matched by key, so reordered CSV lines do not matter) what a resume does.
pub fn plan_resume(rows: &[BatchRow], entries: &[Entry]) -> Vec<PlannedRow> {
    struct Seen {
        last: RowStatus,
        passed: bool,
        committed: bool,
    }
    let mut by_key: HashMap<&RowKey, Seen> = HashMap::new();
    for e in entries {
        let s = by_key.entry(&e.key).or_insert(Seen {
            last: e.status,
            passed: false,
            committed: false,
        });
        s.last = e.status;
        s.passed |= e.status == RowStatus::Passed;
        s.committed |= e.committed || e.status == RowStatus::Committing;
    }
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            let plan = match by_key.get(&row.key) {
                None => Plan::Run,
                Some(s) if s.passed => Plan::Skip,
                Some(s) if s.committed => Plan::Recheck { last: s.last },
                Some(s) => Plan::Retry { last: s.last },
            };
            PlannedRow { index, plan }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn row(line: u64, k: &str) -> BatchRow {
        let params: BTreeMap<_, _> = [("klantnummer".to_string(), k.to_string())].into();
        BatchRow {
            line,
            key: RowKey::of(&params),
            params,
            extra: BTreeMap::new(),
        }
    }

    fn entry(r: &BatchRow, status: RowStatus, committed: bool) -> Entry {
        Entry {
            key: r.key.clone(),
            line: r.line,
            params: r.params.clone(),
            status,
            exit_code: match status {
                RowStatus::Passed => Some(0),
                RowStatus::Failed => Some(1),
                _ => None,
            },
            message: None,
            folder: Some(format!("rows/{}", r.line)),
            started: Utc::now(),
            finished: Some(Utc::now()),
            committed,
        }
    }

    #[test]
    fn create_append_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let r = row(2, "1001");
        let j = Journal::create(dir.path(), &Header::new("autoriseren", Path::new("lijst.csv"), "abc")).unwrap();
        j.append(&entry(&r, RowStatus::Committing, true)).unwrap();
        j.append(&entry(&r, RowStatus::Passed, true)).unwrap();
        let c = read(&dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(c.header.csv_sha256, "abc");
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[1].status, RowStatus::Passed);
        assert!(!c.torn_tail);
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(2).unwrap().contains(r#""status":"passed""#), "{text}");
        j.append(&entry(&r, RowStatus::CommittedUnknown, true)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(
            text.lines().nth(3).unwrap().contains(r#""status":"committed-unknown""#),
            "{text}"
        );
        // A second batch in the same folder is refused.
        assert!(matches!(
            Journal::create(dir.path(), &Header::new("autoriseren", Path::new("lijst.csv"), "abc")),
            Err(JournalError::Exists { .. })
        ));
    }

    #[test]
    fn torn_last_line_is_ignored_and_cut_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let (a, b) = (row(2, "1001"), row(3, "1002"));
        let j = Journal::create(dir.path(), &Header::new("f", Path::new("x.csv"), "sha")).unwrap();
        j.append(&entry(&a, RowStatus::Passed, true)).unwrap();
        drop(j);
        // A crash in the middle of writing b's line.
        let full = serde_json::to_string(&entry(&b, RowStatus::Passed, true)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&full.as_bytes()[..30])
            .unwrap();

        let c = read(&path).unwrap();
        assert!(c.torn_tail);
        assert_eq!(c.entries.len(), 1);

        let (j, c) = Journal::resume(dir.path(), "sha").unwrap();
        assert_eq!(c.entries.len(), 1);
        j.append(&entry(&b, RowStatus::Failed, false)).unwrap();
        let c = read(&path).unwrap();
        assert!(!c.torn_tail);
        assert_eq!(
            c.entries.iter().map(|e| e.status).collect::<Vec<_>>(),
            vec![RowStatus::Passed, RowStatus::Failed]
        );
    }

    #[test]
    fn a_complete_json_line_without_newline_is_still_torn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let r = row(2, "1001");
        Journal::create(dir.path(), &Header::new("f", Path::new("x.csv"), "sha")).unwrap();
        let full = serde_json::to_string(&entry(&r, RowStatus::Passed, true)).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(full.as_bytes())
            .unwrap();
        let c = read(&path).unwrap();
        assert!(c.torn_tail);
        assert!(c.entries.is_empty());
    }

    #[test]
    fn corrupt_line_in_the_middle_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let r = row(2, "1001");
        let j = Journal::create(dir.path(), &Header::new("f", Path::new("x.csv"), "sha")).unwrap();
        drop(j);
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"garbage\n").unwrap();
        f.write_all(
            format!(
                "{}\n",
                serde_json::to_string(&entry(&r, RowStatus::Passed, true)).unwrap()
            )
            .as_bytes(),
        )
        .unwrap();
        let err = read(&path).unwrap_err();
        assert!(matches!(err, JournalError::Corrupt { line: 2, .. }), "{err}");
    }

    #[test]
    fn resume_refuses_a_changed_csv_and_a_missing_journal() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Journal::resume(dir.path(), "sha"),
            Err(JournalError::Missing { .. })
        ));
        Journal::create(dir.path(), &Header::new("f", Path::new("x.csv"), "sha-old")).unwrap();
        let err = Journal::resume(dir.path(), "sha-new").unwrap_err();
        assert!(
            err.to_string().contains("the CSV changed since the batch started"),
            "{err}"
        );
    }

    #[test]
    fn resume_plan_skips_passed_retries_failed_and_rechecks_committed() {
        let rows: Vec<_> = (0..7).map(|i| row(i + 2, &format!("100{i}"))).collect();
        let entries = vec![
            entry(&rows[0], RowStatus::Passed, true),
            entry(&rows[1], RowStatus::Failed, false),
            // Committed, then the process died: no outcome.
            entry(&rows[2], RowStatus::Committing, true),
            entry(&rows[5], RowStatus::CommittedUnknown, true),
            // Failed after the save was sent.
            entry(&rows[3], RowStatus::Committing, true),
            entry(&rows[3], RowStatus::Failed, true),
            // Failed once, passed on a later resume.
            entry(&rows[4], RowStatus::Failed, false),
            entry(&rows[4], RowStatus::Passed, true),
        ];
        let plans: Vec<_> = plan_resume(&rows, &entries).into_iter().map(|p| p.plan).collect();
        assert_eq!(
            plans,
            vec![
                Plan::Skip,
                Plan::Retry {
                    last: RowStatus::Failed
                },
                Plan::Recheck {
                    last: RowStatus::Committing
                },
                Plan::Recheck {
                    last: RowStatus::Failed
                },
                Plan::Skip,
                Plan::Recheck {
                    last: RowStatus::CommittedUnknown
                },
                Plan::Run,
            ]
        );
    }

    #[test]
    fn rows_are_matched_by_key_not_line() {
        let before = row(2, "1001");
        let moved = row(9, "1001");
        let plans = plan_resume(&[moved], &[entry(&before, RowStatus::Passed, true)]);
        assert_eq!(plans[0].plan, Plan::Skip);
    }
}
