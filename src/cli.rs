//! The command line (clap derive).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Replays the Mijn PostNL guide "Gebruiker autoriseren" in a real browser.
#[derive(Debug, Parser)]
#[command(name = "postnl-robot", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a flow in a real browser, with a screenshot per step and a report.
    Run(RunArgs),
    /// Validate flow files (or schedule files) offline; with --batch, a batch CSV against its flow.
    Check {
        /// Flow files or schedule files (a TOML file with `[[jobs]]`) to check.
        #[arg(required = true)]
        flows: Vec<PathBuf>,
        /// Check this batch CSV against the (one) flow given, without a browser.
        #[arg(long, value_name = "FILE.csv")]
        batch: Option<PathBuf>,
    },
    /// Run the jobs of a schedule file at their cron times, until stopped (SIGTERM, Ctrl-C).
    Schedule(ScheduleArgs),
    /// Start the embedded replica and run the shipped flow against it as the demo admin (each run
    /// in a new folder).
    Demo(DemoArgs),
    /// Serve the replica of the Mijn PostNL portal.
    Portal(PortalArgs),
    /// Replay a flow without saving and compare every step with a baseline (exit 0: unchanged,
    /// 5: drift, 1: a step is broken).
    Verify(VerifyArgs),
    /// Open a page (after a login sub-flow, when given) and print what a person sees there as
    /// ready-to-paste flow locators, grouped by region.
    Inspect(InspectArgs),
}

/// Options shared by everything that drives a browser.
#[derive(Debug, Clone, Args)]
pub struct BrowserArgs {
    /// The browser: chromium (through chromedriver) or firefox (through geckodriver); with
    /// --webdriver, the browserName the session asks the Grid for.
    #[arg(long, value_enum, default_value_t = crate::browser::BrowserKind::Chromium)]
    pub browser: crate::browser::BrowserKind,
    /// Use this WebDriver server (Selenium Grid, remote chromedriver) instead of starting a driver.
    #[arg(long, value_name = "URL", value_parser = parse_webdriver_url)]
    pub webdriver: Option<String>,
    /// The driver binary to start (default: `chromedriver`, or for firefox `geckodriver`, on PATH).
    #[arg(long, value_name = "PATH")]
    pub driver: Option<PathBuf>,
    /// Show the browser window instead of running headless.
    #[arg(long)]
    pub headed: bool,
    /// Default time (seconds) an action waits for its element: more than 0, at most 86400.
    #[arg(long, value_name = "SECS", default_value_t = 20.0, value_parser = parse_seconds)]
    pub timeout: f64,
    /// Cap (seconds) on long waits the flow asks for (e.g. the tile that can take 60 minutes):
    /// more than 0, at most 86400.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub max_wait: Option<f64>,
}

/// Options shared by everything that writes a run folder.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// The run folder (default: a new runs/<UTC timestamp>-<flow name>/); for `demo`, the folder
    /// each run makes a new subfolder in.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into an existing, non-empty --out folder (refused otherwise).
    #[arg(long)]
    pub force: bool,
    /// Plain progress lines only (no spinners).
    #[arg(long, short)]
    pub quiet: bool,
    /// Format of run.log.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
    /// Language of the reports and terminal messages.
    #[arg(long, value_enum, default_value_t = crate::report::Lang::Nl, env = "POSTNL_LANG")]
    pub lang: crate::report::Lang,
    /// Who had the robot do this, for the report (default: the OS user).
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// The ticket this run belongs to, for the report (e.g. INC-4711).
    #[arg(long, value_name = "ID")]
    pub ticket: Option<String>,
    /// Evidence for debugging: `on-failure` keeps the page, its DOM, console and network log
    /// when a step stops; `on` also before and after every action; `off` nothing beyond the
    /// step screenshots. Written under trace/ in the run folder.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = crate::run::TraceMode::OnFailure, env = "POSTNL_TRACE")]
    pub trace: crate::run::TraceMode,
}

