//! `schedule FILE.toml`: the scheduler loop with a [`Launcher`] that runs each job as `run` (one
//! set of parameters) or as a batch, and `check` of a schedule file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use crate::batch::run::{run_batch, withhold_new_password, BatchRequest};
use crate::batch::session::PASSWORD_CHANGE_STOP;
use crate::cli::ScheduleArgs;
use crate::error::CliError;
use crate::report::{self, logging::LogFormat, Redactor};
use crate::run::result::RunResult;
use crate::run::{Mode, Status};
use crate::schedule::history::RunStatus;
use crate::schedule::{self, Job, JobInput, JobOutcome, Launcher};
use crate::signals::Interrupt;

use super::batch::{process_env, request, secrets_redactor};
use super::{BrowserSettings, OutputSettings, RunRequest};

/// `schedule FILE.toml [--max-runs N]`.
pub(super) async fn schedule_command(args: ScheduleArgs, interrupt: &Interrupt) -> Result<(), CliError> {
    let output = OutputSettings {
        out: None,
        quiet: args.quiet,
        log_format: match args.log_format {
            crate::cli::LogFormatArg::Text => LogFormat::Text,
            crate::cli::LogFormatArg::Json => LogFormat::Json,
        },
        ..Default::default()
    };
    super::init_logging(&output);
    let loaded = schedule::load(&args.file).map_err(|e| CliError::Invalid(e.to_string()))?;
    let env = process_env();
    let mut redactor = Redactor::none();
    for job in &loaded.jobs {
        if let Ok(flow) = crate::flow::load(&job.flow) {
            redactor = redactor.merge(&secrets_redactor(&flow, &env));
        }
    }
    report::logging::set_global_redactor(redactor);
    println!(
        "Scheduler: {} job{} from {}; stop with Ctrl-C or SIGTERM",
        loaded.jobs.len(),
        if loaded.jobs.len() == 1 { "" } else { "s" },
        args.file.display()
    );
    for job in &loaded.jobs {
        if let Some(next) = job.next_after(chrono::Utc::now()) {
            println!(
                "  {} ({}): next run {}",
                job.name,
                job.cron_text,
                next.format("%Y-%m-%d %H:%M:%S UTC")
            );
        }
    }
    let launcher = Arc::new(JobLauncher {
        browser: BrowserSettings::from(args.browser),
        log_format: output.log_format,
        allow_password_change: args.allow_password_change,
        stop: interrupt.token().clone(),
        password_stop: Mutex::new(None),
    });
    let summary = schedule::run_schedule(&args.file, args.max_runs, interrupt.token().clone(), launcher.clone())
        .await
        .map_err(|e| match e {
            schedule::RunError::Schedule(e) => CliError::Invalid(e.to_string()),
            schedule::RunError::Lock(e) => CliError::Other(anyhow::anyhow!(e)),
        })?;
    println!(
        "Scheduler stopped: {} run{} started, {} skipped",
        summary.started,
        if summary.started == 1 { "" } else { "s" },
        summary.skipped
    );
    if let Some(why) = launcher.password_stop.lock().unwrap_or_else(|e| e.into_inner()).clone() {
        return Err(CliError::Failed(why));
    }
    Ok(())
}

/// `check FILE.toml` for a schedule file: the file itself, each job's flow and batch CSV.
pub(super) fn check_schedule(path: &Path) -> (String, bool) {
    let schedule = match schedule::load(path) {
        Ok(s) => s,
        Err(e) => return (format!("{e}\nfailed: {}\n", path.display()), false),
    };
    let mut out = String::new();
    let mut ok = true;
    for job in &schedule.jobs {
        let problem = match &job.input {
            JobInput::Batch(csv) => crate::batch::run::check_batch(&job.flow, csv)
                .err()
                .map(|e| e.to_string()),
            JobInput::Params(_) => crate::flow::load(&job.flow).err().map(|e| e.render()),
        };
        if let Some(p) = problem {
            ok = false;
            out.push_str(&format!("{p}\nfailed: job `{}` in {}\n", job.name, path.display()));
        }
    }
    if ok {
        out.push_str(&format!(
            "ok: {} (schedule, {} job{})\n",
            path.display(),
            schedule.jobs.len(),
            if schedule.jobs.len() == 1 { "" } else { "s" }
        ));
    }
    (out, ok)
}

/// Whether `path` is a schedule file (a TOML file with `[[jobs]]` and no steps).
pub(super) fn is_schedule_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match text.parse::<toml::Table>() {
        Ok(t) => t.contains_key("jobs") && !t.contains_key("steps"),
        Err(_) => false,
    }
}

/// Runs scheduled jobs with the scheduler's browser settings.
struct JobLauncher {
    browser: BrowserSettings,
    log_format: LogFormat,
    allow_password_change: bool,
    /// The scheduler's own stop: a portal asking for a new password ends the schedule.
    stop: CancellationToken,
    password_stop: Mutex<Option<String>>,
}

impl JobLauncher {
    fn password_change(&self, job: &Job) -> JobOutcome {
        let why = format!("job `{}`: {PASSWORD_CHANGE_STOP}; the scheduler stops", job.name);
        tracing::error!("{why}");
        self.password_stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(why.clone());
        self.stop.cancel();
        JobOutcome {
            status: RunStatus::Error,
            exit_code: Some(i32::from(crate::error::EXIT_FAILED)),
            message: Some(why),
        }
    }

