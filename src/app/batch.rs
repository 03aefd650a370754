//! `run FLOW --batch FILE.csv` and `check FLOW --batch FILE.csv`: command-line wiring of
//! [`crate::batch::run`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::batch::run::{check_batch, run_batch, BatchError, BatchRequest, Env};
use crate::browser::BrowserOptions;
use crate::cli::{RunArgs, VerifyArgs};
use crate::error::{CliError, Signal, EXIT_FAILED, EXIT_INVALID, EXIT_NO_BROWSER, EXIT_PASSED};
use crate::flow::Flow;
use crate::report::{self, Redactor};
use crate::run::Mode;
use crate::signals::Interrupt;
use crate::verify;

use super::{BrowserSettings, OutputSettings};

/// The environment secrets come from (as for `run`).
pub(super) fn process_env() -> Env {
    Arc::new(|name: &str| std::env::var(name).ok())
}

/// Every secret of `flow` found in `env`, for redacting all output of the process.
pub(super) fn secrets_redactor(flow: &Flow, env: &Env) -> Redactor {
    Redactor::new(
        flow.secrets
            .iter()
            .filter_map(|s| env(&s.env))
            .filter(|v| !v.is_empty()),
    )
}

/// The browser a batch or scheduled run starts (downloads go to each session's folder).
pub(super) fn browser_options(b: &BrowserSettings) -> BrowserOptions {
    BrowserOptions {
        browser: b.browser,
        webdriver: b.webdriver.clone(),
        driver_path: b.driver.clone(),
        headed: b.headed,
        ..BrowserOptions::default()
    }
}

/// A batch request from the settings of `run`.
pub(super) fn request(
    flow: PathBuf,
    csv: PathBuf,
    base_url: Option<String>,
    browser: &BrowserSettings,
    out: Option<PathBuf>,
) -> BatchRequest {
    BatchRequest {
        flow,
        csv,
        base_url,
        parallel: 1,
        resume: false,
        out,
        allow_password_change: false,
        browser: browser_options(browser),
        timeout: browser.timeout,
        max_wait: browser.max_wait,
        mode: Mode::Run,
        verify: None,
        silent: false,
        trace: crate::run::TraceMode::default(),
    }
}

/// `run FLOW --batch FILE.csv …`.
pub(super) async fn run_command(args: RunArgs, csv: PathBuf, interrupt: &Interrupt) -> Result<(), CliError> {
    let output = OutputSettings::from(args.output);
    let browser = BrowserSettings::from(args.browser);
    let req = BatchRequest {
        parallel: usize::from(args.batch.parallel),
        resume: args.batch.resume,
        allow_password_change: args.batch.allow_password_change,
        trace: output.trace,
        ..request(args.flow, csv, args.base_url, &browser, output.out.clone())
    };
    batch_command(req, &output, interrupt).await
}

/// `verify FLOW --baseline DIR --batch FILE.csv …`: every row verified against one baseline.
pub(super) async fn verify_command(
    args: VerifyArgs,
    csv: PathBuf,
    settings: verify::Settings,
    interrupt: &Interrupt,
) -> Result<(), CliError> {
    if settings.update {
        return Err(CliError::Invalid(
            "--update-baseline writes one baseline from one run: use it without --batch, with -p NAME=VALUE".into(),
        ));
    }
    if !settings.baseline.is_dir() {
        return Err(CliError::Invalid(format!(
            "no baseline in {}: write one first with verify --update-baseline (without --batch)",
            settings.baseline.display()
        )));
    }
    let output = OutputSettings::from(args.output);
    let browser = BrowserSettings::from(args.browser);
    let req = BatchRequest {
        parallel: usize::from(args.batch.parallel),
        resume: args.batch.resume,
        allow_password_change: args.batch.allow_password_change,
        mode: Mode::Verify,
        verify: Some(settings),
        trace: output.trace,
        ..request(args.flow, csv, args.base_url, &browser, output.out.clone())
    };
    batch_command(req, &output, interrupt).await
}

async fn batch_command(req: BatchRequest, output: &OutputSettings, interrupt: &Interrupt) -> Result<(), CliError> {
    super::init_logging(output);
    let env = process_env();
    if let Ok(flow) = crate::flow::load(&req.flow) {
        report::logging::set_global_redactor(secrets_redactor(&flow, &env));
    }
    let verifying = req.verify.is_some();
    let outcome = run_batch(req, env, interrupt).await.map_err(cli_error)?;
    let r = &outcome.report;
    let failed = r.rows.len() - r.count("passed") - r.count("skipped") - r.count("not-run");
    println!(
        "Batch: {} rows — {} passed, {failed} {}, {} skipped (passed before), {} not run",
        r.rows.len(),
        r.count("passed"),
        if verifying { "changed or broken" } else { "failed" },
        r.count("skipped"),
        r.count("not-run"),
    );
    println!(
        "Results: {}",
        outcome.dir.join(crate::batch::results::FILE_NAME).display()
    );
    println!("Report:  {}", outcome.dir.join(report::HTML_FILE).display());
    let summary = match &r.stopped {
        Some(why) => format!("the batch stopped: {why}"),
        None => format!(
            "{failed} of {} rows did not pass; see {}",
            r.rows.len(),
            outcome.dir.join(report::HTML_FILE).display()
        ),
    };
    outcome_error(r.exit_code, summary, interrupt.signal())
}

/// `check FLOW --batch FILE.csv`: the CSV against the flow, without a browser.
pub(super) fn check_command(flows: &[PathBuf], csv: &Path) -> Result<(), CliError> {
    let [flow] = flows else {
        return Err(CliError::Invalid("check --batch takes exactly one flow file".into()));
    };
    let (_, batch) = check_batch(flow, csv).map_err(cli_error)?;
    println!(
        "ok: {} ({} row{}, columns: {})",
        csv.display(),
        batch.rows.len(),
        if batch.rows.len() == 1 { "" } else { "s" },
        batch
            .param_columns
            .iter()
            .chain(&batch.extra_columns)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

pub(super) fn cli_error(e: BatchError) -> CliError {
    match e {
        BatchError::Invalid(m) => CliError::Invalid(m),
        BatchError::Other(m) => CliError::Other(anyhow::anyhow!(m)),
    }
}

/// The command's result for the worst row's exit code.
fn outcome_error(code: u8, summary: String, signal: Option<Signal>) -> Result<(), CliError> {
    match code {
        EXIT_PASSED => Ok(()),
        EXIT_FAILED => Err(CliError::Failed(summary)),
        EXIT_INVALID => Err(CliError::Invalid(summary)),
        EXIT_NO_BROWSER => Err(CliError::NoBrowser(summary)),
        crate::error::EXIT_DRIFT => Err(CliError::Drift(summary)),
        c if c >= 128 => Err(CliError::Interrupted(signal.unwrap_or(match c {
            129 => Signal::Hup,
            143 => Signal::Term,
            _ => Signal::Int,
        }))),
        _ => Err(CliError::Other(anyhow::anyhow!(summary))),
    }
}
