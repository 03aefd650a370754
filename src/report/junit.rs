//! `junit.xml`: one `<testsuite>` per flow, one `<testcase>` per step, for CI dashboards.
//!
//! A failed step carries `<failure message=… type=…>` with the error, locator, what the page
//! offered instead, URL and failure screenshot — or `<error>` when the infrastructure gave out
//! (no browser or WebDriver, the run was interrupted); a skipped step `<skipped message=reason/>`;
//! every test case lists its actions in `<system-out>`, followed by a `[[ATTACHMENT|path]]` line
//! per screenshot of the step (absolute paths, as Jenkins and GitLab want them). A run-level error
//! that no step owns (browser did not start, …) becomes an extra test case named [`RUN_CASE`].
//!
//! The class name is the flow's name with its non-secret parameters, e.g.
//! `autoriseren-ecommerce-inzichten[klantnummer=9401138, gebruiker=…]`, so runs of one flow with
//! different parameters (a batch) give distinct test names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::text::{seconds, status_mark, status_word};
use super::{write_file, Redactor, ReportError, JUNIT_FILE};
use crate::run::failure::FailureKind;
use crate::run::result::{ActionResult, ErrorInfo, RunResult, Status, StepResult};

/// Name of the extra test case that reports a run-level error.
pub const RUN_CASE: &str = "Run";

type Xml = Writer<Vec<u8>>;

// Writing into a Vec<u8> cannot fail: the io results below are ignored on purpose.

/// The JUnit XML document for a run, redacted; attachments named relative to the run folder.
pub fn to_junit(result: &RunResult, redactor: &Redactor) -> String {
    to_junit_in(result, Path::new(""), redactor)
}

/// The JUnit XML document for a run whose folder is `dir`, redacted.
pub fn to_junit_in(result: &RunResult, dir: &Path, redactor: &Redactor) -> String {
    let x = |s: &str| xml_chars(&redactor.redact(s));
    let suite = x(&suite_name(result));
    let counts = Counts::of(result);
    let attrs = counts.attrs();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w
        .create_element("testsuites")
        .with_attribute(("name", "postnl-robot"))
        .with_attributes(refs(&attrs))
        .write_inner_content(|w| {
            write_suite(w, result, &suite, "", dir, &x);
            Ok(())
        });
    finish(w, redactor)
}

/// One row of a batch for [`to_junit_batch`].
pub struct BatchCase<'a> {
    /// The row's parameters, e.g. `klantnummer=9401138, gebruiker=Jansen, Jan`: makes every
    /// test case name unique.
    pub label: String,
    /// The row's run, when it ran (in this or an earlier start of the batch).
    pub result: Option<&'a RunResult>,
    /// The row's status when there is no run.
    pub status: Status,
    pub message: Option<String>,
    /// The row's run folder: screenshots are attached from there.
    pub dir: PathBuf,
}

