//! Executor unit tests through the scripted [`FakePage`]: recovery paths, decisions, commits and
//! cancellation, without a browser. They run on a paused clock, so bounded waits and retry
//! pauses take no real time.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::fake::{Effect, FakePage};
use super::*;
use crate::flow::load::parse_str;
use result::RunResult;

const OPSLAAN: &str = "role button \"Opslaan\"";
const LOGIN_MARK: &str = "text \"Log in bij Mijn PostNL\"";
const LOGIN_PAGE: &[&str] = &[LOGIN_MARK, "role button \"Inloggen\""];

/// Parses `toml` as a flow, binds `params` and runs it on `page`.
async fn run_on(
    toml: &str,
    params: &[(&str, &str)],
    page: &FakePage,
    mode: Mode,
    cancel: &CancellationToken,
) -> RunResult {
    let flow = parse_str(Path::new("test.toml"), toml).expect("test flow parses");
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let vars = crate::flow::bind::bind(&flow, &params, &|_| Some("geheim".into()), false).expect("binds");
    let dir = tempfile::tempdir().unwrap().keep();
    let opts = RunOptions {
        trace: crate::run::TraceMode::default(),
        out_dir: dir,
        base_url: "http://portal.test".into(),
        timeout: Duration::from_secs(10),
        max_wait: None,
        mode,
    };
    let plan = Plan {
        flow: &flow,
        file: "test.toml".into(),
        vars,
    };
    run(plan, page, &opts, &mut Silent, cancel).await
}

async fn run_flow(toml: &str, page: &FakePage) -> RunResult {
    run_on(toml, &[], page, Mode::Run, &CancellationToken::new()).await
}

fn page() -> (FakePage, CancellationToken) {
    let cancel = CancellationToken::new();
    (FakePage::new(cancel.clone()), cancel)
}

fn details(r: &RunResult, step: usize) -> Vec<String> {
    r.steps[step]
        .actions
        .iter()
        .map(|a| {
            format!(
                "{} [{}] {}",
                a.description,
                a.status.as_str(),
                a.detail.clone().unwrap_or_default()
            )
        })
        .collect()
}

const ONE_CLICK: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Stap 1"
  [[steps.actions]]
  click = { text = "Verder" }
[[steps]]
title = "Stap 2"
  [[steps.actions]]
  expect = { visible = { text = "Klaar" } }
"#;

#[tokio::test(start_paused = true)]
async fn a_passing_flow_has_a_screenshot_per_step_and_exit_code_0() {
    let (page, _) = page();
    page.show(&["text \"Verder\""])
        .on_click("text \"Verder\"", vec![Effect::Show("text \"Klaar\"")]);
    let r = run_flow(ONE_CLICK, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert_eq!(r.exit_code, 0);
    assert_eq!(r.steps[0].screenshot.as_deref(), Some("01-stap-1.png"));
    assert_eq!(r.steps[1].screenshot.as_deref(), Some("02-stap-2.png"));
    assert_eq!(r.browser.name, "fake");
    assert!(r.finished >= r.started);
}

#[tokio::test(start_paused = true)]
async fn an_absent_element_fails_the_step_typed_and_skips_the_rest() {
    let (page, _) = page();
    let r = run_flow(ONE_CLICK, &page).await;
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.exit_code, 1);
    assert_eq!(r.steps[0].status, Status::Failed);
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::ElementAbsent);
    assert_eq!(err.locator.as_deref(), Some("text \"Verder\""));
    assert_eq!(err.screenshot.as_deref(), Some("01-stap-1-mislukt.png"));
    assert_eq!(r.steps[1].status, Status::Skipped);
    assert!(r.steps[1].skip_reason.as_deref().unwrap().contains("eerdere stap"));
}

const WITH_HANDLER: &str = r#"
name = "t"
title = "T"
[[handlers]]
name = "cookiemelding"
when = { role = "button", name = "Weigeren" }
  [[handlers.actions]]
  click = { role = "button", name = "Weigeren" }
