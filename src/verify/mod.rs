//! QA verify: the flow replayed without its committing actions (a dry run), each step compared
//! with a baseline — unchanged, changed (structurally: renamed / added / removed / moved; or
//! visually: more pixels differ than the threshold) or broken (it could not be performed) — and,
//! for a locator that no longer matches, the edit that repairs the flow.
//!
//! [`apply`] takes the finished dry run's [`RunResult`] and either writes the baseline
//! (`--update-baseline`, optionally one step) or compares with it; it sets each step's and the
//! run's verify status and exit code (0 unchanged, 5 drift, 1 broken) and copies the baseline's
//! screenshots and the diff images into the run folder for the report. [`summary`] is the
//! terminal summary.

pub mod baseline;
pub mod diff;
pub mod edits;
pub mod pixels;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::run::result::{Change, RunResult, Status, StepVerify, VerifyInfo};
use baseline::{Baseline, BaselineError, BaselineStep, FORMAT};

/// Default share of pixels (0–1) that may differ before a step counts as visually changed.
pub const DEFAULT_PIXEL_THRESHOLD: f64 = 0.005;

/// How to verify.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The baseline folder (holding one folder per browser and viewport).
    pub baseline: PathBuf,
    /// Write the baseline instead of comparing with it.
    pub update: bool,
    /// With `update`: only this step (1-based).
    pub step: Option<usize>,
    /// Share of pixels (0–1) that may differ before a step counts as visually changed.
    pub pixel_threshold: f64,
}

/// Verifying failed for a reason outside the portal (files).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the flow has no step {0}")]
    NoSuchStep(usize),
    #[error("no baseline in {}: write one with --update-baseline", .0.display())]
    NoBaseline(PathBuf),
}

/// The folder name for a browser and viewport: `chromium-1280x900`.
pub fn key(browser: &str, window: (u32, u32)) -> String {
    let name = if browser.is_empty() { "chromium" } else { browser };
    format!("{}-{}x{}", crate::run::executor::slug(name), window.0, window.1)
}

/// Writes the baseline from, or compares it with, the dry run `result` whose folder is `out_dir`.
pub fn apply(result: &mut RunResult, out_dir: &Path, settings: &Settings, key: &str) -> Result<(), VerifyError> {
    let base = Baseline::new(&settings.baseline, key);
    let mut info = VerifyInfo {
        baseline: settings.baseline.display().to_string(),
        key: key.to_string(),
        pixel_threshold: settings.pixel_threshold,
        updated: settings.update,
        written: vec![],
    };
    if settings.update {
        info.written = update(result, out_dir, settings, &base)?;
    } else {
        if !base.dir.is_dir() {
            return Err(VerifyError::NoBaseline(base.dir));
        }
        compare(result, out_dir, settings, &base)?;
    }
    result.verify = Some(info);
    Ok(())
}

fn update(
    result: &RunResult,
    out_dir: &Path,
    settings: &Settings,
    base: &Baseline,
) -> Result<Vec<String>, VerifyError> {
    if let Some(n) = settings.step {
        if n == 0 || n > result.steps.len() {
            return Err(VerifyError::NoSuchStep(n));
        }
    }
    let mut written = vec![];
    for step in &result.steps {
        if settings.step.is_some_and(|n| n != step.index) {
            continue;
        }
        // Only a step that was performed in full is a baseline; a failing one keeps its old files.
        let (Status::Passed, Some(print)) = (step.status, &step.fingerprint) else {
            continue;
        };
        base.remove(step.index)?;
        let png = step
            .screenshot
            .as_ref()
            .and_then(|s| std::fs::read(out_dir.join(s)).ok());
        let file = BaselineStep {
            format: FORMAT,
            flow: result.flow.name.clone(),
            index: step.index,
            step: step.title.clone(),
            print: print.clone(),
        };
        for p in base.write(&file, png.as_deref())? {
            let rel = p.strip_prefix(&settings.baseline).unwrap_or(&p);
            written.push(rel.display().to_string());
        }
    }
    Ok(written)
}

