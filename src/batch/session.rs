//! Browser sessions for a batch: a [`Factory`] opens a [`BrowserSession`] (starts a browser and
//! runs the flow's `session` steps, i.e. logs in), and the session runs the `row` steps for each
//! row it takes, on the same page.
//!
//! Each session and each row has its own folder with its reports, screenshots and `run.log`
//! (logging is routed per task with [`TaskLog`]). Just before a row's committing action is sent,
//! a `committing` line goes into the journal. A row retried after its session died, or re-run
//! after an unknown outcome, runs in [`Mode::Recheck`]: the portal is read back before anything
//! is saved again.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::csv::BatchRow;
use super::journal::{Entry, Journal, RowStatus};
use super::queue::{RowContext, RowOutcome, Session, SessionFactory};
use crate::browser::{Browser, BrowserOptions};
use crate::flow::bind::Vars;
use crate::flow::{Flow, Phase, RenderError};
use crate::report::logging::TaskLog;
use crate::report::{self, Redactor};
use crate::run::result::{RunResult, Status, StepResult};
use crate::run::{self, Failure, Mode, Observer, Page, Plan, RunOptions};

/// The flow secret that holds a new password for the portal's one-time password change.
pub const NEW_PASSWORD_SECRET: &str = "new_password";

/// Why a batch stops when the portal asks for a new password.
pub const PASSWORD_CHANGE_STOP: &str = "the portal asks for a new password: the batch stops, as one changed \
     password would lock out the other sessions and the next run. Set the new password once by hand (or with a \
     single `run` and POSTNL_NEW_PASSWORD), then resume; or pass --allow-password-change";

/// How long a row waits to learn whether its browser still answers.
const ALIVE_PROBE: Duration = Duration::from_secs(5);