[[steps]]
title = "Stap 1"
  [[steps.actions]]
  click = { text = "Verder" }
"#;

#[tokio::test(start_paused = true)]
async fn an_obstacle_runs_its_handler_and_the_blocked_click_is_retried() {
    let (page, _) = page();
    page.show(&["text \"Verder\"", "role button \"Weigeren\""]).on_click(
        "role button \"Weigeren\"",
        vec![Effect::Hide("role button \"Weigeren\"")],
    );
    let r = run_flow(WITH_HANDLER, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    let d = details(&r, 0);
    assert!(d[0].starts_with("obstacle: cookiemelding [passed]"), "{d:?}");
    assert!(d[1].starts_with("click text \"Verder\" [passed]"), "{d:?}");
    assert_eq!(
        page.calls("click text \"Verder\"").len(),
        2,
        "blocked once, then clicked"
    );
}

#[tokio::test(start_paused = true)]
async fn a_handler_that_does_not_clear_its_obstacle_runs_a_bounded_number_of_times() {
    let (page, _) = page();
    // Clicking "Weigeren" does nothing: the banner stays.
    page.show(&["text \"Verder\"", "role button \"Weigeren\""]);
    let r = run_flow(WITH_HANDLER, &page).await;
    let handled = r.steps[0]
        .actions
        .iter()
        .filter(|a| a.description.starts_with("obstacle"))
        .count();
    assert_eq!(handled, 3, "{:?}", details(&r, 0));
    assert_eq!(r.status, Status::Passed, "then the click goes ahead");
}

const SESSION_FLOW: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Inloggen"
phase = "session"
  [[steps.actions]]
  goto = "/"
  [[steps.actions]]
  expect = { visible = { text = "Log in bij Mijn PostNL" } }
  [[steps.actions]]
  click = { role = "button", name = "Inloggen" }
[[steps]]
title = "Werk"
guide_url = "portal.test/apex/home"
  [[steps.actions]]
  click = { text = "Menu" }
  [[steps.actions]]
  expect = { visible = { text = "Mijn Account" } }
"#;

#[tokio::test(start_paused = true)]
async fn a_lost_session_logs_in_again_and_repeats_the_step() {
    let (page, _) = page();
    page.show(&[LOGIN_MARK, "role button \"Inloggen\""])
        .on_click(
            "role button \"Inloggen\"",
            vec![Effect::Hide(LOGIN_MARK), Effect::Show("text \"Menu\"")],
        )
        // The first click on "Menu" finds the session ended; the second opens the menu.
        .on_click("text \"Menu\"", vec![Effect::SessionEnds(LOGIN_PAGE)])
        .on_click("text \"Menu\"", vec![Effect::Show("text \"Mijn Account\"")]);
    let r = run_flow(SESSION_FLOW, &page).await;
    assert_eq!(r.steps[1].status, Status::Passed, "{:?}", details(&r, 1));
    let d = details(&r, 1);
    assert!(
        d.iter()
            .any(|l| l.starts_with("session lost: log in again [passed]") && l.contains("back to /apex/home")),
        "{d:?}"
    );
    assert_eq!(page.calls("click role button \"Inloggen\"").len(), 2);
    assert!(page.log().contains(&"goto http://portal.test/apex/home".to_string()));
}

#[tokio::test(start_paused = true)]
async fn a_server_error_page_is_reloaded_and_the_step_goes_on() {
    let (page, _) = page();
    page.show(&["text \"Verder\"", "text \"Klaar\""])
        .on_click("text \"Verder\"", vec![Effect::Status(500)])
        .status(200, &[500, 200]);
    let r = run_flow(ONE_CLICK, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    let d = details(&r, 0);
    assert!(
        d[0].contains("HTTP 500 error; reloaded it 2 times and it loaded"),
        "{d:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_error_that_stays_fails_with_its_status() {
    let (page, _) = page();
    page.show(&["text \"Verder\""])
        .on_click("text \"Verder\"", vec![Effect::Status(503)])
        .status(200, &[503, 503, 503]);
    let r = run_flow(ONE_CLICK, &page).await;
    assert_eq!(r.status, Status::Failed);
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::ServerError { status: 503 });
    assert_eq!(page.calls("goto").len(), 3, "three reloads, then it gives up");
}

#[tokio::test(start_paused = true)]
async fn a_failed_data_request_is_reloaded_away() {
    let (page, _) = page();
    page.failed_request("/apex/api/gebruikers", 500, "text \"Verder\"")
        .show(&["text \"Klaar\""]);
    let r = run_flow(ONE_CLICK, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    let d = details(&r, 0);
    assert!(
        d[0].contains("request to /apex/api/gebruikers answered HTTP 500; reloaded the page"),
        "{d:?}"
    );
}

const SAVE: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Stap 4"
  [[steps.actions]]
  check = { label = "E-commerce inzichten" }
  [[steps.actions]]
  click = { role = "button", name = "Opslaan" }
  commits = true
  [[steps.actions]]
  expect = { visible = { text = "Opgeslagen" } }
[[steps]]
title = "Stap 5"
  [[steps.actions]]
  expect = { visible = { text = "Opgeslagen" } }
"#;

const BOX: &str = "label \"E-commerce inzichten\"";

#[tokio::test(start_paused = true)]
async fn ensure_checked_leaves_a_ticked_box_alone() {
    let (page, _) = page();
    page.show(&[BOX, OPSLAAN])
        .set_box(BOX, true)
        .on_click(OPSLAAN, vec![Effect::Show("text \"Opgeslagen\"")]);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert!(page.calls(&format!("click {BOX}")).is_empty(), "{:?}", page.log());
    assert!(details(&r, 0)[0].contains("was already ticked; left as is"));
}

#[tokio::test(start_paused = true)]
async fn ensure_checked_ticks_an_unticked_box_once() {
    let (page, _) = page();
    page.show(&[BOX, OPSLAAN])
        .on_click(OPSLAAN, vec![Effect::Show("text \"Opgeslagen\"")]);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert_eq!(page.calls(&format!("click {BOX}")).len(), 1);
    assert!(page.is_ticked(BOX));
    assert!(details(&r, 0)[0].contains("now ticked"));
}

#[tokio::test(start_paused = true)]
async fn verify_mode_does_not_click_a_committing_action() {
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN, "text \"Opgeslagen\""]);
    let r = run_on(SAVE, &[], &page, Mode::Verify, &cancel).await;
    assert_eq!(r.mode, "verify");
    assert!(page.calls(&format!("click {OPSLAAN}")).is_empty(), "{:?}", page.log());
    let d = details(&r, 0);
    assert!(d[1].contains("[skipped] dry run"), "{d:?}");
}

#[tokio::test(start_paused = true)]
async fn verify_leaves_out_what_depends_on_the_commit() {
    let flow = SAVE.replace("title = \"Stap 5\"", "title = \"Stap 5\"\ndepends_on_commit = true");
    let (page, cancel) = page();
    // "Opgeslagen" never shows (nothing is saved): waiting for it would fail the step.
    page.show(&[BOX, OPSLAAN]);
    let r = run_on(&flow, &[], &page, Mode::Verify, &cancel).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    let statuses: Vec<Status> = r.steps[0].actions.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Status::Passed, Status::Skipped, Status::NotVerified]);
    assert_eq!(r.steps[0].actions[2].detail.as_deref(), Some(executor::NOT_VERIFIED));
    assert_eq!(r.steps[1].status, Status::NotVerified);
    assert!(r.steps[1].actions.is_empty());
    // In a dry run the page's fingerprint is taken per step.
    assert!(r.steps[0].fingerprint.is_some());
    // A committing action that is not there fails the step: it could not be performed.
    let (without, cancel) = super::tests::page();
    without.show(&[BOX]);
    let r = run_on(&flow, &[], &without, Mode::Verify, &cancel).await;
    assert_eq!(r.steps[0].status, Status::Failed, "{r:#?}");
    assert!(without.calls(&format!("click {OPSLAAN}")).is_empty());
}

