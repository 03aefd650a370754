//! Running a batch: check the CSV and bind every row before any browser starts, take the batch
//! folder (new, or the one to resume), plan the rows from the journal, run them over the session
//! pool, and write `results.csv` and the batch reports.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::csv::{read_batch, Batch, ParamSpec};
use super::journal::{self, Entry, Header, Journal, Plan as RowPlan, RowStatus};
use super::queue::{run_pool, Completed, Completion, NotRun};
use super::report::{BatchReport, RowReport};
use super::results::{write_results, ResultRow};
use super::rundir::{prepare_out_dir, unique_run_dir};
use super::session::{Context, Factory, RowDone, RowJob, NEW_PASSWORD_SECRET};
use crate::browser::BrowserOptions;
use crate::error::{Signal, EXIT_FAILED, EXIT_NO_BROWSER, EXIT_PASSED};
use crate::flow::{self, bind::Vars, Flow};
use crate::report::logging::TaskLog;
use crate::report::{self, Redactor};
use crate::run::{FailureKind, Mode, Status};
use crate::signals::Interrupt;

/// The folder default batch folders go under.
pub const RUNS_DIR: &str = "runs";

/// Everything a batch needs.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    pub flow: PathBuf,
    pub csv: PathBuf,
    /// Overrides the flow's `base_url`.
    pub base_url: Option<String>,
    /// Browser sessions working through the rows.
    pub parallel: usize,
    /// Continue the batch in `out`.
    pub resume: bool,
    /// The batch folder; `None`: a new `runs/<timestamp>-<flow>/`.
    pub out: Option<PathBuf>,
    /// Let the flow type a new password when the portal asks for one.
    pub allow_password_change: bool,
    /// The browser (its download folder is set per session).
    pub browser: BrowserOptions,
    pub timeout: Duration,
    pub max_wait: Option<Duration>,
    pub mode: Mode,
    /// What `--trace` records in each row's folder.
    pub trace: crate::run::TraceMode,
    /// `verify --batch`: the baseline every row is compared with (`mode` is `Verify`).
    pub verify: Option<crate::verify::Settings>,
    /// No line per finished row on stdout.
    pub silent: bool,
}

/// The environment secrets are read from.
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Why a batch did not start.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Bad flow, CSV, parameters, secrets or folder: nothing was started (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// Anything else (exit 4).
    #[error("{0}")]
    Other(String),
}

/// A batch that ran.
#[derive(Debug)]
pub struct BatchOutcome {
    pub dir: PathBuf,
    pub report: BatchReport,
}

/// A checked flow and CSV (what `check FLOW --batch FILE.csv` reports on).
pub fn check_batch(flow_path: &Path, csv: &Path) -> Result<(Flow, Batch), BatchError> {
    let flow = flow::load(flow_path).map_err(|e| BatchError::Invalid(e.render()))?;
    let batch = read_batch(csv, &ParamSpec::of_flow(&flow)).map_err(|e| BatchError::Invalid(e.to_string()))?;
    Ok((flow, batch))
}

/// `env` without the new-password secret's variable unless `allow`: a batch or schedule never
/// types a new password by default.
pub fn withhold_new_password(flow: &Flow, env: Env, allow: bool) -> Env {
    let hidden = flow
        .secrets
        .iter()
        .find(|s| s.name == NEW_PASSWORD_SECRET)
        .map(|s| s.env.clone())
        .filter(|_| !allow);
    match hidden {
        None => env,
        Some(var) => Arc::new(move |name: &str| if name == var { None } else { env(name) }),
    }
}

/// Runs the batch. Rows are journalled as they end; `results.csv` and the reports are written
/// at the end (also after Ctrl-C/SIGTERM, which stop new rows from starting).
pub async fn run_batch(req: BatchRequest, env: Env, interrupt: &Interrupt) -> Result<BatchOutcome, BatchError> {
    let clock = Instant::now();
    let started = Utc::now();
    let (flow, batch) = check_batch(&req.flow, &req.csv)?;
    let base_url = req.base_url.clone().or_else(|| flow.base_url.clone()).ok_or_else(|| {
        BatchError::Invalid(format!(
            "{}: no base_url in the flow; pass --base-url URL",
            req.flow.display()
        ))
    })?;
    let env = withhold_new_password(&flow, env, req.allow_password_change);
    let vars = bind_rows(&flow, &batch, &*env)?;
    let redactor = Redactor::new(vars.iter().flat_map(Vars::secret_values));

    let dir = match (&req.out, req.resume) {
        (None, true) => {
            return Err(BatchError::Invalid(
                "--resume needs --out: the folder of the batch to resume".into(),
            ))
        }
        (None, false) => unique_run_dir(Path::new(RUNS_DIR), &flow.name),
        (Some(out), resume) => prepare_out_dir(out, false, resume),
    }
    .map_err(|e| BatchError::Invalid(e.to_string()))?;
    let dir = std::fs::canonicalize(&dir).map_err(|e| BatchError::Other(format!("{}: {e}", dir.display())))?;
    let (journal, earlier) = if req.resume {
        let (j, contents) = Journal::resume(&dir, &batch.sha256).map_err(|e| BatchError::Invalid(e.to_string()))?;
        (j, contents.entries)
    } else {
        let header = Header::new(&flow.name, &req.csv, &batch.sha256);
        let j = Journal::create(&dir, &header).map_err(|e| BatchError::Invalid(e.to_string()))?;
        (j, vec![])
    };
    let log = TaskLog::open(&dir.join(report::LOG_FILE), &redactor)
        .map_err(|e| BatchError::Other(format!("{}: {e}", dir.display())))?;
    let run = Run {
        req: &req,
        flow,
        batch,
        vars,
        base_url,
        dir,
        journal,
        earlier,
        redactor,
        interrupt,
        started,
        clock,
    };
    log.scope(run.go()).await
}

