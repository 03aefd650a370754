//! Steps → actions → results: drives a [`Browser`] through a bound flow.
//!
//! Every step ends with a screenshot; a failing action stops the run, leaves a screenshot of the
//! moment it failed and an [`ErrorInfo`] naming the step, the locator and what the page offered.
//! Obstacles (cookie banner, interstitials) reported by the browser are cleared by running the
//! flow's handler (menus its click closed are opened again), then the blocked action is retried.
//! Server hiccups (HTTP 5xx pages, failed data requests) are reloaded away (see `recovery`). An
//! `if` on what is visible decides only once the page has shown it, and a step's screenshot waits
//! for a page that is still loading.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use chrono::Utc;

use std::future::Future;

use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::browser::fingerprint::FingerprintRequest;
use crate::browser::{BrowserError, Found, Query, Selected, TextQuery, Wait};
use crate::flow::bind::Vars;
use crate::flow::{
    text, Action, ActionKind, By, Condition, ContentOf, Expectation, FileKind, Flow, Locator, MatchMode, Phase, Step,
    TextMatch,
};
use crate::run::failure::{Failure, FailureKind};
use crate::run::fingerprint::{target_of, StepFingerprint};
use crate::run::page::Page;
use crate::run::query::ToQuery;
use crate::run::result::*;
use crate::run::trace::{self as tracing_file, TraceMode};

mod recovery;

/// Why the remaining steps did not run after the run was cancelled.
const NOT_RUN_INTERRUPTED: &str = "Niet uitgevoerd: de run is onderbroken.";

/// How long the screenshot of a stopped step may take (the browser may be gone).
const LAST_SHOT: Duration = Duration::from_secs(5);

/// Why a row step stopped when the login page came back.
const SESSION_ENDED: &str = "the portal shows its login page again: the session has ended";

/// How long the text of a visible `fail_when` element may take to read.
const FAIL_WHEN_TEXT: Duration = Duration::from_secs(1);

/// How often a run may log in again after the portal ended its session.
const MAX_RELOGINS: u32 = 2;

/// How many times one handler may run while a single action waits.
const MAX_HANDLER_RUNS: usize = 3;

/// Why `verify` leaves out what follows a committing action it did not perform.
pub const NOT_VERIFIED: &str = "not verified (depends on the save)";

/// How long `verify` waits for the element of a click to show before it describes it.
const FINGERPRINT_WAIT: Duration = Duration::from_secs(10);

/// How many near misses a failure lists under "did you mean".
const MAX_SUGGESTIONS: usize = 5;

/// How long a step's screenshot waits for a page that is still loading (spinner, aria-busy).
const IDLE_BEFORE_SCREENSHOT: Duration = Duration::from_secs(5);
/// How long an `if` on visibility waits for a page that is still loading before it decides.
const IDLE_BEFORE_DECIDING: Duration = Duration::from_secs(10);

/// Whether committing actions run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything runs.
    Run,
    /// Dry run: actions marked `commits` are skipped.
    Verify,
    /// Everything runs, but the portal is read back before a committing action: the action is
    /// sent only when a `check`/`uncheck` before it in its step changed a box. Used when an
    /// earlier attempt sent the commit and its outcome is unknown (a resumed batch, a retried
    /// row): the change is made once, never blindly repeated. A committing action with no
    /// `check`/`uncheck` before it cannot be read back and fails the step.
    Recheck,
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run folder (screenshots, downloads/, reports).
    pub out_dir: PathBuf,
    pub base_url: String,
    /// Default time an action waits for its element.
    pub timeout: Duration,
    /// Cap on any wait the flow asks for.
    pub max_wait: Option<Duration>,
    pub mode: Mode,
    /// What `--trace` records.
    pub trace: TraceMode,
}

/// Receives progress while a run goes (the console, a batch's journal, tests).
pub trait Observer: Send + Sync {
    fn step_started(&mut self, index: usize, total: usize, title: &str);
    fn step_finished(&mut self, step: &StepResult);
    /// Where to report what the running step is doing now (the spinner's text), if anywhere.
    fn activity_sink(&self) -> Option<ActivitySink> {
        None
    }

    /// A committing action (`commits = true`, e.g. "Opslaan") of step `index` is about to be
    /// sent. Called before anything goes to the portal: a batch records it durably here, so
    /// that after a crash it knows the save may have happened.
    fn committing(&mut self, _index: usize, _description: &str) {}
}

/// What the running step is doing now.
#[derive(Debug, Clone, Copy)]
pub enum Activity<'a> {
    /// An action began, e.g. `click role button "Opslaan"` (values filled in).
    Action(&'a str),
    /// A long wait goes on: for `target`, `elapsed` of at most `limit`.
    Waiting {
        target: &'a str,
        elapsed: Duration,
        limit: Duration,
    },
}

/// Receives [`Activity`] from inside a running step (called from the run's task).
pub type ActivitySink = std::sync::Arc<dyn Fn(Activity<'_>) + Send + Sync>;

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn step_started(&mut self, _: usize, _: usize, _: &str) {}
    fn step_finished(&mut self, _: &StepResult) {}
}

/// Runs a flow's steps (all of them, in order) and returns what happened.
pub struct Executor<'a, P: Page> {
    flow: &'a Flow,
    page: &'a P,
    observer: &'a mut dyn Observer,
    /// The step running now (1-based flow position), for [`Observer::committing`].
    step_index: usize,
    cancel: CancellationToken,
    vars: &'a mut Vars,
    opts: &'a RunOptions,
    downloads: Vec<String>,
    /// How often the session was found lost and the session steps were run again.
    relogins: u32,
    /// While a row step runs: what the login page shows (see [`Executor::session_lost`]),
    /// watched like an obstacle so a lost session is noticed at once, not after a timeout.
    watch_login: Option<Query>,
    /// While a step with `fail_when` runs: that locator and its query, watched like an obstacle
    /// so that the portal's refusal is the step's error at once.
    fail_when: Option<(String, Query)>,
    /// A committing action of the current step was sent (its outcome is not known until the
    /// step completes).
    committed: bool,
    /// In the current step so far: `None` without `check`/`uncheck` actions, else whether one
    /// changed a box (what [`Mode::Recheck`] reads back).
    boxes_changed: Option<bool>,
    /// The run was cancelled: a step was interrupted, or steps were left out because of it.
    interrupted: bool,
    /// `verify`: the current step's file-name prefix (`04-stap-4-…`).
    prefix: String,
    /// `verify`: a committing action of the current step was dry-run; what follows in the step
    /// depends on it and is not verified.
    dry_committed: bool,
    /// `verify`: the current step's fingerprint so far.
    print: Option<StepFingerprint>,
    /// `verify`: the current step's masked regions.
    masks: Vec<Query>,
    /// Near misses for the locator of the action that just failed.
    suggestions: Vec<Suggestion>,
    /// The current step's screenshots so far.
    shots: Vec<Screenshot>,
    /// The checkboxes the current step ensured so far.
    ensured: Vec<Ensured>,
    /// Where to tell what the step is doing now.
    activity: Option<ActivitySink>,
    /// The latest screenshot written (relative to the run folder): the page before the next
    /// action, for `--trace`.
    last_shot: std::sync::Mutex<Option<String>>,
}

impl<'a, P: Page> Executor<'a, P> {
    /// An executor for `flow` on `page` telling `observer` how it goes; `cancel` stops it
    /// (promptly, also inside long waits).
    pub fn new(
        flow: &'a Flow,
        page: &'a P,
        vars: &'a mut Vars,
        opts: &'a RunOptions,
        observer: &'a mut dyn Observer,
        cancel: CancellationToken,
    ) -> Self {
        Executor {
            flow,
            page,
            observer,
            step_index: 0,
            cancel,
            committed: false,
            boxes_changed: None,
            interrupted: false,
            vars,
            opts,
            downloads: vec![],
            relogins: 0,
            watch_login: None,
            prefix: String::new(),
            dry_committed: false,
            print: None,
            masks: vec![],
            suggestions: vec![],
            fail_when: None,
            shots: vec![],
            ensured: vec![],
            activity: None,
            last_shot: std::sync::Mutex::new(None),
        }
    }

    /// Reports what each step is doing (the current action, long waits) to `sink`.
    pub fn set_activity(&mut self, sink: Option<ActivitySink>) {
        self.activity = sink;
    }

