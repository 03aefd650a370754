//! The commands: wiring between the command line, the flow, the browser, the runner and the reports.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::batch::rundir::{prepare_out_dir, unique_run_dir};
use crate::browser::{Browser, BrowserKind, BrowserOptions, EarlyDriver};
use crate::cli::{BrowserArgs, Cli, Command, LogFormatArg, OutputArgs, PortalArgs, RunArgs, VerifyArgs};
use crate::error::CliError;
use crate::flow;
use crate::portal::{self, PortalConfig};
use crate::report::{self, console::Progress, logging::LogFormat, redact::Redactor};
use crate::run::result::{ErrorInfo, RunResult, Status, StepResult};
use crate::run::{self, Failure, FailureKind, Mode, Observer, Plan, RunOptions};
use crate::signals::Interrupt;
use crate::verify;
use tokio_util::sync::CancellationToken;

mod batch;
mod inspect;
mod schedule;

/// The shipped flow and its login sub-flow, embedded so that `demo` always runs exactly them.
const SHIPPED_FLOWS: [(&str, &str); 2] = [
    (
        "autoriseren-ecommerce-inzichten.toml",
        include_str!("../flows/autoriseren-ecommerce-inzichten.toml"),
    ),
    ("login.toml", include_str!("../flows/login.toml")),
];

/// The demo's parameters: the demo admin authorises themself on klantnummer 9401138.
pub const DEMO_KLANTNUMMER: &str = "9401138";
/// The demo admin as the replica lists them.
pub const DEMO_GEBRUIKER: &str = "GATUser, PostNL (PostNL)";

/// Runs a parsed command line.
pub fn main(cli: Cli) -> Result<(), CliError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(e.into()))?;
    rt.block_on(async move {
        match cli.command {
            Command::Check {
                flows,
                batch: Some(csv),
            } => batch::check_command(&flows, &csv),
            Command::Check { flows, batch: None } => check(&flows),
            Command::Schedule(args) => schedule::schedule_command(args, &listen()?).await,
            Command::Run(args) => run_command(args, &listen()?).await,
            Command::Demo(args) => demo(args.browser, args.output, &listen()?).await,
            Command::Portal(args) => serve_portal(args).await,
            Command::Verify(args) => verify_command(args, &listen()?).await,
            Command::Inspect(args) => inspect::inspect_command(args, &listen()?).await,
        }
    })
}

/// From here on SIGINT, SIGTERM and SIGHUP stop the run (and the report is still written).
fn listen() -> Result<Interrupt, CliError> {
    let interrupt = Interrupt::new();
    interrupt.listen().map_err(|e| CliError::Other(e.into()))?;
    Ok(interrupt)
}

fn check(paths: &[PathBuf]) -> Result<(), CliError> {
    let (schedules, flows): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| schedule::is_schedule_file(p));
    let (mut text, mut ok) = if flows.is_empty() {
        (String::new(), true)
    } else {
        flow::check(&flows)
    };
    for s in &schedules {
        let (t, good) = schedule::check_schedule(s);
        text.push_str(&t);
        ok &= good;
    }
    if ok {
        print!("{text}");
        Ok(())
    } else {
        Err(CliError::Invalid(text.trim_end().to_string()))
    }
}

async fn run_command(args: RunArgs, interrupt: &Interrupt) -> Result<(), CliError> {
    if args.pause_on_failure {
        pause_allowed(&args)?;
    }
    if let Some(csv) = args.batch.batch.clone() {
        return batch::run_command(args, csv, interrupt).await;
    }
    let env = |name: &str| std::env::var(name).ok();
    let req = RunRequest {
        flow: args.flow,
        base_url: args.base_url,
        params: args.params,
        prompt: !args.no_prompt,
        browser: args.browser.into(),
        output: args.output.into(),
        mode: Mode::Run,
        pause_on_failure: args.pause_on_failure,
    };
    run_flow(req, &env, interrupt).await.map(|_| ())
}

