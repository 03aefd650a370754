//! `--trace` through the binary, on real headless Chromium against the replica: a failing step
//! keeps the page's DOM, console and network (and no secret), `--trace off` writes nothing
//! extra, `--trace on` traces every action and still changes exactly one flag.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;
use postnl_robot::portal::{parse_fail_rule, PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use serde_json::Value;

/// `run` of the shipped flow through the binary on the shared driver.
fn robot(base_url: &str, out: &Path, trace: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
    cmd.args(["run", FLOW, "--base-url", base_url, "--quiet", "--lang", "en"])
        .args(["--out", out.to_str().unwrap(), "--webdriver", &driver_url()])
        .args(["--timeout", "5", "--max-wait", "30"])
        .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
        .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env_remove("POSTNL_TRACE")
        .stdin(Stdio::null());
    if let Some(t) = trace {
        cmd.args(["--trace", t]);
    }
    cmd.output().unwrap()
}

fn report(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

/// No file of the run folder holds the e-mail address or the password.
fn assert_no_secrets(out: &Path) {
    for f in files_under(out) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [DEMO_ADMIN_EMAIL, DEMO_PASSWORD] {
            assert!(!text.contains(secret), "{} holds a secret", f.display());
        }
    }
}

#[tokio::test]
async fn a_failing_step_keeps_dom_console_and_network_and_off_writes_nothing_extra() {
    let portal = portal(PortalConfig {
        fail_on: vec![parse_fail_rule("GET /apex/api/gebruikers").unwrap()],
        ..PortalConfig::default()
    })
    .await;
    let base = portal.base_url();

    // Default: on-failure.
    let out = out_dir("trace-fail");
    let o = tokio::task::spawn_blocking({
        let (base, out) = (base.clone(), out.clone());
        move || robot(&base, &out, None)
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    let r = report(&out);
    assert_eq!(r["trace"], "on-failure");
    let step = &r["steps"][3];
    assert_eq!(step["status"], "failed");
    let t = &step["trace"];
    assert_eq!(t["after"], step["error"]["screenshot"], "{t:#}");
    assert_eq!(t["before"], "03-stap-3-ga-naar-autorisaties.png");
    let dom = std::fs::read_to_string(out.join(t["dom"].as_str().expect("a DOM file"))).unwrap();
    assert!(
        dom.contains("Selecteer een gebruiker om de autorisaties te wijzigen"),
        "{dom}"
    );
    assert!(
        dom.contains("De gebruikers konden niet worden geladen"),
        "the page's error is in the DOM"
    );
    let console = t["console"].as_array().unwrap();
    assert!(
        console
            .iter()
            .any(|c| c["level"] == "error" && c["text"].as_str().unwrap().contains("HTTP 500")),
        "{console:#?}"
    );
    let network = t["network"].as_array().unwrap();
    assert!(
        network.iter().any(|n| n["status"] == 500
            && n["method"] == "GET"
            && n["url"].as_str().unwrap().contains("/apex/api/gebruikers")),
        "{network:#?}"
    );
    assert!(
        network
            .iter()
            .any(|n| n["kind"] == "document" && n["url"].as_str().unwrap().ends_with("/apex/BPG_Home")),
        "the run's earlier documents are in the log: {network:#?}"
    );
    // Passing steps keep nothing.
    assert!(r["steps"][0].get("trace").is_none());
    assert!(r["steps"][0]["actions"][0].get("trace").is_none());
    // The report shows it; the manifest covers it; no secret anywhere.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Trace of the moment the step stopped"),
        "no trace in report.html"
    );
    assert!(html.contains("href=\"trace/04-stopped-dom.html\""));
    assert!(html.contains("/apex/api/gebruikers?klantnummer=9401138"));
    let manifest = std::fs::read_to_string(out.join("manifest.sha256")).unwrap();
    assert!(manifest.contains("  trace/04-stopped-dom.html\n"), "{manifest}");
    let check = Command::new("sha256sum")
        .args(["-c", "--quiet", "manifest.sha256"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    assert_no_secrets(&out);

    // --trace off: the same failure, nothing extra.
    let off = out_dir("trace-off");
    let o = tokio::task::spawn_blocking({
        let off = off.clone();
        move || robot(&base, &off, Some("off"))
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!off.join("trace").exists(), "--trace off wrote trace/");
    let text = std::fs::read_to_string(off.join("report.json")).unwrap();
    assert!(!text.contains("\"trace\""), "--trace off put a trace in report.json");
    assert!(!std::fs::read_to_string(off.join("report.html"))
        .unwrap()
        .contains("trace/"));
    portal.shutdown().await;
}

#[tokio::test]
async fn trace_on_records_every_action_and_changes_one_flag() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("trace-on");
    let o = tokio::task::spawn_blocking({
        let (base, out) = (portal.base_url(), out.clone());
        move || robot(&base, &out, Some("on"))
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].contains("E-commerce inzichten"), "{added:?}");

    let r = report(&out);
    assert_eq!(r["trace"], "on");
    let mut traced = 0;
    for step in r["steps"].as_array().unwrap() {
        for a in step["actions"].as_array().unwrap() {
            let desc = a["description"].as_str().unwrap();
            let Some(t) = a.get("trace") else {
                assert!(
                    desc.starts_with("obstacle:") || desc.starts_with("if "),
                    "no trace for {desc}"
                );
                continue;
            };
            traced += 1;
            for key in ["after", "dom"] {
                let file = t[key].as_str().unwrap_or_else(|| panic!("{desc}: no {key}"));
                assert!(out.join(file).is_file(), "{file}");
            }
            if traced > 1 {
                assert!(t["before"].is_string(), "{desc}: no page before");
            }
        }
    }
    assert!(traced >= 25, "{traced} actions traced");
    let save = r["steps"][3]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["description"].as_str().unwrap().contains("Opslaan"))
        .expect("the save");
    assert!(
        save["trace"]["network"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["method"] == "POST"
                && n["status"] == 200
                && n["url"].as_str().unwrap().ends_with("/apex/api/autorisaties")),
        "{:#}",
        save["trace"]
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Timeline per action (trace)"));
    assert_no_secrets(&out);
    portal.shutdown().await;
}
