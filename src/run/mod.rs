//! Running a bound flow on a page: [`run`] takes the flow, its variables, a [`Page`] and a
//! cancellation token and returns the whole [`RunResult`] — every step, including the one in
//! progress when the run was cancelled.

pub mod executor;
pub mod failure;
pub mod fingerprint;
pub mod page;
pub mod query;
pub mod result;
pub mod similar;
pub mod trace;

use std::time::Instant;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

pub use executor::{Activity, ActivitySink, Mode, Observer, RunOptions, Silent};
pub use failure::{Failure, FailureKind};
pub use page::Page;
pub use result::{RunResult, Status, StepResult};
pub use trace::TraceMode;

use crate::flow::bind::Vars;
use crate::flow::{Flow, Phase};
use executor::Executor;
use result::{BrowserInfo, ErrorInfo, FlowInfo, Param, SCHEMA_VERSION};

/// What to run: a loaded flow, its file (for the report) and its bound variables.
pub struct Plan<'a> {
    pub flow: &'a Flow,
    /// The flow file as given, for the report.
    pub file: String,
    pub vars: Vars,
}

/// Runs every step of the plan on `page` and returns what happened. When `cancel` fires, the
/// step in progress stops promptly (also inside long waits) and is reported as interrupted with
/// its actions so far and a screenshot of the moment; the remaining steps as skipped.
pub async fn run<P: Page>(
    plan: Plan<'_>,
    page: &P,
    opts: &RunOptions,
    observer: &mut dyn Observer,
    cancel: &CancellationToken,
) -> RunResult {
    run_phase(plan, page, opts, observer, cancel, None).await
}

/// [`run`] for the steps of one phase only (all steps when `None`), on a page that may already
/// be in use: a batch session runs the `session` steps (logging in) once, then the `row` steps
/// for each row on the same page. The result lists only the steps that belong to the phase.
pub async fn run_phase<P: Page>(
    plan: Plan<'_>,
    page: &P,
    opts: &RunOptions,
    observer: &mut dyn Observer,
    cancel: &CancellationToken,
    phase: Option<Phase>,
) -> RunResult {
    let Plan { flow, file, mut vars } = plan;
    let clock = Instant::now();
    let mut result = header(flow, file, &vars, opts, page.info());
    if phase == Some(Phase::Row) && opts.trace != TraceMode::Off {
        // A batch row runs in a tab that earlier rows used: its trace starts with this row.
        if let Err(e) = page.trace_read(false).await {
            tracing::debug!(error = %e, "could not clear the page's trace log");
        }
    }
    let sink = observer.activity_sink();
    let mut exec = Executor::new(flow, page, &mut vars, opts, observer, cancel.clone());
    exec.set_activity(sink);
    result.steps = exec.run_steps(phase).await;
    result.downloads = exec.downloads().to_vec();
    if exec.was_interrupted() {
        result.error = Some(interrupted_error());
    }
    conclude(&mut result, clock);
    result
}

/// The result of a run that never reached the browser (none could be started, or the run was
/// cancelled first): every step skipped, `error` saying why.
pub fn not_started(plan: Plan<'_>, opts: &RunOptions, error: Failure) -> RunResult {
    let Plan { flow, file, vars } = plan;
    let mut result = header(flow, file, &vars, opts, BrowserInfo::default());
    let reason = if error.kind == FailureKind::Interrupted {
        "Niet uitgevoerd: de run is onderbroken."
    } else {
        "Niet uitgevoerd: geen browser beschikbaar."
    };
    result.steps = flow
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| executor::skipped(i + 1, s, reason.into()))
        .collect();
    result.error = Some(ErrorInfo {
        kind: error.kind,
        message: error.message,
        locator: error.locator,
        found: error.found,
        ..ErrorInfo::default()
    });
    conclude(&mut result, Instant::now());
    result
}

fn interrupted_error() -> ErrorInfo {
    let f = Failure::interrupted();
    ErrorInfo {
        kind: f.kind,
        message: f.message,
        ..ErrorInfo::default()
    }
}

fn header(flow: &Flow, file: String, vars: &Vars, opts: &RunOptions, browser: BrowserInfo) -> RunResult {
    let now = Utc::now();
    RunResult {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        flow: FlowInfo {
            name: flow.name.clone(),
            title: flow.title.clone(),
            file,
        },
        params: params_for_report(flow, vars),
        base_url: opts.base_url.clone(),
        operator: None,
        ticket: None,
        lang: "nl".into(),
        browser,
        started: now,
        finished: now,
        duration_ms: 0,
        status: Status::Failed,
        exit_code: 0,
        mode: match opts.mode {
            Mode::Run | Mode::Recheck => "run".into(),
            Mode::Verify => "verify".into(),
        },
        steps: vec![],
        downloads: vec![],
        error: None,
        verify: None,
        trace: (opts.trace != trace::TraceMode::Off).then(|| opts.trace.as_str().to_string()),
    }
}

/// Sets the run's status (interrupted, failed or passed), end time, duration and exit code.
fn conclude(result: &mut RunResult, clock: Instant) {
    result.finished = Utc::now();
    result.duration_ms = clock.elapsed().as_millis() as u64;
    let interrupted = result
        .error
        .as_ref()
        .is_some_and(|e| e.kind == FailureKind::Interrupted)
        || result.steps.iter().any(|s| s.status == Status::Interrupted);
    let failed = result.error.is_some() || result.steps.iter().any(|s| s.status.is_failure());
    result.status = if interrupted {
        Status::Interrupted
    } else if failed {
        Status::Failed
    } else {
        Status::Passed
    };
    let no_browser = result.error.as_ref().is_some_and(|e| e.kind == FailureKind::NoBrowser);
    result.exit_code = result.status.exit_code(no_browser, None);
    tracing::info!(
        status = result.status.as_str(),
        duration_ms = result.duration_ms,
        "run finished"
    );
}

fn params_for_report(flow: &Flow, vars: &Vars) -> Vec<Param> {
    flow.params
        .iter()
        .map(|p| Param {
            name: p.name.clone(),
            value: if p.secret {
                "***".into()
            } else {
                vars.get(&p.name).unwrap_or_default()
            },
            secret: p.secret,
        })
        .collect()
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
