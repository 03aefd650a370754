//! The command line as a user meets it: exit codes, messages, secrets kept out of every output.

mod common;

use std::process::{Command, Output};

use common::*;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};

fn robot(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
    cmd.args(args)
        .env_remove("POSTNL_EMAIL")
        .env_remove("POSTNL_PASSWORD")
        .env_remove("POSTNL_NEW_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_accepts_the_shipped_flows() {
    let o = robot(&["check", FLOW, "flows/login.toml"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("autoriseren-ecommerce-inzichten.toml"), "{out}");
}

#[test]
fn check_reports_line_and_column_of_a_misspelt_action() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kapot.toml");
    std::fs::write(
        &path,
        "name = \"kapot\"\ntitle = \"Kapot\"\n\n[[steps]]\ntitle = \"Stap 1\"\n  [[steps.actions]]\n  clik = { text = \"Opslaan\" }\n",
    )
    .unwrap();
    let o = robot(&["check", path.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("kapot.toml:7:3"), "{err}");
    assert!(err.contains("click"), "did you mean: {err}");
}

#[test]
fn missing_parameters_and_secrets_fail_before_a_browser_starts() {
    // A WebDriver URL nobody listens on: reaching the browser stage would exit 3, not 2.
    let o = robot(&["run", FLOW, "--webdriver", "http://127.0.0.1:9", "--no-prompt"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for name in ["klantnummer", "gebruiker", "POSTNL_EMAIL", "POSTNL_PASSWORD"] {
        assert!(err.contains(name), "names {name}: {err}");
    }
}

#[test]
fn refused_parameters_leave_no_driver_and_no_profile_behind() {
    // Our own driver starts while the flow is read and bound: refused input (exit 2) stops it
    // again and removes the browser profile it was given.
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().to_str().unwrap();
    let o = robot(
        &["run", FLOW, "--base-url", "http://127.0.0.1:9", "--no-prompt"],
        &[("TMPDIR", t)],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The driver's watchdog removes what is left once the driver is gone (bounded).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let procs = processes_mentioning(t);
        if left.is_empty() && procs.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: files {left:?}, processes {procs:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn unknown_parameter_gets_a_suggestion() {
    let o = robot(
        &[
            "run",
            FLOW,
            "--param",
            "klantnumer=9401138",
            "--param",
            "gebruiker=x",
            "--no-prompt",
        ],
        &[("POSTNL_EMAIL", "a@b.example"), ("POSTNL_PASSWORD", "x")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("klantnummer"), "{}", stderr(&o));
}

#[test]
fn no_driver_exits_3_and_says_how_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = robot(
        &[
            "run",
            FLOW,
            "--driver",
            "/nonexistent/chromedriver",
            "-p",
            "klantnummer=9401138",
            "-p",
            "gebruiker=x",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &[("POSTNL_EMAIL", "a@b.example"), ("POSTNL_PASSWORD", "geheim-123")],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("chromedriver"), "{}", stderr(&o));
    assert!(out.join("report.json").is_file(), "a partial report is written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_any_output_even_at_trace_level() {
    let portal = portal(PortalConfig {
        force_password_change: true,
        ..PortalConfig::default()
    })
    .await;
    let new_password = "Zeer-Geheim-Qx7-2026";
    let out = out_dir("secrets");
    let base = portal.base_url();
    let driver = driver_url();
    let out_s = out.to_str().unwrap().to_string();
    let o = tokio::task::spawn_blocking(move || {
        robot(
            &[
                "run",
                FLOW,
                "--base-url",
                &base,
                "--webdriver",
                &driver,
                "-p",
                "klantnummer=9401138",
                "-p",
                "gebruiker=GATUser, PostNL (PostNL)",
                "--out",
                &out_s,
            ],
            &[
                ("POSTNL_EMAIL", DEMO_ADMIN_EMAIL),
                ("POSTNL_PASSWORD", DEMO_PASSWORD),
                ("POSTNL_NEW_PASSWORD", new_password),
                ("RUST_LOG", "trace"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let log = std::fs::read_to_string(out.join("run.log")).unwrap();
    assert!(
        log.lines().count() > 50,
        "trace logging really happened ({} lines)",
        log.lines().count()
    );
    for secret in [new_password, DEMO_PASSWORD, DEMO_ADMIN_EMAIL] {
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains(secret),
            "stdout leaks a secret"
        );
        assert!(!stderr(&o).contains(secret), "stderr leaks a secret");
        for f in files_under(&out) {
            let bytes = std::fs::read(&f).unwrap();
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains(secret), "{} leaks a secret", f.display());
            assert!(!f.to_string_lossy().contains(secret));
        }
    }
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_run_writes_the_partial_report_and_exits_130() {
    // A slow portal, so the run is surely still going when Ctrl-C arrives.
    let portal = portal(PortalConfig {
        latency: std::time::Duration::from_millis(400),
        ..PortalConfig::default()
    })
    .await;
    let out = out_dir("ctrlc");
    let child = Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args([
            "run",
            FLOW,
            "--base-url",
            &portal.base_url(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
        .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (polling, bounded) until Stap 2's screenshot exists (so Stap 1 is surely recorded),
    // then interrupt.
    let first = out.join("02-stap-2-ga-naar-mijn-account.png");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !first.exists() {
        assert!(std::time::Instant::now() < deadline, "Stap 2 never finished");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let o = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["status"], "interrupted");
    assert_eq!(report["exit_code"], 130);
    assert_eq!(report["steps"][0]["status"], "passed");
    assert_eq!(
        report["steps"].as_array().unwrap().len(),
        5,
        "every step is accounted for"
    );
    assert!(report["error"]["message"].as_str().unwrap().contains("Onderbroken"));
    // The terminal says so in the report's language, once; stderr does not repeat it.
    let stdout = String::from_utf8_lossy(&o.stdout);
    // ("Onderbroken bij Stap N" when a step was going, plain "Onderbroken" between two steps.)
    assert_eq!(stdout.matches("⏹ Onderbroken").count(), 1, "{stdout}");
    assert!(!stderr(&o).contains("interrupted by"), "{}", stderr(&o));
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_writes_a_new_folder_per_run_and_a_used_out_is_refused() {
    let parent = out_dir("demo");
    std::fs::create_dir_all(&parent).unwrap();
    std::fs::write(parent.join("notes.txt"), "mine").unwrap();
    let p = parent.to_str().unwrap().to_string();
    let driver = driver_url();
    let o = tokio::task::spawn_blocking(move || robot(&["demo", "--out", &p, "--webdriver", &driver, "-q"], &[]))
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs: Vec<_> = std::fs::read_dir(&parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let name = runs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("Z-demo"), "{name}");
    assert!(runs[0].join("report.json").is_file() && runs[0].join("flow/login.toml").is_file());
    assert_eq!(std::fs::read_to_string(parent.join("notes.txt")).unwrap(), "mine");

    // `run` into that used folder is refused before anything starts, unless --force.
    let used = runs[0].to_str().unwrap().to_string();
    let o = robot(
        &[
            "run",
            FLOW,
            "--out",
            &used,
            "-p",
            "klantnummer=1",
            "-p",
            "gebruiker=x",
            "--no-prompt",
        ],
        &[("POSTNL_EMAIL", DEMO_ADMIN_EMAIL), ("POSTNL_PASSWORD", DEMO_PASSWORD)],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the folder is not empty; use --force"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_help_lists_environment_variables_and_exit_codes() {
    let o = Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args(["run", "--help"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    for want in [
        "POSTNL_EMAIL",
        "POSTNL_PASSWORD",
        "POSTNL_NEW_PASSWORD",
        "Exit codes:",
        "130",
        "--lang",
        "--operator",
        "--ticket",
    ] {
        assert!(help.contains(want), "{want} missing from run --help:\n{help}");
    }
}

#[test]
fn headed_without_a_display_says_so_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args([
            "run",
            FLOW,
            "--headed",
            "--base-url",
            "http://127.0.0.1:9",
            "--no-prompt",
        ])
        .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
        .args(["--out", dir.path().join("run").to_str().unwrap()])
        .env("POSTNL_EMAIL", "x@example.com")
        .env("POSTNL_PASSWORD", "not-a-real-password")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("--headed needs a display"), "{err}");
    assert_eq!(err.matches("--headed needs a display").count(), 1, "{err}");
}

/// Two runs started at the same moment without `--out` never share a run folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_without_out_write_two_folders() {
    let portal = portal(PortalConfig::default()).await;
    let cwd = tempfile::tempdir().unwrap();
    let flow = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FLOW);
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
            .current_dir(cwd.path())
            .arg("run")
            .arg(&flow)
            .args([
                "--base-url",
                &portal.base_url(),
                "--webdriver",
                &driver_url(),
                "--quiet",
            ])
            .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
            .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
            .env("POSTNL_PASSWORD", DEMO_PASSWORD)
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let folders: Vec<_> = std::fs::read_dir(cwd.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    for f in &folders {
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["status"], "passed", "{}", f.display());
    }
    portal.shutdown().await;
}
