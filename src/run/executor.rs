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

use crate::browser::{BrowserError, Found, Query, Selected, TextQuery, Wait};
use crate::flow::bind::Vars;
use crate::flow::{text, Action, ActionKind, Condition, Expectation, FileKind, Flow, Locator, MatchMode, Phase, Step};
use crate::run::failure::{Failure, FailureKind};
use crate::run::page::Page;
use crate::run::query::ToQuery;
use crate::run::result::*;

mod recovery;

/// Why the remaining steps did not run after the run was cancelled.
const NOT_RUN_INTERRUPTED: &str = "Niet uitgevoerd: de run is onderbroken.";

/// How long the screenshot of a stopped step may take (the browser may be gone).
const LAST_SHOT: Duration = Duration::from_secs(5);

/// Why a row step stopped when the login page came back.
const SESSION_ENDED: &str = "the portal shows its login page again: the session has ended";

/// How often a run may log in again after the portal ended its session.
const MAX_RELOGINS: u32 = 2;

/// How many times one handler may run while a single action waits.
const MAX_HANDLER_RUNS: usize = 3;

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
}

/// Receives progress while a run goes (the console, a batch's journal, tests).
pub trait Observer: Send + Sync {
    fn step_started(&mut self, index: usize, total: usize, title: &str);
    fn step_finished(&mut self, step: &StepResult);
    /// A committing action (`commits = true`, e.g. "Opslaan") of step `index` is about to be
    /// sent. Called before anything goes to the portal: a batch records it durably here, so
    /// that after a crash it knows the save may have happened.
    fn committing(&mut self, _index: usize, _description: &str) {}
}

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
    /// A committing action of the current step was sent (its outcome is not known until the
    /// step completes).
    committed: bool,
    /// In the current step so far: `None` without `check`/`uncheck` actions, else whether one
    /// changed a box (what [`Mode::Recheck`] reads back).
    boxes_changed: Option<bool>,
    /// The run was cancelled: a step was interrupted, or steps were left out because of it.
    interrupted: bool,
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
        }
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
        self.run_step_in_span(index, step).instrument(span).await
    }

    async fn run_step_in_span(&mut self, index: usize, step: &Step) -> StepResult {
        let started = Instant::now();
        tracing::info!(index, title = %step.title, "step starts");
        self.step_index = index;
        self.committed = false;
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
        let mut actions = Vec::new();
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
                return self.failed_step(index, step, started, actions, f).await;
            }
            if let Err(f) = self.log_in_again(step, &mut actions).await {
                return self.failed_step(index, step, started, actions, f).await;
            }
        }
        // The step's screenshot shows the page a person sees once it has finished loading.
        match self.io(self.page.wait_until_idle(IDLE_BEFORE_SCREENSHOT)).await {
            Err(f) if f.kind == FailureKind::Interrupted => {
                return self.failed_step(index, step, started, actions, f).await
            }
            Err(f) => tracing::debug!(error = %f.message, "could not tell whether the page is still loading"),
            Ok(_) => {}
        }
        let name = format!("{index:02}-{}.png", slug(&step.title));
        let screenshot = match self.screenshot(&name).await {
            Ok(p) => Some(p),
            Err(f) => return self.failed_step(index, step, started, actions, f).await,
        };
        StepResult {
            index,
            title: step.title.clone(),
            status: Status::Passed,
            skip_reason: None,
            duration_ms: ms(started.elapsed()),
            screenshot,
            url: self.io(self.page.current_url()).await.ok(),
            actions,
            error: None,
        }
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
        tracing::error!(step = %step.title, error = %f.message, status = status.as_str(), "step stopped");
        let suffix = if f.kind == FailureKind::Interrupted {
            "onderbroken"
        } else {
            "mislukt"
        };
        let name = format!("{index:02}-{}-{suffix}.png", slug(&step.title));
        let shot = tokio::time::timeout(LAST_SHOT, self.write_screenshot(&name)).await;
        let screenshot = shot.ok().and_then(Result::ok);
        let url = tokio::time::timeout(LAST_SHOT, self.page.current_url())
            .await
            .ok()
            .and_then(Result::ok);
        StepResult {
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
            }),
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
        tokio::fs::write(&path, png)
            .await
            .map_err(|e| Failure::hard(format!("cannot write {}: {e}", path.display())))?;
        Ok(name.to_string())
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

    async fn run_actions(&mut self, list: &[Action], out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        for action in list {
            self.run_action(action, out).await?;
        }
        Ok(())
    }

    /// Whether a row step failed because the portal shows its login page again: what the
    /// session steps expect to see first (e.g. "Log in bij Mijn PostNL") is visible.
    async fn session_lost(&mut self, step: &Step) -> bool {
        if step.phase == Phase::Session || self.relogins >= MAX_RELOGINS {
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
        let relogged = self.run_actions(&session, &mut inner).await;
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
            description: "session lost: log in again".into(),
            locator: None,
            status,
            duration_ms: ms(started.elapsed()),
            detail: Some(detail),
        });
        back.map(|_| ())
    }

    /// Runs one action (recursing into `if`), appending its result.
    async fn run_action(&mut self, action: &Action, out: &mut Vec<ActionResult>) -> Result<(), Failure> {
        let started = Instant::now();
        let description = action.kind.to_string();
        let locator = action_locator(&action.kind);
        if action.commits && self.opts.mode == Mode::Verify {
            out.push(ActionResult {
                description,
                locator,
                status: Status::Skipped,
                duration_ms: 0,
                detail: Some("dry run: committing action not performed".into()),
            });
            return Ok(());
        }
        if action.commits && self.opts.mode == Mode::Recheck {
            match self.boxes_changed {
                Some(false) => {
                    tracing::info!(action = %description, "re-check: the portal already shows the change");
                    out.push(ActionResult {
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
        let outcome = self.perform_recovering(action, out).await;
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
                    description,
                    locator: locator.clone(),
                    status,
                    duration_ms: ms(started.elapsed()),
                    detail: Some(f.message.clone()),
                });
                if f.locator.is_none() {
                    f.locator = locator;
                }
                return Err(f);
            }
        };
        if !matches!(action.kind, ActionKind::If { .. }) {
            out.push(ActionResult {
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
                Ok(None)
            }
            ActionKind::Reload => {
                self.io(self.page.reload()).await?;
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
                Ok(Some(if changed {
                    format!("now {state}")
                } else {
                    format!("was already {state}; left as is")
                }))
            }
            ActionKind::Expect(e) => self.expect(e, timeout, out).await,
            ActionKind::WaitFor { target, reload_every } => {
                let q = target.to_query(self.vars).map_err(Failure::hard)?;
                self.wait_for(&q, timeout, *reload_every, out).await
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
                if is == *checked {
                    Ok(Some(format!("is {}", if is { "ticked" } else { "unticked" })))
                } else {
                    Err(Failure {
                        message: format!(
                            "expected the box to be {}, but it is {}",
                            if *checked { "ticked" } else { "unticked" },
                            if is { "ticked" } else { "unticked" }
                        ),
                        kind: FailureKind::ExpectationFailed,
                        locator: Some(target.to_string()),
                        found: vec![],
                    })
                }
            }
            Expectation::Url(m) => {
                let want = self.vars.render(&m.text).map_err(Failure::hard)?;
                let deadline = Instant::now() + timeout;
                let mut pause = Duration::from_millis(25);
                loop {
                    let url = self.io(self.page.current_url()).await?;
                    if url_matches(&url, &want, m.mode) {
                        return Ok(Some(format!("url is {url}")));
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

    /// Waits for an element, reloading the page every `reload_every` while it is absent.
    async fn wait_for(
        &mut self,
        q: &Query,
        timeout: Duration,
        reload_every: Option<Duration>,
        out: &mut Vec<ActionResult>,
    ) -> Result<Option<String>, Failure> {
        let deadline = Instant::now() + timeout;
        let mut reloads = 0u32;
        loop {
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
                .chain(self.watch_login.clone())
                .collect();
            let wait = Wait { timeout, obstacles };
            match self.cancellable(op.run(self.page, &wait)).await? {
                Err(BrowserError::Obstacle { index, .. }) if index < runs.len() => {
                    runs[index] += 1;
                    self.handle_obstacle(index, timeout, out).await?;
                }
                // The login page is back: the step stops here and run_step logs in again.
                Err(BrowserError::Obstacle { index, .. }) if index == runs.len() => {
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
        self.io(self.page.wait_until_idle(timeout.min(IDLE_BEFORE_DECIDING)))
            .await?;
        let mut queries = vec![target.to_query(self.vars).map_err(Failure::hard)?];
        for branch in [then, otherwise] {
            if let Some(l) = first_target(branch) {
                let q = l.to_query(self.vars).map_err(Failure::hard)?;
                if !queries.contains(&q) {
                    queries.push(q);
                }
            }
        }
        if queries.len() < 2 {
            return Ok(());
        }
        let mut pause = Duration::from_millis(50);
        loop {
            for q in &queries {
                if self.io(self.page.probe_visible(q)).await? {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                tracing::info!("neither the condition's element nor a branch's target showed; deciding anyway");
                return Ok(());
            }
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
        | ActionKind::Expect(Expectation::Checked { target: l, .. }) => Some(l),
        _ => None,
    }
}

/// A query that never matches (stands in for a handler that has run too often).
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
        index,
        title: step.title.clone(),
        status: Status::Skipped,
        skip_reason: Some(reason),
        duration_ms: 0,
        screenshot: None,
        url: None,
        actions: vec![],
        error: None,
    }
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