/// `--pause-on-failure` needs a window to look at and a terminal to press Enter on; refused
/// (exit 2) before any browser starts otherwise.
fn pause_allowed(args: &RunArgs) -> Result<(), CliError> {
    let why = if !args.browser.headed {
        Some("it needs --headed: a headless browser cannot be looked at")
    } else if args.batch.batch.is_some() {
        Some("it does not go with --batch: rows run unattended")
    } else if !is_terminal() {
        Some("it needs a terminal to press Enter on, but stdin is not one")
    } else {
        None
    };
    match why {
        Some(why) => Err(CliError::Invalid(format!("--pause-on-failure refused: {why}"))),
        None => Ok(()),
    }
}

/// Keeps the browser open after a failed step until Enter on the terminal, or until the run is
/// interrupted (Ctrl-C, SIGTERM).
async fn pause_at_failure(result: &RunResult, lang: report::Lang, redactor: &Redactor, cancel: &CancellationToken) {
    let failed = |s: &&StepResult| s.status.is_failure() && s.status != Status::Interrupted;
    let Some(step) = result.steps.iter().find(failed) else {
        return;
    };
    eprintln!("{}", redactor.redact(&lang.paused_at(&step.title)));
    wait_for_enter(cancel).await;
}

/// Returns when Enter is pressed on the terminal or `cancel` fires (Ctrl-C, SIGTERM).
async fn wait_for_enter(cancel: &CancellationToken) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    // A plain thread: a blocking read cannot be cancelled, and the process ends it on exit.
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = tx.send(());
    });
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = rx => {}
    }
}

async fn verify_command(args: VerifyArgs, interrupt: &Interrupt) -> Result<(), CliError> {
    if args.step.is_some() && !args.update_baseline {
        return Err(CliError::Invalid("--step N only goes with --update-baseline".into()));
    }
    if !(0.0..=100.0).contains(&args.pixel_threshold) {
        return Err(CliError::Invalid(format!(
            "--pixel-threshold must be a percentage from 0 to 100, got {}",
            args.pixel_threshold
        )));
    }
    let settings = verify::Settings {
        baseline: args.baseline.clone(),
        update: args.update_baseline,
        step: args.step,
        pixel_threshold: args.pixel_threshold / 100.0,
    };
    if let Some(csv) = args.batch.batch.clone() {
        return batch::verify_command(args, csv, settings, interrupt).await;
    }
    let env = |name: &str| std::env::var(name).ok();
    let req = RunRequest {
        flow: args.flow,
        base_url: args.base_url,
        params: args.params,
        prompt: !args.no_prompt,
        browser: args.browser.into(),
        output: args.output.into(),
        mode: Mode::Verify,
        pause_on_failure: false,
    };
    verify_flow(req, settings, &env, interrupt).await.map(|_| ())
}

async fn demo(browser: BrowserArgs, output: OutputArgs, interrupt: &Interrupt) -> Result<(), CliError> {
    let output = OutputSettings::from(output);
    init_logging(&output);
    let portal = portal::start(PortalConfig::default())
        .await
        .map_err(|e| CliError::Other(e.into()))?;
    let base_url = portal.base_url();
    println!("Replica of Mijn PostNL running at {base_url} (demo data only)");
    // Every demo run gets a folder of its own, under --out when given.
    let parent = output.out.clone().unwrap_or_else(|| PathBuf::from(RUNS_DIR));
    let out = unique_run_dir(&parent, "demo").map_err(|e| CliError::Invalid(e.to_string()))?;
    let flow_dir = out.join("flow");
    std::fs::create_dir_all(&flow_dir).map_err(|e| CliError::Other(e.into()))?;
    for (name, text) in SHIPPED_FLOWS {
        std::fs::write(flow_dir.join(name), text).map_err(|e| CliError::Other(e.into()))?;
    }
    let env = |name: &str| match name {
        "POSTNL_EMAIL" => Some(portal::DEMO_ADMIN_EMAIL.to_string()),
        "POSTNL_PASSWORD" => Some(portal::DEMO_PASSWORD.to_string()),
        _ => None,
    };
    let req = RunRequest {
        flow: flow_dir.join(SHIPPED_FLOWS[0].0),
        base_url: Some(base_url),
        params: vec![
            ("klantnummer".into(), DEMO_KLANTNUMMER.into()),
            ("gebruiker".into(), DEMO_GEBRUIKER.into()),
        ],
        prompt: false,
        browser: browser.into(),
        output: OutputSettings {
            out: Some(out),
            // The new folder holds the flow that runs.
            force: true,
            ..output
        },
        mode: Mode::Run,
        pause_on_failure: false,
    };
    let result = run_flow(req, &env, interrupt).await;
    portal.shutdown().await;
    if let Ok(outcome) = &result {
        println!(
            "Screenshots (one per step), downloads/ and the reports (report.html, report.json, junit.xml, run.log) are in {}",
            outcome.out_dir.display()
        );
    }
    result.map(|_| ())
}

