//! `junit.xml`: one `<testsuite>` per flow, one `<testcase>` per step, for CI dashboards.
//!
//! A failed step carries `<failure message=… type=…>` with the error, locator, what the page
//! offered instead, URL and failure screenshot; a skipped step `<skipped message=reason/>`; every
//! test case lists its actions in `<system-out>`. A run-level error that no step owns (browser did
//! not start, …) becomes an extra test case named [`RUN_CASE`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::text::{escape, seconds, status_mark, status_word};
use super::{write_file, Redactor, ReportError, JUNIT_FILE};
use crate::run::result::{ActionResult, ErrorInfo, RunResult, Status, StepResult};

/// Name of the extra test case that reports a run-level error.
pub const RUN_CASE: &str = "Run";

/// The JUnit XML document for a run, redacted.
pub fn to_junit(result: &RunResult, redactor: &Redactor) -> String {
    let x = |s: &str| escape(&redactor.redact(s));
    let suite = x(&result.flow.name);
    let step_failed = result.steps.iter().any(|s| s.status.is_failure());
    let run_case = result.error.as_ref().filter(|_| !step_failed);

    let tests = result.steps.len() + usize::from(run_case.is_some());
    let failures = result.steps.iter().filter(|s| s.status.is_failure()).count() + usize::from(run_case.is_some());
    let skipped = result.steps.iter().filter(|s| s.status == Status::Skipped).count();
    let time = seconds(result.duration_ms);
    let timestamp = result.started.format("%Y-%m-%dT%H:%M:%S");

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"postnl-robot\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"{skipped}\" time=\"{time}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
         skipped=\"{skipped}\" time=\"{time}\" timestamp=\"{timestamp}\">"
    );

    out.push_str("    <properties>\n");
    let mut prop = |name: &str, value: &str| {
        let _ = writeln!(out, "      <property name=\"{}\" value=\"{}\"/>", x(name), x(value));
    };
    prop("flow.title", &result.flow.title);
    prop("flow.file", &result.flow.file);
    prop("base_url", &result.base_url);
    prop(
        "browser",
        format!("{} {}", result.browser.name, result.browser.version).trim(),
    );
    prop("mode", &result.mode);
    prop("status", status_word(result.status));
    prop("started_utc", &result.started.to_rfc3339());
    for p in &result.params {
        let value = if p.secret { super::MASK } else { &p.value };
        prop(&format!("param.{}", p.name), value);
    }
    out.push_str("    </properties>\n");

    for step in &result.steps {
        write_step(&mut out, step, &suite, &x);
    }
    if let Some(err) = run_case {
        let _ = writeln!(
            out,
            "    <testcase name=\"{RUN_CASE}\" classname=\"{suite}\" time=\"0.000\">"
        );
        write_failure(&mut out, err, &x);
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    redactor.redact_string(out)
}

fn write_step(out: &mut String, step: &StepResult, suite: &str, x: &dyn Fn(&str) -> String) {
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{suite}\" time=\"{}\">",
        x(&step.title),
        seconds(step.duration_ms)
    );
    match step.status {
        Status::Failed | Status::Interrupted | Status::CommittedUnknown => {
            let fallback = ErrorInfo {
                message: "step failed".into(),
                ..Default::default()
            };
            let mut err = step.error.clone().unwrap_or(fallback);
            if err.url.is_none() {
                err.url.clone_from(&step.url);
            }
            write_failure(out, &err, x);
        }
        Status::Skipped => {
            let reason = step.skip_reason.as_deref().unwrap_or("skipped");
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", x(reason));
        }
        Status::Passed => {}
    }
    let mut log = String::new();
    for a in &step.actions {
        log.push_str(&action_line(a));
        log.push('\n');
    }
    if let Some(url) = &step.url {
        let _ = writeln!(log, "URL: {url}");
    }
    if let Some(shot) = &step.screenshot {
        let _ = writeln!(log, "Screenshot: {shot}");
    }
    if !log.is_empty() {
        let _ = writeln!(out, "      <system-out>{}</system-out>", x(&log));
    }
    out.push_str("    </testcase>\n");
}

fn write_failure(out: &mut String, err: &ErrorInfo, x: &dyn Fn(&str) -> String) {
    let first_line = err.message.lines().next().unwrap_or("failed");
    let _ = writeln!(
        out,
        "      <failure message=\"{}\" type=\"StepFailure\">{}</failure>",
        x(first_line),
        x(&failure_details(err))
    );
}

/// The plain-text explanation of a failure: error, locator, alternatives, URL, screenshot.
pub(crate) fn failure_details(err: &ErrorInfo) -> String {
    let mut d = format!("Error: {}\n", err.message);
    if let Some(l) = &err.locator {
        let _ = writeln!(d, "Locator: {l}");
    }
    if !err.found.is_empty() {
        d.push_str("The page offered instead:\n");
        for f in &err.found {
            let _ = writeln!(d, "  - {f}");
        }
    }
    if let Some(u) = &err.url {
        let _ = writeln!(d, "URL: {u}");
    }
    if let Some(s) = &err.screenshot {
        let _ = writeln!(d, "Screenshot: {s}");
    }
    d
}

fn action_line(a: &ActionResult) -> String {
    let mut line = format!("{} {}", status_mark(a.status), a.description);
    if let Some(l) = &a.locator {
        if !a.description.contains(l.as_str()) {
            let _ = write!(line, " [{l}]");
        }
    }
    let _ = write!(line, " ({} ms)", a.duration_ms);
    if let Some(d) = &a.detail {
        let _ = write!(line, " — {d}");
    }
    line
}

/// Writes `dir/junit.xml` and returns its path.
pub fn write_junit(result: &RunResult, dir: &Path, redactor: &Redactor) -> Result<PathBuf, ReportError> {
    write_file(dir, JUNIT_FILE, to_junit(result, redactor).as_bytes())
}