#[tokio::test(start_paused = true)]
async fn run_mode_takes_no_fingerprints_and_performs_everything() {
    let flow = SAVE.replace("title = \"Stap 5\"", "title = \"Stap 5\"\ndepends_on_commit = true");
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN])
        .on_click(OPSLAAN, vec![Effect::Show("text \"Opgeslagen\"")]);
    let r = run_on(&flow, &[], &page, Mode::Run, &cancel).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert_eq!(r.steps[1].status, Status::Passed);
    assert!(r.steps.iter().all(|s| s.fingerprint.is_none()));
}

#[tokio::test(start_paused = true)]
async fn a_failure_after_a_commit_is_committed_unknown_not_failed() {
    let (page, _) = page();
    // Opslaan is clicked, but the confirmation never shows.
    page.show(&[BOX, OPSLAAN]);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.steps[0].status, Status::CommittedUnknown, "{r:#?}");
    assert_eq!(
        r.steps[0].error.as_ref().unwrap().kind,
        FailureKind::CommittedThenFailed
    );
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.exit_code, 1);
    assert_eq!(page.calls(&format!("click {OPSLAAN}")).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_server_error_after_a_commit_is_not_reloaded() {
    let (page, _) = page();
    page.show(&[BOX, OPSLAAN])
        .on_click(OPSLAAN, vec![Effect::Status(500)])
        .status(200, &[200]);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.steps[0].status, Status::CommittedUnknown, "{r:#?}");
    let d = details(&r, 0);
    assert!(
        d[1].starts_with("click role button \"Opslaan\" [committed-unknown]"),
        "{d:?}"
    );
    assert!(
        page.calls("reload").is_empty() && page.calls("goto").is_empty(),
        "{:?}",
        page.log()
    );
}

