//! Report writers: HTML, JSON, JUnit, console progress and logging; all redact secrets.
//!
//! A run folder ends up with `report.html` (self-contained, screenshots embedded),
//! `report.json` (the [`RunResult`], see `docs/report.schema.json`), `junit.xml` and `run.log`.

pub mod console;
pub mod html;
pub mod i18n;
pub mod json;
pub mod junit;
pub mod logging;
pub mod manifest;
pub mod operator;
pub use crate::redact;
mod text;

pub(crate) use text::status_mark;

use std::path::{Path, PathBuf};

use crate::run::result::RunResult;

pub use console::Progress;
pub use i18n::{Lang, Msg};
pub use logging::{clear_run_log, init as init_logging, set_run_log, LogFormat, LogGuard};
pub use manifest::{write_manifest, MANIFEST_FILE};
pub use redact::{Redactor, MASK};
pub use text::percent;

/// File name of the HTML report inside the run folder.
pub const HTML_FILE: &str = "report.html";
/// File name of the JSON report inside the run folder.
pub const JSON_FILE: &str = "report.json";
/// File name of the JUnit report inside the run folder.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the run's log inside the run folder.
pub const LOG_FILE: &str = "run.log";

/// Where [`write_all`] put the reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPaths {
    pub html: PathBuf,
    pub json: PathBuf,
    pub junit: PathBuf,
}

/// Writing a report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot serialize the run result: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Writes `report.html`, `report.json` and `junit.xml` into `dir` (the run folder), all redacted.
pub fn write_all(result: &RunResult, dir: &Path, redactor: &Redactor) -> Result<ReportPaths, ReportError> {
    Ok(ReportPaths {
        json: json::write_json(result, dir, redactor)?,
        junit: junit::write_junit(result, dir, redactor)?,
        html: html::write_html(result, dir, redactor)?,
    })
}

/// Writes `contents` to `dir/name` atomically (temp file + rename, creating `dir` when missing):
/// a full disk leaves the previous report or none, never a truncated one, and a symbolic link
/// planted under that name is replaced, never followed.
fn write_file(dir: &Path, name: &str, contents: &[u8]) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    let err = |source| ReportError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    crate::durable::write_atomic(&path, contents).map_err(err)?;
    Ok(path)
}
