//! Live progress in the terminal: a spinner per running step, then a ✓/✗/– line with its
//! duration, and a closing summary with the report's path.
//!
//! On a terminal (and without `quiet`) the display is animated with indicatif on stdout; stderr
//! log lines suspend it while they are written (see [`super::logging`]). Otherwise, or with
//! `quiet`, it prints plain lines:
//!
//! ```text
//! [1/5] ✓ Stap 1. Log in op MijnPostNL (1.2 s)
//! [3/5] ✗ Stap 3. Ga naar 'Autorisaties' (4.0 s)
//!       Error: no link "Autorisaties" on the page
//! [5/5] – Stap 5. Nadat de gebruiker geautoriseerd is (skipped: another user was authorised)
//! ```
//!
//! Everything printed is redacted with the progress's own redactor plus the logging module's
//! active one (global secrets and the current run's).

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::logging;
use super::text::{duration, status_mark};
use super::{Redactor, HTML_FILE};
use crate::run::result::{RunResult, Status, StepResult};

/// At most this many "what the page offered instead" entries are printed per failure.
const MAX_FOUND_SHOWN: usize = 12;

/// The live progress display of one run (or a batch of runs).
pub struct Progress {
    live: Option<MultiProgress>,
    color: bool,
    redactor: Redactor,
    state: Mutex<State>,
}

struct State {
    out: Box<dyn Write + Send>,
    total: usize,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress on stdout: animated on a terminal, plain lines when not a terminal or `quiet`.
    pub fn new(quiet: bool) -> Self {
        let live = !quiet && io::stdout().is_terminal();
        let mut p = Self::plain(io::stdout());
        if live {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
            logging::set_progress(Some(multi.clone()));
            p.live = Some(multi);
            p.color = std::env::var_os("NO_COLOR").is_none();
        }
        p
    }

    /// Plain-line progress written to `out` (tests, files).
    pub fn plain(out: impl Write + Send + 'static) -> Self {
        Progress {
            live: None,
            color: false,
            redactor: Redactor::none(),
            state: Mutex::new(State {
                out: Box::new(out),
                total: 0,
                bar: None,
            }),
        }
    }

    /// Also redact with `redactor` (on top of the logging module's active redactor).
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// True when the display is animated (terminal, not quiet).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Sets the number of steps shown as `[i/total]` (also set by [`Progress::step_started`]).
    pub fn set_total(&self, total: usize) {
        self.lock().total = total;
    }