const IF_FLOW: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Stap 3"
  [[steps.actions]]
  if = { not = { visible = { text = "Autorisaties" } } }
    [[steps.actions.then]]
    click = { text = "Klantnummerinstellingen" }
  [[steps.actions]]
  click = { text = "Autorisaties" }
"#;

#[tokio::test(start_paused = true)]
async fn an_if_opens_the_section_only_when_its_link_is_not_visible() {
    let (page, _) = page();
    page.show(&["text \"Klantnummerinstellingen\""]).on_click(
        "text \"Klantnummerinstellingen\"",
        vec![Effect::Show("text \"Autorisaties\"")],
    );
    let r = run_flow(IF_FLOW, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert_eq!(page.calls("click text \"Klantnummerinstellingen\"").len(), 1);
    assert!(details(&r, 0)[0].contains("[passed] yes"));

    let (page, _) = self::page();
    page.show(&["text \"Klantnummerinstellingen\"", "text \"Autorisaties\""]);
    let r = run_flow(IF_FLOW, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert!(page.calls("click text \"Klantnummerinstellingen\"").is_empty());
    assert!(details(&r, 0)[0].contains("[passed] no"));
}

const WHEN_FLOW: &str = r#"
name = "t"
title = "T"
[params.gebruiker]
example = "GATUser, PostNL (PostNL)"
[params.naam]
example = "GATUser, PostNL"
[[steps]]
title = "Zelfde persoon"
when = { same_person = ["${gebruiker}", "${naam}"] }
skip_reason = "Een andere gebruiker."
  [[steps.actions]]
  screenshot = "persoon"
[[steps]]
title = "Gelijk"
when = { equals = ["${naam}", "GATUser,  PostNL"] }
  [[steps.actions]]
  screenshot = "gelijk"
"#;

#[tokio::test(start_paused = true)]
async fn step_conditions_use_the_flow_text_rules() {
    let cancel = CancellationToken::new();
    let page = FakePage::new(cancel.clone());
    let same = [("gebruiker", "GATUser, PostNL (PostNL)"), ("naam", "GATUser, PostNL")];
    let r = run_on(WHEN_FLOW, &same, &page, Mode::Run, &cancel).await;
    assert_eq!(r.steps[0].status, Status::Passed);
    assert_eq!(r.steps[1].status, Status::Passed, "equals normalises whitespace");

    // `equals` is case-sensitive; `same_person` is not.
    let other = [("gebruiker", "gatuser postnl"), ("naam", "gatuser, postnl")];
    let r = run_on(WHEN_FLOW, &other, &page, Mode::Run, &cancel).await;
    assert_eq!(r.steps[0].status, Status::Passed);
    assert_eq!(r.steps[1].status, Status::Skipped);

    let someone_else = [("gebruiker", "Jansen, Piet (PostNL)"), ("naam", "GATUser, PostNL")];
    let r = run_on(WHEN_FLOW, &someone_else, &page, Mode::Run, &cancel).await;
    assert_eq!(r.steps[0].status, Status::Skipped);
    assert_eq!(r.steps[0].skip_reason.as_deref(), Some("Een andere gebruiker."));
    assert_eq!(r.status, Status::Passed);
}

const OPTIONAL: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Stap 1"
  [[steps.actions]]
  click = { text = "Misschien" }
  optional = true
  [[steps.actions]]
  click = { text = "Verder" }
"#;

#[tokio::test(start_paused = true)]
async fn an_absent_optional_action_is_skipped() {
    let (page, _) = page();
    page.show(&["text \"Verder\""]);
    let r = run_flow(OPTIONAL, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert!(details(&r, 0)[0].contains("[skipped] optional, not present"));
}

const LOGIN_URL: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Inloggen"
  [[steps.actions]]
  click = { role = "button", name = "Inloggen" }
  [[steps.actions]]
  expect = { url = "/apex/BPG_Home", match = "contains" }
"#;

#[tokio::test(start_paused = true)]
async fn a_refused_login_is_a_portal_alert() {
    let (page, _) = page();
    page.show(&["role button \"Inloggen\""])
        .messages(&["Onjuist e-mailadres of wachtwoord."]);
    let r = run_flow(LOGIN_URL, &page).await;
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::PortalAlert);
    assert!(err.found.iter().any(|f| f.contains("Onjuist e-mailadres")), "{err:?}");
}

const LOGIN_FAIL_WHEN: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Inloggen"
fail_when = { visible = { role = "alert" } }
  [[steps.actions]]
  click = { role = "button", name = "Inloggen" }
  [[steps.actions]]
  wait_for = { text = "Menu" }
  [[steps.actions]]
  expect = { url = "/apex/BPG_Home", match = "contains" }
"#;

#[tokio::test(start_paused = true)]
async fn fail_when_makes_the_alert_the_steps_error_at_once() {
    let (page, _) = page();
    page.show(&["role button \"Inloggen\""])
        .on_click("role button \"Inloggen\"", vec![Effect::Show("role alert")]);
    let r = run_flow(LOGIN_FAIL_WHEN, &page).await;
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::PortalAlert, "{err:?}");
    // The fake answers an element's text with its key.
    assert_eq!(err.message, "role alert");
    let d = details(&r, 0);
    assert!(d[1].starts_with("wait_for text \"Menu\" [failed]"), "{d:?}");
    assert_eq!(page.calls("wait_visible").len(), 1, "{:?}", page.log());
}

#[tokio::test(start_paused = true)]
async fn fail_when_is_also_watched_while_waiting_for_the_url() {
    let (page, _) = page();
    page.show(&["role button \"Inloggen\""])
        .on_click("role button \"Inloggen\"", vec![Effect::Show("role alert")]);
    let flow = LOGIN_FAIL_WHEN.replace("  [[steps.actions]]\n  wait_for = { text = \"Menu\" }\n", "");
    let r = run_flow(&flow, &page).await;
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (FailureKind::PortalAlert, "role alert")
    );
    let d = details(&r, 0);
    assert!(d[1].starts_with("expect url containing"), "{d:?}");
}

