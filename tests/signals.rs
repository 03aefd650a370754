//! Interruption end to end through the binary: SIGTERM and SIGHUP stop a run against the replica,
//! the report is written with the interrupted step, and nothing of the browser is left behind.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use postnl_robot::browser::driver::Driver;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use serde_json::Value;

/// Starts `postnl-robot run` on the shipped flow with its own TMPDIR (where its browser profile
/// goes), so that what it leaves behind can be told apart from other tests'.
fn start(base_url: &str, out: &Path, tmp: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args([
            "run",
            FLOW,
            "--base-url",
            base_url,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
        .args(extra)
        .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env("TMPDIR", tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (polling, bounded) until the run has started step `n` (its run.log says so).
async fn wait_for_step(out: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = std::fs::read_to_string(out.join("run.log")).unwrap_or_default();
        if log.matches("step starts").count() >= n {
            return;
        }
        assert!(Instant::now() < deadline, "step {n} never started:\n{log}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn signal(child: &Child, sig: &str) {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
}

async fn wait(child: Child) -> std::process::Output {
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// Live processes (not zombies) that mention `dir` in their command line or environment.
fn processes_using(dir: &Path) -> Vec<String> {
    processes_mentioning(&dir.to_string_lossy())
}

fn profiles_in(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("postnl-robot-profile-")
        })
        .collect()
}

fn slow_portal() -> PortalConfig {
    PortalConfig {
        latency: Duration::from_millis(300),
        ..PortalConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_writes_the_report_with_the_interrupted_step_and_leaves_nothing_behind() {
    let portal = portal(slow_portal()).await;
    let out = out_dir("sigterm");
    let tmp = tempfile::tempdir().unwrap();
    let child = start(&portal.base_url(), &out, tmp.path(), &[]);
    wait_for_step(&out, 3).await;
    assert!(
        !profiles_in(tmp.path()).is_empty(),
        "the run uses a temporary profile in its TMPDIR"
    );
    signal(&child, "-TERM");
    let o = wait(child).await;
    assert_eq!(o.status.code(), Some(143), "{}", String::from_utf8_lossy(&o.stderr));

    let r = report(&out);
    assert_eq!(r["schema_version"], 2);
    assert_eq!(r["status"], "interrupted");
    assert_eq!(r["exit_code"], 143);
    assert_eq!(r["error"]["kind"], "interrupted");
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[0]["status"], "passed");
    assert_eq!(steps[1]["status"], "passed");
    let interrupted = &steps[2];
    assert_eq!(interrupted["status"], "interrupted", "{interrupted:#}");
    assert_eq!(interrupted["error"]["kind"], "interrupted");
    for s in &steps[3..] {
        assert_eq!(s["status"], "skipped");
    }
    let shot = interrupted["screenshot"].as_str().expect("a screenshot of the moment");
    assert!(out.join(shot).is_file());
    assert!(out.join("report.html").is_file() && out.join("junit.xml").is_file());

    assert_eq!(profiles_in(tmp.path()), Vec::<PathBuf>::new(), "temp profile removed");
    assert_eq!(
        processes_using(tmp.path()),
        Vec::<String>::new(),
        "no driver or browser left"
    );
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_interrupts_with_129() {
    let portal = portal(slow_portal()).await;
    let out = out_dir("sighup");
    let tmp = tempfile::tempdir().unwrap();
    let child = start(&portal.base_url(), &out, tmp.path(), &[]);
    wait_for_step(&out, 2).await;
    signal(&child, "-HUP");
    let o = wait(child).await;
    assert_eq!(o.status.code(), Some(129), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&out);
    assert_eq!(r["status"], "interrupted");
    assert_eq!(r["exit_code"], 129);
    assert_eq!(r["steps"][1]["status"], "interrupted");
    assert_eq!(profiles_in(tmp.path()), Vec::<PathBuf>::new());
    assert_eq!(processes_using(tmp.path()), Vec::<String>::new());
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_a_remote_webdriver_session() {
    // A WebDriver server the robot does not own: its browser must quit when the run is stopped.
    let driver = Driver::spawn(None).await.expect("chromedriver starts");
    let portal = portal(slow_portal()).await;
    let out = out_dir("sigterm-remote");
    let tmp = tempfile::tempdir().unwrap();
    let child = start(&portal.base_url(), &out, tmp.path(), &["--webdriver", driver.url()]);
    wait_for_step(&out, 3).await;
    let port = format!("--port={}", driver.port());
    // The remote session's browser: a child process of that chromedriver.
    let browsers = || children_of_driver(&port);
    assert!(!browsers().is_empty(), "the remote session has a browser");
    signal(&child, "-TERM");
    let o = wait(child).await;
    assert_eq!(o.status.code(), Some(143), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(report(&out)["status"], "interrupted");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browsers().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the remote browser is still running: {:?}",
            browsers()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver.stop();
    portal.shutdown().await;
}

/// Live processes whose parent is the chromedriver started with `port_arg`.
fn children_of_driver(port_arg: &str) -> Vec<String> {
    let procs: Vec<(i64, i64, String, String)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid: i64 = e.file_name().to_string_lossy().parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 1..];
            let mut f = rest.split_whitespace();
            let state = f.next()?.to_string();
            let ppid: i64 = f.next()?.parse().ok()?;
            let cmd = String::from_utf8_lossy(&std::fs::read(e.path().join("cmdline")).ok()?).replace('\0', " ");
            Some((pid, ppid, state, cmd))
        })
        .collect();
    let drivers: Vec<i64> = procs
        .iter()
        .filter(|(_, _, _, cmd)| cmd.contains("chromedriver") && cmd.contains(port_arg) && !cmd.starts_with("/bin/sh"))
        .map(|(pid, ..)| *pid)
        .collect();
    procs
        .iter()
        .filter(|(_, ppid, state, _)| drivers.contains(ppid) && state != "Z")
        .map(|(_, _, _, cmd)| cmd.clone())
        .collect()
}