async fn serve_portal(args: PortalArgs) -> Result<(), CliError> {
    let _logging = crate::report::logging::init(crate::report::logging::LogFormat::Text, false);
    let cfg = PortalConfig {
        bind: args.bind,
        port: args.port,
        state_file: args.state,
        latency: Duration::from_millis(args.latency_ms),
        tile_delay: Duration::from_secs(args.tile_delay),
        session_ttl: args.session_ttl.map(Duration::from_secs),
        fail_on: args.fail_on,
        force_password_change: args.force_password_change,
        variant: args.variant,
        renames: args.renames,
        seed_users: args.seed_users,
        cookie_iframe: args.cookie_iframe,
        shadow_tree: args.shadow_tree,
    };
    let handle = portal::start(cfg).await.map_err(|e| CliError::Other(e.into()))?;
    println!("Replica of Mijn PostNL listening on {}", handle.base_url());
    println!(
        "Demo login (demo only): {} / {}",
        portal::DEMO_ADMIN_EMAIL,
        portal::DEMO_PASSWORD
    );
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}

/// Everything one run needs.
pub struct RunRequest {
    pub flow: PathBuf,
    pub base_url: Option<String>,
    pub params: Vec<(String, String)>,
    /// Prompt on the terminal for missing secrets.
    pub prompt: bool,
    pub browser: BrowserSettings,
    pub output: OutputSettings,
    pub mode: Mode,
    /// Keep the browser open at a failing step until Enter (`run --headed --pause-on-failure`).
    pub pause_on_failure: bool,
}

/// Which browser a run uses and how long it waits.
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// Chromium or Firefox.
    pub browser: BrowserKind,
    /// A running WebDriver server; `None`: start our own driver.
    pub webdriver: Option<String>,
    /// The chromedriver to start; `None`: the one on PATH.
    pub driver: Option<PathBuf>,
    pub headed: bool,
    /// Default time an action waits for its element.
    pub timeout: Duration,
    /// Cap on long waits the flow asks for.
    pub max_wait: Option<Duration>,
}

/// Where a run's folder goes and how it talks.
#[derive(Debug, Clone)]
pub struct OutputSettings {
    /// The run folder; `None`: a new `runs/<UTC timestamp>-<flow name>/`.
    pub out: Option<PathBuf>,
    /// Write into `out` even when it is not empty.
    pub force: bool,
    /// Plain progress lines only.
    pub quiet: bool,
    pub log_format: LogFormat,
    /// Language of the reports and terminal messages.
    pub lang: report::Lang,
    /// Who had the robot do this; `None`: the OS user.
    pub operator: Option<String>,
    /// The ticket the run belongs to.
    pub ticket: Option<String>,
    /// What `--trace` records.
    pub trace: crate::run::TraceMode,
}

impl Default for OutputSettings {
    fn default() -> Self {
        OutputSettings {
            out: None,
            force: false,
            quiet: false,
            log_format: LogFormat::Text,
            lang: report::Lang::Nl,
            operator: None,
            ticket: None,
            trace: crate::run::TraceMode::default(),
        }
    }
}

impl From<BrowserArgs> for BrowserSettings {
    fn from(a: BrowserArgs) -> Self {
        BrowserSettings {
            browser: a.browser,
            webdriver: a.webdriver,
            driver: a.driver,
            headed: a.headed,
            timeout: Duration::from_secs_f64(a.timeout),
            max_wait: a.max_wait.map(Duration::from_secs_f64),
        }
    }
}