#[tokio::test(start_paused = true)]
async fn a_save_the_portal_answers_with_500_is_refused_not_unknown() {
    let (page, _) = page();
    page.show(&[BOX, OPSLAAN])
        .messages(&["De autorisaties konden niet worden opgeslagen."])
        .on_click(OPSLAAN, vec![Effect::FailRequest("/apex/api/autorisaties", 500)]);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.steps[0].status, Status::Failed, "{r:#?}");
    let err = r.steps[0].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::ServerError { status: 500 });
    assert_eq!(
        err.message,
        "the portal refused to save: it answered HTTP 500 to /apex/api/autorisaties"
    );
    assert!(
        err.found.iter().any(|f| f.contains("niet worden opgeslagen")),
        "{err:?}"
    );
    assert_eq!(page.calls(&format!("click {OPSLAAN}")).len(), 1, "never clicked twice");
}

#[tokio::test(start_paused = true)]
async fn an_earlier_failed_request_does_not_count_against_a_save() {
    let (page, _) = page();
    page.show(&[BOX, OPSLAAN, "text \"Opgeslagen\""]);
    page.failed("/apex/api/gebruikers", 500);
    let r = run_flow(SAVE, &page).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_new_login_says_so() {
    let (page, _) = page();
    page.show(&[LOGIN_MARK, "role button \"Inloggen\""])
        .on_click(
            "role button \"Inloggen\"",
            vec![Effect::Hide(LOGIN_MARK), Effect::Show("text \"Menu\"")],
        )
        // The session ends at the first click on "Menu"; logging in again then finds no button.
        .on_click(
            "role button \"Inloggen\"",
            vec![Effect::Hide("role button \"Inloggen\"")],
        )
        .on_click("text \"Menu\"", vec![Effect::SessionEnds(&[LOGIN_MARK])]);
    let r = run_flow(SESSION_FLOW, &page).await;
    let err = r.steps[1].error.as_ref().unwrap();
    assert_eq!(err.kind, FailureKind::SessionEnded, "{err:?}");
    assert!(
        err.message
            .starts_with("the session ended and logging in again failed: role button \"Inloggen\" not found"),
        "{}",
        err.message
    );
}

const THREE_STEPS: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Stap 1"
  [[steps.actions]]
  click = { text = "Verder" }
[[steps]]
title = "Stap 2"
  [[steps.actions]]
  click = { text = "Menu" }
  [[steps.actions]]
  wait_for = { text = "Tegel" }
  reload_every = 30
  timeout = 3600
[[steps]]
title = "Stap 3"
  [[steps.actions]]
  click = { text = "Tegel" }
"#;

#[tokio::test(start_paused = true)]
async fn cancelling_mid_step_reports_it_interrupted_with_its_actions_so_far() {
    let (page, cancel) = page();
    page.show(&["text \"Verder\"", "text \"Menu\""])
        .hang_on("text \"Tegel\"");
    let r = run_on(THREE_STEPS, &[], &page, Mode::Run, &cancel).await;
    assert_eq!(r.status, Status::Interrupted, "{r:#?}");
    assert_eq!(r.steps[0].status, Status::Passed);
    let s = &r.steps[1];
    assert_eq!(s.status, Status::Interrupted);
    assert_eq!(s.error.as_ref().unwrap().kind, FailureKind::Interrupted);
    assert_eq!(s.screenshot.as_deref(), Some("02-stap-2-onderbroken.png"));
    let d = details(&r, 1);
    assert!(d[0].starts_with("click text \"Menu\" [passed]"), "{d:?}");
    assert!(d[1].contains("[interrupted]"), "{d:?}");
    assert_eq!(r.steps[2].status, Status::Skipped);
    assert!(r.steps[2].skip_reason.as_deref().unwrap().contains("onderbroken"));
    assert_eq!(r.error.as_ref().unwrap().kind, FailureKind::Interrupted);
    assert_eq!(r.exit_code, 130);
}

#[tokio::test(start_paused = true)]
async fn cancelling_interrupts_a_long_wait_promptly() {
    let (page, cancel) = page();
    page.show(&["text \"Verder\"", "text \"Menu\""]);
    let canceller = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(95)).await;
            cancel.cancel();
        })
    };
    let started = tokio::time::Instant::now();
    let r = run_on(THREE_STEPS, &[], &page, Mode::Run, &cancel).await;
    canceller.await.unwrap();
    assert_eq!(r.steps[1].status, Status::Interrupted, "{r:#?}");
    // The tile wait may take an hour; it stopped when the run was cancelled (virtual time).
    assert!(started.elapsed() < Duration::from_secs(120), "{:?}", started.elapsed());
    assert_eq!(page.calls("reload").len(), 3, "reloaded every 30 s until then");
}