    fn tell(&self, a: Activity<'_>) {
        if let Some(sink) = &self.activity {
            sink(a);
        }
    }

    fn verifying(&self) -> bool {
        self.opts.mode == Mode::Verify
    }

    /// Runs the steps of `phase` (every step when `None`) in order; after a failure the
    /// remaining steps are reported as skipped, and once the run is cancelled the step in
    /// progress is reported as interrupted (with its actions so far) and the rest as skipped.
    /// Step indexes stay the steps' positions in the flow.
    pub async fn run_steps(&mut self, phase: Option<Phase>) -> Vec<StepResult> {
        let total = self.flow.steps.len();
        let mut results = Vec::with_capacity(total);
        let mut failed = false;
        for (i, step) in self.flow.steps.iter().enumerate() {
            if phase.is_some_and(|p| p != step.phase) {
                continue;
            }
            let index = i + 1;
            self.observer.step_started(index, total, &step.title);
            let result = if self.interrupted || self.cancel.is_cancelled() {
                self.interrupted = true;
                skipped(index, step, NOT_RUN_INTERRUPTED.into())
            } else if failed {
                skipped(index, step, "Niet uitgevoerd: een eerdere stap is mislukt.".into())
            } else {
                self.run_step(index, step).await
            };
            failed |= result.status.is_failure();
            self.interrupted |= result.status == Status::Interrupted
                || result
                    .error
                    .as_ref()
                    .is_some_and(|e| e.kind == FailureKind::Interrupted);
            self.observer.step_finished(&result);
            results.push(result);
        }
        // What later steps read (the logged-in user's name) is data in earlier steps' prints too.
        for r in &mut results {
            if let Some(p) = r.fingerprint.as_mut() {
                p.template(self.flow, self.vars);
            }
        }
        results
    }

    /// Files downloaded so far, relative to the run folder.
    pub fn downloads(&self) -> &[String] {
        &self.downloads
    }

    /// Whether the run was cancelled before it completed.
    pub fn was_interrupted(&self) -> bool {
        self.interrupted
    }

    async fn run_step(&mut self, index: usize, step: &Step) -> StepResult {
        let span = tracing::info_span!("step", index, title = %step.title);
        let (started, before) = (Instant::now(), self.page.traffic());
        let mut result = self.run_step_in_span(index, step).instrument(span).await;
        if result.status != Status::Skipped {
            let t = Traffic::between(before, self.page.traffic(), started.elapsed());
            tracing::debug!(
                index,
                round_trips = t.round_trips,
                browser_ms = t.browser_ms,
                robot_ms = t.robot_ms,
                "step traffic"
            );
            result.traffic = Some(t);
        }
        result
    }

    async fn run_step_in_span(&mut self, index: usize, step: &Step) -> StepResult {
        let started = Instant::now();
        tracing::info!(index, title = %step.title, "step starts");
        self.step_index = index;
        self.committed = false;
        self.dry_committed = false;
        self.suggestions.clear();
        self.prefix = format!("{index:02}-{}", slug(&step.title));
        self.print = self.verifying().then(StepFingerprint::default);
        self.masks = step.mask.iter().filter_map(|l| l.to_query(self.vars).ok()).collect();
        self.shots.clear();
        self.ensured.clear();
        if let Some(cond) = &step.when {
            match self.condition(cond).await {
                Ok(true) => {}
                Ok(false) => {
                    let reason = step
                        .skip_reason
                        .clone()
                        .unwrap_or_else(|| format!("Voorwaarde niet vervuld: {cond}"));
                    tracing::info!(%reason, "step skipped");
                    return skipped(index, step, reason);
                }
                Err(f) => return self.failed_step(index, step, started, vec![], f).await,
            }
        }
        if step.depends_on_commit && self.verifying() {
            tracing::info!("step depends on a committing action: not verified");
            let mut r = skipped(
                index,
                step,
                "Niet geverifieerd: de stap hangt af van het opslaan, dat een proefrun niet doet.".into(),
            );
            r.status = Status::NotVerified;
            return r;
        }
        let mut actions = Vec::new();
        self.fail_when = match &step.fail_when {
            Some(l) => match l.to_query(self.vars) {
                Ok(q) => Some((l.to_string(), q)),
                Err(e) => return self.failed_step(index, step, started, actions, Failure::hard(e)).await,
            },
            None => None,
        };
        loop {
            self.watch_login = if step.phase == Phase::Row && self.relogins < MAX_RELOGINS {
                self.login_mark()
            } else {
                None
            };
            self.boxes_changed = None;
            let done = self.run_actions(&step.actions, &mut actions).await;
            self.watch_login = None;
            let Err(f) = done else {
                break;
            };
            // The portal logged us out mid-step (session expired): log in again, go back to the
            // step's page and do the step again — its actions ensure, so nothing happens twice.
            let maybe_logged_out = f.kind.is_absence() || f.kind == FailureKind::SessionEnded;
            if !(maybe_logged_out && self.session_lost(step).await) {
                let mut f = f;
                if maybe_logged_out && self.relogins >= MAX_RELOGINS && self.login_page_shows(step).await {
                    f.message = format!(
                        "the portal ended the session again, after logging in again {} times: {}",
                        self.relogins, f.message
                    );
                    f.kind = FailureKind::SessionEnded;
                }
                return self.failed_step(index, step, started, actions, f).await;
            }
            if let Err(mut f) = self.log_in_again(step, &mut actions).await {
                if f.kind != FailureKind::Interrupted {
                    f.message = format!("the session ended and logging in again failed: {}", f.message);
                    f.kind = FailureKind::SessionEnded;
                }
                return self.failed_step(index, step, started, actions, f).await;
            }
        }
        self.fail_when = None;
        // The step's screenshot shows the page a person sees once it has finished loading.
        match self.io(self.page.wait_until_idle(IDLE_BEFORE_SCREENSHOT)).await {
            Err(f) if f.kind == FailureKind::Interrupted => {
                return self.failed_step(index, step, started, actions, f).await
            }
            Err(f) => tracing::debug!(error = %f.message, "could not tell whether the page is still loading"),
            Ok(_) => {}
        }
        // A click that ended the step may have loaded an HTTP 5xx page, which only the look just
        // taken noticed: cleared as after any action (never behind a save), then looked at again.
        match self
            .recover_server_error(step.actions.last().is_some_and(|a| a.commits))
            .await
        {
            Ok(None) => {}
            Ok(Some(note)) => {
                if let Some(last) = actions.last_mut() {
                    last.detail = Some(match last.detail.take() {
                        Some(d) => format!("{d}; {note}"),
                        None => note,
                    });
                }
                if let Err(f) = self.io(self.page.wait_until_idle(IDLE_BEFORE_SCREENSHOT)).await {
                    if f.kind == FailureKind::Interrupted {
                        return self.failed_step(index, step, started, actions, f).await;
                    }
                }
            }
            Err(f) => return self.failed_step(index, step, started, actions, f).await,
        }
        let fingerprint = match self.finish_print().await {
            Ok(p) => p,
            Err(f) => return self.failed_step(index, step, started, actions, f).await,
        };
        // The address first: the idle check just read it (no round trip).
        let url = self.io(self.page.current_url()).await.ok();
        let name = format!("{index:02}-{}.png", slug(&step.title));
        let screenshot = match self.screenshot(&name).await {
            Ok(p) => Some(p),
            Err(f) => return self.failed_step(index, step, started, actions, f).await,
        };
        self.shots.push(Screenshot {
            file: name,
            kind: ShotKind::Step,
            name: None,
        });
        StepResult {
            traffic: None,
            trace: None,
            index,
            title: step.title.clone(),
            status: Status::Passed,
            skip_reason: None,
            duration_ms: ms(started.elapsed()),
            screenshot,
            url,
            actions,
            error: None,
            fingerprint,
            verify: None,
            screenshots: std::mem::take(&mut self.shots),
            ensured: std::mem::take(&mut self.ensured),
        }
    }

    /// `verify`: the step's fingerprint, completed with the page's path, title and masked
    /// regions now (right before the step's screenshot), values written back as placeholders.
    async fn finish_print(&mut self) -> Result<Option<StepFingerprint>, Failure> {
        let Some(mut print) = self.print.take() else {
            return Ok(None);
        };
        let req = FingerprintRequest {
            targets: vec![],
            masks: self.masks.clone(),
        };
        match self.io(self.page.fingerprint(&req)).await {
            Ok(page) => print.finish(page),
            Err(f) if f.kind == FailureKind::Interrupted => return Err(f),
            Err(f) => tracing::warn!(error = %f.message, "could not read the page's fingerprint"),
        }
        print.template(self.flow, self.vars);
        Ok(Some(print))
    }

