//! The fault matrix, table-driven: every case runs the built binary (its own chromedriver and
//! browser, its own TMPDIR) against an in-process replica with the case's fault knobs, does
//! something to the run (a signal, a killed driver, browser, replica or robot), and checks the
//! exit code, the message, what was written, that no driver, browser, profile or log is left,
//! and the replica's state: unchanged, or exactly the intended change.
//!
//! At most two cases run at once. `FAULT_CASE=name` runs one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use postnl_robot::portal::{parse_fail_rule, PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use serde_json::Value;

/// How many cases run at once (2 cores; each has a browser).
const PARALLEL: usize = 2;

/// What the case does to the run once it is under way.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    None,
    /// Once step `n` has started (run.log says so).
    AtStep(usize, Act),
    /// Sends this signal while the driver is starting (a driver that never gets ready).
    SignalDuringDriverStart(&'static str),
}

#[derive(Debug, Clone, Copy)]
enum Act {
    Signal(&'static str),
    KillDriver,
    KillBrowser,
    KillRobot,
    StopReplica,
}

/// Where the run folder is.
#[derive(Debug, Clone, Copy)]
enum Folder {
    /// A fresh path.
    Fresh,
    /// An existing empty folder the robot (running as `nobody`) may not write in.
    ReadOnly,
    /// A full file system holding a previous report (run with `--force`).
    Full,
}

/// What the replica's state must be afterwards.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Unchanged,
    /// Exactly the intended change: 'E-commerce inzichten' granted, nothing else.
    Intended,
    /// Interrupted around the save: either of the two, never anything else.
    UnchangedOrIntended,
}

#[derive(Debug, Clone, Copy)]
enum WebDriver {
    Own,
    /// `--webdriver` pointing at the replica itself: an ordinary web server.
    Replica,
    /// `--webdriver` at a port where nothing listens.
    Closed,
    Literal(&'static str),
}

struct Case {
    name: &'static str,
    latency_ms: u64,
    fail_on: &'static [&'static str],
    session_ttl: Option<u64>,
    tile_delay: u64,
    /// `--base-url` at a port where nothing listens.
    portal_down: bool,
    webdriver: WebDriver,
    /// A chromedriver that never gets ready.
    slow_driver: bool,
    /// PATH without chromedriver.
    no_path: bool,
    password: &'static str,
    args: &'static [&'static str],
    folder: Folder,
    trigger: Trigger,
    /// Expected exit code (`None`: killed by a signal).
    code: Option<i32>,
    /// Each must be in the output (stdout and stderr).
    stderr: &'static [&'static str],
    /// report.json: `(status, error kind of the run or of its failed step)` (kinds may be
    /// alternatives: `a|b`); `None`: no report.
    report: Option<(&'static str, &'static str)>,
    state: State,
    /// Afterwards the same run again must pass with exactly the intended change.
    rerun_passes: bool,
}

const BASE: Case = Case {
    name: "",
    latency_ms: 0,
    fail_on: &[],
    session_ttl: None,
    tile_delay: 0,
    portal_down: false,
    webdriver: WebDriver::Own,
    slow_driver: false,
    no_path: false,
    password: DEMO_PASSWORD,
    args: &[],
    folder: Folder::Fresh,
    trigger: Trigger::None,
    code: Some(1),
    stderr: &[],
    report: None,
    state: State::Unchanged,
    rerun_passes: false,
};