/// Binds every row (parameters and secrets): a missing secret is reported once, bad rows with
/// their lines.
fn bind_rows(
    flow: &Flow,
    batch: &Batch,
    env: &(dyn Fn(&str) -> Option<String> + Send + Sync),
) -> Result<Vec<Vars>, BatchError> {
    let mut out = Vec::with_capacity(batch.rows.len());
    let mut problems = Vec::new();
    for row in &batch.rows {
        let params: Vec<(String, String)> = row.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        match flow::bind::bind(flow, &params, env, false) {
            Ok(v) => out.push(v),
            Err(e) if out.is_empty() && problems.is_empty() => {
                // The first row shows problems every row shares (a missing secret) once.
                return Err(BatchError::Invalid(format!(
                    "{}:{}: {e}",
                    batch.path.display(),
                    row.line
                )));
            }
            Err(e) => problems.push(format!("{}:{}: {e}", batch.path.display(), row.line)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(BatchError::Invalid(problems.join("\n")))
    }
}

struct Run<'a> {
    req: &'a BatchRequest,
    flow: Flow,
    batch: Batch,
    vars: Vec<Vars>,
    base_url: String,
    dir: PathBuf,
    journal: Journal,
    earlier: Vec<Entry>,
    redactor: Redactor,
    interrupt: &'a Interrupt,
    started: chrono::DateTime<Utc>,
    clock: Instant,
}

/// How a row ended, before it becomes a report line.
enum Ended {
    /// Passed in an earlier start of the batch.
    Before(Option<String>),
    Ran(Box<Completion<RowDone>>),
}

impl Run<'_> {
    async fn go(self) -> Result<BatchOutcome, BatchError> {
        let Run {
            req,
            flow,
            batch,
            vars,
            base_url,
            dir,
            journal,
            earlier,
            redactor,
            interrupt,
            started,
            clock,
        } = self;
        let plans = journal::plan_resume(&batch.rows, &earlier);
        tracing::info!(flow = %flow.name, rows = batch.rows.len(), parallel = req.parallel, resume = req.resume, "batch starts");
        let mut jobs = Vec::new();
        let mut job_rows = Vec::new();
        let mut ended: Vec<Option<Ended>> = (0..batch.rows.len()).map(|_| None).collect();
        for p in &plans {
            let row = &batch.rows[p.index];
            let folder = format!("rows/{:04}-{}", row.line, row.key);
            match &p.plan {
                RowPlan::Skip => {
                    let before = earlier
                        .iter()
                        .rev()
                        .find(|e| e.key == row.key && e.status == RowStatus::Passed)
                        .and_then(|e| e.folder.clone());
                    ended[p.index] = Some(Ended::Before(before));
                }
                plan => {
                    job_rows.push(p.index);
                    jobs.push(RowJob {
                        row: row.clone(),
                        vars: vars[p.index].clone(),
                        recheck: matches!(plan, RowPlan::Recheck { .. }),
                        folder,
                    });
                }
            }
        }
        let total = jobs.len();
        let session_vars = vars.first().cloned().unwrap_or_default();
        let ctx = Arc::new(Context::new(
            flow.clone(),
            req.flow.display().to_string(),
            base_url,
            req.browser.clone(),
            (req.timeout, req.max_wait),
            (req.mode, req.verify.clone(), req.trace),
            dir.clone(),
            journal,
            session_vars,
            redactor.clone(),
            interrupt.token().clone(),
        ));
        let journal_of = ctx.clone();
        let folders: Vec<(RowJob, usize)> = jobs
            .iter()
            .zip(&job_rows)
            .map(|(j, i)| {
                (
                    RowJob {
                        row: j.row.clone(),
                        vars: Vars::default(),
                        recheck: j.recheck,
                        folder: j.folder.clone(),
                    },
                    *i,
                )
            })
            .collect();
        let mut finished = 0usize;
        let silent = req.silent;
        let completed = run_pool(
            Arc::new(Factory(ctx.clone())),
            jobs,
            req.parallel,
            interrupt.token().clone(),
            |c: &Completed<RowDone>| {
                let (job, _) = &folders[c.index];
                if let Some(mut entry) = journal_entry(job, &c.completion) {
                    entry.message = entry.message.map(|m| journal_of.redactor.redact_string(m));
                    if let Err(e) = journal_of.journal.append(&entry) {
                        tracing::error!(error = %e, "cannot write the journal");
                    }
                }
                if !matches!(c.completion, Completion::NotRun(_)) {
                    finished += 1;
                    if !silent {
                        let line = progress_line(finished, total, job, &c.completion);
                        println!("{}", journal_of.redactor.redact(&line));
                    }
                }
            },
        )
        .await;
        for c in completed {
            let index = job_rows[c.index];
            ended[index] = Some(Ended::Ran(Box::new(c.completion)));
        }

        let signal = interrupt.signal();
        let stopped = ctx.stop_reason();
        let open_code = ctx.open_failure_code().unwrap_or(EXIT_NO_BROWSER);
        let rows: Vec<RowReport> = batch
            .rows
            .iter()
            .zip(ended)
            .map(|(row, e)| row_report(row, e.expect("every row ends"), signal, open_code))
            .collect();
        let exit_code = batch_exit_code(rows.iter().map(|r| r.exit_code));
        let results: Vec<ResultRow> = rows
            .iter()
            .map(|r| ResultRow {
                params: r.params.clone(),
                extra: r.extra.clone(),
                status: r.status.clone(),
                duration: r.duration_ms.map(Duration::from_millis),
                message: r.message.clone(),
                folder: r.folder.clone(),
            })
            .collect();
        write_results(
            &dir,
            &batch.param_columns,
            &batch.extra_columns,
            batch.delimiter,
            &results,
        )
        .map_err(|e| BatchError::Other(e.to_string()))?;
        let report = BatchReport {
            batch_report: super::report::BATCH_REPORT_VERSION,
            flow: flow.name.clone(),
            flow_title: flow.title.clone(),
            csv: req.csv.display().to_string(),
            started,
            finished: Utc::now(),
            duration_ms: clock.elapsed().as_millis() as u64,
            exit_code,
            stopped,
            rows,
        };
        report
            .write(&dir, &redactor)
            .map_err(|e| BatchError::Other(e.to_string()))?;
        tracing::info!(exit_code, "batch finished");
        Ok(BatchOutcome { dir, report })
    }
}

