//! The commands: wiring between the command line, the flow, the browser, the runner and the reports.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::browser::{Browser, BrowserOptions};
use crate::cli::{BrowserArgs, Cli, Command, LogFormatArg, OutputArgs, PortalArgs, RunArgs};
use crate::error::CliError;
use crate::flow::{self, bind::Vars, Flow};
use crate::portal::{self, PortalConfig};
use crate::report::{self, console::Progress, redact::Redactor};
use crate::run::executor::{self, Executor, Mode, Observer, RunOptions};
use crate::run::result::*;

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
            Command::Check { flows } => check(&flows),
            Command::Run(args) => run_command(args).await,
            Command::Demo(args) => demo(args.browser, args.output).await,
            Command::Portal(args) => serve_portal(args).await,
        }
    })
}

fn check(paths: &[PathBuf]) -> Result<(), CliError> {
    let (text, ok) = flow::check(paths);
    if ok {
        print!("{text}");
        Ok(())
    } else {
        Err(CliError::Invalid(text.trim_end().to_string()))
    }
}

async fn run_command(args: RunArgs) -> Result<(), CliError> {
    let env = |name: &str| std::env::var(name).ok();
    let req = RunRequest {
        flow: args.flow,
        base_url: args.base_url,
        params: args.params,
        prompt: !args.no_prompt,
        browser: args.browser,
        output: args.output,
        mode: Mode::Run,
    };
    run_flow(req, &env).await.map(|_| ())
}

async fn demo(browser: BrowserArgs, output: OutputArgs) -> Result<(), CliError> {
    init_logging(&output);
    let portal = portal::start(PortalConfig::default())
        .await
        .map_err(|e| CliError::Other(e.into()))?;
    let base_url = portal.base_url();
    println!("Replica of Mijn PostNL running at {base_url} (demo data only)");
    let out = output.out.clone().unwrap_or_else(|| default_out_dir("demo"));
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
        browser,
        output: OutputArgs {
            out: Some(out),
            ..output
        },
        mode: Mode::Run,
    };
    let result = run_flow(req, &env).await;
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
    pub browser: BrowserArgs,
    pub output: OutputArgs,
    pub mode: Mode,
}

/// A finished run: its facts and where its folder is.
pub struct RunOutcome {
    pub result: RunResult,
    pub out_dir: PathBuf,
}

fn init_logging(output: &OutputArgs) {
    let format = match output.log_format {
        LogFormatArg::Text => report::logging::LogFormat::Text,
        LogFormatArg::Json => report::logging::LogFormat::Json,
    };
    // The subscriber stays installed; the guard only detaches a run log, and none is attached yet.
    drop(report::logging::init(format, output.quiet));
}

fn default_out_dir(flow_name: &str) -> PathBuf {
    PathBuf::from("runs").join(format!("{}-{flow_name}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")))
}