/// The JUnit XML document of a batch: one `<testsuite>` per row (`flow [row]`), one
/// `<testcase>` per step (`step [row]`); a row without a run is one test case of its own.
pub fn to_junit_batch(flow: &str, cases: &[BatchCase<'_>], redactor: &Redactor) -> String {
    let x = |s: &str| xml_chars(&redactor.redact(s));
    let mut total = Counts::default();
    for c in cases {
        match c.result {
            Some(r) => total.add(&Counts::of(r)),
            None => total.add(&Counts {
                tests: 1,
                failures: usize::from(c.status.is_failure() || c.status == Status::Changed),
                errors: 0,
                skipped: usize::from(!c.status.is_failure() && c.status != Status::Changed),
                ms: 0,
            }),
        }
    }
    let attrs = total.attrs();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = w
        .create_element("testsuites")
        .with_attribute(("name", "postnl-robot"))
        .with_attributes(refs(&attrs))
        .write_inner_content(|w| {
            for c in cases {
                let suite = x(&format!("{flow} [{}]", c.label));
                let suffix = format!(" [{}]", c.label);
                match c.result {
                    Some(r) => write_suite(w, r, &suite, &suffix, &c.dir, &x),
                    None => {
                        let one = Counts {
                            tests: 1,
                            failures: usize::from(c.status.is_failure() || c.status == Status::Changed),
                            errors: 0,
                            skipped: usize::from(!c.status.is_failure() && c.status != Status::Changed),
                            ms: 0,
                        };
                        let attrs = one.attrs();
                        let _ = w
                            .create_element("testsuite")
                            .with_attribute(("name", suite.as_str()))
                            .with_attributes(refs(&attrs))
                            .write_inner_content(|w| {
                                let message = c.message.clone().unwrap_or_else(|| c.status.as_str().into());
                                w.create_element("testcase")
                                    .with_attributes([
                                        ("name", x(&c.label).as_str()),
                                        ("classname", suite.as_str()),
                                        ("time", "0.000"),
                                    ])
                                    .write_inner_content(|w| {
                                        if c.status.is_failure() || c.status == Status::Changed {
                                            write_failure(
                                                w,
                                                &ErrorInfo {
                                                    message,
                                                    ..Default::default()
                                                },
                                                &x,
                                            );
                                        } else {
                                            w.create_element("skipped")
                                                .with_attribute(("message", x(&message).as_str()))
                                                .write_empty()?;
                                        }
                                        Ok(())
                                    })?;
                                Ok(())
                            });
                    }
                }
            }
            Ok(())
        });
    finish(w, redactor)
}

fn finish(w: Xml, redactor: &Redactor) -> String {
    let mut out = String::from_utf8_lossy(&w.into_inner()).into_owned();
    out.push('\n');
    redactor.redact_string(out)
}

/// The counts JUnit puts on a suite: `failures` are the portal's or the flow's, `errors` the
/// machinery's (no browser, interrupted).
#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn of(result: &RunResult) -> Counts {
        let step_failed = result.steps.iter().any(|s| s.status.is_failure());
        let run_case = result.error.as_ref().filter(|_| !step_failed);
        let infra = |s: &&StepResult| s.status.is_failure() && is_infrastructure(s.status, s.error.as_ref());
        let errors = result.steps.iter().filter(infra).count()
            + usize::from(run_case.is_some_and(|e| is_infrastructure(Status::Failed, Some(e))));
        // A changed step (`verify`) is written as a failure too.
        let failed = result
            .steps
            .iter()
            .filter(|s| s.status.is_failure() || s.status == Status::Changed)
            .count()
            + usize::from(run_case.is_some());
        Counts {
            tests: result.steps.len() + usize::from(run_case.is_some()),
            failures: failed - errors,
            errors,
            skipped: result.steps.iter().filter(|s| s.status == Status::Skipped).count(),
            ms: result.duration_ms,
        }
    }

    fn add(&mut self, o: &Counts) {
        self.tests += o.tests;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.ms += o.ms;
    }

    fn attrs(&self) -> [(&'static str, String); 5] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
            ("time", seconds(self.ms)),
        ]
    }
}