    /// A step began: shows a spinner (live) with its title.
    pub fn step_started(&self, index: usize, total: usize, title: &str) {
        let mut st = self.lock();
        st.total = total;
        let Some(multi) = &self.live else { return };
        if let Some(old) = st.bar.take() {
            old.finish_and_clear();
            multi.remove(&old);
        }
        let style = ProgressStyle::with_template("{spinner:.208} {prefix:.dim} {msg} {elapsed:.dim}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::new_spinner()
            .with_style(style)
            .with_prefix(counter(index, total))
            .with_message(self.clean(title));
        let bar = multi.add(bar);
        bar.enable_steady_tick(Duration::from_millis(120));
        st.bar = Some(bar);
    }

    /// A step ended: replaces its spinner with a ✓/✗/– line (and the error of a failed step).
    pub fn step_finished(&self, step: &StepResult) {
        let mut st = self.lock();
        let mut text = format!(
            "{} {} {}",
            counter(step.index, st.total),
            self.mark(step.status),
            step.title
        );
        match step.status {
            Status::Skipped => {
                let reason = step.skip_reason.as_deref().unwrap_or("no reason given");
                let _ = write!(text, " (skipped: {reason})");
            }
            _ => {
                let _ = write!(text, " ({})", duration(step.duration_ms));
            }
        }
        if step.status.is_failure() {
            if let Some(err) = &step.error {
                for line in error_lines(err) {
                    let _ = write!(text, "\n      {line}");
                }
            }
        }
        if let (Some(multi), Some(bar)) = (&self.live, st.bar.take()) {
            bar.finish_and_clear();
            multi.remove(&bar);
        }
        self.emit(&mut st, &text);
    }

    /// A free-form line (e.g. "waiting for the tile, reload 3 of 60").
    pub fn note(&self, msg: &str) {
        let mut st = self.lock();
        self.emit(&mut st, &format!("      {msg}"));
    }

    /// Closing summary: outcome, step counts, duration and the path of `report.html`.
    pub fn finish(&self, result: &RunResult, report_dir: &Path) {
        let mut st = self.lock();
        if let (Some(multi), Some(bar)) = (&self.live, st.bar.take()) {
            bar.finish_and_clear();
            multi.remove(&bar);
        }
        let count = |s: Status| result.steps.iter().filter(|x| x.status == s).count();
        let outcome = match result.status {
            Status::Passed => "Passed".to_string(),
            Status::Skipped => "Skipped".to_string(),
            Status::Failed => match result.steps.iter().find(|s| s.status.is_failure()) {
                Some(s) => format!("Failed at {}", s.title),
                None => "Failed".to_string(),
            },
            Status::Interrupted => match result.steps.iter().find(|s| s.status.is_failure()) {
                Some(s) => format!("Interrupted at {}", s.title),
                None => "Interrupted".to_string(),
            },
            Status::CommittedUnknown => "Committed, outcome unknown".to_string(),
            Status::NotVerified => "Not verified".to_string(),
            Status::Unchanged => "Matches the baseline".to_string(),
            Status::Changed => match result.steps.iter().find(|s| s.status == Status::Changed) {
                Some(s) => format!("Drift from {}", s.title),
                None => "Drift".to_string(),
            },
            Status::Broken => match result.steps.iter().find(|s| s.status == Status::Broken) {
                Some(s) => format!("Broken at {}", s.title),
                None => "Broken".to_string(),
            },
        };
        let compared = result.verify.as_ref().is_some_and(|v| !v.updated);
        let mut text = if compared {
            format!(
                "\n{} {outcome} — {} steps: {} unchanged, {} changed, {} broken, {} not verified, {} skipped — {}",
                self.mark(result.status),
                result.steps.len(),
                count(Status::Unchanged),
                count(Status::Changed),
                count(Status::Broken) + count(Status::Interrupted),
                count(Status::NotVerified),
                count(Status::Skipped),
                duration(result.duration_ms),
            )
        } else {
            format!(
                "\n{} {outcome} — {} steps: {} passed, {} failed, {} skipped — {}",
                self.mark(result.status),
                result.steps.len(),
                count(Status::Passed),
                result.steps.iter().filter(|x| x.status.is_failure()).count(),
                count(Status::Skipped) + count(Status::NotVerified),
                duration(result.duration_ms),
            )
        };
        if let Some(err) = &result.error {
            if !result.steps.iter().any(|s| s.status.is_failure()) {
                for line in error_lines(err) {
                    let _ = write!(text, "\n  {line}");
                }
            }
        }
        let _ = write!(text, "\nReport: {}", report_dir.join(HTML_FILE).display());
        self.emit(&mut st, &text);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mark(&self, status: Status) -> String {
        let mark = status_mark(status);
        if !self.color {
            return mark.to_string();
        }
        let code = match status {
            Status::Passed | Status::Unchanged => "32",
            Status::Failed | Status::Interrupted | Status::CommittedUnknown | Status::Broken => "31",
            Status::Changed => "33",
            Status::Skipped | Status::NotVerified => "2",
        };
        format!("\x1b[{code}m{mark}\x1b[0m")
    }

    /// Redacts with the own and the logging module's active redactor.
    fn clean(&self, text: &str) -> String {
        let own = self.redactor.redact(text);
        logging::active_redactor().redact(&own).into_owned()
    }

    fn emit(&self, st: &mut State, text: &str) {
        let text = self.clean(text);
        match &self.live {
            Some(multi) => {
                let _ = multi.println(text);
            }
            None => {
                let _ = writeln!(st.out, "{text}");
                let _ = st.out.flush();
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(multi) = &self.live {
            if let Some(bar) = self.lock().bar.take() {
                bar.finish_and_clear();
                multi.remove(&bar);
            }
            logging::set_progress(None);
        }
    }
}

fn counter(index: usize, total: usize) -> String {
    if total > 0 {
        format!("[{index}/{total}]")
    } else {
        format!("[{index}]")
    }
}

fn error_lines(err: &crate::run::result::ErrorInfo) -> Vec<String> {
    let mut lines: Vec<String> = err.message.lines().map(|l| format!("Error: {l}")).collect();
    if lines.len() > 1 {
        for l in lines.iter_mut().skip(1) {
            *l = format!("       {}", &l["Error: ".len()..]);
        }
    }
    if let Some(l) = &err.locator {
        lines.push(format!("Locator: {l}"));
    }
    if let Some(best) = err.did_you_mean.first() {
        lines.push(format!("Did you mean: {} \"{}\"?", best.kind, best.offered));
    }
    if !err.found.is_empty() {
        let mut shown: Vec<&str> = err.found.iter().take(MAX_FOUND_SHOWN).map(String::as_str).collect();
        let more = err.found.len().saturating_sub(MAX_FOUND_SHOWN);
        let more_text = format!("… and {more} more");
        if more > 0 {
            shown.push(&more_text);
        }
        lines.push(format!("The page offered instead: {}", shown.join(" | ")));
    }
    if let Some(s) = &err.screenshot {
        lines.push(format!("Screenshot: {s}"));
    }
    lines
}
