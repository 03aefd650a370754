//! `results.csv`: one line per row with its parameters, extra columns and outcome, safe to
//! open in a spreadsheet.

use crate::durable;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file name inside the batch folder.
pub const FILE_NAME: &str = "results.csv";

/// The outcome columns after the parameter and extra columns (`duration` in seconds).
pub const OUTCOME_COLUMNS: &[&str] = &["status", "duration", "message", "folder"];

/// One row of `results.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub params: BTreeMap<String, String>,
    pub extra: BTreeMap<String, String>,
    /// `passed`, `failed`, `skipped`, `not-run`, …
    pub status: String,
    pub duration: Option<Duration>,
    pub message: Option<String>,
    /// The row's folder, relative to the batch folder.
    pub folder: Option<String>,
}

/// Why `results.csv` could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct ResultsError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Writes `results.csv` into `dir` atomically (temporary file + rename).
///
/// Columns: `param_columns`, then `extra_columns`, then [`OUTCOME_COLUMNS`]. The file is UTF-8
/// with a byte-order mark (so spreadsheets read accents right) and uses `delimiter` (the
/// batch CSV's own, so a `;` locale opens it in columns).
pub fn write_results(
    dir: &Path,
    param_columns: &[String],
    extra_columns: &[String],
    delimiter: u8,
    rows: &[ResultRow],
) -> Result<PathBuf, ResultsError> {
    let path = dir.join(FILE_NAME);
    let bytes = render(param_columns, extra_columns, delimiter, rows);
    durable::write_atomic(&path, &bytes).map_err(|source| ResultsError {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The bytes of `results.csv`.
pub fn render(param_columns: &[String], extra_columns: &[String], delimiter: u8, rows: &[ResultRow]) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = param_columns
        .iter()
        .chain(extra_columns)
        .map(String::as_str)
        .chain(OUTCOME_COLUMNS.iter().copied());
    w.write_record(header.map(neutralise)).expect("writing to memory");
    for row in rows {
        let cell = |map: &BTreeMap<String, String>, c: &String| map.get(c).cloned().unwrap_or_default();
        let mut record: Vec<String> = param_columns.iter().map(|c| cell(&row.params, c)).collect();
        record.extend(extra_columns.iter().map(|c| cell(&row.extra, c)));
        record.push(row.status.clone());
        record.push(
            row.duration
                .map(|d| format!("{:.1}", d.as_secs_f64()))
                .unwrap_or_default(),
        );
        record.push(row.message.clone().unwrap_or_default());
        record.push(row.folder.clone().unwrap_or_default());
        w.write_record(record.iter().map(|c| neutralise(c)))
            .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// Prefixes a `'` to a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) or that
/// starts with a tab or carriage return.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(gebruiker: &str, status: &str, message: Option<&str>) -> ResultRow {
        ResultRow {
            params: [
                ("klantnummer".into(), "1001".into()),
                ("gebruiker".into(), gebruiker.into()),
            ]
            .into(),
            extra: [("ticket".into(), "INC-7".into())].into(),
            status: status.into(),
            duration: Some(Duration::from_millis(12_345)),
            message: message.map(String::from),
            folder: Some("rows/0002-1001".into()),
        }
    }

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn neutralises_formula_cells() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+31 6"), "'+31 6");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("Jan = baas"), "Jan = baas");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn writes_columns_quotes_and_escapes() {
        let rows = vec![
            row("Jan, \"JJ\" Jansen", "passed", None),
            row(
                "=cmd|' /C calc'!A0",
                "failed",
                Some("Stap 3: knop \"Opslaan\" niet gevonden\nna 10 s"),
            ),
        ];
        let bytes = render(&cols(&["klantnummer", "gebruiker"]), &cols(&["ticket"]), b',', &rows);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let expected = "klantnummer,gebruiker,ticket,status,duration,message,folder\r\n\
            1001,\"Jan, \"\"JJ\"\" Jansen\",INC-7,passed,12.3,,rows/0002-1001\r\n\
            1001,'=cmd|' /C calc'!A0,INC-7,failed,12.3,\"Stap 3: knop \"\"Opslaan\"\" niet gevonden\nna 10 s\",rows/0002-1001\r\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn reads_back_with_the_batch_reader() {
        let rows = vec![row("Jan; Jansen", "passed", None)];
        let bytes = render(&cols(&["klantnummer", "gebruiker"]), &cols(&["ticket"]), b';', &rows);
        let mut r = ::csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[1], "Jan; Jansen");
        assert_eq!(&rec[3], "passed");
    }

    #[test]
    fn write_is_atomic_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_results(
            dir.path(),
            &cols(&["klantnummer"]),
            &[],
            b',',
            &[row("a", "failed", None)],
        )
        .unwrap();
        let p2 = write_results(
            dir.path(),
            &cols(&["klantnummer"]),
            &[],
            b',',
            &[row("a", "passed", None)],
        )
        .unwrap();
        assert_eq!(p, p2);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("passed") && !text.contains("failed"), "{text}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
