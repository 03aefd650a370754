//! End to end: the shipped flow in real headless Chromium against the in-process replica;
//! afterwards the replica's state is checked (exactly the intended flag changed).

mod common;

use common::*;
use postnl_robot::error::CliError;
use postnl_robot::portal::{PortalConfig, Variant, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::run::Status;

const PIET: &str = "Jansen, Piet (PostNL)";
const PIET_EMAIL: &str = "piet.jansen@postnl.example";

fn step_statuses(outcome: &postnl_robot::app::RunOutcome) -> Vec<Status> {
    outcome.result.steps.iter().map(|s| s.status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_flow_authorises_the_admin_and_downloads_the_pdf_then_rerun_changes_nothing() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("full");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5]);

    // Exactly one flag changed: the admin's 'E-commerce inzichten' on 9401138.
    let after = portal.state();
    let (removed, added) = diff(&before, &after);
    assert!(removed.is_empty(), "nothing may be removed, got {removed:?}");
    assert_eq!(added.len(), 1, "exactly one flag may be added, got {added:?}");
    assert!(
        added[0].contains("E-commerce inzichten") && added[0].contains(KLANTNUMMER),
        "{added:?}"
    );

    // One screenshot per step, named after the step; the PDF landed and is a PDF.
    assert_eq!(
        png_names(&out),
        vec![
            "01-stap-1-log-in-op-mijnpostnl.png",
            "02-stap-2-ga-naar-mijn-account.png",
            "03-stap-3-ga-naar-autorisaties.png",
            "04-stap-4-selecteer-autorisaties-voor-gebruiker.png",
            "05-stap-5-nadat-de-gebruiker-geautoriseerd-is.png",
        ]
    );
    let pdfs: Vec<_> = files_under(&out.join("downloads"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "{pdfs:?}");
    assert!(pdfs[0].file_name().unwrap().to_string_lossy().contains(KLANTNUMMER));
    let bytes = std::fs::read(&pdfs[0]).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    for f in ["report.html", "report.json", "junit.xml", "run.log"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The cookie banner was in the way and was cleared by its handler.
    let obstacle = outcome.result.steps[0]
        .actions
        .iter()
        .any(|a| a.description.contains("cookiemelding"));
    assert!(obstacle, "the cookie banner handler ran in Stap 1");
    // The checkbox was ticked by the robot (not already ticked).
    let ticked = outcome.result.steps[3]
        .actions
        .iter()
        .any(|a| a.detail.as_deref() == Some("now ticked"));
    assert!(ticked, "{:?}", outcome.result.steps[3].actions);
    // Waiting happens inside the page, and settling after an action is folded into the next
    // call: at most two WebDriver round trips per action on average, the steps' idle checks
    // and screenshots included (a count, not a time). Every step and every browser action
    // reports its traffic.
    let steps = &outcome.result.steps;
    let trips: u64 = steps.iter().map(|s| s.traffic.expect("step traffic").round_trips).sum();
    let actions = steps.iter().map(|s| s.actions.len()).sum::<usize>() as u64;
    assert!(
        trips <= 2 * actions,
        "{trips} round trips for {actions} actions: {:?}",
        steps.iter().map(|s| s.traffic).collect::<Vec<_>>()
    );
    let click = steps[1]
        .actions
        .iter()
        .find(|a| a.description.starts_with("click"))
        .unwrap();
    let t = click.traffic.expect("action traffic");
    // Find it, click it; settling after it comes with the next call.
    assert!((1..=2).contains(&t.round_trips), "{click:?}");

    // Idempotent: the second run passes and changes nothing.
    let out2 = out_dir("rerun");
    let outcome2 = run_admin(&portal.base_url(), &out2, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("second run failed: {e}"));
    assert_eq!(step_statuses(&outcome2), vec![Status::Passed; 5]);
    let (removed, added) = diff(&after, &portal.state());
    assert!(
        removed.is_empty() && added.is_empty(),
        "second run changed {removed:?} {added:?}"
    );
    let left = outcome2.result.steps[3]
        .actions
        .iter()
        .any(|a| a.detail.as_deref().is_some_and(|d| d.contains("already ticked")));
    assert!(left, "second run found the box already ticked");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorising_another_user_skips_stap_5_with_the_reason() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("other");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, PIET)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(&step_statuses(&outcome)[..4], &[Status::Passed; 4]);
    let stap5 = &outcome.result.steps[4];
    assert_eq!(stap5.status, Status::Skipped);
    assert!(stap5.skip_reason.as_deref().unwrap().contains("andere gebruiker"));
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(added[0].contains("E-commerce inzichten"));
    assert!(
        !added[0].contains("gatuser"),
        "the admin's own rights did not change: {added:?}"
    );
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_password_change_is_handled_at_stap_1() {
    let portal = portal(PortalConfig {
        force_password_change: true,
        ..PortalConfig::default()
    })
    .await;
    let out = out_dir("pwchange");
    let outcome = run(
        &portal.base_url(),
        FLOW,
        &out,
        DEMO_ADMIN_EMAIL,
        DEMO_PASSWORD,
        &[("POSTNL_NEW_PASSWORD", "Nieuw-Wachtwoord-4821")],
        &[("klantnummer", KLANTNUMMER), ("gebruiker", ADMIN)],
    )
    .await
    .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5]);
    let branch = outcome.result.steps[0]
        .actions
        .iter()
        .any(|a| a.description.starts_with("if ") && a.detail.as_deref() == Some("yes"));
    assert!(branch, "the new-password branch ran");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_rights_fail_at_stap_3_with_the_portals_message() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("norights");
    let err = run(
        &portal.base_url(),
        FLOW,
        &out,
        PIET_EMAIL,
        DEMO_PASSWORD,
        &[],
        &[("klantnummer", KLANTNUMMER), ("gebruiker", PIET)],
    )
    .await
    .err()
    .expect("the run must fail");
    let CliError::Failed(msg) = &err else {
        panic!("expected a failed step, got {err:?}")
    };
    assert!(msg.contains("Stap 3"), "{msg}");
    assert!(
        msg.contains("Instellingen voor uw klantnummer beheren"),
        "the portal's message is quoted: {msg}"
    );
    assert!(
        png_names(&out)
            .iter()
            .any(|n| n.starts_with("03-") && n.contains("mislukt")),
        "failure screenshot"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["steps"][2]["status"], "failed");
    assert_eq!(report["steps"][3]["status"], "skipped");
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty() && added.is_empty());
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_gebruiker_and_klantnummer_list_what_the_portal_offers() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("unknown-user");
    let err = run_admin(&portal.base_url(), &out, KLANTNUMMER, "Bestaat, Niet (PostNL)")
        .await
        .err()
        .expect("unknown gebruiker fails");
    let msg = err.to_string();
    assert!(msg.contains("Stap 4"), "{msg}");
    assert!(msg.contains("Bestaat, Niet (PostNL)"), "names the wanted user: {msg}");
    assert!(msg.contains(ADMIN) && msg.contains(PIET), "lists the users: {msg}");

    let out = out_dir("unknown-kn");
    let err = run_admin(&portal.base_url(), &out, "1234567", ADMIN)
        .await
        .err()
        .expect("unknown klantnummer fails");
    let msg = err.to_string();
    assert!(msg.contains("Stap 4") && msg.contains("1234567"), "{msg}");
    assert!(msg.contains("PostNL (9401138)"), "lists the klantnummers: {msg}");
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty() && added.is_empty());
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_portal_with_latency_still_passes() {
    let portal = portal(PortalConfig {
        latency: std::time::Duration::from_millis(250),
        ..PortalConfig::default()
    })
    .await;
    let out = out_dir("slow");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5]);
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redesigned_portal_reports_the_step_that_drifted() {
    let portal = portal(PortalConfig {
        variant: Variant::Redesign,
        ..PortalConfig::default()
    })
    .await;
    let out = out_dir("redesign");
    let result = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN).await;
    // The redesign renames the checkbox label: the flow must stop at Stap 4 and say so, never
    // tick another box. Everything before it (interstitial, moved menu button) is survived.
    let err = result.err().expect("drift must be reported");
    let msg = err.to_string();
    assert!(msg.contains("Stap 4"), "{msg}");
    assert!(msg.contains("E-commerce inzichten"), "{msg}");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_fails_at_stap_1_with_the_portals_message() {
    let portal = portal(PortalConfig::default()).await;
    let out = out_dir("wrongpw");
    let err = run(
        &portal.base_url(),
        FLOW,
        &out,
        DEMO_ADMIN_EMAIL,
        "Fout-Wachtwoord-1",
        &[],
        &[("klantnummer", KLANTNUMMER), ("gebruiker", ADMIN)],
    )
    .await
    .err()
    .expect("a wrong password fails");
    let msg = err.to_string();
    assert!(msg.contains("Stap 1"), "{msg}");
    assert!(
        msg.contains("Onjuist e-mailadres of wachtwoord"),
        "the portal's message: {msg}"
    );
    assert!(!msg.contains("Fout-Wachtwoord-1"), "the password never shows");
    portal.shutdown().await;
}

