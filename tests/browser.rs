//! The browser layer against real headless Chromium: static fixture pages (tests/fixtures) and a
//! few dynamic endpoints served by a tiny axum server on 127.0.0.1:0.
//!
//! One chromedriver is shared by the whole test binary (started lazily; its watchdog stops it
//! when the binary exits) and at most two browser sessions run at a time.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Path as AxPath;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use postnl_robot::browser::{Browser, BrowserError, BrowserOptions, Driver, Query, TextQuery, Wait};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

static DRIVER: OnceCell<Driver> = OnceCell::const_new();
static SESSIONS: Semaphore = Semaphore::const_new(2);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn fixture(AxPath(name): AxPath<String>) -> Response {
    if name.contains('/') || name.contains("..") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(&name);
    match std::fs::read_to_string(path) {
        Ok(html) => Html(html).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A page that embeds a frame from another origin (localhost instead of 127.0.0.1, another port).
async fn cross_origin_page(AxPath(port): AxPath<u16>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Partner</title></head><body>
<h1>Met een partnerframe</h1><p id="out"></p>
<iframe title="Partnerframe" width="600" height="160" src="http://localhost:{port}/fixtures/frame-cross.html"></iframe>
<script>addEventListener('message', (e) => {{ document.getElementById('out').textContent = 'partner: ' + e.data; }});</script>
</body></html>"#
    ))
}

fn app() -> Router {
    Router::new()
        .route("/fixtures/{name}", get(fixture))
        .route(
            "/api/users",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                Json(vec![
                    "Admin, Piet (PostNL)",
                    "GATUser, PostNL (PostNL)",
                    "Jansen, Els (Andere BV)",
                ])
            }),
        )
        .route(
            "/api/save",
            post(|| async {
                tokio::time::sleep(Duration::from_millis(500)).await;
                Json(serde_json::json!({ "id": 42 }))
            }),
        )
        .route(
            "/slow-page",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                Html("<!doctype html><title>Twee</title><h1>Pagina twee</h1>")
            }),
        )
        .route(
            "/submit",
            post(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Redirect::to("/done")
            }),
        )
        .route(
            "/status/500",
            get(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><title>Storing</title><h1>Er is iets misgegaan</h1>"),
                )
            }),
        )
        .route(
            "/to-error",
            get(|| async { Html("<!doctype html><title>Start</title><a href=\"/status/500\">Naar de storing</a>") }),
        )
        .route("/cross/{port}", get(cross_origin_page))
        .route(
            "/done",
            get(|| async { Html("<!doctype html><title>Klaar</title><p>Formulier ontvangen</p>") }),
        )
        .route(
            "/files/rapport.pdf",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "application/pdf"),
                        (
                            header::CONTENT_DISPOSITION,
                            "attachment; filename=\"rapport-9401138.pdf\"",
                        ),
                    ],
                    PDF,
                )
            }),
        )
}

/// One test's world: a session (holding one of the two permits), the server and a download dir.
struct World {
    browser: Browser,
    base: String,
    downloads: tempfile::TempDir,
    _permit: SemaphorePermit<'static>,
}

impl World {
    async fn new() -> World {
        let permit = SESSIONS.acquire().await.unwrap();
        let driver = DRIVER
            .get_or_init(|| async { Driver::spawn(None).await.expect("chromedriver") })
            .await;
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app()).await });
        let downloads = tempfile::tempdir().unwrap();
        let opts = BrowserOptions::new(downloads.path());
        let browser = Browser::launch_with_driver(&opts, driver)
            .await
            .expect("browser session");
        World {
            browser,
            base,
            downloads,
            _permit: permit,
        }
    }

    async fn open(&self, page: &str) {
        self.browser
            .goto(&format!("{}/fixtures/{page}", self.base))
            .await
            .unwrap();
    }

    async fn out(&self) -> String {
        self.browser.text_of(&Query::css("#out"), &short()).await.unwrap()
    }

    async fn close(self) {
        self.browser.close().await;
    }
}

fn wait() -> Wait {
    Wait::secs(10)
}

/// For operations expected to fail: don't wait long.
fn short() -> Wait {
    Wait::new(Duration::from_millis(800))
}