#[tokio::test(start_paused = true)]
async fn cancelling_after_a_commit_is_committed_unknown() {
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN]).on_click(OPSLAAN, vec![Effect::Cancel]);
    let r = run_on(SAVE, &[], &page, Mode::Run, &cancel).await;
    assert_eq!(r.status, Status::Interrupted, "{r:#?}");
    assert_eq!(r.steps[0].status, Status::CommittedUnknown);
    assert_eq!(r.steps[0].error.as_ref().unwrap().kind, FailureKind::Interrupted);
    assert_eq!(r.steps[1].status, Status::Skipped);
    // Clicked, then cancelled before anything confirmed it.
    let d = details(&r, 0);
    assert!(
        d[1].starts_with("click role button \"Opslaan\" [committed-unknown]"),
        "{d:?}"
    );
    assert_eq!(page.calls(&format!("click {OPSLAAN}")).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_run_cancelled_before_it_starts_runs_nothing() {
    let (page, cancel) = page();
    cancel.cancel();
    let r = run_on(ONE_CLICK, &[], &page, Mode::Run, &cancel).await;
    assert_eq!(r.status, Status::Interrupted);
    assert!(r.steps.iter().all(|s| s.status == Status::Skipped));
    assert!(page.log().is_empty());
}

#[tokio::test(start_paused = true)]
async fn recheck_does_not_send_a_save_the_portal_already_shows() {
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN, "text \"Opgeslagen\""]).set_box(BOX, true);
    let r = run_on(SAVE, &[], &page, Mode::Recheck, &cancel).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert_eq!(r.mode, "run");
    assert!(page.calls(&format!("click {OPSLAAN}")).is_empty(), "{:?}", page.log());
    let d = details(&r, 0);
    assert!(d[1].contains("[skipped] re-check"), "{d:?}");
}