/// What every session of one batch shares.
pub struct Context {
    pub flow: Flow,
    /// The flow file as given, for the reports.
    pub flow_file: String,
    pub base_url: String,
    /// The browser to start (its download folder is set per session).
    pub browser: BrowserOptions,
    pub timeout: Duration,
    pub max_wait: Option<Duration>,
    /// `Run` (or `Verify`); retried rows run in [`Mode::Recheck`].
    pub mode: Mode,
    /// `Verify`: the baseline each row is compared with.
    pub verify: Option<crate::verify::Settings>,
    /// What `--trace` records in each row's folder.
    pub trace: crate::run::TraceMode,
    /// The batch folder.
    pub dir: PathBuf,
    pub journal: Journal,
    /// The variables the `session` steps run with (the secrets, the first row's parameters).
    pub session_vars: Vars,
    pub redactor: Redactor,
    /// Ctrl-C/SIGTERM.
    pub cancel: CancellationToken,
    opened: AtomicUsize,
    stop: Mutex<Option<String>>,
    open_failure: Mutex<Option<u8>>,
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        flow: Flow,
        flow_file: String,
        base_url: String,
        browser: BrowserOptions,
        (timeout, max_wait): (Duration, Option<Duration>),
        (mode, verify, trace): (Mode, Option<crate::verify::Settings>, crate::run::TraceMode),
        dir: PathBuf,
        journal: Journal,
        session_vars: Vars,
        redactor: Redactor,
        cancel: CancellationToken,
    ) -> Context {
        Context {
            flow,
            flow_file,
            base_url,
            browser,
            timeout,
            max_wait,
            mode,
            verify,
            trace,
            dir,
            journal,
            session_vars,
            redactor,
            cancel,
            opened: AtomicUsize::new(0),
            stop: Mutex::new(None),
            open_failure: Mutex::new(None),
        }
    }

    /// Why the batch stopped (the portal asked for a new password), if it did.
    pub fn stop_reason(&self) -> Option<String> {
        self.stop.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The exit code of the last failed attempt to open a session (3: no browser; 1: the
    /// `session` steps failed).
    pub fn open_failure_code(&self) -> Option<u8> {
        *self.open_failure.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stopped(&self, reason: &str) {
        self.stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| reason.to_string());
    }

    fn opts(&self, out_dir: PathBuf, mode: Mode) -> RunOptions {
        RunOptions {
            out_dir,
            base_url: self.base_url.clone(),
            timeout: self.timeout,
            max_wait: self.max_wait,
            mode,
            trace: self.trace,
        }
    }

    /// Whether the run stopped because the flow needed the new-password secret, which a batch
    /// withholds: the portal asked for a new password.
    fn asks_new_password(&self, result: &RunResult) -> bool {
        let Some(decl) = self.flow.secrets.iter().find(|s| s.name == NEW_PASSWORD_SECRET) else {
            return false;
        };
        let needle = RenderError::MissingSecret {
            name: decl.name.clone(),
            env: decl.env.clone(),
        }
        .to_string();
        let mentions = |s: &StepResult| {
            s.error.as_ref().is_some_and(|e| e.message.contains(&needle))
                || s.actions
                    .iter()
                    .any(|a| a.detail.as_deref().is_some_and(|d| d.contains(&needle)))
        };
        result.steps.iter().any(mentions)
    }

    fn write_reports(&self, result: &RunResult, dir: &Path) {
        if let Err(e) = report::write_all(result, dir, &self.redactor) {
            tracing::error!(error = %e, "cannot write the reports");
        }
    }
}

/// One row for a session to run.
pub struct RowJob {
    pub row: BatchRow,
    /// The row's variables (its parameters and the secrets).
    pub vars: Vars,
    /// An earlier start sent the row's committing action without a known outcome: read back.
    pub recheck: bool,
    /// The row's folder, relative to the batch folder.
    pub folder: String,
}

impl RowJob {
    /// A journal line for this row.
    pub fn entry(&self, status: RowStatus, started: DateTime<Utc>, committed: bool) -> Entry {
        Entry {
            key: self.row.key.clone(),
            line: self.row.line,
            params: self.row.params.clone(),
            status,
            exit_code: None,
            message: None,
            folder: Some(self.folder.clone()),
            started,
            finished: None,
            committed,
        }
    }
}

/// A row that ran.
pub struct RowDone {
    pub result: RunResult,
    /// Its committing action was sent (in this attempt).
    pub committed: bool,
}

/// Opens browser sessions for a batch.
pub struct Factory(pub Arc<Context>);

/// A browser that has run the `session` steps.
pub struct BrowserSession {
    ctx: Arc<Context>,
    browser: Browser,
}

impl SessionFactory<RowJob> for Factory {
    type Session = BrowserSession;

    async fn open(&self, worker: usize) -> Result<BrowserSession, String> {
        let ctx = &self.0;
        if let Some(reason) = ctx.stop_reason() {
            return Err(reason);
        }
        let n = ctx.opened.fetch_add(1, Ordering::SeqCst) + 1;
        let rel = format!("sessions/{n:02}-worker{}", worker + 1);
        let dir = ctx.dir.join(&rel);
        std::fs::create_dir_all(dir.join("downloads")).map_err(|e| format!("cannot create {rel}: {e}"))?;
        if ctx.browser.webdriver.is_some() {
            share_with_remote_browser(&dir.join("downloads"));
        }
        let open = open_session(ctx.clone(), dir.clone(), rel);
        match TaskLog::open(&dir.join(report::LOG_FILE), &ctx.redactor) {
            Ok(log) => log.scope(open).await,
            Err(_) => open.await,
        }
    }
}

async fn open_session(ctx: Arc<Context>, dir: PathBuf, rel: String) -> Result<BrowserSession, String> {
    let fail = |code: u8, msg: String| {
        *ctx.open_failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(code);
        msg
    };
    let opts = BrowserOptions {
        download_dir: dir.join("downloads"),
        ..ctx.browser.clone()
    };
    tracing::info!(session = %rel, "session starts");
    let launched = match Browser::launch_until(&opts, &ctx.cancel).await {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(Failure::interrupted()),
        Err(e) => Err(Failure::from(e)),
    };
    let browser = match launched {
        Ok(b) => b,
        Err(f) => {
            return Err(fail(
                crate::error::EXIT_NO_BROWSER,
                ctx.redactor.redact_string(f.message),
            ))
        }
    };
    let plan = Plan {
        flow: &ctx.flow,
        file: ctx.flow_file.clone(),
        vars: ctx.session_vars.clone(),
    };
    let run_opts = ctx.opts(dir.clone(), ctx.mode);
    let result = run::run_phase(
        plan,
        &browser,
        &run_opts,
        &mut run::Silent,
        &ctx.cancel,
        Some(Phase::Session),
    )
    .await;
    ctx.write_reports(&result, &dir);
    if result.status == Status::Passed {
        return Ok(BrowserSession { ctx, browser });
    }
    browser.close().await;
    if ctx.asks_new_password(&result) {
        ctx.stopped(PASSWORD_CHANGE_STOP);
        return Err(fail(crate::error::EXIT_FAILED, PASSWORD_CHANGE_STOP.into()));
    }
    let why = result
        .steps
        .iter()
        .find_map(|s| s.error.as_ref())
        .or(result.error.as_ref())
        .map(|e| e.message.clone())
        .unwrap_or_else(|| result.status.as_str().to_string());
    Err(fail(
        result.exit_code,
        ctx.redactor
            .redact_string(format!("the session steps failed: {why} (see {rel}/report.html)")),
    ))
}

impl Session<RowJob> for BrowserSession {
    type Output = RowDone;

    async fn run(&mut self, job: &RowJob, rc: RowContext) -> RowOutcome<RowDone> {
        let dir = self.ctx.dir.join(&job.folder);
        let row = self.run_row(job, rc, dir.clone());
        match TaskLog::open(&dir.join(report::LOG_FILE), &self.ctx.redactor) {
            Ok(log) => log.scope(row).await,
            Err(_) => row.await,
        }
    }

    async fn close(self) {
        self.browser.close().await;
    }
}

impl BrowserSession {
    async fn run_row(&self, job: &RowJob, rc: RowContext, dir: PathBuf) -> RowOutcome<RowDone> {
        let ctx = &self.ctx;
        let started = Utc::now();
        let mode = if ctx.mode == Mode::Run && (job.recheck || rc.attempt > 1) {
            Mode::Recheck
        } else {
            ctx.mode
        };
        tracing::info!(line = job.row.line, attempt = rc.attempt, ?mode, "row starts");
        let plan = Plan {
            flow: &ctx.flow,
            file: ctx.flow_file.clone(),
            vars: job.vars.clone(),
        };
        let opts = ctx.opts(dir.clone(), mode);
        let mut observer = Committing {
            journal: &ctx.journal,
            job,
            started,
            committed: false,
        };
        let mut result = match std::fs::create_dir_all(dir.join("downloads")) {
            Ok(()) => run::run_phase(plan, &self.browser, &opts, &mut observer, &rc.cancel, Some(Phase::Row)).await,
            Err(e) => run::not_started(plan, &opts, Failure::hard(format!("cannot create {}: {e}", job.folder))),
        };
        if let Some(settings) = &ctx.verify {
            let key = crate::verify::key(&result.browser.name, ctx.browser.window);
            if let Err(e) = crate::verify::apply(&mut result, &dir, settings, &key) {
                tracing::error!(error = %e, "cannot compare the row with the baseline");
                result.status = Status::Failed;
                result.exit_code = crate::error::EXIT_FAILED;
                result.error.get_or_insert_with(|| crate::run::result::ErrorInfo {
                    message: format!("cannot compare with the baseline: {e}"),
                    ..Default::default()
                });
            }
        }
        ctx.write_reports(&result, &dir);
        let done = RowDone {
            committed: observer.committed,
            result,
        };
        let ended_by_us = rc.cancel.is_cancelled() || done.result.status == Status::Interrupted;
        if !done.result.status.is_failure() || ended_by_us {
            return RowOutcome::Done(done);
        }
        if ctx.asks_new_password(&done.result) {
            ctx.stopped(PASSWORD_CHANGE_STOP);
            return RowOutcome::Stop {
                output: done,
                reason: PASSWORD_CHANGE_STOP.into(),
            };
        }
        let alive = tokio::time::timeout(ALIVE_PROBE, Page::current_url(&self.browser)).await;
        if !matches!(alive, Ok(Ok(_))) {
            return RowOutcome::SessionLost {
                reason: "the browser stopped answering".into(),
            };
        }
        RowOutcome::Done(done)
    }
}

/// With a remote WebDriver (Selenium in another container) the browser writes downloads into
/// the session's folder through a shared volume, as another user: let it.
fn share_with_remote_browser(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)) {
        tracing::warn!("cannot open {} for the remote browser: {e}", dir.display());
    }
}

/// Writes the row's `committing` line into the journal just before its save is sent.
struct Committing<'a> {
    journal: &'a Journal,
    job: &'a RowJob,
    started: DateTime<Utc>,
    committed: bool,
}

impl Observer for Committing<'_> {
    fn step_started(&mut self, _: usize, _: usize, _: &str) {}
    fn step_finished(&mut self, _: &StepResult) {}
    fn committing(&mut self, index: usize, description: &str) {
        tracing::info!(step = index, action = %description, "committing");
        self.committed = true;
        if let Err(e) = self
            .journal
            .append(&self.job.entry(RowStatus::Committing, self.started, true))
        {
            tracing::error!(error = %e, "cannot write the journal");
        }
    }
}