fn refs<'a>(attrs: &'a [(&'static str, String); 5]) -> [(&'a str, &'a str); 5] {
    attrs.each_ref().map(|(k, v)| (*k, v.as_str()))
}

/// One `<testsuite>` for a run; `suffix` is appended to every test case name.
fn write_suite(w: &mut Xml, result: &RunResult, suite: &str, suffix: &str, dir: &Path, x: &dyn Fn(&str) -> String) {
    let step_failed = result.steps.iter().any(|s| s.status.is_failure());
    let run_case = result.error.as_ref().filter(|_| !step_failed);
    let timestamp = result.started.format("%Y-%m-%dT%H:%M:%S").to_string();
    let attrs = Counts::of(result).attrs();
    let _ = w
        .create_element("testsuite")
        .with_attribute(("name", suite))
        .with_attributes(refs(&attrs))
        .with_attribute(("timestamp", timestamp.as_str()))
        .write_inner_content(|w| {
            write_properties(w, result, x);
            for step in &result.steps {
                write_step(w, step, suite, suffix, dir, x);
            }
            if let Some(err) = run_case {
                let name = format!("{RUN_CASE}{suffix}");
                let _ = w
                    .create_element("testcase")
                    .with_attributes([("name", x(&name).as_str()), ("classname", suite), ("time", "0.000")])
                    .write_inner_content(|w| {
                        if is_infrastructure(Status::Failed, Some(err)) {
                            write_error(w, err, x);
                        } else {
                            write_failure(w, err, x);
                        }
                        Ok(())
                    });
            }
            Ok(())
        });
}

fn write_properties(w: &mut Xml, result: &RunResult, x: &dyn Fn(&str) -> String) {
    let mut props: Vec<(String, String)> = vec![
        ("flow.title".into(), result.flow.title.clone()),
        ("flow.file".into(), result.flow.file.clone()),
        ("base_url".into(), result.base_url.clone()),
        (
            "browser".into(),
            format!("{} {}", result.browser.name, result.browser.version)
                .trim()
                .to_string(),
        ),
        ("mode".into(), result.mode.clone()),
        ("status".into(), status_word(result.status).to_string()),
        ("started_utc".into(), result.started.to_rfc3339()),
    ];
    for p in &result.params {
        let value = if p.secret { super::MASK } else { &p.value };
        props.push((format!("param.{}", p.name), value.to_string()));
    }
    let _ = w.create_element("properties").write_inner_content(|w| {
        for (name, value) in &props {
            w.create_element("property")
                .with_attributes([("name", x(name).as_str()), ("value", x(value).as_str())])
                .write_empty()?;
        }
        Ok(())
    });
}

/// The flow's name and its non-secret parameters: `flow[name=value, …]`.
fn suite_name(result: &RunResult) -> String {
    let params: Vec<String> = result
        .params
        .iter()
        .filter(|p| !p.secret)
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    if params.is_empty() {
        result.flow.name.clone()
    } else {
        format!("{}[{}]", result.flow.name, params.join(", "))
    }
}

/// Not the portal or the flow but the machinery: no browser, interrupted.
fn is_infrastructure(status: Status, err: Option<&ErrorInfo>) -> bool {
    status == Status::Interrupted
        || err.is_some_and(|e| matches!(e.kind, FailureKind::NoBrowser | FailureKind::Interrupted))
}

fn write_step(w: &mut Xml, step: &StepResult, suite: &str, suffix: &str, dir: &Path, x: &dyn Fn(&str) -> String) {
    let mut log = String::new();
    for a in &step.actions {
        log.push_str(&action_line(a));
        log.push('\n');
    }
    if let Some(url) = &step.url {
        let _ = writeln!(log, "URL: {url}");
    }
    let mut shots: Vec<&str> = step.screenshots.iter().map(|s| s.file.as_str()).collect();
    for extra in step
        .screenshot
        .iter()
        .chain(step.error.iter().filter_map(|e| e.screenshot.as_ref()))
    {
        if !shots.contains(&extra.as_str()) {
            shots.push(extra);
        }
    }
    for shot in shots {
        let _ = writeln!(log, "[[ATTACHMENT|{}]]", dir.join(shot).display());
    }
    let time = seconds(step.duration_ms);
    let _ = w
        .create_element("testcase")
        .with_attributes([
            ("name", x(&format!("{}{suffix}", step.title)).as_str()),
            ("classname", suite),
            ("time", time.as_str()),
        ])
        .write_inner_content(|w| {
            match step.status {
                Status::Failed | Status::Interrupted | Status::CommittedUnknown | Status::Broken => {
                    let fallback = ErrorInfo {
                        message: "step failed".into(),
                        ..Default::default()
                    };
                    let mut err = step.error.clone().unwrap_or(fallback);
                    if err.url.is_none() {
                        err.url.clone_from(&step.url);
                    }
                    if is_infrastructure(step.status, Some(&err)) {
                        write_error(w, &err, x);
                    } else {
                        write_failure(w, &err, x);
                    }
                }
                Status::Changed => {
                    let err = drift_failure(step);
                    write_failure(w, &err, x);
                }
                Status::Skipped | Status::NotVerified => {
                    let reason = step.skip_reason.as_deref().unwrap_or("skipped");
                    w.create_element("skipped")
                        .with_attribute(("message", x(reason).as_str()))
                        .write_empty()?;
                }
                Status::Passed | Status::Unchanged => {}
            }
            if !log.is_empty() {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&x(&log)))?;
            }
            Ok(())
        });
}

/// A changed step as a failure whose message says what changed.
fn drift_failure(step: &StepResult) -> ErrorInfo {
    let changes: Vec<&str> = step
        .verify
        .iter()
        .flat_map(|v| v.changes.iter())
        .map(|c| c.message.as_str())
        .collect();
    let mut message = format!("changed since the baseline: {}", changes.join("; "));
    if changes.is_empty() {
        message = "changed since the baseline".into();
    }
    ErrorInfo {
        message,
        url: step.url.clone(),
        screenshot: step.screenshot.clone(),
        ..Default::default()
    }
}

fn write_failure(w: &mut Xml, err: &ErrorInfo, x: &dyn Fn(&str) -> String) {
    let first_line = err.message.lines().next().unwrap_or("failed");
    let _ = w
        .create_element("failure")
        .with_attributes([("message", x(first_line).as_str()), ("type", "StepFailure")])
        .write_text_content(BytesText::new(&x(&failure_details(err))));
}

/// An infrastructure problem (no browser, interrupted): `<error>`, not a test failure.
fn write_error(w: &mut Xml, err: &ErrorInfo, x: &dyn Fn(&str) -> String) {
    let first_line = err.message.lines().next().unwrap_or("error");
    let kind = match err.kind {
        FailureKind::Interrupted => "Interrupted",
        _ => "NoBrowser",
    };
    let _ = w
        .create_element("error")
        .with_attributes([("message", x(first_line).as_str()), ("type", kind)])
        .write_text_content(BytesText::new(&x(&failure_details(err))));
}

/// `s` with the characters XML 1.0 forbids replaced (escaping is the writer's job).
fn xml_chars(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
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
    write_file(dir, JUNIT_FILE, to_junit_in(result, dir, redactor).as_bytes())
}
