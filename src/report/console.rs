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
//!       Fout: no link "Autorisaties" on the page
//! [5/5] – Stap 5. Nadat de gebruiker geautoriseerd is (overgeslagen: …)
//! ```
//!
//! A failure is shown once: in its step's line (the closing summary names the step only). The
//! live spinner names the action in progress and, for long waits, the target and the limit
//! ("wacht op 'E-commerce Inzichten' — 3 min van max. 60"). Texts come from [`super::i18n`].
//!
//! Everything printed is redacted with the progress's own redactor plus the logging module's
//! active one (global secrets and the current run's).

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::i18n::{Lang, Msg};
use super::logging;
use super::text::{duration, status_mark};
use super::{Redactor, HTML_FILE};
use crate::run::result::{RunResult, Status, StepResult};
use crate::run::{Activity, ActivitySink};

/// At most this many "what the page offered instead" entries are printed per failure.
const MAX_FOUND_SHOWN: usize = 12;

/// The live progress display of one run (or a batch of runs).
pub struct Progress {
    live: Option<MultiProgress>,
    color: bool,
    redactor: Redactor,
    lang: Lang,
    state: Mutex<State>,
    /// The running step's spinner and title, for [`Progress::activity_sink`].
    current: Arc<Mutex<Option<(ProgressBar, String)>>>,
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
            lang: Lang::default(),
            current: Arc::default(),
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

    /// Talk in `lang` (default Dutch).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Where the executor reports the action in progress: the live spinner shows it after the
    /// step's title. `None` when not live.
    pub fn activity_sink(&self) -> Option<ActivitySink> {
        self.live.as_ref()?;
        let current = Arc::clone(&self.current);
        let redactor = self.redactor.clone();
        let lang = self.lang;
        Some(Arc::new(move |a: Activity<'_>| {
            let guard = current.lock().unwrap_or_else(|e| e.into_inner());
            let Some((bar, title)) = guard.as_ref() else { return };
            let what = match a {
                Activity::Action(d) => d.to_string(),
                Activity::Waiting { target, elapsed, limit } => {
                    lang.waiting(target, elapsed.as_secs() / 60, limit.as_secs().div_ceil(60))
                }
            };
            let msg = format!("{title} — {what}");
            let msg = logging::active_redactor().redact(&redactor.redact(&msg)).into_owned();
            bar.set_message(msg);
        }))
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
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((bar.clone(), self.clean(title)));
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
                let reason = step
                    .skip_reason
                    .as_deref()
                    .map_or(self.lang.t(Msg::NoReason).into(), |r| self.lang.skip_reason(r));
                let _ = write!(text, " ({}: {reason})", self.lang.status(Status::Skipped));
            }
            _ => {
                let _ = write!(text, " ({})", duration(step.duration_ms));
            }
        }
        if step.status.is_failure() {
            if let Some(err) = &step.error {
                for line in error_lines(err, self.lang) {
                    let _ = write!(text, "\n      {line}");
                }
            }
            if let Some(dom) = step.trace.as_ref().and_then(|t| t.dom.as_deref()) {
                let _ = write!(text, "\n      {}: {dom}", self.lang.t(Msg::Trace));
            }
        }
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
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
        let lang = self.lang;
        let first = |want: fn(Status) -> bool| result.steps.iter().find(|s| want(s.status));
        let outcome = match (result.status, first(Status::is_failure)) {
            (Status::Failed | Status::Interrupted | Status::CommittedUnknown | Status::Broken, Some(s)) => {
                lang.outcome_at(result.status, &s.title)
            }
            (Status::Changed, _) => match first(|st| st == Status::Changed) {
                Some(s) => lang.outcome_at(Status::Changed, &s.title),
                None => lang.outcome(Status::Changed).to_string(),
            },
            (status, _) => lang.outcome(status).to_string(),
        };
        let compared = result.verify.as_ref().is_some_and(|v| !v.updated);
        let counts = if compared {
            lang.verify_counts(
                result.steps.len(),
                [
                    count(Status::Unchanged),
                    count(Status::Changed),
                    count(Status::Broken) + count(Status::Interrupted),
                    count(Status::NotVerified),
                    count(Status::Skipped),
                ],
            )
        } else {
            lang.step_counts(
                result.steps.len(),
                count(Status::Passed),
                result.steps.iter().filter(|x| x.status.is_failure()).count(),
                count(Status::Skipped) + count(Status::NotVerified),
            )
        };
        let mut text = format!(
            "\n{} {outcome} — {counts} — {}",
            self.mark(result.status),
            duration(result.duration_ms),
        );
        if let Some(err) = &result.error {
            // No browser: the command line prints that on stderr, once.
            let no_browser = err.kind == crate::run::FailureKind::NoBrowser;
            if !no_browser && !result.steps.iter().any(|s| s.status.is_failure()) {
                for line in error_lines(err, lang) {
                    let _ = write!(text, "\n  {line}");
                }
            }
        }
        let _ = write!(
            text,
            "\n{}: {}",
            lang.t(Msg::Report),
            report_dir.join(HTML_FILE).display()
        );
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

fn error_lines(err: &crate::run::result::ErrorInfo, lang: Lang) -> Vec<String> {
    let head = format!("{}: ", lang.t(Msg::Error));
    let pad = " ".repeat(head.chars().count());
    let mut lines: Vec<String> = err
        .message
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{head}{l}")
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    if let Some(l) = &err.locator {
        lines.push(format!("{}: {l}", lang.t(Msg::Locator)));
    }
    if let Some(best) = err.did_you_mean.first() {
        lines.push(format!("Did you mean: {} \"{}\"?", best.kind, best.offered));
    }
    if !err.found.is_empty() {
        let mut shown: Vec<&str> = err.found.iter().take(MAX_FOUND_SHOWN).map(String::as_str).collect();
        let more = err.found.len().saturating_sub(MAX_FOUND_SHOWN);
        let more_text = match lang {
            Lang::Nl => format!("… en nog {more}"),
            Lang::En => format!("… and {more} more"),
        };
        if more > 0 {
            shown.push(&more_text);
        }
        lines.push(format!("{}: {}", lang.t(Msg::OfferedInstead), shown.join(" | ")));
    }
    if let Some(s) = &err.screenshot {
        lines.push(format!("{}: {s}", lang.t(Msg::NamedScreenshot)));
    }
    lines
}