impl From<OutputArgs> for OutputSettings {
    fn from(a: OutputArgs) -> Self {
        OutputSettings {
            out: a.out,
            force: a.force,
            quiet: a.quiet,
            log_format: match a.log_format {
                LogFormatArg::Text => LogFormat::Text,
                LogFormatArg::Json => LogFormat::Json,
            },
            lang: a.lang,
            operator: a.operator,
            ticket: a.ticket,
            trace: a.trace,
        }
    }
}

/// A finished run: its facts and where its folder is.
pub struct RunOutcome {
    pub result: RunResult,
    pub out_dir: PathBuf,
}

fn init_logging(output: &OutputSettings) {
    // The subscriber stays installed; the guard only detaches a run log, and none is attached yet.
    drop(report::logging::init(output.log_format, output.quiet));
}

/// Where run folders go by default.
const RUNS_DIR: &str = "runs";

/// The run folder, checked before any browser starts: `--out` must be an empty (or, with
/// `--force`, any) real folder we can write in; by default a new `runs/<timestamp>-<flow>/`.
/// Its `downloads/` must not be a symbolic link. Answers the folder's canonical path.
fn run_folder(output: &OutputSettings, flow_name: &str) -> Result<PathBuf, CliError> {
    let invalid = |e: crate::batch::rundir::OutDirError| CliError::Invalid(e.to_string());
    let dir = match &output.out {
        Some(dir) => prepare_out_dir(dir, output.force, false).map_err(invalid)?,
        None => {
            let fresh = unique_run_dir(Path::new(RUNS_DIR), flow_name).map_err(invalid)?;
            prepare_out_dir(&fresh, false, false).map_err(invalid)?
        }
    };
    let downloads = dir.join("downloads");
    if std::fs::symlink_metadata(&downloads).is_ok_and(|m| !m.is_dir()) {
        return Err(CliError::Invalid(format!(
            "{}: is not a folder (a symbolic link or a file); remove it or use another --out",
            downloads.display()
        )));
    }
    std::fs::create_dir_all(&downloads)
        .map_err(|e| CliError::Invalid(format!("cannot create {}: {e}", downloads.display())))?;
    Ok(dir)
}

/// Loads, binds and runs one flow; writes the run folder and its reports. When `interrupt`
/// fires, the run stops, the browser is closed and the reports are still written.
pub async fn run_flow(
    req: RunRequest,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    interrupt: &Interrupt,
) -> Result<RunOutcome, CliError> {
    run_flow_with(req, None, env, interrupt).await
}

/// `verify`: a dry run of the flow (no committing action performed), then the baseline is
/// written (`settings.update`) or each step compared with it; the drift report is part of the
/// run folder's reports and the terminal summary is printed. Drift is [`CliError::Drift`]
/// (exit 5), a broken step [`CliError::Failed`] (exit 1).
pub async fn verify_flow(
    mut req: RunRequest,
    settings: verify::Settings,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    interrupt: &Interrupt,
) -> Result<RunOutcome, CliError> {
    req.mode = Mode::Verify;
    run_flow_with(req, Some(&settings), env, interrupt).await
}

