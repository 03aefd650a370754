//! `--trace on|off|on-failure`: the evidence QA debugs from. The page script records the
//! console and the network in the page (`browser::trace`); the executor reads it — with a DOM
//! snapshot and a screenshot — after every action (`on`) or only when a step stops (`on` and
//! `on-failure`), writes the files under `trace/` in the run folder and keeps the entries in
//! the step's or action's [`Trace`]. Every text is redacted before it is written: secret values
//! become `***`, and the page script never copies a password field's value.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use crate::browser::trace::PageTrace;
use crate::redact::Redactor;
use crate::run::result::{ConsoleEntry, NetworkEntry, Trace};

/// What `--trace` records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceMode {
    /// Nothing beyond the step screenshots.
    Off,
    /// When a step stops (failed, interrupted): the page, its DOM, console and network log.
    #[default]
    OnFailure,
    /// After every action too: the page before and after, the DOM, console and network.
    On,
}

impl TraceMode {
    /// `on`, `off` or `on-failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceMode::Off => "off",
            TraceMode::OnFailure => "on-failure",
            TraceMode::On => "on",
        }
    }
}

/// The folder in the run folder that holds the trace files.
pub const TRACE_DIR: &str = "trace";

/// A [`Trace`] from what the page recorded; the DOM (redacted) written to `dom_file` (relative
/// to `out_dir`) when there is one. Answers the trace and, when the DOM could not be written,
/// why.
pub fn from_page(page: PageTrace, out_dir: &Path, dom_file: &str, redactor: &Redactor) -> Trace {
    let mut note = None;
    let dom = match page.dom {
        Some(html) => match write(out_dir, dom_file, redactor.redact(&html).as_bytes()) {
            Ok(()) => Some(dom_file.to_string()),
            Err(e) => {
                note = Some(format!("the DOM snapshot could not be written: {e}"));
                None
            }
        },
        None => None,
    };
    Trace {
        at: Utc::now(),
        before: None,
        after: None,
        dom,
        url: (!page.url.is_empty()).then(|| redactor.redact_string(page.url)),
        console: page
            .console
            .into_iter()
            .map(|c| ConsoleEntry {
                at: epoch(c.at),
                level: c.level,
                text: redactor.redact_string(c.text),
            })
            .collect(),
        network: page
            .network
            .into_iter()
            .map(|r| NetworkEntry {
                at: epoch(r.at),
                method: r.method,
                url: redactor.redact_string(r.url),
                status: r.status,
                duration_ms: r.ms.filter(|m| m.is_finite() && *m >= 0.0).map(|m| m.round() as u64),
                kind: r.kind,
                error: r.error.map(|e| redactor.redact_string(e)),
            })
            .collect(),
        note,
    }
}

/// Writes `rel` (under the run folder) atomically, creating `trace/` when needed.
pub fn write(out_dir: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = out_dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::durable::write_atomic(&path, bytes)
}

/// Milliseconds since the Unix epoch (as the page counts them) as a time.
fn epoch(ms: f64) -> DateTime<Utc> {
    if !ms.is_finite() {
        return Utc::now();
    }
    Utc.timestamp_millis_opt(ms.round() as i64)
        .single()
        .unwrap_or_else(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::trace::{PageConsole, PageRequest};

    #[test]
    fn secrets_are_redacted_and_the_dom_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let page = PageTrace {
            url: "http://127.0.0.1/login?user=admin%40example.nl".into(),
            title: "t".into(),
            console: vec![PageConsole {
                at: 1_700_000_000_000.0,
                level: "error".into(),
                text: "login failed for admin@example.nl".into(),
            }],
            network: vec![PageRequest {
                at: 1_700_000_000_100.4,
                method: Some("POST".into()),
                url: "http://127.0.0.1/api?pw=Geheim123".into(),
                status: Some(500),
                ms: Some(12.6),
                kind: "fetch".into(),
                error: None,
            }],
            dom: Some("<input value=\"admin@example.nl\">".into()),
        };
        let r = Redactor::new(["admin@example.nl", "Geheim123"]);
        let t = from_page(page, dir.path(), "trace/01-dom.html", &r);
        assert_eq!(t.url.as_deref(), Some("http://127.0.0.1/login?user=***"));
        assert_eq!(t.console[0].text, "login failed for ***");
        assert_eq!(t.network[0].url, "http://127.0.0.1/api?pw=***");
        assert_eq!(t.network[0].duration_ms, Some(13));
        assert_eq!(t.network[0].at.timestamp_millis(), 1_700_000_000_100);
        let dom = std::fs::read_to_string(dir.path().join("trace/01-dom.html")).unwrap();
        assert_eq!(dom, "<input value=\"***\">");
        assert!(t.note.is_none());
    }
}