/// The journal line for a row that ended (none for a row that did not run).
fn journal_entry(job: &RowJob, c: &Completion<RowDone>) -> Option<Entry> {
    let now = Utc::now();
    match c {
        Completion::Finished { output, .. } => {
            let r = &output.result;
            let status = match r.status {
                Status::Passed | Status::Skipped | Status::Unchanged | Status::NotVerified => RowStatus::Passed,
                Status::Interrupted if output.committed => RowStatus::CommittedUnknown,
                Status::Interrupted => RowStatus::Interrupted,
                Status::CommittedUnknown => RowStatus::CommittedUnknown,
                Status::Changed => RowStatus::Changed,
                Status::Failed | Status::Broken => RowStatus::Failed,
            };
            Some(Entry {
                exit_code: Some(i32::from(r.exit_code)),
                message: failure_message(r),
                finished: Some(r.finished),
                ..job.entry(status, r.started, output.committed)
            })
        }
        Completion::SessionLost { reason, .. } => Some(Entry {
            exit_code: Some(i32::from(EXIT_FAILED)),
            message: Some(reason.clone()),
            finished: Some(now),
            ..job.entry(RowStatus::Failed, now, false)
        }),
        Completion::NotRun(_) => None,
    }
}

/// The first failure of a run, in one line.
fn failure_message(r: &crate::run::RunResult) -> Option<String> {
    if let Some(s) = r.steps.iter().find(|s| s.status == Status::Changed) {
        let changes: Vec<&str> = s
            .verify
            .iter()
            .flat_map(|v| &v.changes)
            .map(|c| c.message.as_str())
            .collect();
        return Some(format!(
            "{}: changed since the baseline: {}",
            s.title,
            changes.join("; ")
        ));
    }
    let step = r.steps.iter().find(|s| s.status.is_failure());
    let e = step.and_then(|s| s.error.as_ref()).or(r.error.as_ref())?;
    let first = e.message.lines().next().unwrap_or_default();
    Some(match step {
        Some(s) => format!("{}: {first}", s.title),
        None => first.to_string(),
    })
}

