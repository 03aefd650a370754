//! `verify` end to end: the shipped flow in real headless Chromium against in-process replicas.
//! A baseline is written from the classic replica, then compared with a fresh classic replica
//! (unchanged), one that renamed a label the flow does not use (drift, exit 5), one that renamed
//! the label the flow ticks (broken, exit 1, with the edit that repairs the flow) and the
//! redesign (broken, the near miss ranked first). No verify run changes the portal: its state and
//! audit log (`GET /__state`) are the same afterwards.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use postnl_robot::app::{verify_flow, OutputSettings, RunRequest};
use postnl_robot::error::CliError;
use postnl_robot::portal::{PortalConfig, PortalHandle, Rename, Variant, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::report::LogFormat;
use postnl_robot::run::Mode;
use postnl_robot::signals::Interrupt;
use postnl_robot::verify::Settings;
use serde_json::Value;

const STAP_4: &str = "Stap 4. Selecteer 'autorisaties voor gebruiker'";

fn settings(baseline: &Path, update: bool) -> Settings {
    Settings {
        baseline: baseline.to_path_buf(),
        update,
        step: None,
        pixel_threshold: postnl_robot::verify::DEFAULT_PIXEL_THRESHOLD,
    }
}

/// Verifies the shipped flow as the demo admin against `base_url`; answers the outcome and the
/// run folder.
async fn verify(base_url: &str, baseline: &Path, update: bool, name: &str) -> (Result<(), CliError>, PathBuf) {
    let out = out_dir(name);
    let env = |n: &str| match n {
        "POSTNL_EMAIL" => Some(DEMO_ADMIN_EMAIL.to_string()),
        "POSTNL_PASSWORD" => Some(DEMO_PASSWORD.to_string()),
        _ => None,
    };
    let req = RunRequest {
        flow: PathBuf::from(FLOW),
        base_url: Some(base_url.to_string()),
        params: vec![
            ("klantnummer".into(), KLANTNUMMER.into()),
            ("gebruiker".into(), ADMIN.into()),
        ],
        prompt: false,
        browser: browser_args(),
        output: OutputSettings {
            out: Some(out.clone()),
            force: false,
            quiet: true,
            log_format: LogFormat::Text,
            ..Default::default()
        },
        mode: Mode::Verify,
        pause_on_failure: false,
    };
    let r = verify_flow(req, settings(baseline, update), &env, &Interrupt::new()).await;
    (r.map(|_| ()), out)
}

/// A baseline written from a classic replica (which is left unchanged).
async fn classic_baseline(name: &str) -> PathBuf {
    let portal = portal(PortalConfig::default()).await;
    let before = state(&portal).await;
    let dir = tempfile::Builder::new()
        .prefix(&format!("postnl-baseline-{name}-"))
        .tempdir()
        .unwrap()
        .keep();
    let (r, _) = verify(&portal.base_url(), &dir, true, &format!("{name}-baseline")).await;
    r.unwrap_or_else(|e| panic!("writing the baseline failed: {e}"));
    assert_unchanged(&before, &state(&portal).await);
    portal.shutdown().await;
    dir
}

/// The replica's state as `GET /__state` answers it.
async fn state(portal: &PortalHandle) -> Value {
    let url = format!("{}/__state", portal.base_url());
    tokio::task::spawn_blocking(move || {
        let mut resp = ureq::get(&url).call().expect("GET /__state");
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap()
    })
    .await
    .unwrap()
}

/// No authorisation changed and no audit entry was written.
fn assert_unchanged(before: &Value, after: &Value) {
    let (removed, added) = diff(before, after);
    assert!(
        removed.is_empty() && added.is_empty(),
        "state changed: -{removed:?} +{added:?}"
    );
    assert_eq!(before["audit"], after["audit"], "verify wrote an audit entry");
}

/// The run's report.json, checked against docs/report.schema.json.
fn report(out: &Path) -> Value {
    let value: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "report.json does not match the schema: {errors:#?}");
    value
}