/// The replica, answering the requests `rule` names with HTTP 500 (see `--fail-on`).
async fn portal_failing(rule: &str) -> postnl_robot::portal::PortalHandle {
    let rule = postnl_robot::portal::parse_fail_rule(rule).unwrap();
    portal(PortalConfig {
        fail_on: vec![rule],
        ..PortalConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_request_the_portal_fails_once_is_survived_by_a_reload() {
    // The first request for a user's authorisations answers HTTP 500.
    let portal = portal_failing("/apex/api/autorisaties*1").await;
    let before = portal.state();
    let out = out_dir("data500");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5]);
    let explained = outcome.result.steps[3].actions.iter().any(|a| {
        a.detail
            .as_deref()
            .is_some_and(|d| d.contains("HTTP 500") && d.contains("reloaded"))
    });
    assert!(
        explained,
        "the report says what happened: {:?}",
        outcome.result.steps[3].actions
    );
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_survived_by_logging_in_again() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("expiry");
    // The portal ends every session as soon as Stap 3 is done: Stap 4 meets the login page.
    let stap3 = out.join("03-stap-3-ga-naar-autorisaties.png");
    let base = portal.base_url();
    let run = run_admin(&base, &out, KLANTNUMMER, ADMIN);
    let expire = async {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !stap3.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        portal.end_sessions();
    };
    let (outcome, ()) = tokio::join!(run, expire);
    let outcome = outcome.unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5]);
    let relogged = outcome.result.steps[3]
        .actions
        .iter()
        .any(|a| a.description.contains("log in again"));
    assert!(
        relogged,
        "Stap 4 says the robot logged in again: {:?}",
        outcome.result.steps[3].actions
    );
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_page_the_last_click_of_a_step_loaded_is_reloaded_before_the_screenshot() {
    // A flow whose Stap 2 ends with the click that opens Mijn Account, which answers HTTP 500
    // once: the step's screenshot must show the page, not the error.
    let portal = portal_failing("GET /apex/bpg_my_account*1").await;
    let before = portal.state();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("flows/login.toml", dir.path().join("login.toml")).unwrap();
    let flow = dir.path().join("kort.toml");
    std::fs::write(
        &flow,
        r#"name = "kort"
title = "Mijn Account openen"

[[steps]]
title = "Stap 1. Log in op MijnPostNL"
include = "login.toml"

[[steps]]
title = "Stap 2. Ga naar 'Mijn Account'"

  [[steps.actions]]
  click = { role = "button", popup = true, within = { role = "banner" } }

  [[steps.actions]]
  click = { text = "Mijn Account" }
"#,
    )
    .unwrap();
    let out = out_dir("step-end-500");
    let outcome = run(
        &portal.base_url(),
        flow.to_str().unwrap(),
        &out,
        DEMO_ADMIN_EMAIL,
        DEMO_PASSWORD,
        &[],
        &[],
    )
    .await
    .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 2]);
    let step = &outcome.result.steps[1];
    assert!(
        step.url
            .as_deref()
            .unwrap_or_default()
            .ends_with("/apex/bpg_my_account"),
        "{:?}",
        step.url
    );
    let last = step.actions.last().unwrap();
    assert!(
        last.detail
            .as_deref()
            .unwrap_or_default()
            .contains("HTTP 500 error; reloaded it once"),
        "{:?}",
        last.detail
    );
    assert_eq!(diff(&before, &portal.state()), (vec![], vec![]));
    portal.shutdown().await;
}