    /// `verify`: describes the element `action` touches (and the labels around it) into the
    /// step's fingerprint. Before a click (it may navigate away) it waits, bounded, for the
    /// element to show; after other actions the element is there.
    async fn touch(&mut self, action: &Action, before: bool) -> Result<(), Failure> {
        if self.print.is_none() {
            return Ok(());
        }
        let Some((spec, look_before)) = target_of(&action.kind, self.vars) else {
            return Ok(());
        };
        if look_before != before {
            return Ok(());
        }
        let req = FingerprintRequest {
            targets: vec![spec],
            masks: self.masks.clone(),
        };
        let deadline = Instant::now()
            + if before {
                self.timeout(action).min(FINGERPRINT_WAIT)
            } else {
                Duration::ZERO
            };
        let mut pause = Duration::from_millis(25);
        let target = loop {
            let seen = match self.io(self.page.fingerprint(&req)).await {
                Ok(page) => page.targets.into_iter().next().filter(|t| t.found),
                Err(f) if f.kind == FailureKind::Interrupted => return Err(f),
                Err(f) => {
                    tracing::debug!(error = %f.message, "fingerprint attempt failed");
                    None
                }
            };
            if let Some(t) = seen {
                break t;
            }
            if Instant::now() >= deadline {
                break Default::default();
            }
            self.pause(pause).await?;
            pause = (pause * 2).min(Duration::from_millis(100));
        };
        if let Some(print) = self.print.as_mut() {
            print.add_target(action.kind.to_string(), target);
        }
        Ok(())
    }

    /// `verify`: a committing action is found and checked actionable, screenshotted, and not
    /// performed; what follows in the step depends on it and is not verified.
    async fn dry_run_commit(&mut self, action: &Action, out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        let started = Instant::now();
        let description = action.kind.to_string();
        let locator = action_locator(&action.kind);
        let q = match &action.kind {
            ActionKind::Click(l) => l.to_query(self.vars).map_err(Failure::hard)?,
            _ => return Err(Failure::hard("`commits` only applies to a click")),
        };
        self.touch(action, true).await?;
        let timeout = self.timeout(action);
        let checked = self.with_obstacles(timeout, out, Op::CheckClickable(&q)).await;
        let found = match checked {
            Ok(found) => found.found(),
            Err(mut f) => {
                out.push(ActionResult {
                    traffic: None,
                    trace: None,
                    description,
                    locator: locator.clone(),
                    status: if f.kind == FailureKind::Interrupted {
                        Status::Interrupted
                    } else {
                        Status::Failed
                    },
                    duration_ms: ms(started.elapsed()),
                    detail: Some(f.message.clone()),
                });
                f.locator = f.locator.or(locator);
                self.suggest(action).await;
                return Err(f);
            }
        };
        let name = format!("{}-niet-geklikt.png", self.prefix);
        let shot = self.screenshot(&name).await?;
        self.dry_committed = true;
        out.push(ActionResult {
            traffic: None,
            trace: None,
            description,
            locator,
            status: Status::Skipped,
            duration_ms: ms(started.elapsed()),
            detail: Some(format!(
                "dry run: {found} is there and can be clicked; not clicked (screenshot {shot})"
            )),
        });
        Ok(())
    }

    /// Near misses for the locator of `action`, which found nothing: what the page offers of the
    /// same kind (labels, names, texts), ranked by similarity; kept for the step's error.
    async fn suggest(&mut self, action: &Action) {
        self.suggestions.clear();
        let mut wanted = vec![];
        if let Some(l) = action_target(&action.kind) {
            wanted_texts(l, self.vars, &mut wanted);
        }
        for (kind, text, q) in wanted {
            let offered = match tokio::time::timeout(LAST_SHOT, self.page.candidates(&q)).await {
                Ok(Ok(list)) => list,
                _ => continue,
            };
            for (offered, score) in crate::run::similar::rank(&text, &offered) {
                self.suggestions.push(Suggestion {
                    kind: kind.to_string(),
                    wanted: text.clone(),
                    offered,
                    score: (score * 1000.0).round() / 1000.0,
                });
            }
        }
        self.suggestions.sort_by(|a, b| b.score.total_cmp(&a.score));
        self.suggestions.truncate(MAX_SUGGESTIONS);
    }

    /// The result of a step that stopped: failed, interrupted, or — when a committing action
    /// was sent before — committed with its outcome unknown. Takes a screenshot of the moment
    /// (also after cancellation, bounded: the browser is still there).
    async fn failed_step(
        &mut self,
        index: usize,
        step: &Step,
        started: Instant,
        actions: Vec<ActionResult>,
        mut f: Failure,
    ) -> StepResult {
        self.fail_when = None;
        if let Some(why) = self.portal_unreachable(&f).await {
            f.message = format!("{why}; {}", f.message);
            f.kind = FailureKind::PortalUnreachable;
        }
        let status = if self.committed {
            if f.kind != FailureKind::Interrupted {
                f.kind = FailureKind::CommittedThenFailed;
            }
            Status::CommittedUnknown
        } else if f.kind == FailureKind::Interrupted {
            Status::Interrupted
        } else {
            Status::Failed
        };
        // Into run.log only: the console shows the failure once, in the step's progress line.
        tracing::info!(step = %step.title, error = %f.message, status = status.as_str(), "step stopped");
        let suffix = if f.kind == FailureKind::Interrupted {
            "onderbroken"
        } else {
            "mislukt"
        };
        let name = format!("{index:02}-{}-{suffix}.png", slug(&step.title));
        let before = self.last_shot();
        let shot = tokio::time::timeout(LAST_SHOT, self.write_screenshot(&name)).await;
        let screenshot = shot.ok().and_then(Result::ok);
        if let Some(file) = &screenshot {
            self.shots.push(Screenshot {
                file: file.clone(),
                kind: ShotKind::Failure,
                name: None,
            });
        }
        let url = tokio::time::timeout(LAST_SHOT, self.page.current_url())
            .await
            .ok()
            .and_then(Result::ok);
        let fingerprint = if f.kind == FailureKind::Interrupted {
            None
        } else {
            tokio::time::timeout(LAST_SHOT, self.finish_print())
                .await
                .ok()
                .and_then(Result::ok)
                .flatten()
        };
        let did_you_mean = std::mem::take(&mut self.suggestions);
        // The failing action's own trace (`--trace on`) already holds the moment.
        let traced = actions.last().is_some_and(|a| a.trace.is_some());
        let trace = if self.opts.trace != TraceMode::Off && !traced {
            let read = tokio::time::timeout(LAST_SHOT, self.read_trace(&format!("{index:02}-stopped"), false)).await;
            let mut t = read.unwrap_or_else(|_| Trace {
                at: Utc::now(),
                note: Some("the page's trace could not be read in time".into()),
                ..Trace::default()
            });
            t.before = before;
            t.after = screenshot.clone();
            Some(t)
        } else {
            None
        };
        StepResult {
            trace,
            traffic: None,
            index,
            title: step.title.clone(),
            status,
            skip_reason: None,
            duration_ms: ms(started.elapsed()),
            screenshot: screenshot.clone(),
            url: url.clone(),
            actions,
            error: Some(ErrorInfo {
                kind: f.kind,
                message: f.message,
                locator: f.locator,
                found: f.found,
                screenshot,
                url,
                did_you_mean,
            }),
            fingerprint,
            verify: None,
            screenshots: std::mem::take(&mut self.shots),
            ensured: std::mem::take(&mut self.ensured),
        }
    }