/// `run`.
#[derive(Debug, Args)]
#[command(after_help = RUN_HELP)]
pub struct RunArgs {
    /// The flow file, e.g. flows/autoriseren-ecommerce-inzichten.toml.
    pub flow: PathBuf,
    /// The portal to run against (overrides the flow's base_url).
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// A flow parameter, e.g. --param klantnummer=9401138 (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Never prompt for missing secrets, even on a terminal.
    #[arg(long)]
    pub no_prompt: bool,
    /// With --headed, on a terminal: keep the browser open at a failing step until Enter.
    #[arg(long)]
    pub pause_on_failure: bool,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub browser: BrowserArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The flow file, e.g. flows/autoriseren-ecommerce-inzichten.toml.
    pub flow: PathBuf,
    /// The baseline folder (one sub-folder per browser and viewport, e.g. chromium-1280x900/).
    #[arg(long, value_name = "DIR")]
    pub baseline: PathBuf,
    /// Write the baseline from this run instead of comparing with it.
    #[arg(long)]
    pub update_baseline: bool,
    /// With --update-baseline: accept only step N's change (1-based).
    #[arg(long, value_name = "N")]
    pub step: Option<usize>,
    /// Percentage of a screenshot's pixels that may differ before the step counts as changed.
    #[arg(long, value_name = "PERCENT", default_value_t = crate::verify::DEFAULT_PIXEL_THRESHOLD * 100.0)]
    pub pixel_threshold: f64,
    /// The portal to verify (overrides the flow's base_url).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// A flow parameter, e.g. --param klantnummer=9401138 (repeatable).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Never prompt for missing secrets, even on a terminal.
    #[arg(long)]
    pub no_prompt: bool,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub browser: BrowserArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What `run --help` adds after the options: environment variables and exit codes.
const RUN_HELP: &str = "\
Environment variables:
  POSTNL_EMAIL          e-mail address of the portal login (else a hidden prompt on a terminal)
  POSTNL_PASSWORD       password of the portal login (else a hidden prompt on a terminal)
  POSTNL_NEW_PASSWORD   new password, only when the portal asks for one once at the first login
  POSTNL_LANG           nl or en: the language of reports and messages (as --lang)
  POSTNL_TRACE          on, off or on-failure: what --trace records (as --trace)
  RUST_LOG              detail of run.log and stderr (e.g. debug); secrets are always masked
  NO_COLOR              no colours in the terminal
  DISPLAY / WAYLAND_DISPLAY  needed for --headed

Exit codes:
  0    passed
  1    a step failed, or a committing action was sent and its outcome is unknown
  2    invalid usage, flow, parameters or secrets (nothing was started)
  3    no browser or WebDriver available
  4    other errors
  5    reserved for drift found by verify
  129 / 130 / 143  interrupted by SIGHUP / SIGINT (Ctrl-C) / SIGTERM";

/// Options of a batch run (`run FLOW --batch FILE.csv`).
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// Run the flow once for every row of this CSV file (its header names the flow's parameters).
    #[arg(long, value_name = "FILE.csv", conflicts_with = "params")]
    pub batch: Option<PathBuf>,
    /// With --batch: how many browser sessions work through the rows (1 to 16).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "batch",
          value_parser = clap::value_parser!(u16).range(1..=16))]
    pub parallel: u16,
    /// With --batch: continue the batch in --out, skipping rows that passed.
    #[arg(long, requires = "batch")]
    pub resume: bool,
    /// With --batch: let the flow set a new password when the portal asks for one (by default
    /// the batch stops, as one changed password would lock out the other sessions).
    #[arg(long, requires = "batch")]
    pub allow_password_change: bool,
}

/// `schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The schedule file (TOML with `[[jobs]]`), e.g. deploy/schedule.toml.
    pub file: PathBuf,
    /// Stop after this many started runs (skips do not count), once they finish.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_runs: Option<u64>,
    /// Let flows set a new password when the portal asks for one (by default the run stops).
    #[arg(long)]
    pub allow_password_change: bool,
    #[command(flatten)]
    pub browser: BrowserArgs,
    /// Plain progress lines only.
    #[arg(long, short)]
    pub quiet: bool,
    /// Format of the logs.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The page to inspect, an http(s) URL.
    #[arg(value_parser = parse_base_url)]
    pub url: String,
    /// Run this flow first (e.g. flows/login.toml; secrets from the environment as for `run`),
    /// against the URL's site.
    #[arg(long, value_name = "FLOW")]
    pub login: Option<PathBuf>,
    /// With --headed, on a terminal: leave the browser open until Enter (or Ctrl-C).
    #[arg(long)]
    pub pause: bool,
    /// Never prompt for missing secrets, even on a terminal.
    #[arg(long)]
    pub no_prompt: bool,
    #[command(flatten)]
    pub browser: BrowserArgs,
}

