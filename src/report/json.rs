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

/// The JSON Schema of `report.json`, derived from [`RunResult`] (draft 2020-12); kept in
/// `docs/report.schema.json` by a test (`UPDATE_SCHEMA=1` rewrites the file).
pub fn schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(RunResult)).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "description".into(),
            "report.json: the facts of one run of one flow. Secret values never appear; secret parameters are \"***\"."
                .into(),
        );
    }
    v
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// docs/report.schema.json is the schema derived from the types; `UPDATE_SCHEMA=1` rewrites it.
    #[test]
    fn docs_schema_is_derived_from_the_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
        let mut want = serde_json::to_string_pretty(&super::schema()).unwrap();
        want.push('\n');
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap();
        assert!(
            have == want,
            "docs/report.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --lib docs_schema`"
        );
    }
}