    /// Takes a screenshot into the run folder (cancellable); answers its file name.
    async fn screenshot(&self, name: &str) -> Result<String, Failure> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Failure::interrupted()),
            r = self.write_screenshot(name) => r,
        }
    }

    async fn write_screenshot(&self, name: &str) -> Result<String, Failure> {
        let png = self
            .page
            .screenshot_png()
            .await
            .map_err(|e| Failure::hard(format!("screenshot failed: {e}")))?;
        let path = self.opts.out_dir.join(name);
        if name.contains('/') {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::hard(format!("cannot write {}: {e}", path.display())))?;
            }
        }
        // Temp file + rename: a full disk leaves no half screenshot, and a symbolic link planted
        // under this name is replaced, never followed.
        let target = path.clone();
        tokio::task::spawn_blocking(move || crate::durable::write_atomic(&target, &png))
            .await
            .map_err(Failure::hard)?
            .map_err(|e| Failure::hard(format!("cannot write {}: {e}", path.display())))?;
        *self.last_shot.lock().unwrap_or_else(|e| e.into_inner()) = Some(name.to_string());
        Ok(name.to_string())
    }

    /// The latest screenshot written, relative to the run folder.
    fn last_shot(&self) -> Option<String> {
        self.last_shot.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `--trace`: a screenshot of the page now (`trace/<name>-after.png`, unless `shot` names
    /// one just taken) and what the page recorded since the last read, its DOM in
    /// `trace/<name>-dom.html`. What cannot be read is said in the trace's note.
    async fn read_trace(&self, name: &str, shoot: bool) -> Trace {
        let mut notes = vec![];
        let after = if shoot {
            match self
                .write_screenshot(&format!("{}/{name}-after.png", tracing_file::TRACE_DIR))
                .await
            {
                Ok(f) => Some(f),
                Err(f) => {
                    notes.push(f.message);
                    None
                }
            }
        } else {
            None
        };
        let redactor = crate::redact::Redactor::new(self.vars.secret_values());
        let mut trace = match self.page.trace_read(true).await {
            Ok(page) => {
                let dom = format!("{}/{name}-dom.html", tracing_file::TRACE_DIR);
                tracing_file::from_page(page, &self.opts.out_dir, &dom, &redactor)
            }
            Err(e) => {
                notes.push(format!("the page's trace could not be read: {e}"));
                Trace {
                    at: Utc::now(),
                    ..Trace::default()
                }
            }
        };
        trace.after = after;
        if let Some(n) = trace.note.take() {
            notes.push(n);
        }
        trace.note = (!notes.is_empty()).then(|| redactor.redact_string(notes.join("; ")));
        trace
    }

    /// Awaits a browser call unless the run is cancelled first.
    async fn io<T>(&self, call: impl Future<Output = Result<T, BrowserError>>) -> Result<T, Failure> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Failure::interrupted()),
            r = call => r.map_err(Failure::from),
        }
    }

    /// Awaits `fut` unless the run is cancelled first (for calls whose errors are handled).
    async fn cancellable<T>(&self, fut: impl Future<Output = T>) -> Result<T, Failure> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Failure::interrupted()),
            r = fut => Ok(r),
        }
    }

    /// A pause inside a bounded retry or poll, cut short when the run is cancelled.
    async fn pause(&self, d: Duration) -> Result<(), Failure> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Failure::interrupted()),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// The step's `fail_when` element is visible: a failure whose message is its text (else the
    /// page's messages, else the locator).
    async fn fail_when_shown(&self) -> Failure {
        let Some((locator, q)) = &self.fail_when else {
            return Failure::hard("fail_when shown but not set");
        };
        let text = match self.io(self.page.text_of(q, &Wait::new(FAIL_WHEN_TEXT))).await {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                let shown = self.io(self.page.messages()).await.unwrap_or_default();
                if shown.is_empty() {
                    format!("{locator} is visible")
                } else {
                    shown.join(" / ")
                }
            }
        };
        tracing::warn!(message = %text, "the step's fail_when shows");
        Failure {
            kind: FailureKind::PortalAlert,
            message: text,
            locator: Some(locator.clone()),
            found: vec![],
        }
    }

    /// When a step failed because the portal does not answer, says so: the browser could not
    /// open a page (`net::ERR_…`), or — with a browser on this machine — nothing accepts a
    /// connection at the portal's address any more.
    async fn portal_unreachable(&self, f: &Failure) -> Option<String> {
        if matches!(
            f.kind,
            FailureKind::Interrupted | FailureKind::PortalAlert | FailureKind::PortalUnreachable
        ) {
            return None;
        }
        let net_error = f.message.contains("net::ERR_");
        if !(net_error || f.kind.is_absence() || f.kind == FailureKind::Hard) {
            return None;
        }
        if !net_error && !is_loopback_url(&self.page.info().webdriver) {
            return None;
        }
        let base = self.opts.base_url.trim_end_matches('/').to_string();
        match tokio::time::timeout(LAST_SHOT, connects(&base)).await {
            Ok(Ok(())) if !net_error => None,
            Ok(Ok(())) => Some(format!("the portal at {base} could not be opened")),
            Ok(Err(e)) => Some(format!("the portal at {base} does not answer ({e})")),
            Err(_) => Some(format!(
                "the portal at {base} does not answer (no connection within {} s)",
                LAST_SHOT.as_secs()
            )),
        }
    }

    /// After opening `url`: when the browser shows no HTTP response (its own error page) and,
    /// with a browser on this machine, nothing accepts a connection there, the portal does not
    /// answer — said at once instead of after the next action's timeout.
    async fn check_answers(&self, url: &str) -> Result<(), Failure> {
        if self.io(self.page.page_status()).await?.is_some() || !is_loopback_url(&self.page.info().webdriver) {
            return Ok(());
        }
        let base = origin(url);
        match tokio::time::timeout(LAST_SHOT, connects(url)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Failure::new(
                FailureKind::PortalUnreachable,
                format!("the portal at {base} does not answer ({e})"),
            )),
            Err(_) => Err(Failure::new(
                FailureKind::PortalUnreachable,
                format!(
                    "the portal at {base} does not answer (no connection within {} s)",
                    LAST_SHOT.as_secs()
                ),
            )),
        }
    }

    async fn run_actions(&mut self, list: &[Action], out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        for action in list {
            self.run_action(action, out).await?;
        }
        Ok(())
    }

    /// Whether a row step failed because the portal shows its login page again: what the
    /// session steps expect to see first (e.g. "Log in bij Mijn PostNL") is visible.
    async fn session_lost(&mut self, step: &Step) -> bool {
        self.relogins < MAX_RELOGINS && self.login_page_shows(step).await
    }

    /// Whether a row step stands on the portal's login page (see [`Executor::session_lost`]).
    async fn login_page_shows(&mut self, step: &Step) -> bool {
        if step.phase == Phase::Session {
            return false;
        }
        let Some(mark) = self.login_mark() else {
            return false;
        };
        self.io(self.page.probe_visible(&mark)).await.unwrap_or(false)
    }

    /// What the session steps expect to see first: their first `expect visible`.
    fn login_mark(&self) -> Option<Query> {
        let mark = self
            .flow
            .steps
            .iter()
            .filter(|s| s.phase == Phase::Session)
            .find_map(|s| {
                s.actions.iter().find_map(|a| match &a.kind {
                    ActionKind::Expect(Expectation::Visible(l)) => Some(l),
                    _ => None,
                })
            })?;
        mark.to_query(self.vars).ok()
    }

    /// Runs the session steps' actions again, then returns to the step's page (its `guide_url`).
    async fn log_in_again(&mut self, step: &Step, out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        self.relogins += 1;
        tracing::warn!(step = %step.title, "the portal ended the session; logging in again");
        let started = Instant::now();
        let session: Vec<Action> = self
            .flow
            .steps
            .iter()
            .filter(|s| s.phase == Phase::Session)
            .flat_map(|s| s.actions.iter().cloned())
            .collect();
        let mut inner = Vec::new();
        let session_fail_when = self
            .flow
            .steps
            .iter()
            .filter(|s| s.phase == Phase::Session)
            .find_map(|s| s.fail_when.as_ref())
            .and_then(|l| l.to_query(self.vars).ok().map(|q| (l.to_string(), q)));
        let step_fail_when = std::mem::replace(&mut self.fail_when, session_fail_when);
        let relogged = self.run_actions(&session, &mut inner).await;
        self.fail_when = step_fail_when;
        let back = match (&relogged, step.guide_url.as_deref().and_then(guide_path)) {
            (Ok(()), Some(path)) => {
                let url = self.absolute(&path);
                self.io(self.page.goto(&url))
                    .await
                    .map(|()| format!("; back to {path}"))
            }
            (Ok(()), None) => Ok(String::new()),
            (Err(f), _) => Err(f.clone()),
        };
        let (status, detail) = match &back {
            Ok(back) => (
                Status::Passed,
                format!("the portal ended the session; logged in again{back}; repeating the step"),
            ),
            Err(f) => (
                Status::Failed,
                format!("the portal ended the session; logging in again failed: {}", f.message),
            ),
        };
        out.push(ActionResult {
            traffic: None,
            trace: None,
            description: "session lost: log in again".into(),
            locator: None,
            status,
            duration_ms: ms(started.elapsed()),
            detail: Some(detail),
        });
        back.map(|_| ())
    }

    /// Runs one action (recursing into `if`), appending its result.
    /// Runs an action and notes its traffic with the browser in its result.
    async fn run_action(&mut self, action: &Action, out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        let (started, before, pushed) = (Instant::now(), self.page.traffic(), out.len());
        let shot_before = self.last_shot();
        let done = self.run_action_counted(action, out).await;
        if !matches!(action.kind, ActionKind::If { .. }) && out.len() > pushed {
            if let Some(last) = out.last_mut() {
                let t = Traffic::between(before, self.page.traffic(), started.elapsed());
                tracing::debug!(action = %last.description, round_trips = t.round_trips, browser_ms = t.browser_ms, robot_ms = t.robot_ms, "action traffic");
                last.traffic = Some(t);
            }
            if self.opts.trace == TraceMode::On && !self.cancel.is_cancelled() {
                let n = out.len();
                let mut trace = self.read_trace(&format!("{:02}-{n:02}", self.step_index), true).await;
                trace.before = shot_before;
                if let Some(last) = out.last_mut() {
                    last.trace = Some(trace);
                }
            }
        }
        done
    }

    async fn run_action_counted(&mut self, action: &Action, out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        let started = Instant::now();
        let description = self.vars.fill_plain(&action.kind.to_string());
        let locator = action_locator(&action.kind).map(|l| self.vars.fill_plain(&l));
        if self.verifying() && self.dry_committed && !matches!(action.kind, ActionKind::If { .. }) {
            out.push(ActionResult {
                traffic: None,
                trace: None,
                description,
                locator,
                status: Status::NotVerified,
                duration_ms: 0,
                detail: Some(NOT_VERIFIED.into()),
            });
            return Ok(());
        }
        if action.commits && self.verifying() {
            return self.dry_run_commit(action, out).await;
        }
        if action.commits && self.opts.mode == Mode::Recheck {
            match self.boxes_changed {
                Some(false) => {
                    tracing::info!(action = %description, "re-check: the portal already shows the change");
                    out.push(ActionResult {
                        traffic: None,
                        trace: None,
                        description,
                        locator,
                        status: Status::Skipped,
                        duration_ms: 0,
                        detail: Some("re-check: the page already shows the change; not sent again".into()),
                    });
                    return Ok(());
                }
                Some(true) => {}
                None => {
                    let f = Failure::hard(
                        "re-check: an earlier attempt sent this committing action and nothing before it in the \
                         step reads the portal back (no check/uncheck); check the portal by hand",
                    );
                    out.push(ActionResult {
                        traffic: None,
                        trace: None,
                        description,
                        locator,
                        status: Status::Failed,
                        duration_ms: 0,
                        detail: Some(f.message.clone()),
                    });
                    return Err(f);
                }
            }
        }
        tracing::debug!(action = %description, "action");
        if action.commits {
            self.observer.committing(self.step_index, &description);
        }
        if !matches!(action.kind, ActionKind::If { .. }) {
            self.tell(Activity::Action(&description));
        }
        self.touch(action, true).await?;
        let outcome = self.perform_recovering(action, out).await;
        if outcome.is_ok() {
            self.touch(action, false).await?;
        }
        let (status, detail) = match outcome {
            Ok(detail) => {
                if action.commits {
                    self.committed = true;
                }
                (Status::Passed, detail)
            }
            Err(f) if action.optional && f.kind.is_absence() => {
                (Status::Skipped, Some(format!("optional, not present: {}", f.message)))
            }
            Err(mut f) => {
                // A committing action that may have been sent (anything but "its element was
                // not there or not usable") is never reported as not run.
                let maybe_sent = action.commits
                    && !matches!(
                        f.kind,
                        FailureKind::ElementAbsent
                            | FailureKind::Ambiguous
                            | FailureKind::NotActionable
                            | FailureKind::SessionEnded
                            // The portal answered it with HTTP 5xx: refused (see `recovery`).
                            | FailureKind::ServerError { .. }
                    );
                let status = if maybe_sent {
                    self.committed = true;
                    if f.kind != FailureKind::Interrupted {
                        f.kind = FailureKind::CommittedThenFailed;
                    }
                    Status::CommittedUnknown
                } else if f.kind == FailureKind::Interrupted {
                    Status::Interrupted
                } else {
                    Status::Failed
                };
                out.push(ActionResult {
                    traffic: None,
                    trace: None,
                    description,
                    locator: locator.clone(),
                    status,
                    duration_ms: ms(started.elapsed()),
                    detail: Some(f.message.clone()),
                });
                if f.locator.is_none() {
                    f.locator = locator;
                }
                if f.kind.is_absence() {
                    self.suggest(action).await;
                }
                return Err(f);
            }
        };
        if !matches!(action.kind, ActionKind::If { .. }) {
            out.push(ActionResult {
                traffic: None,
                trace: None,
                description,
                locator,
                status,
                duration_ms: ms(started.elapsed()),
                detail,
            });
        }
        Ok(())
    }

    /// Performs an action; returns a detail line for the report.
    async fn perform(&mut self, action: &Action, out: &mut Vec<ActionResult>) -> Result<Option<String>, Failure> {
        let timeout = self.timeout(action);
        match &action.kind {
            ActionKind::Goto(t) => {
                let url = self.absolute(&self.vars.render(t).map_err(Failure::hard)?);
                self.io(self.page.goto(&url)).await?;
                self.check_answers(&url).await?;
                self.page_renewed();
                Ok(None)
            }
            ActionKind::Reload => {
                self.io(self.page.reload()).await?;
                self.page_renewed();
                Ok(None)
            }
            ActionKind::Click(l) => {
                let q = l.to_query(self.vars).map_err(Failure::hard)?;
                let found = self.with_obstacles(timeout, out, Op::Click(&q)).await?.found();
                Ok(Some(format!("clicked {found}")))
            }
            ActionKind::Fill { target, value } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let v = self.vars.render(value).map_err(Failure::hard)?;
                self.with_obstacles(timeout, out, Op::Fill(&q, &v)).await?;
                Ok(None)
            }
            ActionKind::Select { from, option } => {
                let from = match from {
                    Some(l) => Some(l.to_query(self.vars).map_err(Failure::hard)?),
                    None => None,
                };
                let opt = option.to_query(self.vars).map_err(Failure::hard)?;
                let OpOut::Selected(sel) = self
                    .with_obstacles(timeout, out, Op::Select(from.as_ref(), &opt))
                    .await?
                else {
                    unreachable!("select answers Selected")
                };
                Ok(Some(if sel.already_selected {
                    format!("\"{}\" was already selected", sel.text)
                } else {
                    format!("selected \"{}\"", sel.text)
                }))
            }
            ActionKind::SetChecked { target, checked } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let want = *checked;
                let changed = self
                    .with_obstacles(timeout, out, Op::SetChecked(&q, want))
                    .await?
                    .flag();
                self.boxes_changed = Some(self.boxes_changed.unwrap_or(false) || changed);
                let state = if want { "ticked" } else { "unticked" };
                let locator = self.vars.fill_plain(&target.to_string());
                self.ensured.retain(|e| e.locator != locator);
                self.ensured.push(Ensured {
                    label: human_name(target, self.vars),
                    locator,
                    before: if changed { !want } else { want },
                    after: want,
                    read_back: None,
                    reloaded: false,
                });
                Ok(Some(if changed {
                    format!("now {state}")
                } else {
                    format!("was already {state}; left as is")
                }))
            }
            ActionKind::Expect(e) => self.expect(e, timeout, out).await,
            ActionKind::WaitFor { target, reload_every } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let name = format!("'{}'", human_name(target, self.vars));
                self.wait_for(&q, &name, timeout, *reload_every, out).await
            }
            ActionKind::Download { target, expect } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let OpOut::Path(path) = self.with_obstacles(timeout, out, Op::Download(&q)).await? else {
                    unreachable!("download answers Path")
                };
                let rel = self.relative(&path);
                if *expect == Some(FileKind::Pdf) {
                    if let Err(m) = check_pdf(&path).await {
                        // Often a web page in its place (an error, or the login page of an ended
                        // session): set it aside and reload, so the page shows where we stand.
                        let _ = tokio::fs::remove_file(&path).await;
                        self.io(self.page.reload()).await?;
                        // Counts as absent: a row step then checks whether the session ended.
                        return Err(Failure::new(
                            FailureKind::ElementAbsent,
                            format!("{rel}: {m}; removed it"),
                        ));
                    }
                }
                self.downloads.push(rel.clone());
                Ok(Some(format!("saved {rel}")))
            }
            ActionKind::Screenshot(name) => {
                let file = format!("{}.png", slug(name));
                self.screenshot(&file).await?;
                self.shots.push(Screenshot {
                    file: file.clone(),
                    kind: ShotKind::Named,
                    name: Some(self.vars.fill_plain(name)),
                });
                Ok(Some(file))
            }
            ActionKind::Read { target, into } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let OpOut::Text(text) = self.with_obstacles(timeout, out, Op::TextOf(&q)).await? else {
                    unreachable!("text_of answers Text")
                };
                let detail = format!("{into} = \"{text}\"");
                self.vars.set(into, text);
                Ok(Some(detail))
            }
            ActionKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.let_page_show(condition, then, otherwise, timeout).await?;
                let holds = self.condition(condition).await?;
                let branch = if holds { then } else { otherwise };
                out.push(ActionResult {
                    traffic: None,
                    trace: None,
                    description: format!("if {condition}"),
                    locator: None,
                    status: Status::Passed,
                    duration_ms: 0,
                    detail: Some(if holds { "yes".into() } else { "no".into() }),
                });
                for a in branch {
                    Box::pin(self.run_action(a, out)).await?;
                }
                Ok(None)
            }
        }
    }

    async fn expect(
        &mut self,
        e: &Expectation,
        timeout: Duration,
        out: &mut Vec<ActionResult>,
    ) -> Result<Option<String>, Failure> {
        match e {
            Expectation::Visible(l) => {
                let q = l.to_query(self.vars).map_err(Failure::hard)?;
                let found = self.with_obstacles(timeout, out, Op::WaitVisible(&q)).await?.found();
                Ok(Some(format!("visible: {found}")))
            }
            Expectation::Checked { target, checked } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                let is = self.with_obstacles(timeout, out, Op::IsChecked(&q)).await?.flag();
                let locator = self.vars.fill_plain(&target.to_string());
                if let Some(e) = self.ensured.iter_mut().find(|e| e.locator == locator) {
                    e.read_back = Some(is);
                }
                if is == *checked {
                    Ok(Some(format!("is {}", if is { "ticked" } else { "unticked" })))
                } else {
                    Err(Failure::expectation(
                        format!(
                            "expected the box to be {}, but it is {}",
                            if *checked { "ticked" } else { "unticked" },
                            if is { "ticked" } else { "unticked" }
                        ),
                        target,
                    ))
                }
            }
            Expectation::Hidden(l) => self.expect_hidden(l, timeout).await,
            Expectation::Content { target, of, want } => self.expect_content(target, *of, want, timeout, out).await,
            Expectation::Url(m) => {
                let want = self.vars.render(&m.text).map_err(Failure::hard)?;
                let deadline = Instant::now() + timeout;
                let mut pause = Duration::from_millis(25);
                loop {
                    let url = self.io(self.page.current_url()).await?;
                    if url_matches(&url, &want, m.mode) {
                        return Ok(Some(format!("url is {url}")));
                    }
                    if let Some((_, q)) = &self.fail_when {
                        if self.io(self.page.probe_visible(q)).await? {
                            return Err(self.fail_when_shown().await);
                        }
                    }
                    if Instant::now() >= deadline {
                        // What the page says may explain why it stayed (e.g. a refused login).
                        let mut found = vec![format!("current URL: {url}")];
                        let messages = self.io(self.page.messages()).await.unwrap_or_default();
                        let messages_shown = !messages.is_empty();
                        found.extend(messages.into_iter().map(|m| format!("message \"{m}\"")));
                        let kind = if messages_shown {
                            FailureKind::PortalAlert
                        } else {
                            FailureKind::ExpectationFailed
                        };
                        return Err(Failure {
                            kind,
                            message: format!("expected the URL to {} `{want}`", mode_verb(m.mode)),
                            locator: None,
                            found,
                        });
                    }
                    self.pause(pause).await?;
                    pause = (pause * 2).min(Duration::from_millis(250));
                }
            }
        }
    }

    /// Waits (bounded) until `l` finds no visible element.
    async fn expect_hidden(&mut self, l: &Locator, timeout: Duration) -> Result<Option<String>, Failure> {
        let q = l.to_query(self.vars).map_err(Failure::hard)?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(25);
        loop {
            if !self.io(self.page.probe_visible(&q)).await? {
                return Ok(Some("hidden".into()));
            }
            if let Some((_, fq)) = &self.fail_when {
                if self.io(self.page.probe_visible(fq)).await? {
                    return Err(self.fail_when_shown().await);
                }
            }
            if Instant::now() >= deadline {
                return Err(Failure::expectation(
                    format!("expected {l} to be hidden, but it is still visible"),
                    l,
                ));
            }
            self.pause(pause).await?;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Waits (bounded) until the text or value of the element `target` finds matches `want`.
    /// A wanted text that uses a secret is shown as written, and what was read is redacted.
    async fn expect_content(
        &mut self,
        target: &Locator,
        of: ContentOf,
        want: &TextMatch,
        timeout: Duration,
        out: &mut Vec<ActionResult>,
    ) -> Result<Option<String>, Failure> {
        let q = target.to_query(self.vars).map_err(Failure::hard)?;
        let wanted = self.vars.render(&want.text).map_err(Failure::hard)?;
        let shown_want = if self.vars.is_secret_template(&want.text) {
            want.text.to_string()
        } else {
            format!("\"{wanted}\"")
        };
        let what = match of {
            ContentOf::Text => "text",
            ContentOf::Value => "value",
        };
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(25);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let OpOut::Text(text) = self.with_obstacles(left, out, Op::TextOf(&q)).await? else {
                unreachable!("text_of answers Text")
            };
            let (have, need) = (
                text::normalize_ws(&text).to_lowercase(),
                text::normalize_ws(&wanted).to_lowercase(),
            );
            let holds = match want.mode {
                MatchMode::Exact => have == need,
                MatchMode::Contains => have.contains(&need),
            };
            let shown_text = self.vars.redact(&text);
            if holds {
                return Ok(Some(format!("{what} is \"{shown_text}\"")));
            }
            if Instant::now() >= deadline {
                return Err(Failure::expectation(
                    format!(
                        "expected the {what} of {target} to {} {shown_want}, but it is \"{shown_text}\"",
                        match want.mode {
                            MatchMode::Exact => "equal",
                            MatchMode::Contains => "contain",
                        }
                    ),
                    target,
                ));
            }
            self.pause(pause).await?;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    /// Waits for an element, reloading the page every `reload_every` while it is absent.
    async fn wait_for(
        &mut self,
        q: &Query,
        name: &str,
        timeout: Duration,
        reload_every: Option<Duration>,
        out: &mut Vec<ActionResult>,
    ) -> Result<Option<String>, Failure> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut reloads = 0u32;
        loop {
            if reload_every.is_some() {
                self.tell(Activity::Waiting {
                    target: name,
                    elapsed: started.elapsed(),
                    limit: timeout,
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = reload_every.map_or(left, |r| r.min(left));
            match self.with_obstacles(slice, out, Op::WaitVisible(q)).await {
                Ok(found) => {
                    let found = found.found();
                    let detail = if reloads > 0 {
                        format!("visible after {reloads} reload(s): {found}")
                    } else {
                        format!("visible: {found}")
                    };
                    return Ok(Some(detail));
                }
                Err(f) if reload_every.is_some() && Instant::now() < deadline && f.kind.is_absence() => {
                    reloads += 1;
                    tracing::info!(reloads, "not there yet; reloading");
                    self.io(self.page.reload()).await?;
                }
                Err(f) => return Err(f),
            }
        }
    }

    /// Runs a browser operation; when an obstacle shows, runs its handler and tries again.
    async fn with_obstacles(
        &mut self,
        timeout: Duration,
        out: &mut Vec<ActionResult>,
        op: Op<'_>,
    ) -> Result<OpOut, Failure> {
        let mut runs = vec![0usize; self.flow.handlers.len()];
        loop {
            let obstacles = self
                .flow
                .handlers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    if runs[i] < MAX_HANDLER_RUNS {
                        h.when.to_query(self.vars).ok()
                    } else {
                        None
                    }
                })
                .map(|q| q.unwrap_or_else(never))
                .chain(self.fail_when.as_ref().map(|(_, q)| q.clone()))
                .chain(self.watch_login.clone())
                .collect();
            let fail_at = self.fail_when.as_ref().map(|_| runs.len());
            let login_at = self
                .watch_login
                .as_ref()
                .map(|_| runs.len() + usize::from(fail_at.is_some()));
            let wait = Wait { timeout, obstacles };
            match self.cancellable(op.run(self.page, &wait)).await? {
                Err(BrowserError::Obstacle { index, .. }) if index < runs.len() => {
                    runs[index] += 1;
                    self.handle_obstacle(index, timeout, out).await?;
                }
                // The step's `fail_when` shows: its text is the step's error.
                Err(BrowserError::Obstacle { index, .. }) if Some(index) == fail_at => {
                    return Err(self.fail_when_shown().await);
                }
                // The login page is back: the step stops here and run_step logs in again.
                Err(BrowserError::Obstacle { index, .. }) if Some(index) == login_at => {
                    return Err(Failure::new(FailureKind::SessionEnded, SESSION_ENDED));
                }
                other => return other.map_err(Failure::from),
            }
        }
    }

    /// Clears an obstacle by running its handler's actions (without obstacle checks of their own).
    async fn handle_obstacle(
        &mut self,
        index: usize,
        timeout: Duration,
        out: &mut Vec<ActionResult>,
    ) -> Result<(), Failure> {
        let handler = &self.flow.handlers[index];
        let started = Instant::now();
        tracing::info!(handler = %handler.name, "obstacle on the page; handling it");
        // Clicking the obstacle away is a click outside any menu the flow opened: note what is
        // open now, to re-open what the handler closed.
        let open = self.io(self.page.mark_open_popups()).await?;
        for a in &handler.actions {
            let q = match &a.kind {
                ActionKind::Click(l) => l.to_query(self.vars).map_err(Failure::hard)?,
                _ => continue,
            };
            let wait = Wait {
                timeout,
                obstacles: vec![],
            };
            if let Err(mut f) = self.io(self.page.click(&q, &wait)).await {
                f.message = format!("could not clear '{}': {}", handler.name, f.message);
                return Err(f);
            }
        }
        let reopened = if open > 0 {
            self.io(self.page.reopen_popups(timeout)).await?
        } else {
            vec![]
        };
        let mut detail = format!("'{}' was in the way; cleared it", handler.name);
        if !reopened.is_empty() {
            detail.push_str(&format!("; re-opened {} (closed by clearing it)", reopened.join(", ")));
        }
        out.push(ActionResult {
            traffic: None,
            trace: None,
            description: format!("obstacle: {}", handler.name),
            locator: Some(handler.when.to_string()),
            status: Status::Passed,
            duration_ms: ms(started.elapsed()),
            detail: Some(detail),
        });
        Ok(())
    }

    /// Before an `if` decides on what is visible *now*, let the page show it: a page that is
    /// still rendering shows neither the condition's element nor what the branches act on. Waits
    /// (bounded by `timeout`; running out is not an error) until the page is idle and, when a
    /// branch starts by acting on another element, until the condition's element or that one is
    /// visible. E.g. "if 'Autorisaties' is not visible, click 'Klantnummerinstellingen'" decides
    /// once either of the two is on the page, never on a half-rendered page.
    async fn let_page_show(
        &mut self,
        condition: &Condition,
        then: &[Action],
        otherwise: &[Action],
        timeout: Duration,
    ) -> Result<(), Failure> {
        let Some(target) = instant_visibility(condition) else {
            return Ok(());
        };
        let deadline = Instant::now() + timeout;
        let mut queries = vec![target.to_query(self.vars).map_err(Failure::hard)?];
        for branch in [then, otherwise] {
            if let Some(l) = first_target(branch) {
                let q = l.to_query(self.vars).map_err(Failure::hard)?;
                if !queries.contains(&q) {
                    queries.push(q);
                }
            }
        }
        // One element only: wait for the page to be idle, then decide. Else also until one of
        // them shows. Each look is one call; the condition is then decided from it.
        let wait_for_one = queries.len() >= 2;
        let mut idle = timeout.min(IDLE_BEFORE_DECIDING);
        let mut pause = Duration::from_millis(50);
        loop {
            let within = if wait_for_one {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            let seen = self.io(self.page.show(idle, within, &queries)).await?;
            if !wait_for_one || seen.iter().any(|v| *v) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                tracing::info!("neither the condition's element nor a branch's target showed; deciding anyway");
                return Ok(());
            }
            idle = Duration::ZERO;
            self.pause(pause.min(deadline.saturating_duration_since(Instant::now())))
                .await?;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    async fn condition(&mut self, c: &Condition) -> Result<bool, Failure> {
        Ok(match c {
            Condition::Visible { target, within } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                match within {
                    None => self.io(self.page.probe_visible(&q)).await?,
                    Some(d) => {
                        let w = Wait {
                            timeout: *d,
                            obstacles: vec![],
                        };
                        match self.io(self.page.wait_visible(&q, &w)).await {
                            Ok(_) => true,
                            Err(f) if f.kind.is_absence() => false,
                            Err(f) => return Err(f),
                        }
                    }
                }
            }
            Condition::SamePerson(a, b) => text::same_person(
                &self.vars.render(a).map_err(Failure::hard)?,
                &self.vars.render(b).map_err(Failure::hard)?,
            ),
            Condition::Equals(a, b) => text::equals(
                &self.vars.render(a).map_err(Failure::hard)?,
                &self.vars.render(b).map_err(Failure::hard)?,
            ),
            Condition::Not(inner) => !Box::pin(self.condition(inner)).await?,
        })
    }

    /// The page was loaded anew: what is read back from now on comes from the portal.
    fn page_renewed(&mut self) {
        for e in &mut self.ensured {
            e.reloaded = true;
        }
    }

    fn timeout(&self, action: &Action) -> Duration {
        let t = action.timeout.unwrap_or(self.opts.timeout);
        self.opts.max_wait.map_or(t, |m| t.min(m))
    }

    fn absolute(&self, url: &str) -> String {
        if url.contains("://") {
            return url.to_string();
        }
        let base = self.opts.base_url.trim_end_matches('/');
        if url.starts_with('/') {
            format!("{base}{url}")
        } else {
            format!("{base}/{url}")
        }
    }

    fn relative(&self, p: &Path) -> String {
        p.strip_prefix(&self.opts.out_dir)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    }
}

/// One browser operation, so that obstacle handling wraps them all alike.
enum Op<'q> {
    Click(&'q Query),
    Fill(&'q Query, &'q str),
    Select(Option<&'q Query>, &'q TextQuery),
    SetChecked(&'q Query, bool),
    IsChecked(&'q Query),
    WaitVisible(&'q Query),
    TextOf(&'q Query),
    Download(&'q Query),
    /// Found and clickable, not clicked (`verify`'s dry run of a committing click).
    CheckClickable(&'q Query),
}

/// What an [`Op`] answered.
enum OpOut {
    Found(Found),
    Selected(Selected),
    Flag(bool),
    Text(String),
    Path(PathBuf),
}

impl Op<'_> {
    async fn run<P: Page>(&self, b: &P, w: &Wait) -> Result<OpOut, BrowserError> {
        Ok(match *self {
            Op::Click(q) => OpOut::Found(b.click(q, w).await?),
            Op::Fill(q, v) => OpOut::Found(b.fill(q, v, w).await?),
            Op::Select(from, option) => OpOut::Selected(b.select(from, option, w).await?),
            Op::SetChecked(q, checked) => OpOut::Flag(b.set_checked(q, checked, w).await?),
            Op::IsChecked(q) => OpOut::Flag(b.is_checked(q, w).await?),
            Op::WaitVisible(q) => OpOut::Found(b.wait_visible(q, w).await?),
            Op::TextOf(q) => OpOut::Text(b.text_of(q, w).await?),
            Op::Download(q) => OpOut::Path(b.download(q, w).await?),
            Op::CheckClickable(q) => OpOut::Found(b.check_clickable(q, w).await?),
        })
    }
}

impl OpOut {
    fn found(self) -> String {
        match self {
            OpOut::Found(f) => f.description,
            OpOut::Selected(s) => s.description,
            OpOut::Flag(b) => b.to_string(),
            OpOut::Text(t) => t,
            OpOut::Path(p) => p.display().to_string(),
        }
    }

    fn flag(self) -> bool {
        matches!(self, OpOut::Flag(true))
    }
}

/// The locator of an instant visibility check (`visible` without `within`, possibly negated).
fn instant_visibility(c: &Condition) -> Option<&Locator> {
    match c {
        Condition::Visible { target, within: None } => Some(target),
        Condition::Not(inner) => instant_visibility(inner),
        _ => None,
    }
}

/// The element the first action of a branch acts on, if it starts with one.
fn first_target(branch: &[Action]) -> Option<&Locator> {
    match &branch.first()?.kind {
        ActionKind::Click(l)
        | ActionKind::Fill { target: l, .. }
        | ActionKind::SetChecked { target: l, .. }
        | ActionKind::Download { target: l, .. }
        | ActionKind::Read { target: l, .. }
        | ActionKind::WaitFor { target: l, .. }
        | ActionKind::Expect(Expectation::Visible(l))
        | ActionKind::Expect(Expectation::Content { target: l, .. })
        | ActionKind::Expect(Expectation::Checked { target: l, .. }) => Some(l),
        _ => None,
    }
}

/// Whether a WebDriver URL points at this machine (its browser shares our network view).
fn is_loopback_url(url: &str) -> bool {
    url::Url::parse(url).ok().is_some_and(|u| match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    })
}

/// `scheme://host[:port]` of a URL (the URL itself when it does not parse).
fn origin(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

/// Opens (and closes) a TCP connection to the host and port of `url`.
async fn connects(url: &str) -> std::io::Result<()> {
    let u = url::Url::parse(url).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let host = u
        .host_str()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = u.port_or_known_default().unwrap_or(80);
    tokio::net::TcpStream::connect((host.as_str(), port)).await.map(drop)
}

/// A query that never matches (stands in for a handler that has run too often).
/// The name a person reads for the element `l` finds: its label, accessible name or text.
fn human_name(l: &Locator, vars: &Vars) -> String {
    use crate::flow::By;
    let text = match &l.by {
        By::Text(m) | By::Label(m) | By::Placeholder(m) => Some(&m.text),
        By::Role { name: Some(m), .. } => Some(&m.text),
        _ => None,
    };
    match text {
        Some(t) => vars.fill_plain(&t.raw),
        None => vars.fill_plain(&l.to_string()),
    }
}

fn never() -> Query {
    Query::Css {
        css: ":not(*)".into(),
        within: None,
    }
}

/// The path of a guide URL (`mijn.postnl.nl/apex/BPG_Home` → `/apex/BPG_Home`); none for a bare host.
fn guide_path(guide_url: &str) -> Option<String> {
    let rest = guide_url.split_once("://").map_or(guide_url, |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    (path.len() > 1).then(|| path.to_string())
}

/// A result for a step that did not run.
pub fn skipped(index: usize, step: &Step, reason: String) -> StepResult {
    StepResult {
        traffic: None,
        trace: None,
        index,
        title: step.title.clone(),
        status: Status::Skipped,
        skip_reason: Some(reason),
        duration_ms: 0,
        screenshot: None,
        url: None,
        actions: vec![],
        error: None,
        fingerprint: None,
        verify: None,
        screenshots: vec![],
        ensured: vec![],
    }
}

/// The locator of the element an action acts on.
fn action_target(kind: &ActionKind) -> Option<&Locator> {
    match kind {
        ActionKind::Click(l)
        | ActionKind::Fill { target: l, .. }
        | ActionKind::SetChecked { target: l, .. }
        | ActionKind::WaitFor { target: l, .. }
        | ActionKind::Download { target: l, .. }
        | ActionKind::Read { target: l, .. }
        | ActionKind::Expect(Expectation::Visible(l))
        | ActionKind::Expect(Expectation::Content { target: l, .. })
        | ActionKind::Expect(Expectation::Checked { target: l, .. }) => Some(l),
        _ => None,
    }
}

/// The texts a locator wants, with how it looks for them (`label`, `text`, `name`,
/// `placeholder`) and the query for what the page offers of that kind.
fn wanted_texts(l: &Locator, vars: &Vars, out: &mut Vec<(&'static str, String, Query)>) {
    let (kind, tm) = match &l.by {
        By::Text(t) => ("text", t),
        By::Label(t) => ("label", t),
        By::Placeholder(t) => ("placeholder", t),
        By::Role { name: Some(t), .. } => ("name", t),
        By::Any(alts) => {
            for a in alts {
                wanted_texts(a, vars, out);
            }
            return;
        }
        _ => return,
    };
    // The page's whole offer of this kind: the same locator without its text.
    let (Ok(text), Ok(mut q)) = (vars.render(&tm.text), l.to_query(vars)) else {
        return;
    };
    if let Query::Role { name, .. } = &mut q {
        *name = None;
    }
    out.push((kind, text, q));
}

/// The locator an action acts on, as text for reports.
fn action_locator(kind: &ActionKind) -> Option<String> {
    match kind {
        ActionKind::Click(l)
        | ActionKind::Fill { target: l, .. }
        | ActionKind::SetChecked { target: l, .. }
        | ActionKind::WaitFor { target: l, .. }
        | ActionKind::Download { target: l, .. }
        | ActionKind::Read { target: l, .. }
        | ActionKind::Expect(Expectation::Visible(l))
        | ActionKind::Expect(Expectation::Hidden(l))
        | ActionKind::Expect(Expectation::Content { target: l, .. })
        | ActionKind::Expect(Expectation::Checked { target: l, .. }) => Some(l.to_string()),
        ActionKind::Select { from, option } => Some(match from {
            Some(f) => format!("option \"{}\" in {f}", option.text.raw),
            None => format!("option \"{}\"", option.text.raw),
        }),
        _ => None,
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// `Stap 1. Log in op MijnPostNL` → `stap-1-log-in-op-mijnpostnl`.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').chars().take(60).collect()
}

fn url_matches(url: &str, want: &str, mode: MatchMode) -> bool {
    let (u, w) = (url.to_lowercase(), want.to_lowercase());
    match mode {
        MatchMode::Contains => u.contains(&w),
        MatchMode::Exact => u == w || u.trim_end_matches('/') == w.trim_end_matches('/'),
    }
}

fn mode_verb(mode: MatchMode) -> &'static str {
    match mode {
        MatchMode::Exact => "be",
        MatchMode::Contains => "contain",
    }
}

/// Checks that a file is a complete PDF.
async fn check_pdf(path: &Path) -> Result<(), String> {
    let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
    if !bytes.starts_with(b"%PDF-") {
        return Err("is not a PDF (does not start with %PDF-)".into());
    }
    let tail = &bytes[bytes.len().saturating_sub(32)..];
    if !String::from_utf8_lossy(tail).trim_end().ends_with("%%EOF") {
        return Err("is an incomplete PDF (no %%EOF at the end)".into());
    }
    Ok(())
}

/// Current UTC time, for run records.
pub fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_paths() {
        assert_eq!(
            guide_path("mijn.postnl.nl/apex/BPG_Home").as_deref(),
            Some("/apex/BPG_Home")
        );
        assert_eq!(
            guide_path("https://mijn.postnl.nl/apex/BPG_My_Account?PageTile=ShowMyAuthorizations").as_deref(),
            Some("/apex/BPG_My_Account?PageTile=ShowMyAuthorizations")
        );
        assert_eq!(guide_path("mijn.postnl.nl"), None);
        assert_eq!(guide_path("mijn.postnl.nl/"), None);
    }

    #[test]
    fn slugs_follow_the_guide_titles() {
        assert_eq!(slug("Stap 1. Log in op MijnPostNL"), "stap-1-log-in-op-mijnpostnl");
        assert_eq!(slug("Stap 2. Ga naar 'Mijn Account'"), "stap-2-ga-naar-mijn-account");
    }

    #[test]
    fn urls_match_case_insensitively() {
        assert!(url_matches(
            "http://x/apex/BPG_Home",
            "/apex/bpg_home",
            MatchMode::Contains
        ));
        assert!(!url_matches("http://x/", "/apex/BPG_Home", MatchMode::Contains));
    }
}
