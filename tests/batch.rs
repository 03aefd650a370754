//! Batches and schedules end to end through the binary, in real Chromium against the replica:
//! parallel sessions, a rerun, SIGKILL and `--resume`, bad CSV rows, a portal asking for a new
//! password, and a schedule that runs twice and calls its webhook.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use serde_json::Value;

/// A fresh folder for a test's files.
fn tmp(name: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(&format!("postnl-batch-{name}-"))
        .tempdir()
        .unwrap()
        .keep()
}

/// A batch CSV for the seeded users `Tester 0001, Demo (PostNL)` … (numbers `from..=to`).
fn testers_csv(dir: &Path, from: u32, to: u32) -> PathBuf {
    let mut csv = String::from("klantnummer;gebruiker;ticket\n");
    for i in from..=to {
        csv.push_str(&format!("{KLANTNUMMER};Tester {i:04}, Demo (PostNL);INC-{i}\n"));
    }
    let path = dir.join("lijst.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn robot() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
    c.env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env_remove("POSTNL_NEW_PASSWORD")
        .env_remove("RUST_LOG");
    c
}

/// `run FLOW --batch CSV --out OUT` against `base_url`, with the shared chromedriver.
fn batch(base_url: &str, csv: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = robot();
    c.args(["run", FLOW, "--batch"])
        .arg(csv)
        .args([
            "--base-url",
            base_url,
            "--webdriver",
            &driver_url(),
            "--timeout",
            "10",
            "--out",
        ])
        .arg(out)
        .args(extra);
    c
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn journal(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The accepted saves of the replica's audit log, by user id.
fn saves_by_user(state: &Value) -> Vec<String> {
    let mut users: Vec<String> = state["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["save"]["user"].as_str().map(str::to_string))
        .collect();
    users.sort();
    users
}

fn testers(from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|i| format!("tester{i:04}")).collect()
}

fn seeded(n: u32) -> PortalConfig {
    PortalConfig {
        seed_users: n,
        ..PortalConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_rows_over_two_sessions_change_six_flags_and_a_rerun_changes_nothing() {
    let portal = portal(seeded(8)).await;
    let dir = tmp("six");
    let csv = testers_csv(&dir, 1, 6);
    let before = portal.state();

    let out = dir.join("first");
    let o = output(batch(&portal.base_url(), &csv, &out, &["--parallel", "2"])).await;
    assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o.stdout), text(&o.stderr));
    let after = portal.state();
    let (removed, added) = diff(&before, &after);
    assert!(removed.is_empty(), "{removed:?}");
    let expected: Vec<String> = testers(1, 6)
        .iter()
        .map(|t| format!("/authorisations/{KLANTNUMMER}/{t}[]=\"E-commerce inzichten\""))
        .collect();
    assert_eq!(added, expected, "exactly the six flags");
    assert_eq!(saves_by_user(&after), testers(1, 6), "one save per row");

    // The batch folder: journal, results, reports, a folder per row with its own run.log.
    let entries = journal(&out);
    assert_eq!(entries[0]["journal"], 1);
    let passed: Vec<_> = entries.iter().filter(|e| e["status"] == "passed").collect();
    assert_eq!(passed.len(), 6);
    assert_eq!(entries.iter().filter(|e| e["status"] == "committing").count(), 6);
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 7, "{results}");
    assert!(results.lines().skip(1).all(|l| l.contains(";passed;")), "{results}");
    assert!(results.contains("INC-4"), "extra columns are carried: {results}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["exit_code"], 0);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    for (i, e) in passed.iter().enumerate() {
        let folder = e["folder"].as_str().unwrap();
        assert!(html.contains(&format!("href=\"{folder}/report.html\"")), "{html}");
        assert!(out.join(folder).join("report.html").is_file());
        let log = std::fs::read_to_string(out.join(folder).join("run.log")).unwrap();
        let own = format!("line={}", e["line"]);
        assert!(log.contains(&own), "{folder}/run.log: {log}");
        let other = passed[(i + 1) % passed.len()]["line"].to_string();
        assert!(
            !log.contains(&format!("line={other} ")),
            "{folder}/run.log holds another row: {log}"
        );
        assert!(!log.contains(DEMO_PASSWORD));
    }
    let sessions = std::fs::read_dir(out.join("sessions")).unwrap().count();
    assert_eq!(sessions, 2, "two sessions, each logged in once");
    let cases = junit.matches("<testcase ").count();
    assert_eq!(cases, 6 * 4, "one test case per row and row step");
    assert!(junit.contains("[gebruiker=Tester 0003, Demo (PostNL), klantnummer=9401138]"));

    // A rerun (new folder) finds every box ticked: nothing changes.
    let o = output(batch(
        &portal.base_url(),
        &csv,
        &dir.join("second"),
        &["--parallel", "2"],
    ))
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (removed, added) = diff(&after, &portal.state());
    assert!(removed.is_empty() && added.is_empty(), "{removed:?} {added:?}");
    portal.shutdown().await;
}

/// Waits (polling, bounded) until the journal shows `passed` rows and ends with a row whose
/// save was sent and reached the portal (`landed(gebruiker)`) but whose outcome is not
/// journalled yet, then kills the batch with SIGKILL.
async fn kill_after_unconfirmed_save(mut child: Child, out: &Path, passed: usize, landed: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let j = journal(out);
        let done = j.iter().filter(|e| e["status"] == "passed").count();
        let pending = j
            .last()
            .filter(|e| e["status"] == "committing")
            .and_then(|e| e["params"]["gebruiker"].as_str());
        if done >= passed && pending.is_some_and(&landed) {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the batch ended before it could be killed: {status}");
        }
        assert!(Instant::now() < deadline, "no row was committing in time: {j:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_batch_then_resume_saves_every_row_exactly_once() {
    // Latency widens the gap between sending "Opslaan" and reading it back.
    let portal = portal(PortalConfig {
        latency: Duration::from_millis(150),
        ..seeded(6)
    })
    .await;
    let dir = tmp("resume");
    let csv = testers_csv(&dir, 1, 6);
    let out = dir.join("batch");
    let child = batch(&portal.base_url(), &csv, &out, &["--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let saved = |gebruiker: &str| {
        portal.state()["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"].as_str().unwrap_or_default().contains(gebruiker))
    };
    kill_after_unconfirmed_save(child, &out, 2, saved).await;
    let killed = journal(&out);
    let pending = killed.last().unwrap()["key"].clone();

    let o = output(batch(&portal.base_url(), &csv, &out, &["--resume"])).await;
    assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o.stdout), text(&o.stderr));
    let state = portal.state();
    assert_eq!(saves_by_user(&state), testers(1, 6), "each row saved exactly once");
    for t in testers(1, 6) {
        assert_eq!(
            state["authorisations"][KLANTNUMMER][&t],
            serde_json::json!(["E-commerce inzichten"]),
            "{t}"
        );
    }
    // The row killed after its save landed was re-checked (read back), not saved again.
    let resumed = journal(&out);
    let last = resumed.iter().rev().find(|e| e["key"] == pending).unwrap();
    assert_eq!(last["status"], "passed");
    let folder = out.join(last["folder"].as_str().unwrap());
    let row: Value = serde_json::from_str(&std::fs::read_to_string(folder.join("report.json")).unwrap()).unwrap();
    let details: Vec<String> = row["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["actions"].as_array().unwrap().iter())
        .filter_map(|a| a["detail"].as_str().map(str::to_string))
        .collect();
    assert!(details.iter().any(|d| d.starts_with("re-check")), "{details:?}");
    assert!(
        details.iter().any(|d| d == "was already ticked; left as is"),
        "{details:?}"
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(
        results.lines().filter(|l| l.contains(";skipped;")).count(),
        killed.iter().filter(|e| e["status"] == "passed").count(),
        "{results}"
    );
    println!(
        "audit after kill and resume:\n{}",
        serde_json::to_string_pretty(&state["audit"]).unwrap()
    );
    portal.shutdown().await;
}

#[tokio::test]
async fn bad_csv_rows_are_reported_with_their_lines_before_any_browser() {
    let dir = tmp("bad");
    let csv = dir.join("lijst.csv");
    std::fs::write(
        &csv,
        "klantnummer;gebruiker;ticket\n9401138;Jansen, Piet (PostNL);1\n9401138;\n;Bakker, Sanne (PostNL);2\n9401138;Jansen, Piet (PostNL);3\n",
    )
    .unwrap();
    let mut check = robot();
    check.args(["check", FLOW, "--batch"]).arg(&csv);
    let o = output(check).await;
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    let name = csv.display().to_string();
    for line in [3, 4, 5] {
        assert!(err.contains(&format!("{name}:{line}: ")), "line {line}: {err}");
    }
    assert!(err.contains("duplicate row: same values as line 2"), "{err}");

    // `run --batch` refuses the same file with the same lines, before any browser (there is
    // no portal at this address) and without creating its folder.
    let out = dir.join("out");
    let o = output(batch("http://127.0.0.1:9", &csv, &out, &[])).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(&format!("{name}:4: empty value for `klantnummer`")),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_asking_for_a_new_password_stops_the_batch() {
    let portal = portal(PortalConfig {
        force_password_change: true,
        ..seeded(3)
    })
    .await;
    let dir = tmp("password");
    let csv = testers_csv(&dir, 1, 3);
    let out = dir.join("batch");
    let mut c = batch(&portal.base_url(), &csv, &out, &["--parallel", "2"]);
    c.env("POSTNL_NEW_PASSWORD", "Een-Heel-Nieuw-Wachtwoord-1");
    let o = output(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("the portal asks for a new password"),
        "{}",
        text(&o.stderr)
    );
    let state = portal.state();
    assert!(saves_by_user(&state).is_empty());
    let admin = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "gatuser")
        .unwrap();
    assert_eq!(admin["must_change_password"], true, "no new password was set");
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(
        results.lines().filter(|l| l.contains(";not-run;")).count(),
        3,
        "{results}"
    );
    portal.shutdown().await;
}

/// A local webhook receiver: answers 200 and keeps every JSON body.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::{extract::State, routing::post, Json, Router};
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(b): State<Arc<Mutex<Vec<Value>>>>, Json(v): Json<Value>| async move {
                    b.lock().unwrap().push(v);
                },
            ),
        )
        .with_state(bodies.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_runs_twice_records_history_and_posts_failures() {
    let portal = portal(PortalConfig::default()).await;
    let (hook, bodies) = receiver().await;
    let dir = tmp("schedule");
    let flow = std::fs::canonicalize(FLOW).unwrap();
    let schedule = dir.join("schedule.toml");
    std::fs::write(
        &schedule,
        format!(
            r#"[[jobs]]
name = "ochtend"
cron = "*/2 * * * * *"
tz = "UTC"
flow = "{}"
params = {{ klantnummer = "{KLANTNUMMER}", gebruiker = "Niemand, Nobody (PostNL)" }}
base_url = "{}"
out = "runs/ochtend"
webhook = "{hook}"
"#,
            flow.display(),
            portal.base_url()
        ),
    )
    .unwrap();
    let mut check = robot();
    check.arg("check").arg(&schedule);
    let o = output(check).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("(schedule, 1 job)"));

    let mut c = robot();
    c.arg("schedule").arg(&schedule).args([
        "--max-runs",
        "2",
        "--webdriver",
        &driver_url(),
        "--timeout",
        "2",
        "--quiet",
    ]);
    let o = output(c).await;
    assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o.stdout), text(&o.stderr));
    let job_out = dir.join("runs/ochtend");
    let history: Vec<Value> = std::fs::read_to_string(job_out.join("history.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let runs: Vec<&Value> = history.iter().filter(|h| h["status"] != "skipped").collect();
    assert_eq!(runs.len(), 2, "{history:?}");
    for r in &runs {
        assert_eq!(r["status"], "failed", "{r}");
        assert_eq!(r["exit_code"], 1);
        let folder = PathBuf::from(r["folder"].as_str().unwrap());
        assert!(folder.join("report.json").is_file(), "{folder:?}");
        assert!(folder.join("run.log").is_file(), "{folder:?}");
    }
    assert_ne!(runs[0]["folder"], runs[1]["folder"], "each run in its own folder");
    let status: Value = serde_json::from_str(&std::fs::read_to_string(job_out.join("status.json")).unwrap()).unwrap();
    assert_eq!(status["last_run"]["status"], "failed");
    let posted = bodies.lock().unwrap().clone();
    assert_eq!(posted.len(), 2, "{posted:?}");
    for p in &posted {
        assert_eq!(p["event"], "run.finished");
        assert_eq!(p["job"], "ochtend");
        assert_eq!(p["status"], "failed");
        assert!(!p.to_string().contains(DEMO_PASSWORD));
    }
    portal.shutdown().await;
}
