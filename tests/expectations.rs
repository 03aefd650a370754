//! The flow language's text, value and hidden expectations in real headless Chromium against the
//! replica's login page: each holds when it should, fails when it should, and never echoes a
//! secret in its failure.

mod common;

use common::*;
use postnl_robot::error::CliError;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::run::Status;

const HEAD: &str = r#"name = "verwachtingen"
title = "Verwachtingen op de inlogpagina"

[secrets.email]
env = "POSTNL_EMAIL"

[secrets.password]
env = "POSTNL_PASSWORD"

[[handlers]]
name = "cookiemelding"
when = { role = "button", name = "Weigeren" }
  [[handlers.actions]]
  click = { role = "button", name = "Weigeren" }

[[steps]]
title = "Inlogpagina"

  [[steps.actions]]
  goto = "/"

  [[steps.actions]]
  fill = { label = "E-mailadres" }
  with = "${email}"

  [[steps.actions]]
  fill = { label = "Wachtwoord" }
  with = "${password}"
"#;

fn flow_file(name: &str, actions: &str) -> std::path::PathBuf {
    let dir = out_dir(&format!("{name}-flow"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("flow.toml");
    std::fs::write(&path, format!("{HEAD}{actions}")).unwrap();
    path
}

async fn run_login_page(
    name: &str,
    actions: &str,
) -> (Result<postnl_robot::app::RunOutcome, CliError>, std::path::PathBuf) {
    let portal = portal(PortalConfig::default()).await;
    let flow = flow_file(name, actions);
    let out = out_dir(name);
    let r = run(
        &portal.base_url(),
        flow.to_str().unwrap(),
        &out,
        DEMO_ADMIN_EMAIL,
        DEMO_PASSWORD,
        &[],
        &[],
    )
    .await;
    portal.shutdown().await;
    (r, out)
}

fn failure(r: Result<postnl_robot::app::RunOutcome, CliError>) -> String {
    match r {
        Err(CliError::Failed(msg)) => msg,
        other => panic!("expected a failed step, got {:?}", other.map(|o| o.result.steps.len())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_value_and_hidden_expectations_hold() {
    let (r, _) = run_login_page(
        "expect-pass",
        r#"
  [[steps.actions]]
  expect = { text = { role = "heading", name = "Log in bij Mijn PostNL" }, equals = "log in bij  mijn postnl" }

  [[steps.actions]]
  expect = { text = { role = "heading", name = "Log in bij Mijn PostNL" }, contains = "Mijn PostNL" }

  [[steps.actions]]
  expect = { value = { label = "E-mailadres" }, equals = "${email}" }

  [[steps.actions]]
  expect = { value = { label = "Wachtwoord" }, equals = "${password}" }

  [[steps.actions]]
  expect = { hidden = { role = "alert" } }

  [[steps.actions]]
  expect = { hidden = { text = "Bestaat niet op deze pagina" } }
"#,
    )
    .await;
    let outcome = r.unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(outcome.result.steps[0].status, Status::Passed);
    let details: Vec<String> = outcome.result.steps[0]
        .actions
        .iter()
        .filter_map(|a| a.detail.clone())
        .collect();
    assert!(
        details.iter().any(|d| d == "text is \"Log in bij Mijn PostNL\""),
        "{details:?}"
    );
    assert!(details.iter().all(|d| !d.contains(DEMO_PASSWORD)), "{details:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_text_fails_naming_what_was_read() {
    let (r, _) = run_login_page(
        "expect-text-fail",
        r#"
  [[steps.actions]]
  expect = { text = { role = "heading", name = "Log in bij Mijn PostNL" }, equals = "Welkom" }
  timeout = 1
"#,
    )
    .await;
    let msg = failure(r);
    assert!(
        msg.contains(r#"to equal "Welkom", but it is "Log in bij Mijn PostNL""#),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_value_fails_without_echoing_it() {
    let (r, out) = run_login_page(
        "expect-value-fail",
        r#"
  [[steps.actions]]
  expect = { value = { label = "E-mailadres" }, contains = "${password}" }
  timeout = 1
"#,
    )
    .await;
    let msg = failure(r);
    assert!(msg.contains("to contain ${password}, but it is \"***\""), "{msg}");
    for f in files_under(&out) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(DEMO_PASSWORD), "{} holds the password", f.display());
        assert!(!text.contains(DEMO_ADMIN_EMAIL), "{} holds the e-mail", f.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visible_element_fails_hidden() {
    let (r, _) = run_login_page(
        "expect-hidden-fail",
        r#"
  [[steps.actions]]
  expect = { hidden = { role = "button", name = "Inloggen bij Mijn PostNL" } }
  timeout = 1
"#,
    )
    .await;
    let msg = failure(r);
    assert!(msg.contains("to be hidden, but it is still visible"), "{msg}");
}