fn row_report(row: &super::csv::BatchRow, e: Ended, signal: Option<Signal>, open_code: u8) -> RowReport {
    let mut r = RowReport {
        line: row.line,
        key: row.key.to_string(),
        params: row.params.clone(),
        extra: row.extra.clone(),
        status: "not-run".into(),
        exit_code: EXIT_FAILED,
        duration_ms: None,
        message: None,
        folder: Some(format!("rows/{:04}-{}", row.line, row.key)),
        attempts: 0,
        result: None,
    };
    let e = match e {
        Ended::Before(folder) => {
            r.status = "skipped".into();
            r.exit_code = EXIT_PASSED;
            r.message = Some("passed in an earlier start of this batch".into());
            r.folder = folder;
            return r;
        }
        Ended::Ran(c) => *c,
    };
    match e {
        Completion::Finished { output, attempts, .. } => {
            let mut result = output.result;
            let no_browser = result.error.as_ref().is_some_and(|e| e.kind == FailureKind::NoBrowser);
            result.exit_code = result.status.exit_code(no_browser, signal);
            // `verify --batch`: a row that matches the baseline passed; one that cannot be
            // performed failed; drift is `changed`.
            r.status = match result.status {
                Status::Skipped | Status::Unchanged | Status::NotVerified => "passed".into(),
                Status::Broken => "failed".into(),
                s => s.as_str().into(),
            };
            r.exit_code = result.exit_code;
            r.duration_ms = Some(result.duration_ms);
            r.message = failure_message(&result);
            r.attempts = attempts;
            r.result = Some(result);
        }
        Completion::SessionLost { reason, attempts } => {
            r.status = "failed".into();
            r.message = Some(format!("the browser session was lost twice: {reason}"));
            r.attempts = attempts;
        }
        Completion::NotRun(why) => {
            r.folder = None;
            let (code, msg) = match why {
                NotRun::Cancelled => (
                    signal.unwrap_or(Signal::Int).exit_code(),
                    "not run: the batch was interrupted".to_string(),
                ),
                NotRun::Stopped(reason) => (EXIT_FAILED, format!("not run: {reason}")),
                NotRun::NoSession(reason) => (open_code, format!("not run: no session could be opened: {reason}")),
            };
            r.exit_code = code;
            r.message = Some(msg);
        }
    }
    r
}

fn progress_line(n: usize, total: usize, job: &RowJob, c: &Completion<RowDone>) -> String {
    let params: Vec<String> = job.row.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let (mark, what) = match c {
        Completion::Finished { output, .. } => {
            let r = &output.result;
            let mark = match r.status {
                s if s.is_failure() => "✗",
                Status::Changed => "≠",
                _ => "✓",
            };
            let secs = r.duration_ms as f64 / 1000.0;
            let what = match failure_message(r) {
                Some(m) => format!("{} ({secs:.1} s): {m}", r.status.as_str()),
                None => format!("{} ({secs:.1} s)", r.status.as_str()),
            };
            (mark, what)
        }
        Completion::SessionLost { reason, .. } => ("✗", format!("failed: {reason}")),
        Completion::NotRun(_) => ("–", "not run".into()),
    };
    format!(
        "[{n}/{total}] {mark} line {} {}: {what}",
        job.row.line,
        params.join(", ")
    )
}

/// The batch's exit code from its rows': a signal first, then no browser, a failed (or broken)
/// row, drift (`verify`), and 0 only when every row passed.
fn batch_exit_code(codes: impl Iterator<Item = u8>) -> u8 {
    let codes: Vec<u8> = codes.collect();
    let rank = |c: u8| match c {
        EXIT_PASSED => 0,
        crate::error::EXIT_DRIFT => 1,
        EXIT_FAILED => 2,
        c if c >= 128 => 5,
        EXIT_NO_BROWSER => 4,
        _ => 3,
    };
    codes.into_iter().max_by_key(|&c| rank(c)).unwrap_or(EXIT_PASSED)
}

#[cfg(test)]
mod exit_tests {
    use super::*;

    #[test]
    fn a_failed_row_outranks_drift_and_a_signal_outranks_both() {
        assert_eq!(batch_exit_code([0, 5, 0].into_iter()), 5);
        assert_eq!(batch_exit_code([5, 1, 0].into_iter()), 1);
        assert_eq!(batch_exit_code([1, 143, 5].into_iter()), 143);
        assert_eq!(batch_exit_code([1, 3].into_iter()), 3);
        assert_eq!(batch_exit_code(std::iter::empty()), 0);
    }
}
