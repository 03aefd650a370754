//! The shipped flow in headless Firefox ESR through our own geckodriver (`--browser firefox`),
//! against the classic and the Alt rendition of the replica: same page script, settle logic and
//! screenshots as on Chromium; the PDF saved into the run folder without a dialog; the replica's
//! state checked; the fresh profile gone afterwards.
//!
//! Needs `firefox-esr` (or `firefox`) and `geckodriver` (PATH or `~/.cargo/bin`);
//! `scripts/ensure-grid.sh` installs both. Without them the tests say SKIP and why, and pass.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use postnl_robot::app::BrowserSettings;
use postnl_robot::browser::driver::{find_driver, find_firefox};
use postnl_robot::browser::BrowserKind;
use postnl_robot::portal::{PortalConfig, Variant, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::run::Status;
use serde_json::Value;

/// Why Firefox cannot run here, if it cannot.
fn missing() -> Option<String> {
    if find_firefox().is_none() {
        return Some("neither firefox nor firefox-esr is on PATH (apt-get install firefox-esr)".into());
    }
    find_driver(BrowserKind::Firefox, None)
        .err()
        .map(|e| format!("{e} (cargo install --locked geckodriver)"))
}

macro_rules! firefox_or_skip {
    () => {
        if let Some(why) = missing() {
            let _ = writeln!(std::io::stderr(), "SKIP: no Firefox here: {why}");
            return;
        }
    };
}

fn pdfs(out: &Path) -> Vec<std::path::PathBuf> {
    files_under(&out.join("downloads"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect()
}

/// Width and height of a PNG, from its header.
fn png_size(p: &Path) -> (u32, u32) {
    let b = std::fs::read(p).unwrap();
    assert!(b.starts_with(b"\x89PNG"), "{} is a PNG", p.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

/// Exactly one flag was added: the admin's "E-commerce inzichten" on 9401138.
fn one_flag_added(before: &Value, after: &Value) {
    let (removed, added) = diff(before, after);
    assert!(removed.is_empty(), "nothing may be removed, got {removed:?}");
    assert_eq!(added.len(), 1, "exactly one flag may be added, got {added:?}");
    assert!(
        added[0].contains("E-commerce inzichten") && added[0].contains(KLANTNUMMER) && added[0].contains("gatuser"),
        "{added:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_on_firefox_against_the_classic_portal() {
    firefox_or_skip!();
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let dir = tempfile::Builder::new().prefix("postnl-firefox-").tempdir().unwrap();
    let (out, tmp) = (dir.path().join("run"), dir.path().join("tmp"));
    std::fs::create_dir(&tmp).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
    c.args(["run", FLOW, "--browser", "firefox", "--base-url", &portal.base_url()])
        .args(["--quiet", "--timeout", "15", "--out"])
        .arg(&out)
        .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
        .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env("TMPDIR", &tmp);
    let o = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    one_flag_added(&before, &portal.state());

    let report: Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["browser"]["name"], "firefox");
    assert_eq!(report["browser"]["downloads"], "local");
    let statuses: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed"; 5]);

    // The PDF was saved, not shown: one real PDF in downloads/.
    let files = pdfs(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(std::fs::read(&files[0]).unwrap().starts_with(b"%PDF-"));

    // One screenshot per step, the whole page: Stap 4's page is taller than the 900 px window.
    let shots = png_names(&out);
    assert_eq!(shots.len(), 5, "{shots:?}");
    let tallest = shots.iter().map(|n| png_size(&out.join(n)).1).max().unwrap();
    assert!(
        tallest > 900,
        "a full-page screenshot is taller than the window: {tallest}"
    );

    // The fresh profile (and geckodriver's log) went with the run.
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_on_firefox_against_the_alt_rendition() {
    firefox_or_skip!();
    let portal = portal(PortalConfig {
        variant: Variant::Alt,
        ..PortalConfig::default()
    })
    .await;
    let before = portal.state();
    let out = out_dir("firefox-alt");
    let browser = BrowserSettings {
        browser: BrowserKind::Firefox,
        webdriver: None,
        driver: None,
        headed: false,
        timeout: Duration::from_secs(15),
        max_wait: Some(Duration::from_secs(30)),
    };
    let outcome = run_admin_on(browser, &portal.base_url(), &out)
        .await
        .unwrap_or_else(|e| panic!("the run on Firefox failed: {e}"));
    let statuses: Vec<Status> = outcome.result.steps.iter().map(|s| s.status).collect();
    assert_eq!(statuses, vec![Status::Passed; 5]);
    assert_eq!(outcome.result.browser.name, "firefox");
    one_flag_added(&before, &portal.state());
    let files = pdfs(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(std::fs::read(&files[0]).unwrap().starts_with(b"%PDF-"));
    // The Alt portal's one-off HTTP 500 was met and reloaded away, as on Chromium.
    let log: Vec<String> = outcome
        .result
        .steps
        .iter()
        .flat_map(|s| s.actions.iter())
        .map(|a| format!("{} | {}", a.description, a.detail.as_deref().unwrap_or("")))
        .collect();
    assert!(
        log.iter().any(|a| a.contains("HTTP 500") && a.contains("reloaded")),
        "{log:#?}"
    );
    portal.shutdown().await;
}