#[tokio::test]
async fn text_label_role_placeholder_within_any_and_popup() {
    let w = World::new().await;
    w.open("match.html").await;
    let b = &w.browser;

    // Whitespace-normalised, case-insensitive exact text.
    let h1 = b.wait_visible(&Query::text("mijn account"), &wait()).await.unwrap();
    assert_eq!(h1.description, r#"<h1> "Mijn ACCOUNT""#);

    // Matched text inside a link: the click goes to the link.
    let f = b.click(&Query::text("Autorisaties"), &wait()).await.unwrap();
    assert!(f.description.starts_with("<a>"), "{}", f.description);
    assert!(b.current_url().await.unwrap().ends_with("#auth"));

    // Labels: label[for], wrapping label, aria-labelledby, aria-label; placeholder.
    for (q, v) in [
        (Query::label("E-mailadres"), "a@b.nl"),
        (Query::label("Wachtwoord"), "geheim"),
        (Query::label("Referentie"), "REF-1"),
        (Query::label("kenmerk"), "K-2"),
        (Query::placeholder("Zoek een zending"), "3S123"),
    ] {
        b.fill(&q, v, &wait()).await.unwrap();
        assert_eq!(b.text_of(&q, &wait()).await.unwrap(), v, "{q}");
    }
    // A read-only field cannot be filled.
    let err = b.fill(&Query::label("Klantnummer"), "1", &short()).await.unwrap_err();
    assert!(
        matches!(&err, BrowserError::NotActionable { reason, .. } if reason.contains("not editable")),
        "{err}"
    );

    // The orange menu button in the header, found without its text; then the menu item wins
    // over the heading with the same text because it is interactive.
    let menu = Query::role("button", None).popup().within(Query::role("banner", None));
    let f = b.click(&menu, &wait()).await.unwrap();
    assert_eq!(f.description, r#"<button> "Jan de Vries""#);
    assert_eq!(b.text_of(&menu, &wait()).await.unwrap(), "Jan de Vries");
    let f = b.click(&Query::text("Mijn Account"), &wait()).await.unwrap();
    assert!(f.description.contains(r#"role="menuitem""#), "{}", f.description);
    assert!(b.current_url().await.unwrap().ends_with("#account"));

    // within narrows an ambiguous match; any takes the first alternative that finds one.
    b.click(
        &Query::role("button", Some("Opslaan")).within(Query::css("#dup2")),
        &wait(),
    )
    .await
    .unwrap();
    assert_eq!(w.out().await, "opslaan 2");
    let any = Query::any(vec![
        Query::text("Bestaat niet"),
        Query::role("link", Some("Klantnummerinstellingen")),
    ]);
    let f = b.click(&any, &wait()).await.unwrap();
    assert_eq!(f.description, r#"<a> "Klantnummerinstellingen""#);

    // A tile without any interactive markup is still clickable by its text.
    b.click(&Query::text("E-commerce Inzichten"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "tegel");
    // input[type=submit] by its value.
    b.click(&Query::role("button", Some("Inloggen")), &wait())
        .await
        .unwrap();
    assert_eq!(w.out().await, "ingelogd");
    // contains mode.
    assert!(b.probe_visible(&Query::text_containing("geen toegang")).await.unwrap());
    w.close().await;
}

#[tokio::test]
async fn ambiguity_and_not_found_say_what_the_page_offered() {
    let w = World::new().await;
    w.open("match.html").await;
    let b = &w.browser;

    let err = b
        .click(&Query::role("button", Some("Opslaan")), &short())
        .await
        .unwrap_err();
    match &err {
        BrowserError::Ambiguous { query, matches } => {
            assert_eq!(query, r#"role button "Opslaan""#);
            assert_eq!(matches.len(), 2, "{matches:?}");
            assert!(matches.iter().all(|m| m == r#"<button> "Opslaan""#));
        }
        other => panic!("expected ambiguity, got {other}"),
    }

    // Role: the portal's alert first, then the buttons that are there.
    let err = b
        .click(&Query::role("button", Some("Opslaan als concept")), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { query, offered } = &err else {
        panic!("expected not found, got {err}")
    };
    assert_eq!(query, r#"role button "Opslaan als concept""#);
    assert!(offered[0].contains("U heeft geen toegang"), "{offered:?}");
    assert!(offered.contains(&r#"button "Opslaan""#.to_string()), "{offered:?}");
    assert!(offered.contains(&r#"button "Hulp nodig?""#.to_string()), "{offered:?}");
    assert!(err.to_string().contains("the page offered"), "{err}");

    // Text: the most similar visible texts.
    let err = b.click(&Query::text("Autorisatie"), &short()).await.unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(offered.contains(&r#"text "Autorisaties""#.to_string()), "{offered:?}");

    // Label: the labels of the form controls.
    let err = b
        .fill(&Query::label("Gebruikersnaam"), "x", &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    for l in ["E-mailadres", "Wachtwoord", "Referentie", "Kenmerk"] {
        assert!(offered.contains(&format!("label {l:?}")), "{offered:?}");
    }

    // Hidden matches do not count, but are mentioned.
    let err = b.click(&Query::text("Verborgen knop"), &short()).await.unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(
        offered.iter().any(|o| o.contains("present but not visible")),
        "{offered:?}"
    );
    assert!(!b.probe_visible(&Query::text("Alleen voor schermlezers")).await.unwrap());

    // A missing container is named as such.
    let err = b
        .click(&Query::text("Opslaan").within(Query::role("dialog", None)), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { query, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(query.starts_with("role dialog (the container in"), "{query}");

    // A broken selector fails at once as an invalid query.
    let err = b.click(&Query::css("##nope"), &wait()).await.unwrap_err();
    assert!(matches!(err, BrowserError::InvalidQuery { .. }), "{err}");
    w.close().await;
}

#[tokio::test]
async fn overlays_block_clicks_and_obstacles_interrupt() {
    let w = World::new().await;
    w.open("covered.html").await;
    let b = &w.browser;
    let order = Query::role("button", Some("Bestellen"));

    let err = b.click(&order, &short()).await.unwrap_err();
    match &err {
        BrowserError::NotActionable { query, reason } => {
            assert_eq!(query, r#"role button "Bestellen""#);
            assert!(
                reason.starts_with(r#"covered by <div id="cookies" class="cookie-overlay">"#),
                "{reason}"
            );
        }
        other => panic!("expected not actionable, got {other}"),
    }

    // With handler triggers: the second trigger is visible → Obstacle(1), at once.
    let triggers = vec![
        Query::text("Stel een nieuw wachtwoord in"),
        Query::text_containing("gebruiken cookies"),
    ];
    let err = b
        .click(&order, &wait().with_obstacles(triggers.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, BrowserError::Obstacle { index: 1 }), "{err}");

    // The runner's handler clears it; the retried click goes through.
    b.click(&Query::role("button", Some("Accepteren")), &wait())
        .await
        .unwrap();
    b.click(&order, &wait().with_obstacles(triggers)).await.unwrap();
    assert_eq!(w.out().await, "besteld");

    // In the viewport but under a fixed header: centred, then clicked.
    w.open("sticky.html").await;
    let covered = b
        .client()
        .execute(
            "const r = document.getElementById('under').getBoundingClientRect(); \
             return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2).tagName",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(covered, serde_json::json!("HEADER"), "fixture must start covered");
    b.click(&Query::text("Onder de kop"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "onder de kop");
    w.close().await;
}

#[tokio::test]
async fn clicks_land_on_the_element_as_trusted_events() {
    let w = World::new().await;
    w.open("pointer.html").await;
    let b = &w.browser;
    let before = b.pointer_clicks();

    // Below the fold, wrapped over two lines: the centre of its first line box.
    let link = Query::role("link", Some("een link die ook over de regel heen breekt"));
    b.click(&link, &wait()).await.unwrap();
    // Further down, inside an open shadow root.
    b.click(&Query::role("button", Some("In de schaduw")), &wait())
        .await
        .unwrap();
    // A form's submit control.
    b.click(&Query::role("button", Some("Versturen")), &wait())
        .await
        .unwrap();

    let clicks = b.client().execute("return window.clicks", vec![]).await.unwrap();
    let clicks = clicks.as_array().unwrap();
    let ids: Vec<&str> = clicks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["link", "schaduw", "versturen"]);
    for c in clicks {
        assert_eq!(c["trusted"], true, "{c}");
        assert!(
            c["dx"].as_f64().unwrap() <= 1.0 && c["dy"].as_f64().unwrap() <= 1.0,
            "{c}"
        );
    }
    // On Chromium the first two are one pointer action each; the submit control is clicked
    // the WebDriver way (its form's navigation starts a task later).
    assert_eq!(b.pointer_clicks() - before, 2);

    // A cover that appears as the pointer arrives (after the check) never gets the click:
    // neither it nor the button behind it sees one.
    b.click(&Query::role("button", Some("Afdekken")), &wait())
        .await
        .unwrap();
    assert!(b
        .probe_visible(&Query::role("button", Some("Verwijderen")))
        .await
        .unwrap());
    let clicks = b.client().execute("return window.clicks.length", vec![]).await.unwrap();
    assert_eq!(clicks, 3);
    w.close().await;
}

#[tokio::test]
async fn auto_wait_stability_and_disabled() {
    let w = World::new().await;
    w.open("actions.html").await;
    let b = &w.browser;

    // Appears after 700 ms: auto-wait finds it.
    b.click(&Query::text("Later verschenen"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "later");

    // Slides for 0.6 s, then rests: clicked once stable.
    b.click(&Query::text("Schuivend"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "settling");

    // Never stops moving.
    let err = b.click(&Query::text("Beweeglijk"), &short()).await.unwrap_err();
    assert!(
        matches!(&err, BrowserError::NotActionable { reason, .. } if reason.contains("moving")),
        "{err}"
    );

    // Disabled stays disabled; the other one becomes enabled after 0.5 s.
    let err = b.click(&Query::text("Uitgeschakeld"), &short()).await.unwrap_err();
    assert!(
        matches!(&err, BrowserError::NotActionable { reason, .. } if reason == "disabled"),
        "{err}"
    );
    b.click(&Query::text("Straks actief"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "enabling");
    w.close().await;
}

#[tokio::test]
async fn select_native_and_async_listbox() {
    let w = World::new().await;
    w.open("select.html").await;
    let b = &w.browser;

    // Native select, by contains, across the whole page.
    let s = b.select(None, &TextQuery::contains("9401138"), &wait()).await.unwrap();
    assert_eq!(s.text, "PostNL (9401138)");
    assert!(!s.already_selected);
    let kn_out = Query::css("#kn-out");
    assert_eq!(b.text_of(&kn_out, &wait()).await.unwrap(), "klantnummer 9401138");
    // Again: already selected, nothing fired.
    let s = b.select(None, &TextQuery::contains("9401138"), &wait()).await.unwrap();
    assert!(s.already_selected);
    let changes = b.client().execute("return window.changes", vec![]).await.unwrap();
    assert_eq!(changes, serde_json::json!(1));

    // Inside a given container.
    let s = b
        .select(
            Some(&Query::label("Klantnummer")),
            &TextQuery::contains("1234567"),
            &wait(),
        )
        .await
        .unwrap();
    assert_eq!(s.text, "Andere BV (1234567)");

    // The listbox fills in after a 400 ms fetch: auto-wait, then click the option.
    let user = TextQuery::exact("GATUser, PostNL (PostNL)");
    let s = b.select(None, &user, &wait()).await.unwrap();
    assert!(!s.already_selected);
    assert_eq!(
        b.text_of(&Query::css("#user-out"), &wait()).await.unwrap(),
        "Autorisaties voor GATUser, PostNL (PostNL)"
    );
    let s = b.select(None, &user, &wait()).await.unwrap();
    assert!(s.already_selected);
    let clicks = b.client().execute("return window.userClicks", vec![]).await.unwrap();
    assert_eq!(clicks, serde_json::json!(1));

    // Unknown: every option available is listed.
    let err = b
        .select(None, &TextQuery::contains("7777777"), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { query, offered } = &err else {
        panic!("expected not found, got {err}")
    };
    assert_eq!(query, r#"option containing "7777777""#);
    for o in [
        "PostNL (9401138)",
        "Andere BV (1234567)",
        "Admin, Piet (PostNL)",
        "GATUser, PostNL (PostNL)",
        "Jansen, Els (Andere BV)",
    ] {
        assert!(offered.contains(&o.to_string()), "{o} not in {offered:?}");
    }
    // Matching more than one option is ambiguous.
    let err = b
        .select(None, &TextQuery::contains("PostNL"), &short())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BrowserError::Ambiguous { matches, .. } if matches.len() == 3),
        "{err}"
    );
    w.close().await;
}

#[tokio::test]
async fn set_checked_is_idempotent_and_never_unticks_by_accident() {
    let w = World::new().await;
    w.open("checkbox.html").await;
    let b = &w.browser;
    let clicks = async || b.text_of(&Query::css("#clicks"), &wait()).await.unwrap();

    let ec = Query::label("E-commerce inzichten");
    assert!(!b.is_checked(&ec, &wait()).await.unwrap());
    assert!(b.set_checked(&ec, true, &wait()).await.unwrap());
    assert!(b.is_checked(&ec, &wait()).await.unwrap());
    assert!(!b.set_checked(&ec, true, &wait()).await.unwrap());
    assert!(b.is_checked(&ec, &wait()).await.unwrap());
    assert_eq!(clicks().await, "1");

    // Already ticked: asked to tick, nothing is clicked.
    let fact = Query::label("Facturen");
    assert!(!b.set_checked(&fact, true, &wait()).await.unwrap());
    assert!(b.is_checked(&fact, &wait()).await.unwrap());
    assert_eq!(clicks().await, "1");

    // Hidden native input drawn by its label: the label is clicked.
    let orders = Query::label("Orderbevestigingen");
    assert!(b.set_checked(&orders, true, &wait()).await.unwrap());
    assert!(b.is_checked(&orders, &wait()).await.unwrap());

    // ARIA checkbox.
    let notif = Query::role("checkbox", Some("Notificaties"));
    assert!(b.set_checked(&notif, true, &wait()).await.unwrap());
    assert!(!b.set_checked(&notif, true, &wait()).await.unwrap());
    assert!(b.is_checked(&notif, &wait()).await.unwrap());

    // A box with its text next to it but no <label>: found by the text in the same row.
    let tt = Query::label("Track & Trace");
    assert!(b.set_checked(&tt, true, &wait()).await.unwrap());
    assert!(b.is_checked(&Query::css("#tt"), &wait()).await.unwrap());

    // Unticking when asked to.
    assert!(b.set_checked(&fact, false, &wait()).await.unwrap());
    assert!(!b.is_checked(&fact, &wait()).await.unwrap());
    assert_eq!(clicks().await, "5");
    w.close().await;
}

#[tokio::test]
async fn clicks_settle_after_requests_and_navigations() {
    let w = World::new().await;
    w.open("settle.html").await;
    let b = &w.browser;

    // The fetch takes 500 ms; click returns only after its completion updated the page.
    b.click(&Query::role("button", Some("Opslaan")), &wait()).await.unwrap();
    assert!(b.probe_visible(&Query::text("Opgeslagen: 42")).await.unwrap());

    b.click(&Query::text("Bewaren via XHR"), &wait()).await.unwrap();
    assert!(b.probe_visible(&Query::text("XHR opgeslagen: 42")).await.unwrap());

    // A link to a page that takes 400 ms: the new page is there when click returns.
    b.click(&Query::role("link", Some("Volgende pagina")), &wait())
        .await
        .unwrap();
    assert!(b.probe_visible(&Query::text("Pagina twee")).await.unwrap());
    assert!(b.current_url().await.unwrap().ends_with("/slow-page"));

    // A form POST answered by a redirect.
    w.open("settle.html").await;
    b.click(&Query::text("Verstuur formulier"), &wait()).await.unwrap();
    assert!(b.probe_visible(&Query::text("Formulier ontvangen")).await.unwrap());
    assert!(b.current_url().await.unwrap().ends_with("/done"));

    // Reload keeps us on the page.
    b.reload().await.unwrap();
    assert!(b.probe_visible(&Query::text("Formulier ontvangen")).await.unwrap());
    w.close().await;
}

#[tokio::test]
async fn the_page_script_runs_once_in_every_document_without_being_sent() {
    let w = World::new().await;
    let b = &w.browser;
    let in_page = async || {
        b.client()
            .execute("return window.__postnlRobotInstalls", vec![])
            .await
            .unwrap()
    };
    let start = b.script_installs();

    // Many operations on one page: Chromium runs the registered script once, before the
    // page's own; the robot never sends it.
    w.open("settle.html").await;
    assert!(b.probe_visible(&Query::text("Nog niet opgeslagen")).await.unwrap());
    assert_eq!(b.page_status().await.unwrap(), Some(200));
    assert!(b.failed_requests().await.unwrap().is_empty());
    b.click(&Query::role("button", Some("Opslaan")), &wait()).await.unwrap();
    assert_eq!(
        b.text_of(&Query::css("#status"), &wait()).await.unwrap(),
        "Opgeslagen: 42"
    );
    b.wait_visible(&Query::text("Bewaren via XHR"), &wait()).await.unwrap();
    assert!(b.wait_until_idle(Duration::from_secs(5)).await.unwrap());
    assert_eq!(b.mark_open_popups().await.unwrap(), 0);
    assert_eq!(b.script_installs() - start, 0);
    assert_eq!(in_page().await, 1);

    // A call is one WebDriver round trip.
    let before = b.round_trips();
    assert!(b.probe_visible(&Query::text("Opgeslagen: 42")).await.unwrap());
    assert_eq!(b.round_trips() - before, 1);

    // A click is two (find, click): settling after it is folded into the next call.
    let before = b.round_trips();
    b.click(&Query::role("link", Some("Volgende pagina")), &wait())
        .await
        .unwrap();
    assert_eq!(b.round_trips() - before, 2);
    // It navigated: the new document has the script of its own, and its status is known from
    // the same call.
    assert!(b.probe_visible(&Query::text("Pagina twee")).await.unwrap());
    let before = b.round_trips();
    assert_eq!(b.page_status().await.unwrap(), Some(200));
    assert_eq!(b.round_trips() - before, 0);
    assert!(b.messages().await.unwrap().is_empty());
    assert_eq!(b.script_installs() - start, 0);
    assert_eq!(in_page().await, 1);

    // A reload is a new document too.
    b.reload().await.unwrap();
    assert!(b.probe_visible(&Query::text("Pagina twee")).await.unwrap());
    assert_eq!(b.script_installs() - start, 0);
    assert_eq!(in_page().await, 1);

    // A document holding another version of the script gets this one, sent with the call.
    b.client()
        .execute("window.__postnlRobot = { version: 'older' }", vec![])
        .await
        .unwrap();
    assert!(b.probe_visible(&Query::text("Pagina twee")).await.unwrap());
    assert_eq!(b.script_installs() - start, 1);
    assert_eq!(in_page().await, 2);
    w.close().await;
}

#[tokio::test]
async fn an_error_page_a_click_loaded_is_reported_by_the_next_element_operation_at_once() {
    let w = World::new().await;
    let b = &w.browser;
    b.goto(&format!("{}/to-error", w.base)).await.unwrap();
    assert_eq!(b.page_status().await.unwrap(), Some(200));
    b.click(&Query::role("link", Some("Naar de storing")), &wait())
        .await
        .unwrap();
    // Waited for, it would time out after a minute: the error page is said at once instead.
    let long = Wait::new(Duration::from_secs(60));
    match b.wait_visible(&Query::text("Komt er nooit"), &long).await {
        Err(BrowserError::NotFound { offered, .. }) => {
            assert!(offered.iter().any(|o| o.contains("HTTP 500")), "{offered:?}")
        }
        other => panic!("expected the error page, got {other:?}"),
    }
    assert_eq!(b.page_status().await.unwrap(), Some(500));
    w.close().await;
}

#[tokio::test]
async fn download_lands_in_the_download_dir() {
    let w = World::new().await;
    w.open("download.html").await;
    let b = &w.browser;
    assert_eq!(b.download_dir(), w.downloads.path());
    let path = b
        .download(&Query::role("link", Some("Download de PDF")), &wait())
        .await
        .unwrap();
    assert_eq!(path.parent().unwrap(), w.downloads.path());
    assert_eq!(path.file_name().unwrap(), "rapport-9401138.pdf");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(bytes, PDF);

    let png = b.screenshot_png().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    w.close().await;
}

#[tokio::test]
async fn own_driver_is_stopped_by_close() {
    let _permit = SESSIONS.acquire().await.unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::launch(&BrowserOptions::new(downloads.path()))
        .await
        .expect("launch");
    let info = b.info().clone();
    assert_eq!(info.name, "chromium");
    assert!(info.own_driver);
    assert!(info.version.chars().next().unwrap().is_ascii_digit(), "{info:?}");
    let port: u16 = info.webdriver.rsplit(':').next().unwrap().parse().unwrap();
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok());
    b.goto("about:blank").await.unwrap();
    b.close().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "chromedriver still answers on {port}"
    );
}

/// The runner may spawn operations on a multi-threaded runtime: their futures must be Send.
#[allow(dead_code)]
fn operations_are_send(b: &Browser, q: &Query, w: &Wait) {
    fn send<T: Send>(_: T) {}
    send(b.click(q, w));
    send(b.fill(q, "x", w));
    send(b.select(Some(q), &TextQuery::exact("x"), w));
    send(b.set_checked(q, true, w));
    send(b.is_checked(q, w));
    send(b.wait_visible(q, w));
    send(b.probe_visible(q));
    send(b.text_of(q, w));
    send(b.download(q, w));
    send(b.goto("about:blank"));
}

#[tokio::test]
async fn missing_driver_is_reported_with_install_hint() {
    let opts = BrowserOptions {
        driver_path: Some("/nonexistent/chromedriver".into()),
        ..BrowserOptions::new(std::env::temp_dir())
    };
    let err = Browser::launch(&opts).await.unwrap_err();
    assert!(err.is_no_browser());
    assert!(
        err.to_string().contains("apt-get install chromium chromium-driver"),
        "{err}"
    );
}

#[tokio::test]
async fn custom_dropdowns_table_rows_and_lone_buttons() {
    let w = World::new().await;
    w.open("dropdown.html").await;
    let b = &w.browser;
    let opens = async || b.client().execute("return window.opens", vec![]).await.unwrap();

    // A closed dropdown that already shows the wanted value: selected, not even opened.
    let s = b.select(None, &TextQuery::contains("9401138"), &wait()).await.unwrap();
    assert!(s.already_selected, "{s:?}");
    assert!(s.description.contains("combobox"), "{s:?}");
    assert_eq!(opens().await, serde_json::json!(0));
    // Another option of its hidden list (aria-controls): opened, then picked.
    let s = b.select(None, &TextQuery::contains("9401139"), &wait()).await.unwrap();
    assert!(!s.already_selected);
    assert_eq!(s.text, "PostNL Pakketten Oost (9401139)");
    assert_eq!(w.out().await, "klantnummer 9401139");
    assert!(
        b.select(None, &TextQuery::contains("9401139"), &wait())
            .await
            .unwrap()
            .already_selected
    );
    // The listbox right next to a button with aria-expanded; nothing chosen at first.
    b.select(None, &TextQuery::contains("5550002"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "rapport 5550002");
    // Options that exist only while the dropdown is open.
    b.select(None, &TextQuery::exact("België"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "land België");

    // A listbox of plain list items.
    b.select(None, &TextQuery::exact("English"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "taal en");

    // A table row, by the cell with the name (the row also shows a count).
    let piet = TextQuery::exact("Jansen, Piet (PostNL)");
    let s = b.select(None, &piet, &wait()).await.unwrap();
    assert_eq!(s.text, "Jansen, Piet (PostNL)");
    assert_eq!(w.out().await, "gebruiker Jansen, Piet (PostNL)");
    assert!(b.select(None, &piet, &wait()).await.unwrap().already_selected);
    // A row that is not clickable itself: its harmless button, never "Verwijderen".
    b.select(None, &TextQuery::exact("Team Zuid"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "team Team Zuid");

    // A lone button outside any list; once pressed it counts as selected.
    b.select(None, &TextQuery::exact("Deze maand"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "periode Deze maand");
    assert!(
        b.select(None, &TextQuery::exact("Deze maand"), &wait())
            .await
            .unwrap()
            .already_selected
    );
    // Never something that deletes.
    let err = b
        .select(None, &TextQuery::contains("Periode"), &short())
        .await
        .unwrap_err();
    assert!(matches!(err, BrowserError::NotFound { .. }), "{err}");
    assert_eq!(w.out().await, "periode Deze maand");

    // Unknown: the options of the closed lists are offered too.
    let err = b
        .select(None, &TextQuery::contains("7777777"), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(
        offered
            .iter()
            .any(|o| o.starts_with("Winkel Noord (5550001) (in the closed list of")),
        "{offered:?}"
    );
    w.close().await;
}

#[tokio::test]
async fn aria_checkboxes_toggles_placeholders_badges_slow_saves_and_loading_overlays() {
    let w = World::new().await;
    w.open("spa.html").await;
    let b = &w.browser;

    // role=checkbox spans with the text next to them.
    let ec = Query::label("E-commerce inzichten");
    assert!(!b.is_checked(&ec, &wait()).await.unwrap());
    assert!(b.set_checked(&ec, true, &wait()).await.unwrap());
    assert!(!b.set_checked(&ec, true, &wait()).await.unwrap());
    assert!(b.is_checked(&Query::css("#cb-ec"), &wait()).await.unwrap());
    assert!(b.is_checked(&Query::label("Facturen"), &wait()).await.unwrap());
    // A toggle button and a checkable tree item tick like checkboxes.
    assert!(b
        .set_checked(&Query::label("Notificaties"), true, &wait())
        .await
        .unwrap());
    assert!(b.is_checked(&Query::css("#tg"), &wait()).await.unwrap());
    assert!(b.set_checked(&Query::label("Adresboek"), true, &wait()).await.unwrap());
    assert!(b.is_checked(&Query::css("#ti"), &wait()).await.unwrap());

    // A field labelled only by its placeholder.
    b.fill(&Query::label("Zoek een gebruiker"), "Piet", &wait())
        .await
        .unwrap();
    // A title with a badge inside it.
    b.click(&Query::text("Rapportages"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "tegel");

    // The save disables itself and validates for 300 ms before its 500 ms request: the click
    // returns only once it is done.
    b.click(&Query::role("button", Some("Opslaan")), &wait()).await.unwrap();
    assert!(b.probe_visible(&Query::text("opgeslagen 42")).await.unwrap());

    // Boxes behind a loading overlay are read once it is gone.
    let laden = format!("{}/fixtures/spa.html?laden", w.base);
    b.goto(&laden).await.unwrap();
    assert!(b.is_checked(&ec, &wait()).await.unwrap());
    b.goto(&laden).await.unwrap();
    assert!(b.wait_until_idle(Duration::from_secs(5)).await.unwrap());
    assert!(b.is_checked(&Query::css("#cb-ec"), &short()).await.unwrap());

    // The HTTP status of the page.
    assert_eq!(b.page_status().await.unwrap(), Some(200));
    b.goto(&format!("{}/status/500", w.base)).await.unwrap();
    assert_eq!(b.page_status().await.unwrap(), Some(500));
    w.close().await;
}

#[tokio::test]
async fn popups_closed_by_clearing_an_obstacle_are_reopened() {
    let w = World::new().await;
    w.open("popups.html").await;
    let b = &w.browser;
    let account = Query::text("Mijn Account");

    // An icon button named by its svg <title>; a modal without a role (aria-modal) is a dialog,
    // and its "×" button is found by its title.
    b.wait_visible(&Query::role("button", Some("Zoeken")), &wait())
        .await
        .unwrap();
    let close = Query::role("button", Some("Sluiten")).within(Query::role("dialog", None));
    b.click(&close, &wait()).await.unwrap();
    assert!(!b.probe_visible(&Query::text("Nieuw in Mijn PostNL")).await.unwrap());

    b.click(&Query::role("button", Some("GATUser, PostNL")), &wait())
        .await
        .unwrap();
    assert!(b.probe_visible(&account).await.unwrap());
    assert_eq!(b.mark_open_popups().await.unwrap(), 1);
    // Clicking the banner away is a click outside the menu: it closes.
    b.click(&Query::role("button", Some("Akkoord")), &wait()).await.unwrap();
    assert!(!b.probe_visible(&account).await.unwrap());
    let reopened = b.reopen_popups(Duration::from_secs(5)).await.unwrap();
    assert_eq!(reopened, vec![r#"<button> "GATUser, PostNL""#.to_string()]);
    assert!(b.probe_visible(&account).await.unwrap());

    // Nothing closed meanwhile: nothing is clicked.
    assert_eq!(b.mark_open_popups().await.unwrap(), 1);
    assert!(b.reopen_popups(Duration::from_secs(5)).await.unwrap().is_empty());
    assert!(b.probe_visible(&account).await.unwrap());
    w.close().await;
}

#[tokio::test]
async fn nested_shadow_roots_labels_and_aria_checkboxes() {
    let w = World::new().await;
    w.open("frames.html").await;
    let b = &w.browser;
    // A native box and its label inside a shadow root; an ARIA checkbox in a shadow root nested
    // in it, named by aria-labelledby in its own root.
    assert!(b.set_checked(&Query::label("Per e-mail"), true, &wait()).await.unwrap());
    assert!(b.is_checked(&Query::label("Per e-mail"), &wait()).await.unwrap());
    assert!(!b.is_checked(&Query::label("Per sms"), &wait()).await.unwrap());
    assert!(b.set_checked(&Query::label("Per sms"), true, &wait()).await.unwrap());
    assert!(b
        .is_checked(&Query::role("checkbox", Some("Per sms")), &wait())
        .await
        .unwrap());
    assert!(
        !b.set_checked(&Query::label("Per sms"), true, &wait()).await.unwrap(),
        "already ticked"
    );
    b.click(&Query::role("button", Some("Toepassen")), &wait())
        .await
        .unwrap();
    assert_eq!(w.out().await, "toegepast: true");
    // A box drawn over by its label (the real input transparent) is visible and tickable.
    assert!(b
        .set_checked(&Query::label("Transparant"), true, &wait())
        .await
        .unwrap());
    assert!(b.is_checked(&Query::label("Transparant"), &wait()).await.unwrap());
    w.close().await;
}

#[tokio::test]
async fn nested_frames_within_across_boundaries_and_the_frame_named() {
    let w = World::new().await;
    w.open("frames.html").await;
    let b = &w.browser;
    // The outer same-origin frame: fill and click there.
    b.fill(&Query::label("Naam"), "Piet", &wait()).await.unwrap();
    let found = b
        .click(&Query::role("button", Some("Verstuur buiten")), &wait())
        .await
        .unwrap();
    assert!(
        found.description.ends_with("(in frame 'Buitenste frame')"),
        "{}",
        found.description
    );
    assert_eq!(w.out().await, "buiten: Piet");
    // The frame inside it, and a select there.
    b.click(&Query::text("Akkoord"), &wait()).await.unwrap();
    assert_eq!(w.out().await, "binnen: akkoord");
    let sel = b.select(None, &TextQuery::exact("English"), &wait()).await.unwrap();
    assert!(
        !sel.already_selected && sel.description.contains("Binnenste frame"),
        "{}",
        sel.description
    );
    // `within` a dialog of the top document whose content is a frame page.
    let dialog = Query::role("dialog", Some("Details voor Piet"));
    b.click(&Query::text("Bewaren").within(dialog.clone()), &wait())
        .await
        .unwrap();
    assert_eq!(w.out().await, "bewaard in dialoog");
    // `within` a dialog that lives in the nested frame.
    let cookie = Query::role("dialog", Some("Cookie-instellingen"));
    let t = b
        .text_of(&Query::text_containing("cookies").within(cookie), &wait())
        .await
        .unwrap();
    assert_eq!(t, "Wij gebruiken cookies.");
    // Not found: what the frames offer, with the frame named.
    let err = b
        .click(&Query::role("button", Some("Weigeren")), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(
        offered.contains(&r#"button "Akkoord" (in frame 'Binnenste frame')"#.to_string()),
        "{offered:?}"
    );
    assert!(offered.contains(&r#"button "Toepassen""#.to_string()), "{offered:?}");
    w.close().await;
}

#[tokio::test]
async fn cross_origin_frames_are_searched_through_webdriver() {
    let w = World::new().await;
    // A second origin: localhost on another port.
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app()).await });
    let b = &w.browser;
    b.goto(&format!("{}/cross/{port}", w.base)).await.unwrap();
    let found = b
        .click(&Query::role("button", Some("Accepteren")), &wait())
        .await
        .unwrap();
    assert!(
        found.description.ends_with("(in frame 'Partnerframe')"),
        "{}",
        found.description
    );
    assert_eq!(w.out().await, "partner: geaccepteerd");
    let err = b
        .click(&Query::role("button", Some("Weigeren")), &short())
        .await
        .unwrap_err();
    let BrowserError::NotFound { offered, .. } = &err else {
        panic!("expected not found, got {err}")
    };
    assert!(
        offered
            .iter()
            .any(|o| o.contains("Accepteren") && o.ends_with("(in frame 'Partnerframe')")),
        "{offered:?}"
    );
    w.close().await;
}

#[tokio::test]
async fn an_overlay_that_only_hosts_a_frame_is_named_after_it() {
    let w = World::new().await;
    w.open("frame-overlay.html").await;
    let b = &w.browser;
    let err = b
        .click(&Query::role("button", Some("Verder")), &short())
        .await
        .unwrap_err();
    let BrowserError::NotActionable { reason, .. } = &err else {
        panic!("expected not actionable, got {err}")
    };
    assert_eq!(reason, "covered by the frame 'Cookie-instellingen' over the page");
    // Its button is found inside the frame and clears it.
    b.click(&Query::role("button", Some("Weigeren")), &wait())
        .await
        .unwrap();
    b.click(&Query::role("button", Some("Verder")), &wait()).await.unwrap();
    assert_eq!(w.out().await, "verder");
    w.close().await;
}

/// `verify`'s fingerprint: roles, names and groups of what a step touched and the labelled
/// things around it; ids, classes, attribute order, values and states leave it unchanged, a
/// renamed label does not.
#[tokio::test]
async fn fingerprint_ignores_ids_classes_attribute_order_values_and_states() {
    use postnl_robot::browser::fingerprint::{FingerprintRequest, Item, TargetSpec};
    let w = World::new().await;
    let b = &w.browser;
    let req = FingerprintRequest {
        targets: vec![TargetSpec {
            query: Some(Query::label("E-commerce inzichten")),
            option: None,
            nameless: false,
        }],
        masks: vec![Query::css(".datum")],
    };
    w.open("fingerprint.html").await;
    let before = b.fingerprint(&req).await.unwrap();
    let t = &before.targets[0];
    assert!(t.found);
    assert_eq!((t.role.as_str(), t.name.as_str()), ("checkbox", "E-commerce inzichten"));
    let item = |role: &str, name: &str, group: &str| Item {
        role: role.into(),
        name: name.into(),
        group: group.into(),
    };
    assert_eq!(
        t.items,
        vec![
            item("checkbox", "Zendingen importeren", "Pakketten & Vracht"),
            item("checkbox", "Notificaties", "Pakketten & Vracht"),
            item("checkbox", "Facturen", "Inzichten"),
            item("checkbox", "E-commerce inzichten", "Inzichten"),
            item("textbox", "Notitie", ""),
            item("button", "Opslaan", ""),
        ]
    );
    assert_eq!(before.title, "Autorisaties");
    assert_eq!(before.path, "/fixtures/fingerprint.html");
    assert_eq!(before.masks.len(), 1, "the masked date is a region to leave out");

    // Ticking a box and typing change states and values only.
    b.set_checked(&Query::label("E-commerce inzichten"), true, &wait())
        .await
        .unwrap();
    b.fill(&Query::label("Notitie"), "tekst", &wait()).await.unwrap();
    assert_eq!(b.fingerprint(&req).await.unwrap().targets, before.targets);

    // Other ids, classes, attribute order, ticks, typed text and masked date: the same print.
    w.open("fingerprint-ids.html").await;
    let other = b.fingerprint(&req).await.unwrap();
    assert_eq!(other.targets, before.targets);
    assert_eq!(other.title, before.title);

    // A renamed label is seen.
    w.open("fingerprint-renamed.html").await;
    let renamed = b.fingerprint(&req).await.unwrap();
    assert_ne!(renamed.targets, before.targets);
    assert!(renamed.targets[0]
        .items
        .contains(&item("checkbox", "Meldingen", "Pakketten & Vracht")));
    w.close().await;
}

#[tokio::test]
async fn the_trace_holds_console_network_and_a_dom_without_the_password() {
    let w = World::new().await;
    let b = &w.browser;
    w.open("trace.html").await;
    b.fill(&Query::label("E-mailadres"), "qa@voorbeeld.nl", &wait())
        .await
        .unwrap();
    b.fill(&Query::label("Wachtwoord"), "Sup3rGeheim!2", &wait())
        .await
        .unwrap();
    b.set_checked(&Query::label("Onthoud mij"), true, &wait())
        .await
        .unwrap();
    b.click(&Query::role("button", Some("Laden")), &wait()).await.unwrap();
    assert_eq!(w.out().await, "antwoord 500");

    let t = b.trace_read(true).await.unwrap();
    assert!(t.url.ends_with("/fixtures/trace.html"), "{}", t.url);
    assert!(
        t.console.iter().any(|c| c.level == "warn" && c.text == "laden gestart"),
        "{:?}",
        t.console
    );
    let failed = t
        .network
        .iter()
        .find(|r| r.url.ends_with("/status/500"))
        .expect("the fetch");
    assert_eq!(
        (failed.status, failed.method.as_deref(), failed.kind.as_str()),
        (Some(500), Some("GET"), "fetch")
    );
    assert!(
        t.network.iter().any(|r| r.kind == "document" && r.status == Some(200)),
        "{:?}",
        t.network
    );
    let dom = t.dom.expect("a DOM snapshot");
    assert!(!dom.contains("Sup3rGeheim!2"), "the password is in the DOM snapshot");
    assert!(dom.contains(r#"<input id="pw" type="password" value="">"#), "{dom}");
    assert!(dom.contains(r#"value="qa@voorbeeld.nl""#), "{dom}");
    assert!(dom.contains(r#"<input type="checkbox" id="box" checked>"#), "{dom}");
    assert!(
        dom.contains(r#"<template shadowrootmode="open"><label>Meldingen"#),
        "{dom}"
    );
    assert!(dom.contains("In het frame"), "same-origin frame inline: {dom}");
    assert!(
        !dom.contains("<script") && !dom.contains("onclick"),
        "scripts left in: {dom}"
    );
    assert!(dom.contains("script-src 'none'"), "{dom}");

    // Read: forgotten in the page. What a document logs before it is left reaches the next one.
    let again = b.trace_read(false).await.unwrap();
    assert!(again.console.is_empty() && again.network.is_empty(), "{again:?}");
    assert!(again.dom.is_none());
    b.click(&Query::role("link", Some("Verder")), &wait()).await.unwrap();
    assert!(b.probe_visible(&Query::text("Formulier ontvangen")).await.unwrap());
    let next = b.trace_read(false).await.unwrap();
    assert!(
        next.console
            .iter()
            .any(|c| c.level == "log" && c.text == "naar de volgende pagina"),
        "{:?}",
        next.console
    );
    assert!(
        next.network
            .iter()
            .any(|r| r.kind == "document" && r.url.ends_with("/done")),
        "{:?}",
        next.network
    );
    w.close().await;
}
