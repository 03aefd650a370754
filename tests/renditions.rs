//! The shipped flow, unchanged, against another rendition of the portal (`Variant::Alt`): the
//! guide's texts and paths, but SPA markup (ARIA widgets, custom dropdowns and checkboxes),
//! late client-side rendering under a spinner, a slow save, a late cookie bar, an interstitial
//! and a one-off HTTP 500. It must pass there as on the classic portal, change exactly the one
//! intended flag, download the PDF — and change nothing when run again.

mod common;

use common::*;
use postnl_robot::app::RunOutcome;
use postnl_robot::portal::{PortalConfig, Variant, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::run::Status;

const PIET: &str = "Jansen, Piet (PostNL)";

fn alt() -> PortalConfig {
    PortalConfig {
        variant: Variant::Alt,
        ..PortalConfig::default()
    }
}

fn step_statuses(outcome: &RunOutcome) -> Vec<Status> {
    outcome.result.steps.iter().map(|s| s.status).collect()
}

/// Every action of the run as "description | detail", for assertions and failure messages.
fn actions(outcome: &RunOutcome) -> Vec<String> {
    outcome
        .result
        .steps
        .iter()
        .flat_map(|s| s.actions.iter())
        .map(|a| format!("{} | {}", a.description, a.detail.as_deref().unwrap_or("")))
        .collect()
}

fn pdfs(out: &std::path::Path) -> Vec<std::path::PathBuf> {
    files_under(&out.join("downloads"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_on_the_alt_rendition_and_a_rerun_changes_nothing() {
    let portal = portal(alt()).await;
    let before = portal.state();
    let out = out_dir("alt-full");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run on Alt failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5], "{log:#?}");

    // Exactly one flag changed: the admin's 'E-commerce inzichten' on 9401138.
    let after = portal.state();
    let (removed, added) = diff(&before, &after);
    assert!(removed.is_empty(), "nothing may be removed, got {removed:?}");
    assert_eq!(added.len(), 1, "exactly one flag may be added, got {added:?}");
    assert!(
        added[0].contains("E-commerce inzichten") && added[0].contains(KLANTNUMMER) && added[0].contains("gatuser"),
        "{added:?}"
    );

    // The PDF landed and is one.
    let files = pdfs(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].file_name().unwrap().to_string_lossy().contains(KLANTNUMMER));
    assert!(std::fs::read(&files[0]).unwrap().starts_with(b"%PDF-"));
    assert_eq!(png_names(&out).len(), 5);

    // The portal's hiccup was met and cleared by reloading, and said so.
    assert!(
        log.iter().any(|a| a.contains("HTTP 500") && a.contains("reloaded")),
        "the one-off HTTP 500 was reloaded away: {log:#?}"
    );
    // The interstitial was closed by its handler (its × has only an aria-label).
    assert!(
        log.iter().any(|a| a.starts_with("obstacle: melding sluiten")),
        "{log:#?}"
    );
    // The custom checkbox was ticked by the robot; the closed dropdown already showed 9401138.
    assert!(
        log.iter().any(|a| a.starts_with("check ") && a.ends_with("now ticked")),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|a| a.contains("\"PostNL (9401138)\" was already selected")),
        "{log:#?}"
    );
    // On the E-commerce page nothing is chosen at first: the dropdown was opened and picked from.
    assert!(
        log.iter().any(|a| a.ends_with("selected \"PostNL (9401138)\"")),
        "{log:#?}"
    );

    // Idempotent: the second run passes and changes nothing.
    let out2 = out_dir("alt-rerun");
    let outcome2 = run_admin(&portal.base_url(), &out2, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("second run on Alt failed: {e}"));
    let log2 = actions(&outcome2);
    assert_eq!(step_statuses(&outcome2), vec![Status::Passed; 5], "{log2:#?}");
    let (removed, added) = diff(&after, &portal.state());
    assert!(
        removed.is_empty() && added.is_empty(),
        "second run changed {removed:?} {added:?}"
    );
    assert!(
        log2.iter()
            .any(|a| a.starts_with("check ") && a.contains("already ticked")),
        "{log2:#?}"
    );
    assert_eq!(pdfs(&out2).len(), 1);
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_klantnummer_is_chosen_in_the_custom_dropdown() {
    // 9401139 is not the preselected klantnummer: the robot opens the dropdown and picks it, on
    // the authorisations page and again on the E-commerce page.
    let portal = portal(alt()).await;
    let before = portal.state();
    let out = out_dir("alt-kn");
    let outcome = run_admin(&portal.base_url(), &out, "9401139", ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run on Alt failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5], "{log:#?}");
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].contains("9401139") && added[0].contains("gatuser") && added[0].contains("E-commerce inzichten"),
        "{added:?}"
    );
    let picked = log
        .iter()
        .filter(|a| a.ends_with("selected \"PostNL Pakketten Oost (9401139)\""))
        .count();
    assert_eq!(picked, 2, "picked from the dropdown on both pages: {log:#?}");
    let files = pdfs(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].file_name().unwrap().to_string_lossy().contains("9401139"));
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_user_is_picked_from_the_user_table_on_a_slow_alt_portal() {
    let portal = portal(PortalConfig {
        latency: std::time::Duration::from_millis(200),
        ..alt()
    })
    .await;
    let before = portal.state();
    let out = out_dir("alt-piet");
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, PIET)
        .await
        .unwrap_or_else(|e| panic!("run on Alt failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(&step_statuses(&outcome)[..4], &[Status::Passed; 4], "{log:#?}");
    assert_eq!(outcome.result.steps[4].status, Status::Skipped);
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].contains("piet.jansen") && added[0].contains("E-commerce inzichten"),
        "{added:?}"
    );
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_password_change_on_the_alt_rendition() {
    // "Herhaal nieuw wachtwoord" has only a placeholder; "Wachtwoord opslaan" is a role=button div.
    let portal = portal(PortalConfig {
        force_password_change: true,
        ..alt()
    })
    .await;
    let out = out_dir("alt-pw");
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
    .unwrap_or_else(|e| panic!("run on Alt failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5], "{log:#?}");
    assert!(
        log.iter().any(|a| a.starts_with("if ") && a.ends_with("| yes")),
        "the new-password branch ran: {log:#?}"
    );
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_klantnummer_lists_the_options_of_the_closed_dropdown() {
    let portal = portal(alt()).await;
    let before = portal.state();
    let out = out_dir("alt-unknown-kn");
    let err = run_admin(&portal.base_url(), &out, "1234567", ADMIN)
        .await
        .err()
        .expect("unknown klantnummer fails");
    let msg = err.to_string();
    assert!(msg.contains("Stap 4") && msg.contains("1234567"), "{msg}");
    assert!(
        msg.contains("PostNL (9401138)") && msg.contains("PostNL Retourcentrum (9401140)"),
        "lists the klantnummers of the closed dropdown: {msg}"
    );
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty() && added.is_empty());
    portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The robot's generic recoveries, on a tiny synthetic site (deterministic, no replica).

const START: &str = r#"<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Start</title>
<style>#menu { position: absolute; top: 40px; left: 8px; background: #fff; border: 1px solid #999; padding: 8px; }
#bar { position: fixed; left: 0; right: 0; bottom: 0; background: #eee; padding: 12px; }</style></head>
<body><header><button type="button" id="btn" aria-expanded="false">Menu</button></header>
<div id="menu" hidden><a href="/data">Verder</a></div>
<script>
  const btn = document.getElementById('btn'), menu = document.getElementById('menu');
  const setOpen = (on) => { btn.setAttribute('aria-expanded', on ? 'true' : 'false'); menu.hidden = !on; };
  btn.addEventListener('click', (e) => {
    e.stopPropagation(); setOpen(menu.hidden);
    // The cookie bar shows up just as the menu opens; clicking it away closes the menu.
    if (!document.getElementById('bar') && !document.cookie.includes('ok=1')) {
      const bar = document.createElement('div'); bar.id = 'bar';
      bar.innerHTML = 'Cookies <button type="button">Akkoord</button>';
      document.body.appendChild(bar);
      bar.querySelector('button').addEventListener('click', () => { document.cookie = 'ok=1; path=/'; bar.remove(); });
    }
  });
  document.addEventListener('click', (e) => { if (!menu.hidden && !menu.contains(e.target)) setOpen(false); });
</script></body></html>"#;

const DATA: &str = r#"<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Gegevens</title></head>
<body><h1>Gegevens</h1><ul id="rows"></ul><p id="msg" role="alert" hidden></p><p id="out"></p>
<script>
  fetch('/api/data').then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }).then((rows) => {
    for (const t of rows) {
      const li = document.createElement('li'), b = document.createElement('button');
      b.textContent = t; b.onclick = () => { document.getElementById('out').textContent = t + ' gekozen'; };
      li.appendChild(b); document.getElementById('rows').appendChild(li);
    }
  }).catch(() => { const m = document.getElementById('msg'); m.hidden = false; m.textContent = 'De gegevens konden niet worden geladen.'; });
</script></body></html>"#;

const HICCUP_FLOW: &str = r#"
name = "hiccups"
title = "Hiccups"

[[handlers]]
name = "cookiemelding"
when = { role = "button", name = "Akkoord" }
  [[handlers.actions]]
  click = { role = "button", name = "Akkoord" }

[[steps]]
title = "Menu"
  [[steps.actions]]
  goto = "/"
  [[steps.actions]]
  click = { role = "button", name = "Menu" }
  [[steps.actions]]
  click = { text = "Verder" }
  [[steps.actions]]
  expect = { url = "/data", match = "contains" }

[[steps]]
title = "Gegevens"
  [[steps.actions]]
  click = { text = "Rij 1" }
  timeout = 3
  [[steps.actions]]
  expect = { visible = { text = "Rij 1 gekozen" } }
"#;

/// Serves START at `/`, DATA at `/data`, and `/api/data`, which fails (HTTP 500) the first time.
async fn hiccup_site() -> String {
    use axum::http::StatusCode;
    use axum::response::{Html, IntoResponse};
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let calls = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .route("/", get(|| async { Html(START) }))
        .route("/data", get(|| async { Html(DATA) }))
        .route(
            "/api/data",
            get(move || {
                let calls = calls.clone();
                async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        (StatusCode::INTERNAL_SERVER_ERROR, "storing").into_response()
                    } else {
                        axum::Json(vec!["Rij 1", "Rij 2"]).into_response()
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn menus_closed_by_an_obstacle_are_reopened_and_failed_data_is_reloaded() {
    let base = hiccup_site().await;
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("hiccups.toml");
    std::fs::write(&flow, HICCUP_FLOW).unwrap();
    let out = out_dir("hiccups");
    let outcome = run(&base, flow.to_str().unwrap(), &out, "x@example.nl", "x", &[], &[])
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 2], "{log:#?}");
    assert!(
        log.iter()
            .any(|a| a.starts_with("obstacle: cookiemelding") && a.contains("re-opened <button> \"Menu\"")),
        "the menu the cookie bar's button closed was opened again: {log:#?}"
    );
    assert!(
        log.iter().any(|a| a.starts_with("click text \"Rij 1\"")
            && a.contains("request to /api/data answered HTTP 500; reloaded the page")),
        "{log:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Frames and shadow roots: the shipped flow, unchanged, on the APEX rendition (a Popup LOV, the
// editor as a modal dialog page in an iframe), with the cookie dialog in an iframe overlay, and
// with the checkbox tree inside a web component's shadow root.

/// Runs the shipped flow as the demo admin for himself and checks what every such run must
/// show: five steps passed, exactly the one intended flag added, the PDF downloaded.
async fn passes_changing_exactly_one_flag(cfg: PortalConfig, name: &str) -> Vec<String> {
    let portal = portal(cfg).await;
    let before = portal.state();
    let out = out_dir(name);
    let outcome = run_admin(&portal.base_url(), &out, KLANTNUMMER, ADMIN)
        .await
        .unwrap_or_else(|e| panic!("run on {name} failed: {e}"));
    let log = actions(&outcome);
    assert_eq!(step_statuses(&outcome), vec![Status::Passed; 5], "{log:#?}");
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "nothing may be removed, got {removed:?}");
    assert_eq!(added.len(), 1, "exactly one flag may be added, got {added:?}");
    assert!(
        added[0].contains("E-commerce inzichten") && added[0].contains(KLANTNUMMER) && added[0].contains("gatuser"),
        "{added:?}"
    );
    let files = pdfs(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(std::fs::read(&files[0]).unwrap().starts_with(b"%PDF-"));
    assert_eq!(png_names(&out).len(), 5);
    for s in &outcome.result.steps {
        eprintln!("{name}: {} ({} ms)", s.title, s.duration_ms);
    }
    portal.shutdown().await;
    log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_on_the_apex_rendition() {
    let log = passes_changing_exactly_one_flag(
        PortalConfig {
            variant: Variant::Apex,
            ..PortalConfig::default()
        },
        "apex",
    )
    .await;
    // The gebruiker was picked in the Popup LOV (opened by its own button, not the user menu).
    assert!(
        log.iter()
            .filter(|a| a.starts_with("select GATUser, PostNL (PostNL) |")
                && a.ends_with("selected \"GATUser, PostNL (PostNL)\""))
            .count()
            == 2,
        "{log:#?}"
    );
    // The box was ticked and "Opslaan" clicked inside the dialog page's iframe.
    assert!(
        log.iter().any(|a| a.starts_with("check ") && a.ends_with("now ticked")),
        "{log:#?}"
    );
    assert!(
        log.iter().any(|a| a.starts_with("click role button \"Opslaan\"")
            && a.contains("(in frame 'Autorisaties voor GATUser, PostNL (PostNL)')")),
        "{log:#?}"
    );
    // The dialogs the flow opened have their own "Sluiten": the notice handler left them alone.
    assert!(
        !log.iter().any(|a| a.starts_with("obstacle: melding sluiten")),
        "{log:#?}"
    );
    // Read back after the reload, in the reopened dialog.
    assert!(
        log.iter()
            .any(|a| a.starts_with("expect checked") && a.ends_with("is ticked")),
        "{log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_with_the_cookie_dialog_in_an_iframe() {
    let log = passes_changing_exactly_one_flag(
        PortalConfig {
            cookie_iframe: true,
            ..PortalConfig::default()
        },
        "cookie-iframe",
    )
    .await;
    assert!(log.iter().any(|a| a.starts_with("obstacle: cookiemelding")), "{log:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_passes_with_the_tree_in_a_shadow_root() {
    let log = passes_changing_exactly_one_flag(
        PortalConfig {
            shadow_tree: true,
            ..PortalConfig::default()
        },
        "shadow-tree",
    )
    .await;
    assert!(
        log.iter().any(|a| a.starts_with("check ") && a.ends_with("now ticked")),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|a| a.starts_with("expect checked") && a.ends_with("is ticked")),
        "{log:#?}"
    );
}
