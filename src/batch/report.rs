//! The batch folder's own reports: `report.json` (every row's outcome), `report.html` (a table of
//! rows linking to each row's report) and `junit.xml` (one test case per row and step). All
//! redacted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::markup::escape;
use crate::report::junit::{to_junit_batch, BatchCase};
use crate::report::{self, Redactor};
use crate::run::result::{RunResult, Status};

/// Version of the batch `report.json` layout.
pub const BATCH_REPORT_VERSION: u32 = 1;

/// The whole batch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchReport {
    pub batch_report: u32,
    pub flow: String,
    pub flow_title: String,
    pub csv: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub duration_ms: u64,
    /// The process exit code: the worst row's.
    pub exit_code: u8,
    /// Why the batch stopped before its last row (the portal asked for a new password), if so.
    pub stopped: Option<String>,
    pub rows: Vec<RowReport>,
}

/// One row of the batch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowReport {
    pub line: u64,
    pub key: String,
    pub params: BTreeMap<String, String>,
    pub extra: BTreeMap<String, String>,
    /// `passed`, `failed`, `committed-unknown`, `interrupted`, `skipped` (passed in an earlier
    /// start of the batch) or `not-run`.
    pub status: String,
    pub exit_code: u8,
    pub duration_ms: Option<u64>,
    pub message: Option<String>,
    /// The row's folder, relative to the batch folder.
    pub folder: Option<String>,
    /// How many times the row was started in this run (2: its session died and it was retried).
    pub attempts: u32,
    #[serde(skip)]
    pub result: Option<RunResult>,
}

impl RowReport {
    /// `klantnummer=9401138, gebruiker=…`.
    pub fn label(&self) -> String {
        let mut l: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if l.is_empty() {
            l.push(format!("line {}", self.line));
        }
        l.join(", ")
    }

    fn status_for_junit(&self) -> Status {
        match self.status.as_str() {
            "passed" => Status::Passed,
            "skipped" => Status::Skipped,
            "interrupted" => Status::Interrupted,
            "committed-unknown" => Status::CommittedUnknown,
            "changed" => Status::Changed,
            _ => Status::Failed,
        }
    }
}

impl BatchReport {
    /// How many rows have `status`.
    pub fn count(&self, status: &str) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    /// Writes `report.json`, `report.html` and `junit.xml` into `dir`.
    pub fn write(&self, dir: &Path, redactor: &Redactor) -> Result<(), report::ReportError> {
        let mut json = serde_json::to_value(self)?;
        redactor.redact_json(&mut json);
        write(dir, report::JSON_FILE, serde_json::to_string_pretty(&json)?.as_bytes())?;
        write(dir, report::HTML_FILE, redactor.redact_string(self.html()).as_bytes())?;
        let cases: Vec<BatchCase<'_>> = self
            .rows
            .iter()
            .map(|r| BatchCase {
                label: r.label(),
                result: r.result.as_ref(),
                status: r.status_for_junit(),
                message: r.message.clone(),
                dir: r.folder.as_ref().map_or_else(|| dir.to_path_buf(), |f| dir.join(f)),
            })
            .collect();
        write(
            dir,
            report::JUNIT_FILE,
            to_junit_batch(&self.flow, &cases, redactor).as_bytes(),
        )?;
        Ok(())
    }

    fn html(&self) -> String {
        let mut h = String::with_capacity(8 * 1024);
        let columns: Vec<&String> = self.rows.first().map(|r| r.params.keys().collect()).unwrap_or_default();
        let extras: Vec<&String> = self.rows.first().map(|r| r.extra.keys().collect()).unwrap_or_default();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Batch: {title}</title>\n<style>{CSS}</style></head><body>\n\
             <h1>{title}</h1>\n<p>{csv} — {n} rows: {passed} passed, {failed} failed, {skipped} skipped (passed before), {notrun} not run. \
             Exit code {code}. Started {started}, took {secs:.1} s.</p>\n",
            title = escape(&self.flow_title),
            csv = escape(&self.csv),
            n = self.rows.len(),
            passed = self.count("passed"),
            failed = self.rows.len() - self.count("passed") - self.count("skipped") - self.count("not-run"),
            skipped = self.count("skipped"),
            notrun = self.count("not-run"),
            code = self.exit_code,
            started = self.started.format("%Y-%m-%d %H:%M:%S UTC"),
            secs = self.duration_ms as f64 / 1000.0,
        );
        if let Some(s) = &self.stopped {
            let _ = writeln!(h, "<p class=\"stopped\"><strong>Stopped:</strong> {}</p>", escape(s));
        }
        h.push_str("<table>\n<thead><tr><th>Line</th>");
        for c in columns.iter().chain(&extras) {
            let _ = write!(h, "<th>{}</th>", escape(c));
        }
        h.push_str("<th>Status</th><th>Duration</th><th>Message</th><th>Report</th></tr></thead>\n<tbody>\n");
        for r in &self.rows {
            let _ = write!(h, "<tr class=\"{}\"><td>{}</td>", escape(&r.status), r.line);
            for c in &columns {
                let _ = write!(h, "<td>{}</td>", escape(r.params.get(*c).map_or("", String::as_str)));
            }
            for c in &extras {
                let _ = write!(h, "<td>{}</td>", escape(r.extra.get(*c).map_or("", String::as_str)));
            }
            let link = match &r.folder {
                Some(f) => format!("<a href=\"{0}/report.html\">{0}</a>", escape(f)),
                None => String::new(),
            };
            let _ = writeln!(
                h,
                "<td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
                escape(&r.status),
                r.duration_ms
                    .map(|ms| format!("{:.1} s", ms as f64 / 1000.0))
                    .unwrap_or_default(),
                escape(r.message.as_deref().unwrap_or("")),
            );
        }
        h.push_str("</tbody></table>\n</body></html>\n");
        h
    }
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1d1d1b}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}tr.passed td:nth-last-child(4){color:#0a7d2c}tr.failed td,tr.committed-unknown td{background:#fdecea}\
tr.not-run td,tr.interrupted td{background:#fff6e0}tr.skipped td{color:#666}.stopped{background:#fdecea;padding:.5rem}";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, report::ReportError> {
    let path = dir.join(name);
    crate::durable::write_atomic(&path, bytes).map_err(|source| report::ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
