//! Shared set-up for the end-to-end tests: one chromedriver per test binary, an in-process
//! replica per test, and a diff of the replica's state.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use std::time::Duration;

use postnl_robot::app::{run_flow, BrowserSettings, OutputSettings, RunOutcome, RunRequest};
use postnl_robot::browser::driver::Driver;
use postnl_robot::error::CliError;
use postnl_robot::portal::{self, PortalConfig, PortalHandle};
use postnl_robot::report::LogFormat;
use postnl_robot::run::Mode;
use postnl_robot::signals::Interrupt;
use serde_json::Value;

pub const FLOW: &str = "flows/autoriseren-ecommerce-inzichten.toml";
pub const ADMIN: &str = "GATUser, PostNL (PostNL)";
pub const KLANTNUMMER: &str = "9401138";

/// The chromedriver shared by every test of this binary (killed when the test process exits).
pub fn driver_url() -> String {
    static DRIVER: OnceLock<Driver> = OnceLock::new();
    DRIVER
        .get_or_init(|| {
            // Its own thread and runtime: callers may be inside a test's runtime already.
            std::thread::spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(Driver::spawn(None)).expect("chromedriver starts")
            })
            .join()
            .unwrap()
        })
        .url()
        .to_string()
}

/// Starts the replica on a free port.
pub async fn portal(cfg: PortalConfig) -> PortalHandle {
    portal::start(cfg).await.expect("replica starts")
}

/// A fresh run folder.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix(&format!("postnl-e2e-{name}-"))
        .tempdir()
        .unwrap()
        .keep();
    dir.join("run")
}

/// Browser options for tests: the shared driver, a modest default timeout.
pub fn browser_args() -> BrowserSettings {
    BrowserSettings {
        browser: postnl_robot::browser::BrowserKind::Chromium,
        webdriver: Some(driver_url()),
        driver: None,
        headed: false,
        timeout: Duration::from_secs(10),
        max_wait: Some(Duration::from_secs(30)),
    }
}

/// Runs a flow in-process against the replica with the given credentials and parameters.
pub async fn run(
    base_url: &str,
    flow: &str,
    out: &Path,
    email: &str,
    password: &str,
    extra_env: &[(&str, &str)],
    params: &[(&str, &str)],
) -> Result<RunOutcome, CliError> {
    run_on(browser_args(), base_url, flow, out, email, password, extra_env, params).await
}

/// The shipped flow as the demo admin on `browser` (e.g. a Grid, or Firefox), authorising the
/// admin on the default klantnummer.
pub async fn run_admin_on(browser: BrowserSettings, base_url: &str, out: &Path) -> Result<RunOutcome, CliError> {
    let params = [("klantnummer", KLANTNUMMER), ("gebruiker", ADMIN)];
    run_on(
        browser,
        base_url,
        FLOW,
        out,
        portal::DEMO_ADMIN_EMAIL,
        portal::DEMO_PASSWORD,
        &[],
        &params,
    )
    .await
}

/// [`run`] on the given browser.
#[allow(clippy::too_many_arguments)]
pub async fn run_on(
    browser: BrowserSettings,
    base_url: &str,
    flow: &str,
    out: &Path,
    email: &str,
    password: &str,
    extra_env: &[(&str, &str)],
    params: &[(&str, &str)],
) -> Result<RunOutcome, CliError> {
    let env_pairs: Vec<(String, String)> = [("POSTNL_EMAIL", email), ("POSTNL_PASSWORD", password)]
        .iter()
        .chain(extra_env.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = move |name: &str| env_pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let req = RunRequest {
        flow: PathBuf::from(flow),
        base_url: Some(base_url.to_string()),
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        prompt: false,
        browser,
        output: OutputSettings {
            out: Some(out.to_path_buf()),
            force: false,
            quiet: true,
            log_format: LogFormat::Text,
            ..OutputSettings::default()
        },
        mode: Mode::Run,
        pause_on_failure: false,
    };
    run_flow(req, &env, &Interrupt::new()).await
}

/// Runs the shipped flow as the demo admin, authorising `gebruiker` on `klantnummer`.
pub async fn run_admin(base_url: &str, out: &Path, klantnummer: &str, gebruiker: &str) -> Result<RunOutcome, CliError> {
    let params = [("klantnummer", klantnummer), ("gebruiker", gebruiker)];
    run(
        base_url,
        FLOW,
        out,
        portal::DEMO_ADMIN_EMAIL,
        portal::DEMO_PASSWORD,
        &[],
        &params,
    )
    .await
}

/// Flattens a JSON state into a set of `path = value` leaves; arrays of scalars become members,
/// so an added authorisation shows up as exactly one new leaf. Volatile parts are left out.
pub fn leaves(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, path: String, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if is_volatile(k) {
                        continue;
                    }
                    walk(v, format!("{path}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::Object(m) => {
                            let key = m
                                .get("id")
                                .or_else(|| m.get("klantnummer"))
                                .map(|k| k.to_string())
                                .unwrap_or_else(|| i.to_string());
                            walk(v, format!("{path}[{key}]"), out)
                        }
                        other => {
                            out.insert(format!("{path}[]={other}"));
                        }
                    }
                }
            }
            other => {
                out.insert(format!("{path}={other}"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(v, String::new(), &mut out);
    out
}

fn is_volatile(key: &str) -> bool {
    key == "audit" || key == "sessions" || key.ends_with("_at") || key == "saved" || key == "tiles_visible_from"
}

/// The leaves that differ between two states: (removed, added).
pub fn diff(before: &Value, after: &Value) -> (Vec<String>, Vec<String>) {
    let (a, b) = (leaves(before), leaves(after));
    (a.difference(&b).cloned().collect(), b.difference(&a).cloned().collect())
}

/// Every file under a folder, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn png_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    v.sort();
    v
}

/// Live processes (not zombies) whose command line or environment mention `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = vec![];
    for e in std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()) {
        let p = e.path();
        let stat = std::fs::read_to_string(p.join("stat")).unwrap_or_default();
        let state = stat.rfind(')').and_then(|i| stat[i + 1..].split_whitespace().next());
        if matches!(state, None | Some("Z") | Some("X")) {
            continue;
        }
        let cmd = std::fs::read(p.join("cmdline")).unwrap_or_default();
        let env = std::fs::read(p.join("environ")).unwrap_or_default();
        let has = |b: &[u8]| String::from_utf8_lossy(b).contains(needle);
        if has(&cmd) || has(&env) {
            found.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    found
}