fn statuses(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

/// The line of the flow that ticks 'E-commerce inzichten'.
fn check_line() -> usize {
    std::fs::read_to_string(FLOW)
        .unwrap()
        .lines()
        .position(|l| l.contains("check = { label = \"E-commerce inzichten\" }"))
        .expect("the flow ticks E-commerce inzichten")
        + 1
}

async fn replica(renames: &[&str], variant: Variant) -> PortalHandle {
    portal(PortalConfig {
        renames: renames.iter().map(|r| r.parse::<Rename>().unwrap()).collect(),
        variant,
        ..PortalConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_classic_replica_matches_the_baseline_and_nothing_is_saved() {
    let baseline = classic_baseline("fresh").await;
    // One file per performed step (Stap 5 depends on the save), fingerprint and screenshot.
    let key = baseline.join("chromium-1280x900");
    let mut files: Vec<String> = std::fs::read_dir(&key)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "{files:?}");
    assert!(files.contains(&"04-stap-4-selecteer-autorisaties-voor-gebruiker.json".to_string()));
    let stap4 = std::fs::read_to_string(key.join("04-stap-4-selecteer-autorisaties-voor-gebruiker.json")).unwrap();
    assert!(
        stap4.contains(r#"{"role":"checkbox","name":"Notificaties","group":"Pakketten & Vracht"}"#),
        "{stap4}"
    );
    assert!(!stap4.contains(ADMIN), "values are written as placeholders: {stap4}");
    assert!(!stap4.contains(DEMO_ADMIN_EMAIL));

    let portal = replica(&[], Variant::Classic).await;
    let before = state(&portal).await;
    let (r, out) = verify(&portal.base_url(), &baseline, false, "fresh").await;
    r.unwrap_or_else(|e| panic!("verify failed: {e}"));
    let rep = report(&out);
    assert_eq!(rep["status"], "unchanged");
    assert_eq!(rep["exit_code"], 0);
    assert_eq!(
        statuses(&rep),
        ["unchanged", "unchanged", "unchanged", "unchanged", "not-verified"]
    );
    // Opslaan was found and checked, not clicked; the read-back after it is not verified.
    let actions = rep["steps"][3]["actions"].as_array().unwrap();
    let opslaan = actions
        .iter()
        .find(|a| a["description"].as_str().unwrap().contains("Opslaan"))
        .unwrap();
    assert_eq!(opslaan["status"], "skipped");
    assert!(opslaan["detail"].as_str().unwrap().contains("not clicked"), "{opslaan}");
    assert!(out
        .join("04-stap-4-selecteer-autorisaties-voor-gebruiker-niet-geklikt.png")
        .is_file());
    let after_save: Vec<&str> = actions
        .iter()
        .skip_while(|a| !a["description"].as_str().unwrap().contains("Opslaan"))
        .skip(1)
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(after_save, ["not-verified"; 4]);
    assert_unchanged(&before, &state(&portal).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_label_the_flow_does_not_use_is_drift_at_stap_4() {
    let baseline = classic_baseline("drift").await;
    let portal = replica(&["Notificaties=Meldingen"], Variant::Classic).await;
    let before = state(&portal).await;
    let (r, out) = verify(&portal.base_url(), &baseline, false, "drift").await;
    let err = r.expect_err("drift is an error");
    assert_eq!(err.code(), 5, "{err}");
    assert!(err.to_string().contains(STAP_4), "{err}");
    let rep = report(&out);
    assert_eq!(rep["status"], "changed");
    assert_eq!(
        statuses(&rep),
        ["unchanged", "unchanged", "unchanged", "changed", "not-verified"]
    );
    let changes = rep["steps"][3]["verify"]["changes"].as_array().unwrap();
    let rename = changes.iter().find(|c| c["kind"] == "renamed").expect("a rename");
    assert_eq!(rename["old"], "Notificaties");
    assert_eq!(rename["new"], "Meldingen");
    assert_eq!(
        rename["message"],
        "checkbox \"Notificaties\" renamed to \"Meldingen\" (in \"Pakketten & Vracht\")"
    );
    // Before, after and the difference are side by side in the report.
    let v = &rep["steps"][3]["verify"];
    for f in ["baseline_screenshot", "diff_screenshot"] {
        assert!(out.join(v[f].as_str().unwrap()).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Vergeleken met de basislijn") && html.contains("Voorheen (basislijn)"));
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("renamed to &quot;Meldingen&quot;"), "{junit}");
    assert_unchanged(&before, &state(&portal).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_label_the_flow_uses_is_broken_with_the_edit_that_repairs_it() {
    let baseline = classic_baseline("broken").await;
    let portal = replica(&["E-commerce inzichten=E-commerce Insights"], Variant::Classic).await;
    let before = state(&portal).await;
    let (r, out) = verify(&portal.base_url(), &baseline, false, "broken").await;
    let err = r.expect_err("a broken step is an error");
    assert_eq!(err.code(), 1, "{err}");
    assert!(
        err.to_string().contains("did you mean: label \"E-commerce Insights\"?"),
        "{err}"
    );
    let rep = report(&out);
    assert_eq!(rep["status"], "broken");
    assert_eq!(statuses(&rep)[..4], ["unchanged", "unchanged", "unchanged", "broken"]);
    let step = &rep["steps"][3];
    assert_eq!(step["error"]["did_you_mean"][0]["offered"], "E-commerce Insights");
    let edits = step["verify"]["edits"].as_array().unwrap();
    let first = &edits[0];
    assert_eq!(first["file"], FLOW);
    assert_eq!(first["line"], check_line());
    assert_eq!(
        (first["old"].as_str(), first["new"].as_str()),
        (Some("E-commerce inzichten"), Some("E-commerce Insights"))
    );
    // The read-back line needs the same edit.
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert_unchanged(&before, &state(&portal).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redesign_is_broken_at_stap_4_with_the_near_miss_ranked_first() {
    let baseline = classic_baseline("redesign").await;
    let portal = replica(&[], Variant::Redesign).await;
    let before = state(&portal).await;
    let (r, out) = verify(&portal.base_url(), &baseline, false, "redesign").await;
    assert_eq!(r.expect_err("broken").code(), 1);
    let rep = report(&out);
    assert_eq!(rep["steps"][3]["status"], "broken");
    let near = &rep["steps"][3]["error"]["did_you_mean"];
    assert_eq!(near[0]["offered"], "E-commerce inzichten (rapportage)", "{near}");
    let edit = &rep["steps"][3]["verify"]["edits"][0];
    assert_eq!(edit["line"], check_line());
    assert_eq!(edit["new"], "E-commerce inzichten (rapportage)");
    let changes = rep["steps"][3]["verify"]["changes"].to_string();
    assert!(
        changes.contains("moved from \\\"Inzichten\\\" to \\\"Rapportages & analyses\\\""),
        "{changes}"
    );
    assert_unchanged(&before, &state(&portal).await);
}

/// The command line: exit 0 when unchanged, 5 on drift, with the terminal summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_exits_0_when_unchanged_and_5_on_drift() {
    let baseline = classic_baseline("binary").await;
    let classic = replica(&[], Variant::Classic).await;
    let renamed = replica(&["Notificaties=Meldingen"], Variant::Classic).await;
    let run = |base: String, name: &'static str| {
        let baseline = baseline.clone();
        tokio::task::spawn_blocking(move || {
            let out = out_dir(name);
            Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
                .args(["verify", FLOW, "--baseline"])
                .arg(&baseline)
                .args([
                    "--base-url",
                    &base,
                    "--webdriver",
                    &driver_url(),
                    "--timeout",
                    "10",
                    "--quiet",
                    "--lang",
                    "en",
                ])
                .args([
                    "-p",
                    &format!("klantnummer={KLANTNUMMER}"),
                    "-p",
                    &format!("gebruiker={ADMIN}"),
                ])
                .arg("--out")
                .arg(&out)
                .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
                .env("POSTNL_PASSWORD", DEMO_PASSWORD)
                .output()
                .unwrap()
        })
    };
    let same = run(classic.base_url(), "bin-same").await.unwrap();
    let stdout = String::from_utf8_lossy(&same.stdout);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(
        stdout.contains("Unchanged: every step matches the baseline (exit 0)"),
        "{stdout}"
    );

    let drift = run(renamed.base_url(), "bin-drift").await.unwrap();
    let stdout = String::from_utf8_lossy(&drift.stdout);
    assert_eq!(drift.status.code(), Some(5), "{stdout}");
    assert!(stdout.contains(&format!("≠ {STAP_4}")), "{stdout}");
    assert!(
        stdout.contains("checkbox \"Notificaties\" renamed to \"Meldingen\" (in \"Pakketten & Vracht\")"),
        "{stdout}"
    );
    assert!(!stdout.contains(DEMO_PASSWORD) && !String::from_utf8_lossy(&drift.stderr).contains(DEMO_PASSWORD));
}

/// `verify --batch`: every row of a CSV is verified against one baseline without saving
/// anything; results.csv says which rows changed and the batch exits 5 on drift.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_verifies_every_row_against_one_baseline_and_saves_nothing() {
    let seeded = |renames: &[&str]| PortalConfig {
        seed_users: 1,
        renames: renames.iter().map(|r| r.parse::<Rename>().unwrap()).collect(),
        ..PortalConfig::default()
    };
    let same = portal(seeded(&[])).await;
    let renamed = portal(seeded(&["Notificaties=Meldingen"])).await;
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline");
    let csv = dir.path().join("lijst.csv");
    std::fs::write(
        &csv,
        format!("klantnummer;gebruiker;ticket\n{KLANTNUMMER};{ADMIN};INC-1\n{KLANTNUMMER};Tester 0001, Demo (PostNL);INC-2\n"),
    )
    .unwrap();
    let robot = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
                .args(["verify", FLOW])
                .args(args)
                .args(["--webdriver", &driver_url(), "--timeout", "10", "--quiet"])
                .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
                .env("POSTNL_PASSWORD", DEMO_PASSWORD)
                .output()
                .unwrap()
        })
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let base = baseline.to_str().unwrap();

    // --update-baseline does not go with --batch: refused before any browser starts.
    let o = robot(s(&[
        "--baseline",
        base,
        "--update-baseline",
        "--batch",
        csv.to_str().unwrap(),
    ]))
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));

    let before = state(&same).await;
    let out = out_dir("verify-batch-baseline");
    let o = robot(s(&[
        "--baseline",
        base,
        "--update-baseline",
        "--base-url",
        &same.base_url(),
        "-p",
        &format!("klantnummer={KLANTNUMMER}"),
        "-p",
        &format!("gebruiker={ADMIN}"),
        "--out",
        out.to_str().unwrap(),
    ]))
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));

    let batch = |portal_url: String, name: &'static str| {
        let out = out_dir(name);
        let args = s(&[
            "--baseline",
            base,
            "--batch",
            csv.to_str().unwrap(),
            "--parallel",
            "2",
            "--pixel-threshold",
            "5",
            "--base-url",
            &portal_url,
            "--out",
            out.to_str().unwrap(),
        ]);
        (robot(args), out)
    };
    let (run, out) = batch(same.base_url(), "verify-batch-same");
    let o = run.await.unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(
        results.matches(";passed;").count() + results.matches(",passed,").count(),
        2,
        "{results}"
    );
    assert_unchanged(&before, &state(&same).await);

    let before = state(&renamed).await;
    let (run, out) = batch(renamed.base_url(), "verify-batch-drift");
    let o = run.await.unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(5),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let changed =
        |l: &&str| (l.contains(",changed,") || l.contains(";changed;")) && l.contains("changed since the baseline");
    assert_eq!(results.lines().filter(changed).count(), 2, "{results}");
    assert!(results.contains("renamed to \"\"Meldingen\"\""), "{results}");
    assert_unchanged(&before, &state(&renamed).await);
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(junit.contains("changed since the baseline"), "{junit}");
    assert!(!stdout.contains(DEMO_PASSWORD));
}