#[tokio::test(start_paused = true)]
async fn recheck_saves_once_when_the_change_is_not_there() {
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN])
        .on_click(OPSLAAN, vec![Effect::Show("text \"Opgeslagen\"")]);
    let r = run_on(SAVE, &[], &page, Mode::Recheck, &cancel).await;
    assert_eq!(r.status, Status::Passed, "{r:#?}");
    assert!(page.is_ticked(BOX));
    assert_eq!(page.calls(&format!("click {OPSLAAN}")).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn recheck_refuses_a_save_it_cannot_read_back() {
    let (page, cancel) = page();
    page.show(&[OPSLAAN]);
    let r = run_on(ONE_CLICK_COMMIT, &[], &page, Mode::Recheck, &cancel).await;
    assert_eq!(r.status, Status::Failed);
    assert!(page.calls(&format!("click {OPSLAAN}")).is_empty(), "{:?}", page.log());
    assert!(r.steps[0]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("check the portal by hand"));
}

const ONE_CLICK_COMMIT: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Opslaan"
  [[steps.actions]]
  click = { role = "button", name = "Opslaan" }
  commits = true
"#;

/// Records what the run tells its observer, and what the page had been asked by then.
struct Recorder<'a> {
    page: &'a FakePage,
    committing: Vec<(usize, String, usize)>,
}