/// `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub browser: BrowserArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `portal`.
#[derive(Debug, Args)]
pub struct PortalArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Persist the state to this JSON file (loaded at start when present).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Extra latency on every response, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Seconds before the 'E-commerce Inzichten' tile appears after saving (the guide: up to 3600).
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub tile_delay: u64,
    /// Sessions expire after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub session_ttl: Option<u64>,
    /// Answer HTTP 500 on a route prefix (optionally for one method only), for a fraction of
    /// requests (default 1), optionally only the first N times: /apex/BPG_Home:0.5,
    /// /apex/api/autorisaties*1, "POST /apex/api/autorisaties" (the save, not the data loading).
    #[arg(long, value_name = "[METHOD ]ROUTE[:RATE][*N]", value_parser = crate::portal::parse_fail_rule)]
    pub fail_on: Vec<crate::portal::FailRule>,
    /// Every user must set a new password at the first login.
    #[arg(long)]
    pub force_password_change: bool,
    /// Which rendition of the portal to serve: classic (the guide), alt (the guide's texts in other
    /// markup, timing and obstacles), apex (an Oracle APEX application: Popup LOV, a modal
    /// dialog page in an iframe) or redesign (drift: a renamed label).
    #[arg(long, value_name = "NAME", default_value = "classic")]
    pub variant: crate::portal::Variant,
    /// Show a label under another text, as a release that renamed it (repeatable), e.g.
    /// --rename Notificaties=Meldingen. Pages only: forms submit and the state keeps the old name.
    #[arg(long = "rename", value_name = "OLD=NEW")]
    pub renames: Vec<crate::portal::Rename>,
    /// Add N users "Tester 0001, Demo (PostNL)" … (tester0001@postnl.example …, the demo
    /// password, no rights) to klantnummer 9401138, for batch runs.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed_users: u32,
    /// The cookie dialog as a consent manager's page in an iframe overlay.
    #[arg(long)]
    pub cookie_iframe: bool,
    /// The checkbox tree of Stap 4 as a web component with an open shadow root.
    #[arg(long)]
    pub shadow_tree: bool,
}

/// Format of run.log.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

/// `--param NAME=VALUE`: a name and a non-empty value (the value may contain `=`).
fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, _)) if k.trim().is_empty() => Err("the name is missing: expected NAME=VALUE".to_string()),
        Some((k, "")) => Err(format!(
            "the value of `{}` is empty: give a value, or leave the parameter out to use its default",
            k.trim()
        )),
        Some((k, v)) => Ok((k.trim().to_string(), v.to_string())),
        None => Err("expected NAME=VALUE".to_string()),
    }
}

/// A number of seconds for `--timeout` / `--max-wait`: more than 0 and at most 24 hours.
fn parse_seconds(s: &str) -> Result<f64, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds".to_string())?;
    match crate::flow::lang::duration_in_range(secs, 0.0, false) {
        Some(_) => Ok(secs),
        None => Err(format!(
            "must be more than 0 and at most {} seconds (24 hours)",
            crate::flow::lang::MAX_SECONDS
        )),
    }
}

/// `--base-url`: an absolute http(s) URL.
fn parse_base_url(s: &str) -> Result<String, String> {
    if is_http_url(s) {
        Ok(s.to_string())
    } else {
        Err("expected an http(s) URL such as https://mijn.postnl.nl".to_string())
    }
}

/// `--webdriver`: an absolute http(s) URL.
fn parse_webdriver_url(s: &str) -> Result<String, String> {
    if is_http_url(s) {
        Ok(s.to_string())
    } else {
        Err("expected the http(s) URL of a WebDriver server, such as http://127.0.0.1:4444".to_string())
    }
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers() {
        assert_eq!(parse_param("a=b=c").unwrap(), ("a".to_string(), "b=c".to_string()));
        assert_eq!(
            parse_param("gebruiker=GATUser, PostNL (PostNL)").unwrap().1,
            "GATUser, PostNL (PostNL)"
        );
        for bad in ["novalue", "=x", " =x", "klantnummer="] {
            assert!(parse_param(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_seconds("2.5"), Ok(2.5));
        assert_eq!(parse_seconds("86400"), Ok(86400.0));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "86401", "x", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        for bad in [
            "mijn.postnl.nl",
            "ftp://x",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
            assert!(parse_webdriver_url(bad).is_err(), "{bad}");
        }
        assert!(parse_webdriver_url("http://selenium:4444/wd/hub").is_ok());
    }
}