fn compare(result: &mut RunResult, out_dir: &Path, settings: &Settings, base: &Baseline) -> Result<(), VerifyError> {
    let file = result.flow.file.clone();
    for step in &mut result.steps {
        let status = match step.status {
            Status::Passed => Status::Unchanged,
            Status::Failed | Status::CommittedUnknown => Status::Broken,
            Status::NotVerified | Status::Skipped | Status::Interrupted => {
                step.verify = Some(StepVerify {
                    status: step.status,
                    baseline: None,
                    changes: vec![],
                    pixels_changed: None,
                    baseline_screenshot: None,
                    diff_screenshot: None,
                    edits: vec![],
                });
                continue;
            }
            other => other,
        };
        let stem = base.find(step.index);
        let stored = match &stem {
            Some(s) => Some(base.read(s)?),
            None => None,
        };
        let mut v = StepVerify {
            status,
            baseline: stem.as_ref().map(|s| format!("{s}.json")),
            changes: vec![],
            pixels_changed: None,
            baseline_screenshot: None,
            diff_screenshot: None,
            edits: vec![],
        };
        let broken = status == Status::Broken;
        match (&stored, &step.fingerprint) {
            (Some(b), Some(now)) => v.changes = diff::compare(&b.print, now, broken),
            (None, _) => v.changes.push(Change {
                kind: "missing-step".into(),
                role: None,
                old: None,
                new: Some(step.title.clone()),
                message: "the baseline has no such step: accept it with --update-baseline --step N".into(),
            }),
            _ => {}
        }
        // Before / after / diff: the baseline's screenshot next to today's.
        if let (Some(s), Some(png)) = (&stem, stem.as_ref().and_then(|s| base.screenshot(s))) {
            let copy = format!("{s}-baseline.png");
            write(out_dir, &copy, &png)?;
            v.baseline_screenshot = Some(copy);
            let shot = step
                .screenshot
                .as_ref()
                .or(step.error.as_ref().and_then(|e| e.screenshot.as_ref()));
            if let Some(now) = shot.and_then(|f| std::fs::read(out_dir.join(f)).ok()) {
                let mut masks = stored.as_ref().map(|b| b.print.masks.clone()).unwrap_or_default();
                if let Some(p) = &step.fingerprint {
                    masks.extend(p.masks.iter().copied());
                }
                match pixels::compare(&png, &now, &masks) {
                    Ok(d) => {
                        v.pixels_changed = Some((d.share * 10_000.0).round() / 10_000.0);
                        let show = d.share > settings.pixel_threshold || broken || !v.changes.is_empty();
                        if let Some(diff) = d.png.filter(|_| show) {
                            let name = format!("{s}-diff.png");
                            write(out_dir, &name, &diff)?;
                            v.diff_screenshot = Some(name);
                        }
                        if !broken && d.share > settings.pixel_threshold {
                            v.changes.push(Change {
                                kind: "visual".into(),
                                role: None,
                                old: None,
                                new: None,
                                message: format!(
                                    "{} of the screenshot's pixels changed (threshold {})",
                                    percent(d.share),
                                    percent(settings.pixel_threshold)
                                ),
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "screenshots not compared"),
                }
            }
        }
        if let Some(err) = &step.error {
            v.edits = edits::propose(&file, &err.did_you_mean);
        }
        if status == Status::Unchanged && !v.changes.is_empty() {
            v.status = Status::Changed;
        }
        step.status = v.status;
        step.verify = Some(v);
    }
    let any = |s: Status| result.steps.iter().any(|x| x.status == s);
    if result.status != Status::Interrupted {
        result.status = if any(Status::Broken) || result.error.is_some() {
            Status::Broken
        } else if any(Status::Changed) {
            Status::Changed
        } else {
            Status::Unchanged
        };
    }
    result.exit_code = result.status.exit_code(false, None);
    Ok(())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), VerifyError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|source| VerifyError::Write { path, source })
}

pub use crate::report::percent;

/// The terminal summary: per step its verify status, what changed, near misses and the edits
/// that repair the flow; then the verdict.
pub fn summary(result: &RunResult) -> String {
    use crate::report::Lang;
    let lang: Lang = result.lang.parse().unwrap_or_default();
    let nl = lang == Lang::Nl;
    let pick = |d: &str, e: &str| if nl { d.to_string() } else { e.to_string() };
    let mut s = String::new();
    let Some(info) = &result.verify else {
        return s;
    };
    let where_ = Path::new(&info.baseline).join(&info.key);
    if info.updated {
        let _ = writeln!(
            s,
            "{} {}:",
            pick("Basislijn geschreven naar", "Baseline written to"),
            where_.display()
        );
        for f in &info.written {
            let _ = writeln!(s, "  {f}");
        }
        if info.written.is_empty() {
            let _ = writeln!(
                s,
                "  {}",
                pick(
                    "(niets: geen stap is helemaal uitgevoerd)",
                    "(nothing: no step was performed in full)"
                )
            );
        }
        return s;
    }
    let _ = writeln!(
        s,
        "{} {} {} {}",
        pick("Controle van", "Verify"),
        result.flow.file,
        pick("tegen", "against"),
        where_.display()
    );
    let width = result.steps.iter().map(|x| x.title.chars().count()).max().unwrap_or(0);
    for step in &result.steps {
        let word = match step.status {
            Status::NotVerified => pick(
                "niet geverifieerd (hangt af van het opslaan)",
                "not verified (depends on the save)",
            ),
            Status::Skipped => format!(
                "{}: {}",
                lang.status(Status::Skipped),
                lang.skip_reason(step.skip_reason.as_deref().unwrap_or(""))
            ),
            other => lang.status(other).to_string(),
        };
        let _ = writeln!(
            s,
            "  {} {:<width$}  {word}",
            crate::report::status_mark(step.status),
            step.title
        );
        if let Some(err) = step.error.as_ref().filter(|_| step.status.is_failure()) {
            let _ = writeln!(s, "      {}", err.message.lines().next().unwrap_or_default());
            if let Some(best) = err.did_you_mean.first() {
                let _ = writeln!(
                    s,
                    "      {}: {} \"{}\"  ({} {:.2})",
                    lang.t(crate::report::Msg::DidYouMean).to_lowercase(),
                    best.kind,
                    best.offered,
                    pick("gelijkenis", "similarity"),
                    best.score
                );
                for other in err.did_you_mean.iter().skip(1).take(2) {
                    let _ = writeln!(
                        s,
                        "                    {} \"{}\"  ({:.2})",
                        other.kind, other.offered, other.score
                    );
                }
            }
        }
        let Some(v) = &step.verify else { continue };
        for c in &v.changes {
            let _ = writeln!(s, "      {}", c.message);
        }
        let visual = v.changes.iter().any(|c| c.kind == "visual");
        if let Some(p) = v.pixels_changed.filter(|_| step.status != Status::Unchanged && !visual) {
            let _ = writeln!(
                s,
                "      {}: {} ({} {})",
                pick("gewijzigde pixels", "pixels changed"),
                percent(p),
                pick("drempel", "threshold"),
                percent(info.pixel_threshold)
            );
        }
        if !v.edits.is_empty() {
            let _ = writeln!(s, "      {}:", pick("voorgestelde aanpassing", "proposed fix"));
            for e in &v.edits {
                let _ = writeln!(s, "        {e}");
            }
        }
    }
    let changed = result.steps.iter().filter(|x| x.status == Status::Changed).count();
    let verdict = match (result.status, nl) {
        (Status::Unchanged, true) => "Ongewijzigd: elke stap komt overeen met de basislijn (exit 0)".to_string(),
        (Status::Unchanged, false) => "Unchanged: every step matches the baseline (exit 0)".to_string(),
        (Status::Changed, true) => format!(
            "Afwijking: elke stap kan nog worden uitgevoerd; {changed} stap{} gewijzigd (exit 5)",
            if changed == 1 { "" } else { "pen" }
        ),
        (Status::Changed, false) => format!(
            "Drift: every step can still be performed; {changed} step{} changed (exit 5)",
            if changed == 1 { "" } else { "s" }
        ),
        (Status::Broken, _) => match (result.steps.iter().find(|x| x.status == Status::Broken), nl) {
            (Some(b), true) => format!("Kapot: {} kan niet meer worden uitgevoerd (exit 1)", b.title),
            (Some(b), false) => format!("Broken: {} can no longer be performed (exit 1)", b.title),
            (None, true) => "Kapot: de run kon niet worden voltooid (exit 1)".to_string(),
            (None, false) => "Broken: the run could not complete (exit 1)".to_string(),
        },
        (other, _) => format!("{} (exit {})", lang.status(other), result.exit_code),
    };
    let _ = writeln!(s, "{verdict}");
    s
}