impl Observer for Recorder<'_> {
    fn step_started(&mut self, _: usize, _: usize, _: &str) {}
    fn step_finished(&mut self, _: &StepResult) {}
    fn committing(&mut self, index: usize, description: &str) {
        let clicks = self.page.calls(&format!("click {OPSLAAN}")).len();
        self.committing.push((index, description.to_string(), clicks));
    }
}

#[tokio::test(start_paused = true)]
async fn the_observer_hears_of_a_commit_before_it_is_sent() {
    let (page, cancel) = page();
    page.show(&[BOX, OPSLAAN])
        .on_click(OPSLAAN, vec![Effect::Show("text \"Opgeslagen\"")]);
    let flow = parse_str(Path::new("test.toml"), SAVE).unwrap();
    let vars = crate::flow::bind::bind(&flow, &[], &|_| None, false).unwrap();
    let opts = RunOptions {
        trace: crate::run::TraceMode::default(),
        out_dir: tempfile::tempdir().unwrap().keep(),
        base_url: "http://portal.test".into(),
        timeout: Duration::from_secs(10),
        max_wait: None,
        mode: Mode::Run,
    };
    let plan = Plan {
        flow: &flow,
        file: "test.toml".into(),
        vars,
    };
    let mut rec = Recorder {
        page: &page,
        committing: vec![],
    };
    let r = run(plan, &page, &opts, &mut rec, &cancel).await;
    assert_eq!(r.status, Status::Passed);
    assert_eq!(rec.committing.len(), 1);
    let (index, description, clicks_before) = &rec.committing[0];
    assert_eq!(*index, 1);
    assert!(description.contains("Opslaan"), "{description}");
    assert_eq!(*clicks_before, 0, "told before the click");
    assert_eq!(page.calls(&format!("click {OPSLAAN}")).len(), 1);
}

const TWO_PHASES: &str = r#"
name = "t"
title = "T"
[[steps]]
title = "Inloggen"
phase = "session"
  [[steps.actions]]
  expect = { visible = { text = "Log in bij Mijn PostNL" } }
[[steps]]
title = "Rij"
  [[steps.actions]]
  expect = { visible = { text = "Opgeslagen" } }
"#;

#[tokio::test(start_paused = true)]
async fn a_phase_runs_only_its_own_steps() {
    let (page, cancel) = page();
    page.show(&[LOGIN_MARK, "text \"Opgeslagen\""]);
    let flow = parse_str(Path::new("test.toml"), TWO_PHASES).unwrap();
    let opts = RunOptions {
        trace: crate::run::TraceMode::default(),
        out_dir: tempfile::tempdir().unwrap().keep(),
        base_url: "http://portal.test".into(),
        timeout: Duration::from_secs(10),
        max_wait: None,
        mode: Mode::Run,
    };
    for (phase, title, index) in [(Phase::Session, "Inloggen", 1), (Phase::Row, "Rij", 2)] {
        let plan = Plan {
            flow: &flow,
            file: "test.toml".into(),
            vars: crate::flow::bind::bind(&flow, &[], &|_| None, false).unwrap(),
        };
        let r = run_phase(plan, &page, &opts, &mut Silent, &cancel, Some(phase)).await;
        assert_eq!(r.status, Status::Passed);
        assert_eq!(r.steps.len(), 1);
        assert_eq!((r.steps[0].title.as_str(), r.steps[0].index), (title, index));
    }
}
