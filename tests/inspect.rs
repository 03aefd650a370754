//! `inspect` through the binary against the replica in real headless Chromium: after logging in
//! with flows/login.toml it lists what a person sees as ready-to-paste locators, grouped by
//! region, and leaves no temporary folder behind.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};

/// Runs `inspect URL --login FLOW` with its own TMPDIR; answers (exit code, stdout, stderr) and
/// asserts nothing was left in that TMPDIR.
fn inspect(url: &str, login: &Path) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args(["inspect", url, "--login"])
        .arg(login)
        .args(["--no-prompt", "--timeout", "10", "--webdriver", &driver_url()])
        .env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "inspect left {left:?} behind");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains(DEMO_PASSWORD) && !text.contains(DEMO_ADMIN_EMAIL),
            "{text}"
        );
    }
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// The lines of `region`'s group (`# banner` up to the next blank line).
fn group<'a>(out: &'a str, region: &str) -> Vec<&'a str> {
    let head = format!("# {region}");
    out.lines()
        .skip_while(|l| *l != head)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_shows_the_user_button_in_the_banner() {
    let portal = portal(PortalConfig::default()).await;
    let url = format!("{}/apex/BPG_Home", portal.base_url());
    let login = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/login.toml");
    let (code, out, err) = tokio::task::spawn_blocking(move || inspect(&url, &login))
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    let banner = group(&out, "banner");
    assert!(
        banner.contains(&r#"{ role = "button", name = "GATUser, PostNL" }"#),
        "{out}"
    );
    assert!(
        group(&out, "navigation \"Hoofdmenu\"")
            .iter()
            .any(|l| l.starts_with(r#"{ role = "link", name = "Home" }"#)),
        "{out}"
    );
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stap_4_lists_the_e_commerce_inzichten_checkbox() {
    let portal = portal(PortalConfig::default()).await;
    // A login flow that goes on to Stap 4 and chooses the gebruiker, so the boxes show.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/login.toml"),
        dir.path().join("login.toml"),
    )
    .unwrap();
    let stap4 = dir.path().join("stap4.toml");
    std::fs::write(
        &stap4,
        format!(
            r#"name = "stap4"
title = "Naar Stap 4"

[[steps]]
title = "Log in"
include = "login.toml"

[[steps]]
title = "Stap 4"

  [[steps.actions]]
  goto = "/apex/BPG_My_Account?PageTile=ShowMyAuthorizations"

  [[steps.actions]]
  select = {{ option = "{KLANTNUMMER}", match = "contains" }}

  [[steps.actions]]
  select = {{ option = "{ADMIN}" }}

  [[steps.actions]]
  expect = {{ visible = {{ text = "Autorisaties voor", match = "contains" }} }}
"#
        ),
    )
    .unwrap();
    let url = format!(
        "{}/apex/BPG_My_Account?PageTile=ShowMyAuthorizations",
        portal.base_url()
    );
    let (code, out, err) = tokio::task::spawn_blocking(move || inspect(&url, &stap4))
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with(r#"{ role = "checkbox", name = "E-commerce inzichten" }"#))
        .unwrap_or_else(|| panic!("no checkbox locator:\n{out}\n{err}"));
    assert!(line.ends_with(r#"# or { label = "E-commerce inzichten" }"#), "{line}");
    portal.shutdown().await;
}

#[test]
fn pause_without_headed_is_refused_before_a_browser_starts() {
    let out = Command::new(env!("CARGO_BIN_EXE_postnl-robot"))
        .args(["inspect", "http://127.0.0.1:9/", "--pause"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "--pause refused: it needs --headed: a headless browser cannot be looked at\n"
    );
}