    async fn run_one(
        &self,
        job: &Job,
        params: &BTreeMap<String, String>,
        folder: &Path,
        cancel: CancellationToken,
    ) -> JobOutcome {
        let flow = match crate::flow::load(&job.flow) {
            Ok(f) => f,
            Err(e) => return error_outcome(crate::error::EXIT_INVALID, e.render()),
        };
        let env = withhold_new_password(&flow, process_env(), self.allow_password_change);
        let req = RunRequest {
            flow: job.flow.clone(),
            base_url: job.base_url.clone(),
            params: params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            prompt: false,
            browser: self.browser.clone(),
            output: OutputSettings {
                out: Some(folder.to_path_buf()),
                quiet: true,
                log_format: self.log_format,
                ..Default::default()
            },
            mode: Mode::Run,
            pause_on_failure: false,
        };
        let interrupt = Interrupt::from_token(cancel);
        let result = match verify_settings(job) {
            Some(settings) => super::verify_flow(req, settings, &*env, &interrupt).await,
            None => super::run_flow(req, &*env, &interrupt).await,
        };
        let report: Option<RunResult> = std::fs::read(folder.join(report::JSON_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        match result {
            Ok(_) => JobOutcome {
                status: RunStatus::Passed,
                exit_code: Some(0),
                message: None,
            },
            Err(e) => {
                let message = e.to_string();
                if asks_new_password(&flow, &message) {
                    return self.password_change(job);
                }
                let status = match (&e, report.map(|r| r.status)) {
                    (CliError::Interrupted(_), _) | (_, Some(Status::Interrupted)) => RunStatus::Interrupted,
                    (CliError::Drift(_), _) => RunStatus::Drift,
                    (_, Some(Status::CommittedUnknown)) => RunStatus::CommittedUnknown,
                    (CliError::Failed(_), _) => RunStatus::Failed,
                    _ => RunStatus::Error,
                };
                JobOutcome {
                    status,
                    exit_code: Some(i32::from(e.code())),
                    message: Some(message),
                }
            }
        }
    }

    async fn run_batch(&self, job: &Job, csv: &Path, folder: &Path, cancel: CancellationToken) -> JobOutcome {
        let req = BatchRequest {
            allow_password_change: self.allow_password_change,
            silent: true,
            mode: if job.mode == schedule::Mode::Verify {
                Mode::Verify
            } else {
                Mode::Run
            },
            verify: verify_settings(job),
            ..request(
                job.flow.clone(),
                csv.to_path_buf(),
                job.base_url.clone(),
                &self.browser,
                Some(folder.to_path_buf()),
            )
        };
        let interrupt = Interrupt::from_token(cancel);
        match run_batch(req, process_env(), &interrupt).await {
            Ok(outcome) => {
                let r = &outcome.report;
                if r.stopped.is_some() {
                    return self.password_change(job);
                }
                let status = if r.exit_code == 0 {
                    RunStatus::Passed
                } else if r
                    .rows
                    .iter()
                    .any(|row| row.status == "interrupted" || row.exit_code >= 128)
                {
                    RunStatus::Interrupted
                } else if r.exit_code == crate::error::EXIT_DRIFT {
                    RunStatus::Drift
                } else if r.rows.iter().any(|row| row.status == "committed-unknown") {
                    RunStatus::CommittedUnknown
                } else {
                    RunStatus::Failed
                };
                let bad = r.rows.len() - r.count("passed") - r.count("skipped");
                JobOutcome {
                    status,
                    exit_code: Some(i32::from(r.exit_code)),
                    message: (bad > 0)
                        .then(|| format!("{bad} of {} rows did not pass (see results.csv)", r.rows.len())),
                }
            }
            Err(e) => {
                let message = e.to_string();
                error_outcome(super::batch::cli_error(e).code(), message)
            }
        }
    }
}

impl Launcher for JobLauncher {
    async fn launch(&self, job: &Job, folder: &Path, cancel: CancellationToken) -> JobOutcome {
        match (job.mode, &job.input) {
            (_, JobInput::Params(p)) => self.run_one(job, p, folder, cancel).await,
            (_, JobInput::Batch(csv)) => {
                let csv: PathBuf = csv.clone();
                self.run_batch(job, &csv, folder, cancel).await
            }
        }
    }
}

/// A verify job's comparison settings (the default pixel threshold); `None` for a run job.
fn verify_settings(job: &Job) -> Option<crate::verify::Settings> {
    match (job.mode, &job.baseline) {
        (schedule::Mode::Verify, Some(b)) => Some(crate::verify::Settings {
            baseline: b.clone(),
            update: false,
            step: None,
            pixel_threshold: crate::verify::DEFAULT_PIXEL_THRESHOLD,
        }),
        _ => None,
    }
}

fn error_outcome(code: u8, message: String) -> JobOutcome {
    JobOutcome {
        status: RunStatus::Error,
        exit_code: Some(i32::from(code)),
        message: Some(message),
    }
}

/// Whether a run's error says the flow needed the withheld new-password secret.
fn asks_new_password(flow: &crate::flow::Flow, message: &str) -> bool {
    flow.secrets
        .iter()
        .filter(|s| s.name == crate::batch::session::NEW_PASSWORD_SECRET)
        .any(|s| {
            message.contains(
                &crate::flow::RenderError::MissingSecret {
                    name: s.name.clone(),
                    env: s.env.clone(),
                }
                .to_string(),
            )
        })
}
