//! `report.html`: one self-contained page (opens offline, prints well) that walks through the run
//! step by step, each with its screenshot.
//!
//! Screenshots are read from the run folder and embedded as `data:` URIs; a click enlarges them
//! (inline script, no external assets; hidden when printing). Every text is redacted, then
//! HTML-escaped; the finished document (minus the embedded images) is redacted once more.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::i18n::{Lang, Msg};
use super::text::{duration, escape, status_mark, status_word};
use super::{write_file, Redactor, ReportError, HTML_FILE, MASK};
use crate::run::result::{
    ActionResult, Ensured, ErrorInfo, RunResult, ShotKind, Status, StepResult, StepVerify, SCHEMA_VERSION,
};

mod trace;

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
        lang: result.lang.parse().unwrap_or_default(),
        dry_run: result.mode == "verify",
        dir,
        started: result.started,
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
    lang: Lang,
    /// `verify`: nothing was saved, so ticked boxes say so.
    dry_run: bool,
    dir: &'a Path,
    /// When the run started: trace entries are timed from here.
    started: chrono::DateTime<chrono::Utc>,
    out: String,
    images: Vec<String>,
}

impl Page<'_> {
    /// Redacted, escaped text.
    fn t(&self, s: &str) -> String {
        escape(&self.r.redact(s))
    }

    fn m(&self, m: Msg) -> &'static str {
        self.lang.t(m)
    }

    /// An ensured box's line; in a dry run (`verify`) it says the change was not saved.
    fn ensured_text(&self, e: &Ensured) -> String {
        let line = self.lang.ensured_line(e);
        if self.dry_run {
            format!("{line} — {}", self.m(Msg::NotSaved))
        } else {
            line
        }
    }

    fn document(&mut self, res: &RunResult) {
        let title = if res.flow.title.is_empty() {
            &res.flow.name
        } else {
            &res.flow.title
        };
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"postnl-robot {version}\">\n\
             <title>{outcome} · {title} · {report}</title>\n<style>\n{CSS}</style>\n</head>\n\
             <body class=\"run-{status}\">\n",
            lang = self.lang.code(),
            version = env!("CARGO_PKG_VERSION"),
            title = self.t(title),
            status = status_word(res.status),
            outcome = self.lang.outcome(res.status),
            report = self.m(Msg::RunReport),
        );
        self.hero(res, title);
        self.out.push_str("<main class=\"wrap\">\n");
        self.summary(res, title);
        if let Some(err) = &res.error {
            let _ = writeln!(
                self.out,
                "<section class=\"card run-error\">\n<h2>{}</h2>",
                self.m(Msg::RunCouldNotComplete)
            );
            self.failure_body(err, None);
            self.out.push_str("</section>\n");
        }
        self.overview(res);
        for step in &res.steps {
            self.step(step);
        }
        self.integrity(res);
        self.technical(res);
        self.footer(res);
        self.out.push_str("</main>\n");
        let _ = write!(
            self.out,
            "<div id=\"lightbox\" class=\"lightbox\" hidden role=\"dialog\" aria-label=\"{shot}\">\
             <img alt=\"\"><p class=\"lb-caption\"></p><p class=\"lb-hint\">{hint}</p></div>\n\
             <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
            shot = self.m(Msg::NamedScreenshot),
            hint = self.m(Msg::ClickOrEsc),
        );
    }

    fn hero(&mut self, res: &RunResult, title: &str) {
        let status = status_word(res.status);
        let _ = write!(
            self.out,
            "<header class=\"hero\">\n<div class=\"wrap hero-row\">\n<div class=\"hero-text\">\n\
             <div class=\"eyebrow\">{report} · postnl-robot</div>\n<h1>{title}</h1>\n\
             <div class=\"hero-sub\">{flow} <code>{name}</code>{file}</div>\n</div>\n\
             <div class=\"badge badge-{status}\"><span class=\"badge-mark\">{mark}</span> {outcome}</div>\n\
             </div>\n</header>\n",
            report = self.m(Msg::RunReport),
            flow = self.m(Msg::Flow),
            title = self.t(title),
            name = self.t(&res.flow.name),
            file = if res.flow.file.is_empty() {
                String::new()
            } else {
                format!(" · <span class=\"muted-light\">{}</span>", self.t(&res.flow.file))
            },
            mark = status_mark(res.status),
            outcome = self.lang.outcome(res.status),
        );
    }

    /// What a customer reads first: what, for whom, by whom, under which ticket, when, where,
    /// the outcome in one sentence and every checkbox the flow ensured.
    fn summary(&mut self, res: &RunResult, title: &str) {
        let unknown = format!("<span class=\"muted\">{}</span>", self.m(Msg::Unknown));
        let for_whom: Vec<String> = res
            .params
            .iter()
            .filter(|p| !p.secret)
            .map(|p| format!("{} <strong>{}</strong>", self.t(&p.name), self.t(&p.value)))
            .collect();
        let when = res.started.with_timezone(&chrono_tz::Europe::Amsterdam);
        let mut facts: Vec<(&str, String)> = vec![
            (self.m(Msg::WhatWasDone), self.t(title)),
            (
                self.m(Msg::ForWhom),
                if for_whom.is_empty() {
                    unknown.clone()
                } else {
                    for_whom.join(" · ")
                },
            ),
            (
                self.m(Msg::ByWhom),
                res.operator.as_deref().map(|o| self.t(o)).unwrap_or(unknown),
            ),
        ];
        if let Some(ticket) = &res.ticket {
            facts.push((self.m(Msg::Ticket), self.t(ticket)));
        }
        if let Some(v) = &res.verify {
            let what = if v.updated {
                self.m(Msg::BaselineWritten)
            } else {
                self.m(Msg::BaselineCompared)
            };
            facts.push((
                self.m(Msg::Baseline),
                format!(
                    "{what} <code>{}</code> · {} {}",
                    self.t(&format!("{}/{}", v.baseline.trim_end_matches('/'), v.key)),
                    self.m(Msg::PixelThreshold),
                    self.t(&super::percent(v.pixel_threshold))
                ),
            ));
        }
        facts.extend([
            (
                self.m(Msg::When),
                self.t(&when.format("%d-%m-%Y %H:%M:%S (%Z)").to_string()),
            ),
            (self.m(Msg::Portal), format!("<code>{}</code>", self.t(&res.base_url))),
            (self.m(Msg::Duration), self.t(&duration(res.duration_ms))),
        ]);
        let _ = write!(
            self.out,
            "<section class=\"card summary\">\n<h2 class=\"card-title\">{}</h2>\n\
             <p class=\"verdict verdict-{}\">{}</p>\n<dl class=\"facts\">\n",
            self.m(Msg::Summary),
            status_word(res.status),
            self.t(&verdict(res, self.lang)),
        );
        for (label, value) in facts {
            let _ = writeln!(self.out, "<div><dt>{label}</dt><dd>{value}</dd></div>");
        }
        self.out.push_str("</dl>\n");
        let ensured: Vec<&Ensured> = res.steps.iter().flat_map(|s| &s.ensured).collect();
        if !ensured.is_empty() {
            let _ = writeln!(self.out, "<h3>{}</h3>\n<ul class=\"ensured\">", self.m(Msg::Checkboxes));
            for e in ensured {
                let ok = e.read_back.is_none_or(|b| b == e.after);
                let _ = writeln!(
                    self.out,
                    "<li class=\"{}\">{}</li>",
                    if ok { "ok" } else { "bad" },
                    self.t(&self.ensured_text(e))
                );
            }
            self.out.push_str("</ul>\n");
        }
        if !res.downloads.is_empty() {
            let _ = writeln!(
                self.out,
                "<h3>{}</h3>\n<ul class=\"downloads\">",
                self.m(Msg::Downloads)
            );
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
        let _ = writeln!(
            self.out,
            "<nav class=\"card overview\" aria-label=\"{steps}\">\n<h2 class=\"card-title\">{steps}</h2>\n<ol>",
            steps = self.m(Msg::Steps)
        );
        for s in &res.steps {
            let right = match s.status {
                Status::Skipped => self.lang.status(Status::Skipped).to_string(),
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
            label = capitalized(self.lang.status(s.status)),
            time = if s.status == Status::Skipped {
                String::new()
            } else {
                self.t(&duration(s.duration_ms))
            },
        );
        if s.status == Status::Skipped {
            let _ = writeln!(
                self.out,
                "<p class=\"skip-reason\"><strong>{}</strong> {}</p>",
                self.m(Msg::SkippedBecause),
                self.t(&s
                    .skip_reason
                    .as_deref()
                    .map_or(self.m(Msg::NoReason).into(), |r| self.lang.skip_reason(r)))
            );
        }
        for e in &s.ensured {
            let _ = writeln!(
                self.out,
                "<p class=\"ensured-line\">☑ {}</p>",
                self.t(&self.ensured_text(e))
            );
        }
        let failure_shot = s.error.as_ref().and_then(|e| e.screenshot.clone());
        if let Some(err) = &s.error {
            let _ = writeln!(
                self.out,
                "<div class=\"failure\">\n<h3>{}</h3>",
                self.m(Msg::WhatWentWrong)
            );
            self.failure_body(err, s.url.as_deref());
            self.out.push_str("</div>\n");
        } else if s.status.is_failure() {
            let _ = writeln!(
                self.out,
                "<div class=\"failure\">\n<h3>{}</h3>\n<p class=\"err-msg\">{}</p>\n</div>",
                self.m(Msg::WhatWentWrong),
                self.m(Msg::StepFailed)
            );
        }
        for shot in s.screenshots.iter().filter(|x| x.kind == ShotKind::Named) {
            let name = shot.name.clone().unwrap_or_else(|| shot.file.clone());
            let label = format!("{}: {name}", self.m(Msg::NamedScreenshot));
            self.figure(&shot.file, &label, &label, None);
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
                let caption = format!("{} {}", self.m(Msg::ScreenAtEnd), s.title);
                self.figure(shot, &caption, self.m(Msg::EndOfStep), s.url.as_deref());
            }
        }
        if let Some(t) = &s.trace {
            self.stop_trace(t);
        }
        self.actions(&s.actions);
        self.timeline(&s.actions);
        self.out.push_str("</section>\n");
    }

    /// `verify`: what changed since the baseline, the edits that repair the flow, and the
    /// baseline's screenshot, today's and the difference side by side.
    fn drift(&mut self, s: &StepResult, v: &StepVerify, now: Option<&str>) {
        let _ = writeln!(
            self.out,
            "<div class=\"drift drift-{}\">\n<h3>{}</h3>",
            status_word(v.status),
            self.m(Msg::ComparedWithBaseline)
        );
        if v.changes.is_empty() {
            let _ = writeln!(self.out, "<p class=\"muted\">{}</p>", self.m(Msg::NoStructuralChange));
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
                "<p class=\"pixels\">{}: <strong>{}</strong></p>",
                self.m(Msg::PixelsChanged),
                self.t(&super::percent(p))
            );
        }
        if !v.edits.is_empty() {
            let _ = write!(self.out, "<h4>{}</h4>\n<pre class=\"edits\">", self.m(Msg::ProposedFix));
            for e in &v.edits {
                let _ = writeln!(self.out, "{}", self.t(&e.to_string()));
            }
            self.out.push_str("</pre>\n");
        }
        self.out.push_str("<div class=\"trio\">\n");
        if let Some(b) = &v.baseline_screenshot {
            let (caption, label) = (format!("{}: {}", s.title, self.m(Msg::Before)), self.m(Msg::Before));
            self.figure(b, &caption, label, None);
        }
        if let Some(n) = now {
            let (caption, label) = (format!("{}: {}", s.title, self.m(Msg::After)), self.m(Msg::After));
            self.figure(n, &caption, label, s.url.as_deref());
        }
        if let Some(d) = &v.diff_screenshot {
            let (caption, label) = (
                format!("{}: {}", s.title, self.m(Msg::Difference)),
                self.m(Msg::Difference),
            );
            self.figure(d, &caption, label, None);
        }
        self.out.push_str("</div>\n</div>\n");
    }

    fn failure_body(&mut self, err: &ErrorInfo, step_url: Option<&str>) {
        let _ = writeln!(self.out, "<p class=\"err-msg\">{}</p>", self.t(&err.message));
        self.out.push_str("<dl class=\"err-facts\">\n");
        if let Some(l) = &err.locator {
            let _ = writeln!(
                self.out,
                "<div><dt>{}</dt><dd><code>{}</code></dd></div>",
                self.m(Msg::Locator),
                self.t(l)
            );
        }
        let url = err.url.as_deref().or(step_url);
        if let Some(u) = url {
            let _ = writeln!(
                self.out,
                "<div><dt>{}</dt><dd><code>{}</code></dd></div>",
                self.m(Msg::Page),
                self.t(u)
            );
        }
        self.out.push_str("</dl>\n");
        if !err.did_you_mean.is_empty() {
            let _ = writeln!(
                self.out,
                "<div class=\"found did-you-mean\"><h4>{}</h4>\n<ol>",
                self.m(Msg::DidYouMean)
            );
            for d in &err.did_you_mean {
                let _ = writeln!(
                    self.out,
                    "<li>{} &ldquo;{}&rdquo; <span class=\"muted\">{} &ldquo;{}&rdquo; · {} {:.2}</span></li>",
                    self.t(&d.kind),
                    self.t(&d.offered),
                    self.m(Msg::InsteadOf),
                    self.t(&d.wanted),
                    self.m(Msg::Similarity),
                    d.score
                );
            }
            self.out.push_str("</ol>\n</div>\n");
        }
        if !err.found.is_empty() {
            let cols = if err.found.len() > 6 { " class=\"cols\"" } else { "" };
            let _ = writeln!(
                self.out,
                "<div class=\"found\"><h4>{} ({})</h4>\n<ul{cols}>",
                self.m(Msg::OfferedInstead),
                err.found.len()
            );
            for f in &err.found {
                let _ = writeln!(self.out, "<li>{}</li>", self.t(f));
            }
            self.out.push_str("</ul>\n</div>\n");
        }
        if let Some(shot) = &err.screenshot {
            self.figure(shot, self.m(Msg::ScreenOfFailure), self.m(Msg::MomentOfFailure), url);
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
                     tabindex=\"0\" title=\"{enlarge}\">\n\
                     <figcaption>{label}{url_html}<span class=\"file\"> · {name}</span>\
                     <span class=\"no-print hint\"> · {enlarge}</span></figcaption>\n</figure>\n",
                    alt = self.t(caption),
                    label = self.t(label),
                    enlarge = self.m(Msg::ClickToEnlarge),
                );
            }
            None => {
                let _ = writeln!(
                    self.out,
                    "<figure class=\"shot missing\"><div class=\"placeholder\">{} \
                     (<code>{name}</code>)</div></figure>",
                    self.m(Msg::ScreenshotMissing)
                );
            }
        }
    }

    /// The actions with their resolved locators and timings, folded away.
    fn actions(&mut self, actions: &[ActionResult]) {
        if actions.is_empty() {
            return;
        }
        let _ = write!(
            self.out,
            "<details class=\"tech\">\n<summary>{tech} ({n})</summary>\n\
             <table class=\"actions\">\n<thead><tr><th class=\"c-st\"><span class=\"sr\">{status}</span></th>\
             <th>{action}</th><th>{locator}</th><th class=\"c-time\">{time}</th></tr></thead>\n<tbody>\n",
            tech = self.m(Msg::TechnicalDetails),
            n = actions.len(),
            status = self.m(Msg::Status),
            action = self.m(Msg::Action),
            locator = self.m(Msg::Locator),
            time = self.m(Msg::Time),
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
                "<tr class=\"st-{status}\"><td class=\"c-st\"><span class=\"dot dot-{status}\" title=\"{word}\">{mark}</span></td>\
                 <td>{desc}{detail}</td><td class=\"c-loc\">{locator}</td><td class=\"c-time\">{time}</td></tr>",
                word = self.lang.status(a.status),
                mark = status_mark(a.status),
                desc = self.t(&a.description),
                time = if a.status == Status::Skipped {
                    "—".to_string()
                } else {
                    self.t(&duration(a.duration_ms))
                },
            );
        }
        self.out.push_str("</tbody>\n</table>\n</details>\n");
    }

    /// The SHA-256 of every screenshot and download, for checking a hand-over later.
    fn integrity(&mut self, res: &RunResult) {
        let mut files: Vec<String> = Vec::new();
        for s in &res.steps {
            let shots = s.screenshots.iter().map(|x| x.file.clone());
            let more = s
                .screenshot
                .iter()
                .cloned()
                .chain(s.error.iter().filter_map(|e| e.screenshot.clone()));
            for f in shots.chain(more) {
                if !files.contains(&f) {
                    files.push(f);
                }
            }
        }
        files.extend(res.downloads.iter().cloned());
        let rows: Vec<(String, String)> = files
            .into_iter()
            .filter_map(|f| super::manifest::sha256_file(&self.dir.join(&f)).map(|h| (f, h)))
            .collect();
        if rows.is_empty() {
            return;
        }
        let _ = write!(
            self.out,
            "<section class=\"card integrity\">\n<h2 class=\"card-title\">{title}</h2>\n<p class=\"muted\">{hint}</p>\n\
             <table class=\"digests\">\n<thead><tr><th>{file}</th><th>{sha}</th></tr></thead>\n<tbody>\n",
            title = self.m(Msg::Integrity),
            hint = self.m(Msg::IntegrityHint),
            file = self.m(Msg::File),
            sha = self.m(Msg::Sha256),
        );
        for (f, h) in rows {
            let _ = writeln!(
                self.out,
                "<tr><td><code>{}</code></td><td><code class=\"sha\">{h}</code></td></tr>",
                self.t(&f)
            );
        }
        self.out.push_str("</tbody>\n</table>\n</section>\n");
    }

    /// Browser, WebDriver, mode, parameters, counts and times: folded away.
    fn technical(&mut self, res: &RunResult) {
        let count = |s: Status| res.steps.iter().filter(|x| x.status == s).count();
        let browser = format!("{} {}", res.browser.name, res.browser.version);
        let mut facts: Vec<(&str, String)> = vec![
            (
                self.m(Msg::Browser),
                if browser.trim().is_empty() {
                    format!("<span class=\"muted\">{}</span>", self.m(Msg::Unknown))
                } else {
                    self.t(browser.trim())
                },
            ),
            (
                self.m(Msg::Steps),
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
                    format!("<span class=\"n-{class}\">{n} {}</span>", self.lang.status(st))
                })
                .collect::<Vec<_>>()
                .join(" · "),
            ),
            (
                self.m(Msg::Mode),
                if res.mode == "verify" {
                    self.m(Msg::DryRun).to_string()
                } else {
                    self.t(&res.mode)
                },
            ),
            (
                "UTC",
                self.t(&format!(
                    "{} → {}",
                    res.started.format("%Y-%m-%d %H:%M:%S"),
                    res.finished.format("%H:%M:%S UTC")
                )),
            ),
        ];
        if !res.browser.webdriver.is_empty() {
            facts.push((
                self.m(Msg::WebDriver),
                format!("<code>{}</code>", self.t(&res.browser.webdriver)),
            ));
        }
        if let Some(node) = &res.browser.node {
            facts.push((
                self.m(Msg::GridNode),
                format!("<code>{}</code> ({})", self.t(&node.uri), self.t(&node.id)),
            ));
        }
        if let Some(way) = &res.browser.downloads {
            facts.push((self.m(Msg::DownloadsVia), self.t(way)));
        }
        let _ = write!(
            self.out,
            "<section class=\"card technical\">\n<details class=\"tech\">\n<summary>{}</summary>\n<dl class=\"facts\">\n",
            self.m(Msg::TechnicalDetails)
        );
        for (label, value) in facts {
            let _ = writeln!(self.out, "<div><dt>{label}</dt><dd>{value}</dd></div>");
        }
        self.out.push_str("</dl>\n");
        let _ = writeln!(self.out, "<h3>{}</h3>", self.m(Msg::Parameters));
        if res.params.is_empty() {
            let _ = writeln!(self.out, "<p class=\"muted\">{}</p>", self.m(Msg::None));
        } else {
            self.out.push_str("<table class=\"params\">\n<tbody>\n");
            for p in &res.params {
                let value = if p.secret {
                    format!("{MASK} <span class=\"tag\">{}</span>", self.m(Msg::Secret))
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
        self.out.push_str("</details>\n</section>\n");
    }

    fn footer(&mut self, res: &RunResult) {
        let _ = writeln!(
            self.out,
            "<footer class=\"foot\">{} postnl-robot {} · report schema v{} · {} · {}</footer>",
            self.m(Msg::Generated),
            env!("CARGO_PKG_VERSION"),
            SCHEMA_VERSION.max(res.schema_version),
            self.m(Msg::SameFacts),
            self.t(&res.started.to_rfc3339()),
        );
    }
}

/// One sentence saying how the run ended, in `lang`.
pub fn verdict(res: &RunResult, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let total = res.steps.len();
    let count = |s: Status| res.steps.iter().filter(|x| x.status == s).count();
    let first_line = |e: &ErrorInfo| e.message.lines().next().unwrap_or_default().to_string();
    if let Some(step) = res.steps.iter().find(|s| s.status.is_failure()) {
        let why = step.error.as_ref().map(first_line).unwrap_or_default();
        let stopped = match (nl, step.status) {
            (true, Status::Interrupted) => "De run is onderbroken bij",
            (false, Status::Interrupted) => "The run was interrupted at",
            (true, Status::CommittedUnknown) => "Er is iets verstuurd waarvan de uitkomst onbekend is, bij",
            (false, Status::CommittedUnknown) => "A committing action was sent, outcome unknown, at",
            (true, _) => "De run is gestopt bij",
            (false, _) => "The run stopped at",
        };
        return if why.is_empty() {
            format!("{stopped} {}.", step.title)
        } else {
            format!("{stopped} {}: {why}", step.title)
        };
    }
    if let Some(err) = &res.error {
        return format!("{}: {}", lang.t(Msg::RunCouldNotComplete), first_line(err));
    }
    let skipped = count(Status::Skipped);
    match (res.status, skipped, nl) {
        (Status::Passed, 0, true) => format!("Alle {total} stappen zijn gelukt."),
        (Status::Passed, 0, false) => format!("All {total} steps completed successfully."),
        (Status::Passed, n, true) => format!(
            "{} van de {total} stappen zijn gelukt; {n} overgeslagen (zie hieronder waarom).",
            total - n
        ),
        (Status::Passed, n, false) => format!(
            "{} of {total} steps completed successfully; {n} skipped (see below why).",
            total - n
        ),
        (Status::Unchanged, _, true) => format!("Alle {total} stappen komen overeen met de basislijn."),
        (Status::Unchanged, _, false) => format!("All {total} steps match the baseline."),
        (Status::Changed, _, _) => {
            let changed: Vec<&str> = res
                .steps
                .iter()
                .filter(|s| s.status == Status::Changed)
                .map(|s| s.title.as_str())
                .collect();
            if nl {
                format!(
                    "Afwijking: elke stap kan nog worden uitgevoerd, maar {} is veranderd.",
                    changed.join(", ")
                )
            } else {
                format!(
                    "Drift: every step can still be performed, but {} changed.",
                    changed.join(", ")
                )
            }
        }
        (Status::Broken, _, true) => "Een stap kan niet meer worden uitgevoerd.".to_string(),
        (Status::Broken, _, false) => "A step can no longer be performed.".to_string(),
        (s, _, _) => format!("{}: {}.", lang.t(Msg::TheRun), lang.status(s)),
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