const CASES: &[Case] = &[
    Case {
        name: "driver-killed",
        latency_ms: 200,
        trigger: Trigger::AtStep(3, Act::KillDriver),
        stderr: &["Stap 3", "the browser driver stopped answering"],
        report: Some(("failed", "hard")),
        ..BASE
    },
    Case {
        name: "browser-killed",
        latency_ms: 200,
        trigger: Trigger::AtStep(3, Act::KillBrowser),
        stderr: &["Stap 3", "the browser was closed or crashed"],
        report: Some(("failed", "hard")),
        ..BASE
    },
    Case {
        name: "sigterm-at-stap-4",
        latency_ms: 200,
        trigger: Trigger::AtStep(4, Act::Signal("-TERM")),
        code: Some(143),
        stderr: &["Interrupted"],
        report: Some(("interrupted", "interrupted")),
        state: State::UnchangedOrIntended,
        ..BASE
    },
    Case {
        name: "sigint-at-stap-3",
        latency_ms: 200,
        trigger: Trigger::AtStep(3, Act::Signal("-INT")),
        code: Some(130),
        stderr: &["Interrupted"],
        report: Some(("interrupted", "interrupted")),
        ..BASE
    },
    Case {
        name: "sigint-while-the-driver-starts",
        slow_driver: true,
        trigger: Trigger::SignalDuringDriverStart("-INT"),
        code: Some(130),
        stderr: &["Interrupted"],
        report: Some(("interrupted", "interrupted")),
        ..BASE
    },
    Case {
        name: "robot-killed",
        latency_ms: 200,
        trigger: Trigger::AtStep(2, Act::KillRobot),
        code: None,
        ..BASE
    },
    Case {
        name: "replica-killed",
        latency_ms: 200,
        trigger: Trigger::AtStep(3, Act::StopReplica),
        stderr: &["Stap 3", "does not answer"],
        report: Some(("failed", "portal_unreachable")),
        ..BASE
    },
    Case {
        name: "save-500-once",
        fail_on: &["POST /apex/api/autorisaties*1"],
        stderr: &[
            "Stap 4",
            "the portal refused to save: it answered HTTP 500 to /apex/api/autorisaties",
            "De autorisaties konden niet worden opgeslagen",
        ],
        report: Some(("failed", "server_error")),
        rerun_passes: true,
        ..BASE
    },
    Case {
        name: "save-500-always",
        fail_on: &["POST /apex/api/autorisaties"],
        stderr: &["Stap 4", "the portal refused to save: it answered HTTP 500"],
        report: Some(("failed", "server_error")),
        ..BASE
    },
    Case {
        name: "data-request-500",
        fail_on: &["GET /apex/api/gebruikers"],
        stderr: &["Stap 4", "/apex/api/gebruikers answered HTTP 500"],
        report: Some(("failed", "element_absent")),
        ..BASE
    },
    Case {
        name: "slow-portal-1.5s",
        latency_ms: 1500,
        args: &["--timeout", "60"],
        code: Some(0),
        report: Some(("passed", "")),
        state: State::Intended,
        ..BASE
    },
    Case {
        name: "session-shorter-than-a-step",
        latency_ms: 250,
        session_ttl: Some(3),
        stderr: &["the portal ended the session again, after logging in again 2 times"],
        // Ended before Opslaan, or after it was sent (then its outcome is unknown).
        report: Some(("failed", "session_ended|committed_then_failed")),
        state: State::UnchangedOrIntended,
        ..BASE
    },
    Case {
        name: "tile-later-than-max-wait",
        tile_delay: 3600,
        args: &["--max-wait", "2"],
        stderr: &["Stap 5", "E-commerce Inzichten"],
        report: Some(("failed", "element_absent")),
        state: State::Intended,
        ..BASE
    },
    Case {
        name: "webdriver-unreachable",
        webdriver: WebDriver::Closed,
        code: Some(3),
        stderr: &[
            "could not start a browser session at http://127.0.0.1:",
            "nothing answers there",
        ],
        report: Some(("failed", "no_browser")),
        ..BASE
    },
    Case {
        name: "webdriver-ill-formed",
        webdriver: WebDriver::Literal("127.0.0.1 port 4444"),
        code: Some(2),
        stderr: &["invalid value '127.0.0.1 port 4444' for '--webdriver <URL>'"],
        ..BASE
    },
    Case {
        name: "webdriver-is-a-web-server",
        webdriver: WebDriver::Replica,
        code: Some(3),
        stderr: &["it is not a WebDriver server"],
        report: Some(("failed", "no_browser")),
        ..BASE
    },
    Case {
        name: "no-driver-on-path",
        no_path: true,
        code: Some(3),
        stderr: &["chromedriver is not on PATH"],
        report: Some(("failed", "no_browser")),
        ..BASE
    },
    Case {
        name: "read-only-run-folder",
        folder: Folder::ReadOnly,
        code: Some(2),
        stderr: &["the folder is not writable"],
        ..BASE
    },
    Case {
        name: "full-run-folder",
        folder: Folder::Full,
        args: &["--force"],
        code: Some(4),
        stderr: &["its report could not be written", "No space left on device"],
        ..BASE
    },
    Case {
        name: "wrong-password",
        password: "Heel-Fout-2026!",
        stderr: &["Stap 1", "Onjuist e-mailadres of wachtwoord."],
        report: Some(("failed", "portal_alert")),
        ..BASE
    },
    Case {
        name: "portal-unreachable",
        portal_down: true,
        stderr: &["Stap 1", "the portal at http://127.0.0.1:", "does not answer"],
        report: Some(("failed", "portal_unreachable")),
        ..BASE
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_matrix() {
    let only = std::env::var("FAULT_CASE").ok();
    let gate = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut runs = tokio::task::JoinSet::new();
    for (i, case) in CASES.iter().enumerate() {
        if only.as_deref().is_some_and(|o| o != case.name) {
            continue;
        }
        let gate = gate.clone();
        runs.spawn(async move {
            let _slot = gate.acquire_owned().await.unwrap();
            let started = Instant::now();
            let outcome = run_case(&CASES[i]).await;
            eprintln!(
                "{:<32} {:>5.1} s  {}",
                CASES[i].name,
                started.elapsed().as_secs_f64(),
                match &outcome {
                    Ok(note) => format!("ok {note}"),
                    Err(_) => "FAILED".to_string(),
                }
            );
            (CASES[i].name, outcome)
        });
    }
    let mut failures = vec![];
    while let Some(done) = runs.join_next().await {
        let (name, outcome) = done.unwrap();
        if let Err(e) = outcome {
            failures.push(format!("--- {name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs one case; `Ok(note)` when every check holds.
async fn run_case(case: &Case) -> Result<String, String> {
    let portal = portal(PortalConfig {
        latency: Duration::from_millis(case.latency_ms),
        fail_on: case.fail_on.iter().map(|r| parse_fail_rule(r).unwrap()).collect(),
        session_ttl: case.session_ttl.map(Duration::from_secs),
        tile_delay: Duration::from_secs(case.tile_delay),
        ..PortalConfig::default()
    })
    .await;
    let before = portal.state();
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let base_url = if case.portal_down {
        format!("http://127.0.0.1:{}", closed_port())
    } else {
        portal.base_url()
    };

    let mut folder_guard = None;
    let out = match case.folder {
        Folder::Fresh => scratch.path().join("run"),
        Folder::ReadOnly => {
            let out = scratch.path().join("run");
            std::fs::create_dir(&out).unwrap();
            open_to_all(scratch.path());
            open_to_all(tmp.path());
            out
        }
        Folder::Full => match FullDisk::mount(&scratch.path().join("mnt")) {
            Some(full) => {
                let out = full.dir.join("run");
                folder_guard = Some(full);
                out
            }
            None => {
                portal.shutdown().await;
                return Ok("(skipped: a tmpfs cannot be mounted here)".into());
            }
        },
    };
    if let Some(full) = &folder_guard {
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.json"), OLD_REPORT).unwrap();
        full.fill();
    }

    let mut cmd = robot_command(case, &base_url, &out, tmp.path(), scratch.path(), &portal.base_url());
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    let mut portal = Some(portal);
    let mut state_after_stop = None;
    let triggered = async {
        match case.trigger {
            Trigger::None => {}
            Trigger::AtStep(n, act) => {
                wait_for_step(&out, n).await?;
                check_no_secrets_inherited(tmp.path(), pid)?;
                match act {
                    Act::Signal(sig) => kill(pid, sig),
                    Act::KillRobot => kill(pid, "-KILL"),
                    Act::KillDriver => kill_matching(tmp.path(), |cmd| {
                        cmd.contains("chromedriver") && !cmd.starts_with("/bin/sh") && !cmd.starts_with("sh ")
                    })?,
                    Act::KillBrowser => kill_matching(tmp.path(), |cmd| {
                        cmd.contains("--user-data-dir=") && !cmd.contains("--type=")
                    })?,
                    Act::StopReplica => {
                        let p = portal.take().unwrap();
                        state_after_stop = Some(p.state());
                        p.shutdown().await;
                    }
                }
            }
            Trigger::SignalDuringDriverStart(sig) => {
                poll("the driver to start", Duration::from_secs(20), || {
                    processes_using(tmp.path()).iter().any(|c| c.contains("sleep"))
                })
                .await?;
                kill(pid, sig);
            }
        }
        Ok::<(), String>(())
    }
    .await;
    if let Err(e) = triggered {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    let o = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    // A run's failure is shown once, in its progress summary on stdout; other errors on stderr.
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let ctx = |msg: String| format!("{msg}\nstderr:\n{stderr}");

    // Exit code and message.
    if o.status.code() != case.code {
        return Err(ctx(format!("exit {:?}, expected {:?}", o.status.code(), case.code)));
    }
    for want in case.stderr {
        if !stderr.contains(want) {
            return Err(ctx(format!("stderr lacks {want:?}")));
        }
    }
    for secret in [DEMO_PASSWORD, case.password] {
        if stderr.contains(secret) {
            return Err(ctx("the password is in stderr".into()));
        }
    }
    if stderr.len() > 4000 || stderr.to_ascii_lowercase().contains("<html") {
        return Err(ctx("stderr is not short, or quotes a web page".into()));
    }

    // What was written.
    check_written(case, &out)?;

    // Nothing left behind: driver, browser, cleaner, profile, driver log.
    poll(
        "driver, browser and their files to be gone",
        Duration::from_secs(15),
        || processes_using(tmp.path()).is_empty() && std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
    )
    .await
    .map_err(|e| {
        format!(
            "{e}: left {:?}, processes {:?}",
            std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>(),
            processes_using(tmp.path())
        )
    })?;

    // The replica's state.
    let after = match (&portal, state_after_stop) {
        (_, Some(s)) => s,
        (Some(p), None) => p.state(),
        (None, None) => unreachable!(),
    };
    check_state(case.state, &before, &after)?;

    let mut note = String::new();
    if case.rerun_passes {
        let p = portal.as_ref().unwrap();
        let again = scratch.path().join("again");
        let mut cmd = robot_command(&BASE, &p.base_url(), &again, tmp.path(), scratch.path(), "");
        // Off the runtime's workers: the replica answering this run lives on them.
        let o = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .unwrap()
            .unwrap();
        if o.status.code() != Some(0) {
            return Err(format!(
                "the run after the refused save did not pass:\n{}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        check_state(State::Intended, &before, &p.state())?;
        note = "(and the next run passed)".into();
    }
    if let Some(p) = portal {
        p.shutdown().await;
    }
    drop(folder_guard);
    Ok(note)
}

/// The `postnl-robot run` command line of a case.
fn robot_command(case: &Case, base_url: &str, out: &Path, tmp: &Path, scratch: &Path, replica: &str) -> Command {
    let bin = env!("CARGO_BIN_EXE_postnl-robot");
    let mut cmd = match case.folder {
        Folder::ReadOnly => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
            c
        }
        _ => Command::new(bin),
    };
    cmd.args([
        "run",
        FLOW,
        "--base-url",
        base_url,
        "--quiet",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ])
    .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
    .args(case.args)
    .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
    .env("POSTNL_PASSWORD", case.password)
    .env_remove("POSTNL_NEW_PASSWORD")
    .env("TMPDIR", tmp)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (flag, default) in [("--timeout", "5"), ("--max-wait", "30")] {
        if !case.args.contains(&flag) {
            cmd.args([flag, default]);
        }
    }
    match case.webdriver {
        WebDriver::Own => {}
        WebDriver::Replica => {
            cmd.args(["--webdriver", replica]);
        }
        WebDriver::Closed => {
            cmd.args(["--webdriver", &format!("http://127.0.0.1:{}", closed_port())]);
        }
        WebDriver::Literal(s) => {
            cmd.args(["--webdriver", s]);
        }
    }
    if case.slow_driver {
        let script = scratch.join("chromedriver-never-ready");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 60\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        cmd.args(["--driver", script.to_str().unwrap()]);
    }
    if case.no_path {
        cmd.env("PATH", scratch.join("empty-bin"));
    }
    cmd
}

const OLD_REPORT: &str = "{\"previous\": true}\n";

/// The run folder: the expected report (complete JSON), no empty files, no temp files left.
fn check_written(case: &Case, out: &Path) -> Result<(), String> {
    if matches!(case.folder, Folder::Full) {
        let kept = std::fs::read_to_string(out.join("report.json")).map_err(|e| e.to_string())?;
        if kept != OLD_REPORT {
            return Err(format!("the previous report was replaced by {kept:?}"));
        }
    }
    if out.is_dir() {
        for f in files_under(out) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let len = f.metadata().unwrap().len();
            if name.starts_with(".tmp-") || name.starts_with(".write-probe-") {
                return Err(format!("a temporary file is left: {}", f.display()));
            }
            if len == 0 && name != "run.log" {
                return Err(format!("an empty file: {}", f.display()));
            }
        }
    }
    let Some((status, kind)) = case.report else {
        if !matches!(case.folder, Folder::Full) && out.join("report.json").exists() {
            return Err("a report was written although the run never started".into());
        }
        return Ok(());
    };
    let text = std::fs::read_to_string(out.join("report.json")).map_err(|e| format!("report.json: {e}"))?;
    let r: Value = serde_json::from_str(&text).map_err(|e| format!("report.json: {e}"))?;
    if r["status"] != status {
        return Err(format!("report status {}, expected {status}", r["status"]));
    }
    if r["exit_code"].as_i64() != case.code.map(i64::from) {
        return Err(format!("report exit_code {}, expected {:?}", r["exit_code"], case.code));
    }
    if !kind.is_empty() {
        let step_kind = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|s| s["error"]["kind"].as_str().map(str::to_string));
        let got = r["error"]["kind"].as_str().map(str::to_string).or(step_kind);
        if !got.as_deref().is_some_and(|g| kind.split('|').any(|k| k == g)) {
            return Err(format!("error kind {got:?}, expected {kind}"));
        }
    }
    for f in ["report.html", "junit.xml"] {
        if !out.join(f).is_file() {
            return Err(format!("no {f}"));
        }
    }
    Ok(())
}

fn check_state(want: State, before: &Value, after: &Value) -> Result<(), String> {
    let (removed, added) = diff(before, after);
    let unchanged = removed.is_empty() && added.is_empty();
    let intended = removed.is_empty()
        && added.len() == 1
        && added[0].contains("9401138")
        && added[0].contains("E-commerce inzichten");
    let ok = match want {
        State::Unchanged => unchanged,
        State::Intended => intended,
        State::UnchangedOrIntended => unchanged || intended,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "replica state: expected {want:?}, removed {removed:?}, added {added:?}"
        ))
    }
}

/// Waits (polling, bounded) until the run has started step `n` (its run.log says so).
async fn wait_for_step(out: &Path, n: usize) -> Result<(), String> {
    poll(&format!("step {n} to start"), Duration::from_secs(60), || {
        std::fs::read_to_string(out.join("run.log"))
            .unwrap_or_default()
            .matches("step starts")
            .count()
            >= n
    })
    .await
}

/// Polls `done` every 25 ms until it holds, for at most `limit`.
async fn poll(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            return Err(format!("waited {} s for {what}", limit.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(())
}

fn kill(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// Kills (SIGKILL) the processes of this run whose command line satisfies `which`.
fn kill_matching(tmp: &Path, which: impl Fn(&str) -> bool) -> Result<(), String> {
    let victims: Vec<(u32, String)> = live_processes()
        .into_iter()
        .filter(|p| p.uses(tmp) && which(&p.cmd))
        .map(|p| (p.pid, p.cmd))
        .collect();
    if victims.is_empty() {
        return Err(format!("nothing to kill among {:?}", processes_using(tmp)));
    }
    for (pid, _) in &victims {
        kill(*pid, "-KILL");
    }
    Ok(())
}

/// The driver and the browser inherit no `POSTNL_*` variable (the robot itself has them).
fn check_no_secrets_inherited(tmp: &Path, robot: u32) -> Result<(), String> {
    let mut seen = 0;
    for p in live_processes().into_iter().filter(|p| p.uses(tmp) && p.pid != robot) {
        seen += 1;
        if p.env.split('\0').any(|kv| kv.starts_with("POSTNL_")) {
            return Err(format!("{} inherited POSTNL_* variables", p.cmd));
        }
    }
    if seen == 0 {
        return Err("no driver or browser found to check".into());
    }
    Ok(())
}

struct Proc {
    pid: u32,
    cmd: String,
    env: String,
}

impl Proc {
    /// Started by this case's run: its TMPDIR (or a path under it) is in the command line or
    /// the environment.
    fn uses(&self, tmp: &Path) -> bool {
        let needle = tmp.to_string_lossy();
        self.cmd.contains(needle.as_ref()) || self.env.contains(needle.as_ref())
    }
}

/// Live processes (not zombies) with their command line and environment.
fn live_processes() -> Vec<Proc> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()) {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let p = e.path();
        let stat = std::fs::read_to_string(p.join("stat")).unwrap_or_default();
        let state = stat.rfind(')').and_then(|i| stat[i + 1..].split_whitespace().next());
        if matches!(state, None | Some("Z") | Some("X")) {
            continue;
        }
        let cmd = String::from_utf8_lossy(&std::fs::read(p.join("cmdline")).unwrap_or_default()).replace('\0', " ");
        let env = String::from_utf8_lossy(&std::fs::read(p.join("environ")).unwrap_or_default()).into_owned();
        out.push(Proc { pid, cmd, env });
    }
    out
}

fn processes_using(tmp: &Path) -> Vec<String> {
    live_processes()
        .into_iter()
        .filter(|p| p.uses(tmp))
        .map(|p| p.cmd)
        .collect()
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Lets `nobody` into a folder (for the read-only case, which runs the robot as that user).
fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
}

/// A small tmpfs, filled up after the run folder is prepared; unmounted on drop.
struct FullDisk {
    dir: PathBuf,
}

impl FullDisk {
    /// `None` when this machine does not let us mount one (not root, no CAP_SYS_ADMIN).
    fn mount(dir: &Path) -> Option<FullDisk> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir.to_str().unwrap()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| FullDisk { dir: dir.to_path_buf() })
    }

    /// Fills every free byte.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.dir.join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        for b in [512, 64, 1] {
            while f.write_all(&block[..b]).is_ok() {}
        }
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}
