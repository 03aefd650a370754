//! `report.html`: one self-contained page (opens offline, prints well) that walks through the run
//! step by step, each with its screenshot.
//!
//! Screenshots are read from the run folder and embedded as `data:` URIs; a click enlarges them
//! (inline script, no external assets; hidden when printing). Every text is redacted, then
//! HTML-escaped; the finished document (minus the embedded images) is redacted once more.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::text::{duration, escape, status_mark, status_word};
use super::{write_file, Redactor, ReportError, HTML_FILE, MASK};
use crate::run::result::{ActionResult, ErrorInfo, RunResult, Status, StepResult, StepVerify, SCHEMA_VERSION};

const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Writes `dir/report.html` (screenshots read from `dir`) and returns its path.
pub fn write_html(result: &RunResult, dir: &Path, redactor: &Redactor) -> Result<PathBuf, ReportError> {
    write_file(dir, HTML_FILE, to_html(result, dir, redactor).as_bytes())
}

/// The report page for `result`; screenshot paths are resolved against `dir`.
pub fn to_html(result: &RunResult, dir: &Path, redactor: &Redactor) -> String {
    let mut page = Page {
        r: redactor,
        dir,
        out: String::with_capacity(64 * 1024),
        images: Vec::new(),
    };
    page.document(result);
    // Redact the finished markup once more, with the embedded images kept out of reach (a short
    // secret could occur by chance inside base64 data).
    let Page { out, images, .. } = page;
    let out = redactor.redact_string(out);
    let mut pieces = out.split(IMAGE_SLOT);
    let mut doc = String::with_capacity(out.len() + images.iter().map(String::len).sum::<usize>());
    doc.push_str(pieces.next().unwrap_or_default());
    for (piece, image) in pieces.zip(images.iter().map(String::as_str).chain(std::iter::repeat(""))) {
        doc.push_str(image);
        doc.push_str(piece);
    }
    doc
}

/// Marks where an embedded image goes until the markup has been redacted.
const IMAGE_SLOT: &str = "\u{1}image\u{1}";

struct Page<'a> {
    r: &'a Redactor,
    dir: &'a Path,
    out: String,
    images: Vec<String>,
}