/// Loads, binds and runs one flow; writes the run folder and its reports.
pub async fn run_flow(req: RunRequest, env: &dyn Fn(&str) -> Option<String>) -> Result<RunOutcome, CliError> {
    init_logging(&req.output);
    let flow = flow::parse::load(&req.flow).map_err(|e| CliError::Invalid(e.render()))?;
    let mut vars = flow::bind::bind(&flow, &req.params, env, req.prompt && is_terminal())
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let base_url = req.base_url.clone().or_else(|| flow.base_url.clone()).ok_or_else(|| {
        CliError::Invalid(format!(
            "{}: no base_url in the flow; pass --base-url URL",
            req.flow.display()
        ))
    })?;
    let out_dir = req.output.out.clone().unwrap_or_else(|| default_out_dir(&flow.name));
    let downloads = out_dir.join("downloads");
    std::fs::create_dir_all(&downloads)
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot create {}: {e}", downloads.display())))?;
    let out_dir = std::fs::canonicalize(&out_dir).map_err(|e| CliError::Other(e.into()))?;
    if req.browser.webdriver.is_some() {
        share_downloads_dir(&downloads);
    }
    let redactor = Redactor::new(vars.secret_values());
    if let Err(e) = report::logging::set_run_log(&out_dir.join("run.log"), redactor.clone()) {
        tracing::warn!("cannot write run.log: {e}");
    }
    tracing::info!(flow = %flow.name, base_url = %base_url, out = %out_dir.display(), "run starts");

    let started = chrono::Utc::now();
    let clock = Instant::now();
    let mut progress = Collector {
        progress: Progress::new(req.output.quiet),
        steps: vec![],
    };
    let browser_opts = BrowserOptions {
        webdriver: req.browser.webdriver.clone(),
        driver_path: req.browser.driver.clone(),
        headed: req.browser.headed,
        download_dir: out_dir.join("downloads"),
        ..BrowserOptions::default()
    };
    let mut result = RunResult {
        schema_version: SCHEMA_VERSION,
        flow: FlowInfo {
            name: flow.name.clone(),
            title: flow.title.clone(),
            file: req.flow.display().to_string(),
        },
        params: params_for_report(&flow, &vars),
        base_url: base_url.clone(),
        browser: BrowserInfo::default(),
        started,
        duration_ms: 0,
        status: Status::Failed,
        mode: match req.mode {
            Mode::Run => "run".into(),
            Mode::Verify => "verify".into(),
        },
        steps: vec![],
        downloads: vec![],
        error: None,
    };

    let browser = match Browser::launch(&browser_opts).await {
        Ok(b) => b,
        Err(e) => {
            let msg = e.to_string();
            result.error = Some(ErrorInfo {
                message: msg.clone(),
                ..ErrorInfo::default()
            });
            result.steps = flow
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| executor::skipped(i + 1, s, "Niet uitgevoerd: geen browser beschikbaar.".into()))
                .collect();
            finish(&mut result, clock, &out_dir, &redactor, &progress.progress)?;
            return Err(CliError::NoBrowser(redactor.redact(&msg).into_owned()));
        }
    };
    let info = browser.info();
    result.browser = BrowserInfo {
        name: info.name.clone(),
        version: info.version.clone(),
        webdriver: info.webdriver.clone(),
    };
    let opts = RunOptions {
        out_dir: out_dir.clone(),
        base_url,
        timeout: Duration::from_secs_f64(req.browser.timeout),
        max_wait: req.browser.max_wait.map(Duration::from_secs_f64),
        mode: req.mode,
    };
    let interrupted = {
        let mut exec = Executor::new(&flow, &browser, &mut vars, &opts);
        let interrupted = tokio::select! {
            _ = exec.run_steps(&mut progress) => false,
            _ = tokio::signal::ctrl_c() => true,
        };
        result.downloads = exec.downloads().to_vec();
        interrupted
    };
    browser.close().await;
    result.steps = std::mem::take(&mut progress.steps);
    if interrupted {
        tracing::warn!("interrupted by Ctrl-C");
        result.error = Some(ErrorInfo {
            message: "Onderbroken (Ctrl-C).".into(),
            ..ErrorInfo::default()
        });
        complete_with_skipped(&mut result.steps, &flow, "Niet uitgevoerd: de run is onderbroken.");
    }
    finish(&mut result, clock, &out_dir, &redactor, &progress.progress)?;
    report::logging::clear_run_log();
    if interrupted {
        return Err(CliError::Interrupted);
    }
    match result.status {
        Status::Failed => {
            let failed = result.steps.iter().find(|s| s.status == Status::Failed);
            let msg = match failed {
                Some(s) => format!("{} failed: {}", s.title, describe_error(s.error.as_ref())),
                None => "the run failed".into(),
            };
            Err(CliError::Failed(
                redactor
                    .redact(&format!("{msg}\nreport: {}", out_dir.join("report.html").display()))
                    .into_owned(),
            ))
        }
        _ => Ok(RunOutcome { result, out_dir }),
    }
}

fn describe_error(e: Option<&ErrorInfo>) -> String {
    let Some(e) = e else { return String::new() };
    let mut s = e.message.clone();
    if let Some(l) = &e.locator {
        if !s.contains(l.as_str()) {
            s.push_str(&format!("\n  locator: {l}"));
        }
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

fn complete_with_skipped(steps: &mut Vec<StepResult>, flow: &Flow, reason: &str) {
    for (i, s) in flow.steps.iter().enumerate().skip(steps.len()) {
        steps.push(executor::skipped(i + 1, s, reason.into()));
    }
}

fn finish(
    result: &mut RunResult,
    clock: Instant,
    out_dir: &Path,
    redactor: &Redactor,
    progress: &Progress,
) -> Result<(), CliError> {
    result.duration_ms = clock.elapsed().as_millis() as u64;
    let any_failed = result.error.is_some() || result.steps.iter().any(|s| s.status == Status::Failed);
    result.status = if any_failed { Status::Failed } else { Status::Passed };
    tracing::info!(status = ?result.status, duration_ms = result.duration_ms, "run finished");
    report::write_all(result, out_dir, redactor).map_err(|e| CliError::Other(e.into()))?;
    progress.finish(result, out_dir);
    Ok(())
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

/// Forwards progress to the console and keeps the finished steps (so an interrupted run keeps them).
struct Collector {
    progress: Progress,
    steps: Vec<StepResult>,
}

impl Observer for Collector {
    fn step_started(&mut self, index: usize, total: usize, title: &str) {
        self.progress.step_started(index, total, title);
    }
    fn step_finished(&mut self, step: &StepResult) {
        self.progress.step_finished(step);
        self.steps.push(step.clone());
    }
}