async fn run_flow_with(
    req: RunRequest,
    verify: Option<&verify::Settings>,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    interrupt: &Interrupt,
) -> Result<RunOutcome, CliError> {
    init_logging(&req.output);
    // A driver of our own starts while the flow is read and bound; it opens nothing before
    // both passed, and a flow or parameters refused (exit 2) stop it again.
    let early = match no_display(&req.browser) {
        None => EarlyDriver::start(&BrowserOptions {
            browser: req.browser.browser,
            webdriver: req.browser.webdriver.clone(),
            driver_path: req.browser.driver.clone(),
            ..BrowserOptions::default()
        }),
        Some(_) => None,
    };
    let (flow, vars, base_url, out_dir) = match validate(&req, env) {
        Ok(v) => v,
        Err(e) => {
            if let Some(d) = early {
                d.discard().await;
            }
            return Err(e);
        }
    };
    let downloads = out_dir.join("downloads");
    if req.browser.webdriver.is_some() {
        share_downloads_dir(&downloads);
    }
    let redactor = Redactor::new(vars.secret_values());
    if let Err(e) = report::logging::set_run_log(&out_dir.join("run.log"), redactor.clone()) {
        tracing::warn!("cannot write run.log: {e}");
    }
    tracing::info!(flow = %flow.name, base_url = %base_url, out = %out_dir.display(), "run starts");

    let mut progress = Progress::new(req.output.quiet).with_lang(req.output.lang);
    let browser_opts = BrowserOptions {
        browser: req.browser.browser,
        webdriver: req.browser.webdriver.clone(),
        driver_path: req.browser.driver.clone(),
        headed: req.browser.headed,
        download_dir: out_dir.join("downloads"),
        ..BrowserOptions::default()
    };
    let opts = RunOptions {
        out_dir: out_dir.clone(),
        base_url,
        timeout: req.browser.timeout,
        max_wait: req.browser.max_wait,
        mode: req.mode,
        trace: req.output.trace,
    };
    let plan = Plan {
        flow: &flow,
        file: req.flow.display().to_string(),
        vars,
    };
    let cancel = interrupt.token();
    // Dropping a half-done launch (cancelled) stops its driver and removes its profile.
    let launched = match no_display(&req.browser) {
        Some(f) => Err(f),
        None => match Browser::launch_until_early(&browser_opts, cancel, early).await {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(Failure::interrupted()),
            Err(e) => Err(Failure::from(e)),
        },
    };
    let (mut result, closing) = match launched {
        Ok(browser) => {
            let result = run::run(plan, &browser, &opts, &mut progress, cancel).await;
            if req.pause_on_failure && result.status.is_failure() && result.status != Status::Interrupted {
                pause_at_failure(&result, req.output.lang, &redactor, cancel).await;
            }
            // The browser and its driver end while the reports are written (the result holds
            // all they need); waited for before the run log closes.
            (result, Some(tokio::spawn(browser.close())))
        }
        Err(f) => (run::not_started(plan, &opts, f), None),
    };
    result.lang = req.output.lang.code().to_string();
    result.operator = req.output.operator.clone().or_else(report::operator::os_user);
    result.ticket.clone_from(&req.output.ticket);
    let signal = interrupt.signal();
    let no_browser = result.error.as_ref().is_some_and(|e| e.kind == FailureKind::NoBrowser);
    result.exit_code = result.status.exit_code(no_browser, signal);
    let verified = match verify {
        Some(v) if !no_browser && result.status != Status::Interrupted => {
            let key = verify::key(&result.browser.name, browser_opts.window);
            verify::apply(&mut result, &out_dir, v, &key)
        }
        _ => Ok(()),
    };
    let written = report::write_all(&result, &out_dir, &redactor);
    if verify.is_some() {
        print!("{}", redactor.redact(&verify::summary(&result)));
    }
    progress.finish(&result, &out_dir);
    if let Some(closing) = closing {
        let _ = closing.await;
    }
    report::logging::clear_run_log();
    written.map_err(|e| {
        CliError::Other(anyhow::anyhow!(
            "the run ended {} (exit code {}), but its report could not be written: {}",
            result.status.as_str(),
            result.exit_code,
            redactor.redact(&e.to_string())
        ))
    })?;
    // Last: every other file of the run folder is written.
    report::write_manifest(&out_dir).map_err(|e| CliError::Other(e.into()))?;
    match verified {
        Err(e @ verify::VerifyError::NoBaseline(_)) | Err(e @ verify::VerifyError::NoSuchStep(_)) => {
            return Err(CliError::Invalid(e.to_string()))
        }
        Err(e) => return Err(CliError::Other(e.into())),
        Ok(()) => {}
    }
    match result.status {
        Status::Interrupted => Err(CliError::Interrupted(signal.unwrap_or(crate::error::Signal::Int))),
        _ if no_browser => Err(CliError::NoBrowser(
            redactor
                .redact(&result.error.as_ref().map(|e| e.message.clone()).unwrap_or_default())
                .into_owned(),
        )),
        Status::Failed | Status::CommittedUnknown | Status::Broken => {
            let failed = result.steps.iter().find(|s| s.status.is_failure());
            let msg = match failed {
                Some(s) if s.status == Status::CommittedUnknown => format!(
                    "{} stopped after a committing action was sent (outcome unknown): {}",
                    s.title,
                    describe_error(s.error.as_ref())
                ),
                Some(s) => format!("{} failed: {}", s.title, describe_error(s.error.as_ref())),
                None => describe_error(result.error.as_ref()),
            };
            Err(CliError::Failed(
                redactor
                    .redact(&format!("{msg}\nreport: {}", out_dir.join("report.html").display()))
                    .into_owned(),
            ))
        }
        Status::Changed => Err(CliError::Drift(
            redactor
                .redact(&format!(
                    "drift: {} changed since the baseline\nreport: {}",
                    result
                        .steps
                        .iter()
                        .filter(|s| s.status == Status::Changed)
                        .map(|s| s.title.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    out_dir.join("report.html").display()
                ))
                .into_owned(),
        )),
        Status::Passed | Status::Skipped | Status::NotVerified | Status::Unchanged => {
            Ok(RunOutcome { result, out_dir })
        }
    }
}

/// Reads and binds the flow and picks the run folder: the flow, its variables, the base URL and
/// the run folder; refused input is [`CliError::Invalid`] (exit 2).
fn validate(
    req: &RunRequest,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<(flow::Flow, flow::Vars, String, PathBuf), CliError> {
    let flow = flow::load(&req.flow).map_err(|e| CliError::Invalid(e.render()))?;
    let vars = flow::bind::bind(&flow, &req.params, env, req.prompt && is_terminal())
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let base_url = req.base_url.clone().or_else(|| flow.base_url.clone()).ok_or_else(|| {
        CliError::Invalid(format!(
            "{}: no base_url in the flow; pass --base-url URL",
            req.flow.display()
        ))
    })?;
    let out_dir = run_folder(&req.output, &flow.name)?;
    Ok((flow, vars, base_url, out_dir))
}

/// `--headed` with our own browser on Linux needs a display; say so plainly instead of letting
/// Chromium fail with a cryptic message.
fn no_display(b: &BrowserSettings) -> Option<Failure> {
    let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    let needs = b.headed && b.webdriver.is_none() && cfg!(all(unix, not(target_os = "macos")));
    (needs && !has("DISPLAY") && !has("WAYLAND_DISPLAY")).then(|| {
        Failure::new(
            FailureKind::NoBrowser,
            "--headed needs a display, but neither DISPLAY nor WAYLAND_DISPLAY is set: run without \
             --headed, or start it inside a desktop session (or under xvfb-run)",
        )
    })
}

fn describe_error(e: Option<&ErrorInfo>) -> String {
    let Some(e) = e else { return String::new() };
    let mut s = e.message.clone();
    if let Some(l) = &e.locator {
        if !s.contains(l.as_str()) {
            s.push_str(&format!("\n  locator: {l}"));
        }
    }
    if let Some(best) = e.did_you_mean.first() {
        s.push_str(&format!("\n  did you mean: {} \"{}\"?", best.kind, best.offered));
    }
    if !e.found.is_empty() {
        s.push_str("\n  the page offered instead:");
        for f in &e.found {
            s.push_str(&format!("\n    - {f}"));
        }
    }
    if let Some(shot) = &e.screenshot {
        s.push_str(&format!("\n  screenshot: {shot}"));
    }
    s
}

/// With a remote WebDriver (Selenium in another container) the browser writes downloads into
/// this same folder through a shared volume, as another user: let it.
fn share_downloads_dir(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)) {
            tracing::warn!("cannot open {} for the remote browser: {e}", dir.display());
        }
    }
}

fn is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

/// The console shows progress as the run goes.
impl Observer for Progress {
    fn step_started(&mut self, index: usize, total: usize, title: &str) {
        Progress::step_started(self, index, total, title);
    }
    fn step_finished(&mut self, step: &StepResult) {
        Progress::step_finished(self, step);
    }
    fn activity_sink(&self) -> Option<crate::run::ActivitySink> {
        Progress::activity_sink(self)
    }
}