impl Page<'_> {
    /// Redacted, escaped text.
    fn t(&self, s: &str) -> String {
        escape(&self.r.redact(s))
    }

    fn document(&mut self, res: &RunResult) {
        let title = if res.flow.title.is_empty() {
            &res.flow.name
        } else {
            &res.flow.title
        };
        let outcome = outcome_label(res.status);
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"postnl-robot {version}\">\n\
             <title>{outcome} · {title} · run report</title>\n<style>\n{CSS}</style>\n</head>\n\
             <body class=\"run-{status}\">\n",
            version = env!("CARGO_PKG_VERSION"),
            title = self.t(title),
            status = status_word(res.status),
        );
        self.hero(res, title);
        self.out.push_str("<main class=\"wrap\">\n");
        self.summary(res);
        if let Some(err) = &res.error {
            let _ = write!(
                self.out,
                "<section class=\"card run-error\">\n<h2>The run could not complete</h2>\n"
            );
            self.failure_body(err, None);
            self.out.push_str("</section>\n");
        }
        self.overview(res);
        for step in &res.steps {
            self.step(step);
        }
        self.footer(res);
        self.out.push_str("</main>\n");
        let _ = write!(
            self.out,
            "<div id=\"lightbox\" class=\"lightbox\" hidden role=\"dialog\" aria-label=\"Screenshot\">\
             <img alt=\"\"><p class=\"lb-caption\"></p><p class=\"lb-hint\">Click or press Esc to close</p></div>\n\
             <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
        );
    }

    fn hero(&mut self, res: &RunResult, title: &str) {
        let status = status_word(res.status);
        let _ = write!(
            self.out,
            "<header class=\"hero\">\n<div class=\"wrap hero-row\">\n<div class=\"hero-text\">\n\
             <div class=\"eyebrow\">Run report · postnl-robot</div>\n<h1>{title}</h1>\n\
             <div class=\"hero-sub\">Flow <code>{name}</code>{file}</div>\n</div>\n\
             <div class=\"badge badge-{status}\"><span class=\"badge-mark\">{mark}</span> {outcome}</div>\n\
             </div>\n</header>\n",
            title = self.t(title),
            name = self.t(&res.flow.name),
            file = if res.flow.file.is_empty() {
                String::new()
            } else {
                format!(" · <span class=\"muted-light\">{}</span>", self.t(&res.flow.file))
            },
            mark = status_mark(res.status),
            outcome = outcome_label(res.status),
        );
    }

    fn summary(&mut self, res: &RunResult) {
        let count = |s: Status| res.steps.iter().filter(|x| x.status == s).count();
        let browser = format!("{} {}", res.browser.name, res.browser.version);
        let mut facts: Vec<(&str, String)> = vec![
            ("Portal", format!("<code>{}</code>", self.t(&res.base_url))),
            (
                "Started (UTC)",
                self.t(&res.started.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
            ),
            ("Duration", self.t(&duration(res.duration_ms))),
            (
                "Browser",
                if browser.trim().is_empty() {
                    "<span class=\"muted\">unknown</span>".into()
                } else {
                    self.t(browser.trim())
                },
            ),
            (
                "Steps",
                [
                    Status::Passed,
                    Status::Failed,
                    Status::Unchanged,
                    Status::Changed,
                    Status::Broken,
                    Status::Interrupted,
                    Status::CommittedUnknown,
                    Status::NotVerified,
                    Status::Skipped,
                ]
                .iter()
                .filter(|&&st| {
                    let verdicts = if res.verify.as_ref().is_some_and(|v| !v.updated) {
                        matches!(st, Status::Unchanged | Status::Changed | Status::Broken)
                    } else {
                        matches!(st, Status::Passed | Status::Failed | Status::Skipped)
                    };
                    count(st) > 0 || verdicts
                })
                .map(|&st| {
                    let n = count(st);
                    let class = if n > 0 { status_word(st) } else { "none" };
                    format!("<span class=\"n-{class}\">{n} {}</span>", status_word(st))
                })
                .collect::<Vec<_>>()
                .join(" · "),
            ),
            (
                "Mode",
                if res.mode == "verify" {
                    "verify <span class=\"muted\">(dry run: committing actions found and checked, not clicked)</span>"
                        .into()
                } else {
                    self.t(&res.mode)
                },
            ),
        ];
        if !res.browser.webdriver.is_empty() {
            facts.push(("WebDriver", self.t(&res.browser.webdriver)));
        }
        if let Some(v) = &res.verify {
            let what = if v.updated { "written to" } else { "compared with" };
            facts.push((
                "Baseline",
                format!(
                    "{what} <code>{}</code> · pixel threshold {}",
                    self.t(&format!("{}/{}", v.baseline.trim_end_matches('/'), v.key)),
                    self.t(&crate::verify::percent(v.pixel_threshold))
                ),
            ));
        }
        let _ = write!(
            self.out,
            "<section class=\"card summary\">\n<h2 class=\"card-title\">Summary</h2>\n\
             <p class=\"verdict verdict-{}\">{}</p>\n<dl class=\"facts\">\n",
            status_word(res.status),
            self.t(&verdict(res)),
        );
        for (label, value) in facts {
            let class = if label == "Steps" { " class=\"wide\"" } else { "" };
            let _ = writeln!(self.out, "<div{class}><dt>{label}</dt><dd>{value}</dd></div>");
        }
        self.out.push_str("</dl>\n");

        self.out.push_str("<h3>Parameters</h3>\n");
        if res.params.is_empty() {
            self.out.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            self.out.push_str("<table class=\"params\">\n<tbody>\n");
            for p in &res.params {
                let value = if p.secret {
                    format!("{MASK} <span class=\"tag\">secret</span>")
                } else {
                    self.t(&p.value)
                };
                let _ = writeln!(
                    self.out,
                    "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>",
                    self.t(&p.name)
                );
            }
            self.out.push_str("</tbody>\n</table>\n");
        }
        if !res.downloads.is_empty() {
            self.out.push_str("<h3>Downloads</h3>\n<ul class=\"downloads\">\n");
            for d in &res.downloads {
                let _ = writeln!(self.out, "<li><code>{}</code></li>", self.t(d));
            }
            self.out.push_str("</ul>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn overview(&mut self, res: &RunResult) {
        if res.steps.is_empty() {
            return;
        }
        self.out.push_str(
            "<nav class=\"card overview\" aria-label=\"Steps\">\n<h2 class=\"card-title\">Steps</h2>\n<ol>\n",
        );
        for s in &res.steps {
            let right = match s.status {
                Status::Skipped => "skipped".to_string(),
                _ => duration(s.duration_ms),
            };
            let _ = writeln!(
                self.out,
                "<li class=\"st-{status}\"><a href=\"#step-{i}\"><span class=\"dot dot-{status}\">{mark}</span>\
                 <span class=\"ov-title\">{title}</span><span class=\"ov-time\">{right}</span></a></li>",
                status = status_word(s.status),
                i = s.index,
                mark = status_mark(s.status),
                title = self.t(&s.title),
                right = self.t(&right),
            );
        }
        self.out.push_str("</ol>\n</nav>\n");
    }

    fn step(&mut self, s: &StepResult) {
        let status = status_word(s.status);
        let _ = write!(
            self.out,
            "<section class=\"card step st-{status}\" id=\"step-{i}\">\n<header class=\"step-head\">\n\
             <span class=\"step-no\">{i}</span>\n<h2>{title}</h2>\n\
             <span class=\"pill pill-{status}\">{mark} {label}</span>\n\
             <span class=\"step-time\">{time}</span>\n</header>\n",
            i = s.index,
            title = self.t(&s.title),
            mark = status_mark(s.status),
            label = capitalized(status),
            time = if s.status == Status::Skipped {
                String::new()
            } else {
                self.t(&duration(s.duration_ms))
            },
        );
        if s.status == Status::Skipped {
            let _ = writeln!(
                self.out,
                "<p class=\"skip-reason\"><strong>Skipped:</strong> {}</p>",
                self.t(s.skip_reason.as_deref().unwrap_or("no reason given"))
            );
        }
        let failure_shot = s.error.as_ref().and_then(|e| e.screenshot.clone());
        if let Some(err) = &s.error {
            self.out.push_str("<div class=\"failure\">\n<h3>What went wrong</h3>\n");
            self.failure_body(err, s.url.as_deref());
            self.out.push_str("</div>\n");
        } else if s.status.is_failure() {
            self.out.push_str(
                "<div class=\"failure\">\n<h3>What went wrong</h3>\n<p class=\"err-msg\">The step failed.</p>\n</div>\n",
            );
        }
        let compared = s
            .verify
            .as_ref()
            .filter(|v| v.baseline_screenshot.is_some() || !v.changes.is_empty() || !v.edits.is_empty());
        if let Some(v) = compared {
            let now = s.screenshot.clone().or(failure_shot.clone());
            self.drift(s, v, now.as_deref());
        } else if let Some(shot) = &s.screenshot {
            if failure_shot.as_deref() != Some(shot.as_str()) {
                let caption = format!("The screen at the end of {}", s.title);
                self.figure(shot, &caption, "End of step", s.url.as_deref());
            }
        }
        self.actions(&s.actions);
        self.out.push_str("</section>\n");
    }

    /// `verify`: what changed since the baseline, the edits that repair the flow, and the
    /// baseline's screenshot, today's and the difference side by side.
    fn drift(&mut self, s: &StepResult, v: &StepVerify, now: Option<&str>) {
        let _ = writeln!(
            self.out,
            "<div class=\"drift drift-{}\">\n<h3>Compared with the baseline</h3>",
            status_word(v.status)
        );
        if v.changes.is_empty() {
            self.out.push_str("<p class=\"muted\">No structural change.</p>\n");
        } else {
            self.out.push_str("<ul class=\"changes\">\n");
            for c in &v.changes {
                let _ = writeln!(
                    self.out,
                    "<li class=\"change change-{}\"><span class=\"tag\">{}</span> {}</li>",
                    self.t(&c.kind),
                    self.t(&c.kind),
                    self.t(&c.message)
                );
            }
            self.out.push_str("</ul>\n");
        }
        if let Some(p) = v.pixels_changed {
            let _ = writeln!(
                self.out,
                "<p class=\"pixels\">Pixels changed: <strong>{}</strong></p>",
                self.t(&crate::verify::percent(p))
            );
        }
        if !v.edits.is_empty() {
            self.out.push_str("<h4>Proposed fix</h4>\n<pre class=\"edits\">");
            for e in &v.edits {
                let _ = writeln!(self.out, "{}", self.t(&e.to_string()));
            }
            self.out.push_str("</pre>\n");
        }
        self.out.push_str("<div class=\"trio\">\n");
        if let Some(b) = &v.baseline_screenshot {
            self.figure(b, &format!("{} in the baseline", s.title), "Before (baseline)", None);
        }
        if let Some(n) = now {
            self.figure(n, &format!("{} today", s.title), "After (today)", s.url.as_deref());
        }
        if let Some(d) = &v.diff_screenshot {
            self.figure(d, &format!("What differs in {}", s.title), "Difference (red)", None);
        }
        self.out.push_str("</div>\n</div>\n");
    }

    fn failure_body(&mut self, err: &ErrorInfo, step_url: Option<&str>) {
        let _ = writeln!(self.out, "<p class=\"err-msg\">{}</p>", self.t(&err.message));
        self.out.push_str("<dl class=\"err-facts\">\n");
        if let Some(l) = &err.locator {
            let _ = writeln!(
                self.out,
                "<div><dt>Locator</dt><dd><code>{}</code></dd></div>",
                self.t(l)
            );
        }
        let url = err.url.as_deref().or(step_url);
        if let Some(u) = url {
            let _ = writeln!(self.out, "<div><dt>Page</dt><dd><code>{}</code></dd></div>", self.t(u));
        }
        self.out.push_str("</dl>\n");
        if !err.did_you_mean.is_empty() {
            self.out
                .push_str("<div class=\"found did-you-mean\"><h4>Did you mean</h4>\n<ol>\n");
            for d in &err.did_you_mean {
                let _ = writeln!(
                    self.out,
                    "<li>{} &ldquo;{}&rdquo; <span class=\"muted\">instead of &ldquo;{}&rdquo; · similarity {:.2}</span></li>",
                    self.t(&d.kind),
                    self.t(&d.offered),
                    self.t(&d.wanted),
                    d.score
                );
            }
            self.out.push_str("</ol>\n</div>\n");
        }
        if !err.found.is_empty() {
            let cols = if err.found.len() > 6 { " class=\"cols\"" } else { "" };
            let _ = writeln!(
                self.out,
                "<div class=\"found\"><h4>What the page offered instead ({})</h4>\n<ul{cols}>",
                err.found.len()
            );
            for f in &err.found {
                let _ = writeln!(self.out, "<li>{}</li>", self.t(f));
            }
            self.out.push_str("</ul>\n</div>\n");
        }
        if let Some(shot) = &err.screenshot {
            self.figure(shot, "The screen at the moment it failed", "Moment of failure", url);
        }
    }

    /// A screenshot: `caption` is its alt text (and the lightbox caption), `label` the short
    /// caption under it.
    fn figure(&mut self, rel: &str, caption: &str, label: &str, url: Option<&str>) {
        let name = self.t(rel);
        let url_html = url
            .map(|u| format!(" · <code>{}</code>", self.t(u)))
            .unwrap_or_default();
        match embed(self.dir, rel) {
            Some(data) => {
                self.images.push(data);
                let _ = write!(
                    self.out,
                    "<figure class=\"shot\">\n<img class=\"zoom\" src=\"{IMAGE_SLOT}\" alt=\"{alt}\" \
                     tabindex=\"0\" title=\"Click to enlarge\">\n\
                     <figcaption>{label}{url_html}<span class=\"file\"> · {name}</span>\
                     <span class=\"no-print hint\"> · click to enlarge</span></figcaption>\n</figure>\n",
                    alt = self.t(caption),
                    label = self.t(label),
                );
            }
            None => {
                let _ = writeln!(
                    self.out,
                    "<figure class=\"shot missing\"><div class=\"placeholder\">Screenshot not available \
                     (<code>{name}</code>)</div></figure>"
                );
            }
        }
    }

    fn actions(&mut self, actions: &[ActionResult]) {
        if actions.is_empty() {
            return;
        }
        self.out.push_str(
            "<table class=\"actions\">\n<thead><tr><th class=\"c-st\"><span class=\"sr\">Status</span></th>\
             <th>Action</th><th>Locator</th><th class=\"c-time\">Time</th></tr></thead>\n<tbody>\n",
        );
        for a in actions {
            let status = status_word(a.status);
            let detail = a
                .detail
                .as_deref()
                .map(|d| format!("<div class=\"detail\">{}</div>", self.t(d)))
                .unwrap_or_default();
            let locator = a
                .locator
                .as_deref()
                .map(|l| format!("<code>{}</code>", self.t(l)))
                .unwrap_or_else(|| "<span class=\"muted\">—</span>".into());
            let _ = writeln!(
                self.out,
                "<tr class=\"st-{status}\"><td class=\"c-st\"><span class=\"dot dot-{status}\" title=\"{status}\">{mark}</span></td>\
                 <td>{desc}{detail}</td><td class=\"c-loc\">{locator}</td><td class=\"c-time\">{time}</td></tr>",
                mark = status_mark(a.status),
                desc = self.t(&a.description),
                time = if a.status == Status::Skipped {
                    "—".to_string()
                } else {
                    self.t(&duration(a.duration_ms))
                },
            );
        }
        self.out.push_str("</tbody>\n</table>\n");
    }

    fn footer(&mut self, res: &RunResult) {
        let _ = writeln!(
            self.out,
            "<footer class=\"foot\">Generated by postnl-robot {} · report schema v{} · \
             same facts in <code>report.json</code> and <code>junit.xml</code> · started {}</footer>",
            env!("CARGO_PKG_VERSION"),
            SCHEMA_VERSION.max(res.schema_version),
            self.t(&res.started.to_rfc3339()),
        );
    }
}

/// One sentence saying how the run ended.
fn verdict(res: &RunResult) -> String {
    let total = res.steps.len();
    let count = |s: Status| res.steps.iter().filter(|x| x.status == s).count();
    let first_line = |e: &ErrorInfo| e.message.lines().next().unwrap_or_default().to_string();
    if let Some(step) = res.steps.iter().find(|s| s.status.is_failure()) {
        let why = step.error.as_ref().map(first_line).unwrap_or_default();
        return if why.is_empty() {
            format!("The run stopped at {}.", step.title)
        } else {
            format!("The run stopped at {}: {why}", step.title)
        };
    }
    if let Some(err) = &res.error {
        return format!("The run could not complete: {}", first_line(err));
    }
    let skipped = count(Status::Skipped);
    match (res.status, skipped) {
        (Status::Passed, 0) => format!("All {total} steps completed successfully."),
        (Status::Passed, n) => format!(
            "{} of {total} steps completed successfully; {n} skipped (see below why).",
            total - n
        ),
        (Status::Skipped, _) => "The run was skipped.".to_string(),
        (Status::Failed, _) => "The run failed.".to_string(),
        (Status::Interrupted, _) => "The run was interrupted.".to_string(),
        (Status::CommittedUnknown, _) => "A committing action was sent; its outcome is unknown.".to_string(),
        (Status::NotVerified, _) => "Not verified.".to_string(),
        (Status::Unchanged, _) => format!("All {total} steps match the baseline."),
        (Status::Changed, _) => {
            let changed: Vec<&str> = res
                .steps
                .iter()
                .filter(|s| s.status == Status::Changed)
                .map(|s| s.title.as_str())
                .collect();
            format!(
                "Drift: every step can still be performed, but {} changed.",
                changed.join(", ")
            )
        }
        (Status::Broken, _) => "A step can no longer be performed.".to_string(),
    }
}

fn outcome_label(status: Status) -> &'static str {
    match status {
        Status::Passed => "Passed",
        Status::Failed => "Failed",
        Status::Skipped => "Skipped",
        Status::Interrupted => "Interrupted",
        Status::CommittedUnknown => "Committed, outcome unknown",
        Status::NotVerified => "Not verified",
        Status::Unchanged => "Unchanged",
        Status::Changed => "Drift",
        Status::Broken => "Broken",
    }
}

fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The image `rel` (relative to the run folder, or absolute) as a `data:` URI, if readable.
fn embed(dir: &Path, rel: &str) -> Option<String> {
    let bytes = std::fs::read(dir.join(rel)).ok()?;
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "image/webp"
    } else {
        return None;
    };
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}
