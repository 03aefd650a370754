//! `report.json`: the [`RunResult`] as pretty JSON, every string redacted.
//!
//! The layout is described by `docs/report.schema.json` (JSON Schema draft 2020-12); its
//! `schema_version` is [`crate::run::result::SCHEMA_VERSION`].

use std::path::{Path, PathBuf};

use super::{write_file, Redactor, ReportError, JSON_FILE};
use crate::run::result::RunResult;

/// The run result as a redacted JSON value.
pub fn to_json_value(result: &RunResult, redactor: &Redactor) -> Result<serde_json::Value, ReportError> {
    let mut value = serde_json::to_value(result)?;
    redactor.redact_json(&mut value);
    Ok(value)
}

/// Writes `dir/report.json` (pretty-printed) and returns its path.
pub fn write_json(result: &RunResult, dir: &Path, redactor: &Redactor) -> Result<PathBuf, ReportError> {
    let value = to_json_value(result, redactor)?;
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    // Object keys are not covered by `redact_json`; redact the finished text as well.
    let text = redactor.redact_string(text);
    write_file(dir, JSON_FILE, text.as_bytes())
}
