//! HTTP-level tests of the Mijn PostNL replica (no browser): page texts, sessions, rights, CSRF,
//! persistence, the PDF and the fault knobs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use postnl_robot::portal::{
    self, parse_fail_rule, PortalConfig, PortalHandle, Rename, Variant, DEMO_ADMIN_EMAIL, DEMO_PASSWORD, ECOMMERCE,
};
use serde_json::{json, Value};

/// A replica on a free loopback port with its own runtime.
struct Portal {
    rt: tokio::runtime::Runtime,
    handle: Option<PortalHandle>,
}

impl Portal {
    fn start(cfg: PortalConfig) -> Portal {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = rt.block_on(portal::start(cfg)).expect("portal starts");
        Portal {
            rt,
            handle: Some(handle),
        }
    }

    fn default() -> Portal {
        Portal::start(PortalConfig::default())
    }

    fn handle(&self) -> &PortalHandle {
        self.handle.as_ref().unwrap()
    }

    fn client(&self) -> Client {
        Client::new(&self.handle().base_url())
    }

    fn state(&self) -> Value {
        self.handle().state()
    }

    fn stop(mut self) {
        let h = self.handle.take().unwrap();
        self.rt.block_on(h.shutdown());
    }
}

struct Resp {
    status: u16,
    location: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A cookie-keeping HTTP client that does not follow redirects.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Client {
    fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client {
            agent,
            base: base.to_string(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn finish(&mut self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
        let r = r.expect("HTTP request");
        let status = r.status().as_u16();
        let mut headers = Vec::new();
        for (k, v) in r.headers() {
            let v = v.to_str().unwrap_or("").to_string();
            if k.as_str().eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or("");
                if let Some((name, value)) = pair.split_once('=') {
                    if v.to_ascii_lowercase().contains("max-age=0") {
                        self.cookies.remove(name.trim());
                    } else {
                        self.cookies.insert(name.trim().to_string(), value.trim().to_string());
                    }
                }
            }
            headers.push((k.as_str().to_string(), v));
        }
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r.into_body().read_to_vec().unwrap_or_default();
        Resp {
            status,
            location,
            headers,
            body,
        }
    }

    fn get(&mut self, path: &str) -> Resp {
        let req = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        let r = req.call();
        self.finish(r)
    }

    fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header());
        let r = req.send_form(form.iter().copied());
        self.finish(r)
    }

    fn post_json(&mut self, path: &str, body: &Value, csrf: Option<&str>) -> Resp {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Content-Type", "application/json");
        if let Some(t) = csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let r = req.send(body.to_string());
        self.finish(r)
    }

    fn login(&mut self, email: &str, password: &str) -> Resp {
        self.post_form("/", &[("email", email), ("password", password)])
    }

    /// Logs in as the seeded admin; returns the CSRF token from the home page.
    fn login_admin(&mut self) -> String {
        let r = self.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
        csrf_of(&self.get("/apex/BPG_Home").text())
    }
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF token") + marker.len();
    html[start..start + 64].to_string()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn admin_flags(state: &Value, kn: &str) -> Vec<String> {
    state["authorisations"][kn]["gatuser"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Saves the admin's current flags on 9401138 plus 'E-commerce inzichten'.
fn grant_ecommerce(c: &mut Client, portal: &Portal, csrf: &str) -> Resp {
    let mut flags = admin_flags(&portal.state(), "9401138");
    flags.push(ECOMMERCE.to_string());
    c.post_json(
        "/apex/api/autorisaties",
        &json!({ "klantnummer": "9401138", "gebruiker": "gatuser", "autorisaties": flags }),
        Some(csrf),
    )
}

const AUTH_PAGE: &str = "/apex/BPG_My_Account?PageTile=ShowMyAuthorizations";

#[test]
fn login_page_has_the_guide_texts_and_a_cookie_banner() {
    let p = Portal::default();
    let r = p.client().get("/");
    assert_eq!(r.status, 200);
    let t = r.text();
    for s in [
        "Log in bij Mijn PostNL",
        r#"<label for="email">E-mailadres</label>"#,
        r#"<label for="password">Wachtwoord</label>"#,
        r#"id="password" name="password" type="password""#,
        r#"<label for="remember">Onthoud mij</label>"#,
        ">Inloggen bij Mijn PostNL</button>",
        ">Wachtwoord vergeten?</a>",
        "Heb jij nog geen Mijn PostNL account?",
        ">Maak een nieuw account aan</a>",
        "Let op:</strong> Zie je deze pagina voor het eerst?",
        // The cookie banner is inserted by script after load.
        r#"role="dialog" aria-modal="true" aria-label="Cookies""#,
        ">Accepteren</button>",
        ">Weigeren</button>",
        "setTimeout(",
    ] {
        assert!(t.contains(s), "login page lacks {s:?}");
    }
    assert!(!t.contains("role=\"alert\""));
    p.stop();
}

#[test]
fn pages_redirect_to_login_without_a_session() {
    let p = Portal::default();
    let mut c = p.client();
    c.cookies.insert("mijnpostnl_sessie".into(), "not-a-session".into());
    for path in [
        "/apex/BPG_Home",
        "/apex/bpg_home",
        "/apex/bpg_my_account",
        AUTH_PAGE,
        "/apex/BPG_EcommerceInsights",
        "/apex/rapporten/e-commerce-inzichten-9401138.pdf",
        "/apex/BPG_Wachtwoord_Wijzigen",
        "/apex/BPG_Info?titel=Zendingen",
    ] {
        let r = c.get(path);
        assert_eq!(r.status, 303, "{path}");
        assert_eq!(r.location.as_deref(), Some("/"), "{path}");
    }
    assert_eq!(c.get("/apex/api/gebruikers?klantnummer=9401138").status, 401);
    p.stop();
}

#[test]
fn wrong_credentials_show_an_alert_and_no_session() {
    let p = Portal::default();
    let mut c = p.client();
    for (email, pw) in [
        (DEMO_ADMIN_EMAIL, "verkeerd-wachtwoord"),
        ("onbekend@postnl.example", DEMO_PASSWORD),
        ("", ""),
    ] {
        let r = c.login(email, pw);
        assert_eq!(r.status, 401);
        let t = r.text();
        assert!(t.contains(r#"role="alert""#));
        assert!(t.contains("Onjuist e-mailadres of wachtwoord."));
        assert!(t.contains("Log in bij Mijn PostNL"));
        assert!(!c.cookies.contains_key("mijnpostnl_sessie"));
    }
    assert_eq!(c.get("/apex/BPG_Home").status, 303);
    p.stop();
}

#[test]
fn login_leads_home_with_the_orange_menu_button_and_tiles() {
    let p = Portal::default();
    let mut c = p.client();
    let r = c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let r = c.get("/apex/BPG_Home");
    assert_eq!(r.status, 200);
    let t = r.text();
    let header = &t[t.find("<header").unwrap()..t.find("</header>").unwrap()];
    assert_eq!(count(header, "aria-haspopup"), 1);
    assert!(header.contains(r#"aria-haspopup="menu" aria-expanded="false" aria-controls="gebruikersmenu""#));
    assert!(header.contains("GATUser, PostNL</button>"));
    assert!(header.contains(r#"role="menu" aria-labelledby="gebruikersmenu-knop" hidden"#));
    assert!(header.contains(r#"<a role="menuitem" href="/apex/bpg_my_account">Mijn Account</a>"#));
    assert!(header.contains(r#"role="menuitem">Uitloggen</button>"#));
    assert!(t.contains("--brand: #ff6200"));
    for tile in ["<h3>Zendingen</h3>", "<h3>Facturen</h3>", "<h3>Track &amp; Trace</h3>"] {
        assert!(t.contains(tile), "{tile}");
    }
    assert!(!t.to_lowercase().contains("e-commerce inzichten"));
    assert_eq!(count(&t, "Mijn Account"), 1);
    p.stop();
}

#[test]
fn my_account_has_the_tabs_and_one_autorisaties_link() {
    let p = Portal::default();
    let mut c = p.client();
    c.login_admin();
    let r = c.get("/apex/bpg_my_account");
    assert_eq!(r.status, 200);
    let t = r.text();
    assert!(t.contains(r#"role="tablist""#));
    assert!(t.contains(r#"aria-selected="true" tabindex="0">Persoonlijke instellingen</button>"#));
    assert!(t.contains(r#"aria-selected="false" tabindex="-1">Klantnummerinstellingen</button>"#));
    assert!(t.contains(r#"role="tabpanel" aria-labelledby="tab-klantnummer" hidden"#));
    assert!(t.contains(r#"<a href="/apex/BPG_My_Account?PageTile=ShowMyAuthorizations">Autorisaties</a>"#));
    assert_eq!(count(&t, ">Autorisaties<"), 1);
    assert_eq!(count(&t, ">Klantnummerinstellingen<"), 1);
    assert!(!t.contains(DEMO_ADMIN_EMAIL), "the e-mail address is masked");
    p.stop();
}

#[test]
fn authorisations_page_has_the_guide_texts_and_loads_users() {
    let p = Portal::default();
    let mut c = p.client();
    c.login_admin();
    for path in [AUTH_PAGE, "/apex/bpg_my_account?PageTile=ShowMyAuthorizations"] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "{path}");
        let t = r.text();
        for s in [
            ">Persoonlijke instellingen</a>",
            ">Klantnummerinstellingen</a>",
            r#"<label for="klantnummer" class="visually-hidden">Klantnummer</label><select id="klantnummer""#,
            r#"<option value="9401138" selected>PostNL (9401138)</option>"#,
            r#"<option value="9401139">PostNL Pakketten Oost (9401139)</option>"#,
            ">Hulp nodig ?</a>",
            ">Autorisaties</h2>",
            ">&larr; Terug</a>",
            "Kies een categorie om de autorisaties te beheren",
            ">Gebruiker</button>",
            ">Klantnummer</button>",
            r#"<h3 id="gebruikers-kop">Selecteer een gebruiker om de autorisaties te wijzigen</h3>"#,
            r#"role="listbox" aria-labelledby="gebruikers-kop""#,
            ">Gebruiker toevoegen</button>",
            "Autorisaties voor <span",
            ">Gebruikersaccount verwijderen</a>",
            r#"role="alertdialog""#,
            ">Opslaan</button>",
            r#"role="status""#,
            r#""csrf":""#,
            "history.replaceState",
        ] {
            assert!(t.contains(s), "{path} lacks {s:?}");
        }
        for group in [
            "Pakketten &amp; Vracht",
            "Post ontvangen",
            "Inzichten",
            "MijnPost Shop",
            "Versturen algemeen",
        ] {
            assert!(t.contains(&format!("<legend>{group}</legend>")), "{group}");
        }
        for label in [
            "Zendingen importeren",
            "Notificaties",
            "Postbussen",
            "Antwoordnummers (+ verbruik)",
            "Haal-/brengservice",
            "Facturen",
            "E-commerce inzichten",
            "Orderbevestigingen",
            "Mijn PostNL Webshop",
            "Afzenders en Retouradressen",
            "Track &amp; Trace",
            "Adresboek",
        ] {
            assert!(t.contains(&format!("\">{label}</label>")), "{label}");
        }
        assert_eq!(count(&t, "type=\"checkbox\""), 12);
    }
    let users = c.get("/apex/api/gebruikers?klantnummer=9401138");
    assert_eq!(users.status, 200);
    let names: Vec<String> = users.json()["gebruikers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["naam"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"GATUser, PostNL (PostNL)".to_string()));
    assert!(names.contains(&"Jansen, Piet (PostNL)".to_string()));
    let other = c.get(&format!("{AUTH_PAGE}&klantnummer=9401139&gebruiker=gatuser"));
    assert!(other.text().contains(r#"<option value="9401139" selected>"#));
    let flags = c.get("/apex/api/autorisaties?klantnummer=9401138&gebruiker=gatuser");
    assert_eq!(flags.status, 200);
    assert_eq!(flags.json()["naam"], "GATUser, PostNL (PostNL)");
    assert!(!flags.json()["autorisaties"]
        .as_array()
        .unwrap()
        .contains(&json!(ECOMMERCE)));
    p.stop();
}

#[test]
fn authorisations_need_both_rights() {
    let p = Portal::default();
    let before = p.state();
    let mut c = p.client();
    assert_eq!(c.login("piet.jansen@postnl.example", DEMO_PASSWORD).status, 303);
    let csrf = csrf_of(&c.get("/apex/BPG_Home").text());
    let r = c.get(AUTH_PAGE);
    assert_eq!(r.status, 403);
    let t = r.text();
    assert!(t.contains(r#"role="alert""#));
    assert!(t.contains("<li>Klantnummerinstellingen</li>"));
    assert!(t.contains("<li>Instellingen voor uw klantnummer beheren</li>"));
    assert!(!t.contains("Selecteer een gebruiker om de autorisaties te wijzigen"));
    assert!(!t.contains("role=\"listbox\""));
    assert_eq!(c.get("/apex/api/gebruikers?klantnummer=9401138").status, 403);
    let r = c.post_json(
        "/apex/api/autorisaties",
        &json!({ "klantnummer": "9401138", "gebruiker": "piet.jansen", "autorisaties": [ECOMMERCE] }),
        Some(&csrf),
    );
    assert_eq!(r.status, 403);
    assert_eq!(p.state(), before);
    p.stop();
}

#[test]
fn first_login_forces_a_new_password() {
    let p = Portal::default();
    let mut c = p.client();
    let email = "anna.devries@postnl.example";
    let r = c.login(email, DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Wachtwoord_Wijzigen"));
    let home = c.get("/apex/BPG_Home");
    assert_eq!(home.location.as_deref(), Some("/apex/BPG_Wachtwoord_Wijzigen"));
    let page = c.get("/apex/BPG_Wachtwoord_Wijzigen").text();
    assert!(page.contains("Nieuw wachtwoord instellen"));
    assert!(page.contains(r#"<label for="nieuw-wachtwoord">Nieuw wachtwoord</label>"#));
    assert!(page.contains(r#"<label for="herhaal-wachtwoord">Herhaal nieuw wachtwoord</label>"#));
    assert!(page.contains(">Wachtwoord opslaan</button>"));
    assert!(!page.contains("aria-haspopup"));
    let csrf = csrf_of(&page);
    let path = "/apex/BPG_Wachtwoord_Wijzigen";
    let attempt = |c: &mut Client, token: &str, a: &str, b: &str| {
        c.post_form(path, &[("csrf", token), ("new_password", a), ("repeat_password", b)])
    };
    let r = attempt(&mut c, &csrf, "kort", "kort");
    assert_eq!(r.status, 422);
    assert!(r.text().contains("minimaal 8 tekens"));
    let r = attempt(&mut c, &csrf, "Lang-genoeg-1", "Lang-genoeg-2");
    assert_eq!(r.status, 422);
    assert!(r.text().contains("komen niet overeen"));
    let r = attempt(&mut c, &csrf, DEMO_PASSWORD, DEMO_PASSWORD);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("anders zijn dan je huidige wachtwoord"));
    assert!(r.text().contains(r#"role="alert""#));
    let r = attempt(&mut c, "wrong-token", "Anna-Nieuw-2026", "Anna-Nieuw-2026");
    assert_eq!(r.status, 403);
    assert_eq!(p.state()["users"][2]["must_change_password"], true);
    let r = attempt(&mut c, &csrf, "Anna-Nieuw-2026", "Anna-Nieuw-2026");
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    assert_eq!(c.get("/apex/BPG_Home").status, 200);
    let state = p.state();
    assert_eq!(state["users"][2]["id"], "anna.devries");
    assert_eq!(state["users"][2]["must_change_password"], false);
    let audit = state["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["who"], "de Vries, Anna (PostNL)");
    assert!(!state.to_string().contains("Anna-Nieuw-2026"));
    let mut fresh = p.client();
    assert_eq!(fresh.login(email, DEMO_PASSWORD).status, 401);
    let r = fresh.login(email, "Anna-Nieuw-2026");
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    p.stop();
}

#[test]
fn force_password_change_applies_to_every_first_login_once() {
    let p = Portal::start(PortalConfig {
        force_password_change: true,
        ..Default::default()
    });
    let mut c = p.client();
    let r = c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Wachtwoord_Wijzigen"));
    let csrf = csrf_of(&c.get("/apex/BPG_Wachtwoord_Wijzigen").text());
    let r = c.post_form(
        "/apex/BPG_Wachtwoord_Wijzigen",
        &[
            ("csrf", &csrf),
            ("new_password", "Beheer-2026-nieuw"),
            ("repeat_password", "Beheer-2026-nieuw"),
        ],
    );
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    let mut again = p.client();
    let r = again.login(DEMO_ADMIN_EMAIL, "Beheer-2026-nieuw");
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    p.stop();
}

#[test]
fn saving_without_or_with_a_wrong_csrf_token_is_refused() {
    let p = Portal::default();
    let mut c = p.client();
    let csrf = c.login_admin();
    let before = p.state();
    let body = json!({ "klantnummer": "9401138", "gebruiker": "gatuser", "autorisaties": [ECOMMERCE] });
    let r = c.post_json("/apex/api/autorisaties", &body, None);
    assert_eq!(r.status, 403);
    let wrong = "0".repeat(csrf.len());
    let r = c.post_json("/apex/api/autorisaties", &body, Some(&wrong));
    assert_eq!(r.status, 403);
    let r = c.post_json(
        "/apex/api/gebruikers/verwijderen",
        &json!({ "gebruiker": "piet.jansen" }),
        Some("bogus"),
    );
    assert_eq!(r.status, 403);
    // Another session's token does not work either.
    let mut other = p.client();
    let other_csrf = other.login_admin();
    assert_ne!(other_csrf, csrf);
    let r = c.post_json("/apex/api/autorisaties", &body, Some(&other_csrf));
    assert_eq!(r.status, 403);
    assert_eq!(p.state(), before);
    p.stop();
}

#[test]
fn a_valid_save_changes_exactly_one_flag_and_is_audited() {
    let p = Portal::default();
    let mut c = p.client();
    let csrf = c.login_admin();
    let before = p.state();
    let r = grant_ecommerce(&mut c, &p, &csrf);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["gewijzigd"], 1);
    let after = p.state();
    assert_eq!(before["users"], after["users"]);
    assert_eq!(before["klantnummers"], after["klantnummers"]);
    let (a, b) = (&before["authorisations"], &after["authorisations"]);
    for (kn, users) in a.as_object().unwrap() {
        for (uid, flags) in users.as_object().unwrap() {
            if kn == "9401138" && uid == "gatuser" {
                let mut expected: Vec<Value> = flags.as_array().unwrap().clone();
                expected.push(json!(ECOMMERCE));
                let mut got = b[kn][uid].as_array().unwrap().clone();
                let key = |v: &Value| v.as_str().unwrap().to_string();
                expected.sort_by_key(key);
                got.sort_by_key(key);
                assert_eq!(got, expected);
            } else {
                assert_eq!(&b[kn][uid], flags, "{kn}/{uid} changed");
            }
        }
    }
    let audit = after["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["who"], "GATUser, PostNL (PostNL)");
    assert!(audit[0]["what"].as_str().unwrap().contains(ECOMMERCE));
    assert!(audit[0]["when"].as_str().is_some());
    // A reload shows the saved state.
    let flags = c.get("/apex/api/autorisaties?klantnummer=9401138&gebruiker=gatuser");
    assert!(flags.json()["autorisaties"]
        .as_array()
        .unwrap()
        .contains(&json!(ECOMMERCE)));
    // The same save again changes nothing.
    let r = grant_ecommerce(&mut c, &p, &csrf);
    assert_eq!(r.json()["gewijzigd"], 0);
    // … but is recorded: every accepted save has its audit entry.
    let audit = p.state()["audit"].as_array().unwrap().clone();
    assert_eq!(audit.len(), 2);
    assert!(audit[1]["what"].as_str().unwrap().ends_with("geen wijzigingen"));
    assert_eq!(audit[1]["save"]["user"], "gatuser");
    assert_eq!(audit[1]["save"]["granted"], json!([]));
    // Unknown authorisations are refused.
    let r = c.post_json(
        "/apex/api/autorisaties",
        &json!({ "klantnummer": "9401138", "gebruiker": "gatuser", "autorisaties": ["Alles"] }),
        Some(&csrf),
    );
    assert_eq!(r.status, 422);
    // The state endpoint serves the same JSON.
    let served = c.get("/__state");
    assert_eq!(served.status, 200);
    assert_eq!(served.json(), p.state());
    p.stop();
}

#[test]
fn deleting_a_user_is_recorded() {
    let p = Portal::default();
    let mut c = p.client();
    let csrf = c.login_admin();
    let r = c.post_json(
        "/apex/api/gebruikers/verwijderen",
        &json!({ "gebruiker": "gatuser" }),
        Some(&csrf),
    );
    assert_eq!(r.status, 409, "one cannot delete oneself");
    let r = c.post_json(
        "/apex/api/gebruikers/verwijderen",
        &json!({ "gebruiker": "piet.jansen" }),
        Some(&csrf),
    );
    assert_eq!(r.status, 200);
    let s = p.state();
    assert_eq!(s["users"][1]["id"], "piet.jansen");
    assert_eq!(s["users"][1]["deleted"], true);
    assert!(s["authorisations"]["9401138"].get("piet.jansen").is_none());
    assert!(s["audit"][0]["what"]
        .as_str()
        .unwrap()
        .contains("Gebruikersaccount verwijderd"));
    assert_eq!(
        p.client().login("piet.jansen@postnl.example", DEMO_PASSWORD).status,
        401
    );
    p.stop();
}

#[test]
fn state_survives_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("portal-state.json");
    let cfg = PortalConfig {
        state_file: Some(file.clone()),
        ..Default::default()
    };
    let p = Portal::start(cfg.clone());
    let mut c = p.client();
    let csrf = c.login_admin();
    assert_eq!(grant_ecommerce(&mut c, &p, &csrf).status, 200);
    let saved = p.state();
    p.stop();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(DEMO_PASSWORD));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temp files left behind");
    let p = Portal::start(cfg);
    assert_eq!(p.state(), saved);
    assert!(admin_flags(&p.state(), "9401138").contains(&ECOMMERCE.to_string()));
    let mut c = p.client();
    c.login_admin();
    let flags = c.get("/apex/api/autorisaties?klantnummer=9401138&gebruiker=gatuser");
    assert!(flags.json()["autorisaties"]
        .as_array()
        .unwrap()
        .contains(&json!(ECOMMERCE)));
    p.stop();
}

#[test]
fn ecommerce_tile_page_and_pdf() {
    let p = Portal::default();
    let mut c = p.client();
    let csrf = c.login_admin();
    assert_eq!(c.get("/apex/BPG_EcommerceInsights").status, 403);
    assert_eq!(c.get("/apex/rapporten/e-commerce-inzichten-9401138.pdf").status, 404);
    assert_eq!(grant_ecommerce(&mut c, &p, &csrf).status, 200);
    let home = c.get("/apex/BPG_Home").text();
    assert!(home.contains(r#"href="/apex/BPG_EcommerceInsights""#));
    assert!(home.contains("<h3>E-commerce Inzichten</h3>"));
    let page = c.get("/apex/BPG_EcommerceInsights");
    assert_eq!(page.status, 200);
    let t = page.text();
    assert!(t.contains(r#"<label for="rapport-klantnummer">Klantnummer</label><select id="rapport-klantnummer""#));
    assert!(t.contains(r#"<option value="9401138">PostNL (9401138)</option>"#));
    assert!(!t.contains("9401139"), "only klantnummers with the flag");
    assert!(t.contains(">Download het rapport (PDF)</a>"));
    assert!(t.contains("'/apex/rapporten/e-commerce-inzichten-' + encodeURIComponent(kn) + '.pdf'"));
    let pdf = c.get("/apex/rapporten/e-commerce-inzichten-9401138.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let disposition = pdf.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment"));
    assert!(disposition.contains("e-commerce-inzichten-9401138.pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert!(pdf.body.ends_with(b"%%EOF"));
    assert!(pdf.text().contains("Klantnummer: 9401138"));
    assert!(pdf.body.len() < 10_000);
    assert_eq!(c.get("/apex/rapporten/e-commerce-inzichten-9401139.pdf").status, 404);
    p.stop();
}

#[test]
fn tile_delay_hides_the_tile_until_it_has_passed() {
    let p = Portal::start(PortalConfig {
        tile_delay: Duration::from_secs(3600),
        ..Default::default()
    });
    let mut c = p.client();
    let csrf = c.login_admin();
    assert_eq!(grant_ecommerce(&mut c, &p, &csrf).status, 200);
    assert!(!c.get("/apex/BPG_Home").text().contains("E-commerce Inzichten"));
    assert_eq!(c.get("/apex/BPG_EcommerceInsights").status, 403);
    p.stop();

    let p = Portal::start(PortalConfig {
        tile_delay: Duration::from_secs(1),
        ..Default::default()
    });
    let mut c = p.client();
    let csrf = c.login_admin();
    assert_eq!(grant_ecommerce(&mut c, &p, &csrf).status, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if c.get("/apex/BPG_Home").text().contains("E-commerce Inzichten") {
            break;
        }
        assert!(Instant::now() < deadline, "the tile never appeared");
        std::thread::sleep(Duration::from_millis(200));
    }
    p.stop();
}

#[test]
fn latency_delays_every_response() {
    let latency = Duration::from_millis(300);
    let p = Portal::start(PortalConfig {
        latency,
        ..Default::default()
    });
    let mut c = p.client();
    // A lower bound only: the server sleeps at least this long before answering.
    for path in ["/", "/apex/BPG_Home"] {
        let t = Instant::now();
        c.get(path);
        assert!(t.elapsed() >= latency, "{path}");
    }
    let t = Instant::now();
    c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    assert!(t.elapsed() >= latency);
    p.stop();
}

#[test]
fn fail_on_answers_500_with_a_dutch_page() {
    let p = Portal::start(PortalConfig {
        fail_on: vec![
            parse_fail_rule("/apex/BPG_Home").unwrap(),
            parse_fail_rule("/apex/bpg_my_account:0").unwrap(),
        ],
        ..Default::default()
    });
    let mut c = p.client();
    c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    for _ in 0..5 {
        let r = c.get("/apex/BPG_Home");
        assert_eq!(r.status, 500);
        assert!(r.text().contains("Er is iets misgegaan"));
        assert!(r.text().contains("foutcode 500"));
        assert_eq!(c.get("/apex/bpg_my_account").status, 200);
    }
    assert_eq!(c.get("/__state").status, 200);
    assert_eq!(p.client().get("/").status, 200);
    p.stop();
}

#[test]
fn sessions_expire_after_the_ttl() {
    let p = Portal::start(PortalConfig {
        session_ttl: Some(Duration::from_secs(1)),
        ..Default::default()
    });
    let mut c = p.client();
    assert_eq!(c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD).status, 303);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = c.get("/apex/BPG_Home");
        if r.status == 303 {
            assert_eq!(r.location.as_deref(), Some("/"));
            break;
        }
        assert_eq!(r.status, 200);
        assert!(Instant::now() < deadline, "the session never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    p.stop();
}

#[test]
fn logout_ends_the_session() {
    let p = Portal::default();
    let mut c = p.client();
    let csrf = c.login_admin();
    let token = c.cookies["mijnpostnl_sessie"].clone();
    assert_eq!(c.post_form("/uitloggen", &[("csrf", "fout")]).status, 403);
    assert_eq!(c.get("/apex/BPG_Home").status, 200);
    let r = c.post_form("/uitloggen", &[("csrf", &csrf)]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location.as_deref(), Some("/"));
    assert!(!c.cookies.contains_key("mijnpostnl_sessie"));
    c.cookies.insert("mijnpostnl_sessie".into(), token);
    assert_eq!(c.get("/apex/BPG_Home").status, 303);
    p.stop();
}

#[test]
fn redesign_variant_drifts_from_the_guide() {
    let p = Portal::start(PortalConfig {
        variant: "redesign".parse::<Variant>().unwrap(),
        ..Default::default()
    });
    let mut c = p.client();
    c.login_admin();
    let home = c.get("/apex/BPG_Home").text();
    assert!(home.contains(r#"role="dialog" aria-modal="true" aria-label="Nieuw in Mijn PostNL""#));
    assert!(home.contains(">Sluiten</button>"));
    assert!(home.contains(">Later</button>"));
    let header_end = home.find("</header>").unwrap();
    assert!(home.find("aria-haspopup=\"menu\"").unwrap() > header_end);
    assert!(home.contains("body.variant-redesign { --brand: #1b5fd6"));
    assert!(home.contains(r#"<body class="variant-redesign">"#));
    let page = c.get(AUTH_PAGE).text();
    assert!(page.contains(">E-commerce inzichten (rapportage)</label>"));
    assert!(!page.contains(">E-commerce inzichten</label>"));
    assert!(page.contains("<legend>Rapportages &amp; analyses</legend>"));
    c.cookies.insert("intro_gezien".into(), "1".into());
    assert!(!c.get("/apex/BPG_Home").text().contains("Nieuw in Mijn PostNL"));
    p.stop();
}

#[test]
fn classic_variant_has_no_interstitial() {
    let p = Portal::default();
    let mut c = p.client();
    c.login_admin();
    let home = c.get("/apex/BPG_Home").text();
    assert!(!home.contains("Nieuw in Mijn PostNL"));
    assert!(!home.contains("role=\"dialog\" aria-modal=\"true\" aria-label=\"Nieuw"));
    p.stop();
}

#[test]
fn alt_variant_keeps_the_guides_texts_and_paths_but_not_the_markup() {
    let p = Portal::start(PortalConfig {
        variant: "alt".parse::<Variant>().unwrap(),
        ..Default::default()
    });
    let mut c = p.client();
    let login = c.get("/").text();
    for text in [
        "Welkom!",
        "Log in bij Mijn PostNL",
        "E-mailadres",
        "Onthoud mij",
        "Wachtwoord vergeten?",
    ] {
        assert!(login.contains(text), "login page lacks {text}");
    }
    assert!(login.contains(
        r#"<input type="submit" class="pnl-btn pnl-btn-primary pnl-btn-block" value="Inloggen bij Mijn PostNL">"#
    ));
    assert!(login.contains(r#"placeholder="Wachtwoord""#));
    assert!(!login.contains("<label") && !login.contains("<select"));
    // The app renders client-side, from a template, under a spinner.
    assert!(login.contains(r#"<template id="pnl-app">"#) && login.contains(r#"role="progressbar""#));

    let csrf = c.login_admin();
    let home = c.get("/apex/BPG_Home").text();
    assert!(home.contains(r#"role="dialog""#) && home.contains(r#"aria-label="Sluiten" data-sluit>&times;</div>"#));
    assert!(home.contains(r#"id="pnl-user" aria-expanded="false">"#) && !home.contains("aria-haspopup=\"menu\""));

    // The portal's hiccup: the first visit of a session to Mijn Account answers 500, then it works.
    let first = c.get("/apex/bpg_my_account");
    assert_eq!(first.status, 500);
    assert!(first.text().contains("Er is iets misgegaan"));
    let account = c.get("/apex/bpg_my_account");
    assert_eq!(account.status, 200);
    assert!(account.text().contains("Klantnummerinstellingen") && account.text().contains(">Autorisaties<"));
    assert_eq!(c.get("/apex/bpg_my_account").status, 200);

    let page = c.get(AUTH_PAGE).text();
    for text in [
        "Selecteer een gebruiker om de autorisaties te wijzigen",
        "Kies een categorie om de autorisaties te beheren",
        "Gebruiker toevoegen",
        "Gebruikersaccount verwijderen",
        ">E-commerce inzichten<",
        ">Opslaan<",
        ">Hulp nodig ?<",
    ] {
        assert!(page.contains(text), "authorisations page lacks {text}");
    }
    assert!(page.contains(r#"role="combobox" aria-haspopup="listbox" aria-expanded="false" aria-controls="kn-lijst""#));
    assert!(page.contains(r#"aria-selected="true">PostNL (9401138)</li>"#));
    assert!(!page.contains("<select") && !page.contains("<label") && !page.contains("type=\"checkbox\""));

    // Same API, same CSRF rules, same state as the classic portal.
    let body =
        json!({ "klantnummer": "9401138", "gebruiker": "gatuser", "autorisaties": admin_flags(&p.state(), "9401138") });
    assert_eq!(c.post_json("/apex/api/autorisaties", &body, None).status, 403);
    assert_eq!(c.post_json("/apex/api/autorisaties", &body, Some(&csrf)).status, 200);

    // Another session meets the hiccup again.
    let mut other = p.client();
    other.login_admin();
    assert_eq!(other.get(AUTH_PAGE).status, 500);
    assert_eq!(other.get(AUTH_PAGE).status, 200);
    p.stop();
}

const VARIANTS: [Variant; 4] = [Variant::Classic, Variant::Redesign, Variant::Alt, Variant::Apex];

#[test]
fn root_shows_the_login_form_or_takes_a_logged_in_user_home_in_every_rendition() {
    for variant in VARIANTS {
        let p = Portal::start(PortalConfig {
            variant,
            ..Default::default()
        });
        let mut c = p.client();
        let r = c.get("/");
        assert_eq!(r.status, 200, "{variant}");
        assert!(r.text().contains("Log in bij Mijn PostNL"), "{variant}");
        let csrf = c.login_admin();
        let r = c.get("/");
        assert_eq!(r.status, 303, "{variant}");
        assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"), "{variant}");
        let home = c.get("/apex/BPG_Home");
        assert_eq!(home.status, 200, "{variant}");
        for text in ["GATUser, PostNL", "Zendingen", "Track &amp; Trace", "Retouren"] {
            assert!(home.text().contains(text), "{variant}: home lacks {text}");
        }
        // Logged out, `/` is the login form again.
        assert_eq!(c.post_form("/uitloggen", &[("csrf", &csrf)]).status, 303);
        let r = c.get("/");
        assert_eq!(r.status, 200, "{variant}");
        assert!(r.text().contains("Log in bij Mijn PostNL"), "{variant}");
        // A first login that must still set a new password goes to that page.
        let mut anna = p.client();
        assert_eq!(anna.login("anna.devries@postnl.example", DEMO_PASSWORD).status, 303);
        let r = anna.get("/");
        assert_eq!(
            r.location.as_deref(),
            Some("/apex/BPG_Wachtwoord_Wijzigen"),
            "{variant}"
        );
        p.stop();
    }
}

#[test]
fn each_kind_of_visitor_gets_its_own_refusal() {
    let p = Portal::default();
    let before = p.state();
    let users = "/apex/api/gebruikers?klantnummer=9401138";
    let save = json!({ "klantnummer": "9401138", "gebruiker": "piet.jansen", "autorisaties": [] });
    let fout = |r: &Resp| r.json()["fout"].as_str().unwrap_or_default().to_string();

    // No session: pages go to the login page, the API answers 401.
    let mut nobody = p.client();
    assert_eq!(nobody.get(AUTH_PAGE).location.as_deref(), Some("/"));
    let r = nobody.get(users);
    assert_eq!((r.status, fout(&r).as_str()), (401, "Niet ingelogd."));

    // Password change due: pages go to the password page, the API answers 403.
    let mut anna = p.client();
    anna.login("anna.devries@postnl.example", DEMO_PASSWORD);
    for path in ["/apex/BPG_Home", AUTH_PAGE, "/apex/BPG_EcommerceInsights"] {
        assert_eq!(
            anna.get(path).location.as_deref(),
            Some("/apex/BPG_Wachtwoord_Wijzigen"),
            "{path}"
        );
    }
    let r = anna.get(users);
    assert_eq!(r.status, 403);
    assert!(fout(&r).contains("nieuw wachtwoord"), "{}", fout(&r));

    // Logged in without the rights: Mijn Account opens, the authorisations page explains, the
    // API refuses (a wrong token is refused first, for what it is).
    let mut piet = p.client();
    piet.login("piet.jansen@postnl.example", DEMO_PASSWORD);
    let csrf = csrf_of(&piet.get("/apex/BPG_Home").text());
    assert_eq!(piet.get("/apex/bpg_my_account").status, 200);
    let r = piet.get(AUTH_PAGE);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("Je hebt geen toegang tot Autorisaties"));
    let r = piet.get(users);
    assert_eq!(r.status, 403);
    assert!(fout(&r).contains("Klantnummerinstellingen"), "{}", fout(&r));
    let r = piet.post_json("/apex/api/autorisaties", &save, Some("wrong"));
    assert_eq!(r.status, 403);
    assert!(fout(&r).contains("beveiligingstoken"), "{}", fout(&r));
    let r = piet.post_json("/apex/api/autorisaties", &save, Some(&csrf));
    assert_eq!(r.status, 403);
    assert!(fout(&r).contains("Klantnummerinstellingen"), "{}", fout(&r));

    // The admin gets through.
    let mut admin = p.client();
    admin.login_admin();
    assert_eq!(admin.get(AUTH_PAGE).status, 200);
    assert_eq!(admin.get(users).status, 200);
    assert_eq!(p.state(), before);
    p.stop();
}

#[test]
fn rename_shows_labels_under_new_texts_in_every_rendition_and_keeps_the_keys() {
    let renames: Vec<Rename> = [
        "Notificaties=Meldingen",
        "E-commerce inzichten=E-commerce Insights",
        "Opslaan=Bewaren",
        "Mijn Account=Mijn Gegevens",
        "Klantnummerinstellingen=Klantnummers",
        "Zendingen=Verzendingen",
        "Pakketten & Vracht=Pakketten en vracht",
        "Inloggen bij Mijn PostNL=Aanmelden",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    for variant in VARIANTS {
        let p = Portal::start(PortalConfig {
            variant,
            renames: renames.clone(),
            ..Default::default()
        });
        let mut c = p.client();
        let login = c.get("/").text();
        assert!(
            login.contains(">Aanmelden<") || login.contains(r#"value="Aanmelden""#),
            "{variant}"
        );
        assert!(!login.contains("Inloggen bij Mijn PostNL"), "{variant}");
        let csrf = c.login_admin();

        let home = c.get("/apex/BPG_Home").text();
        assert!(home.contains(">Verzendingen<"), "{variant}: tile");
        assert!(home.contains(">Mijn Gegevens<"), "{variant}: menu item");
        assert!(
            !home.contains(">Zendingen<") && !home.contains(">Mijn Account<"),
            "{variant}"
        );
        // Only whole texts: a sentence that mentions a label keeps it.
        assert!(home.contains("Maak zendingen aan"), "{variant}");

        let account = c.get("/apex/bpg_my_account");
        let account = if account.status == 500 {
            c.get("/apex/bpg_my_account") // the Alt rendition's one-off hiccup
        } else {
            account
        };
        let account = account.text();
        assert!(account.contains(">Mijn Gegevens<"), "{variant}: heading");
        assert!(account.contains("Klantnummers"), "{variant}: tab");
        assert!(!account.contains(">Klantnummerinstellingen<"), "{variant}");

        let page = c.get(AUTH_PAGE).text();
        // Apex shows the tree (and its "Opslaan") in the editor's dialog page.
        let page = if variant == Variant::Apex {
            c.get("/apex/BPG_Autorisaties_Dialoog?klantnummer=9401138&gebruiker=gatuser")
                .text()
        } else {
            page
        };
        assert!(page.contains(">Meldingen<"), "{variant}");
        assert!(page.contains(">Bewaren<"), "{variant}");
        assert!(page.contains(">Pakketten en vracht<"), "{variant}");
        assert!(
            !page.contains(">Notificaties<") && !page.contains(">Opslaan<"),
            "{variant}"
        );
        if variant != Variant::Redesign {
            // The redesign labels it "E-commerce inzichten (rapportage)": not this label.
            assert!(page.contains(">E-commerce Insights<"), "{variant}");
        }
        // The boxes still carry (and submit) the state's names.
        let key = if variant == Variant::Alt { "data-name" } else { "value" };
        for name in ["Notificaties", ECOMMERCE] {
            assert!(
                page.contains(&format!(r#"{key}="{name}""#)),
                "{variant}: {key} of {name}"
            );
        }
        let mut flags = admin_flags(&p.state(), "9401138");
        flags.push(ECOMMERCE.into());
        let r = c.post_json(
            "/apex/api/autorisaties",
            &json!({ "klantnummer": "9401138", "gebruiker": "gatuser", "autorisaties": flags }),
            Some(&csrf),
        );
        assert_eq!(r.status, 200, "{variant}");
        let state = p.state();
        assert!(admin_flags(&state, "9401138").contains(&ECOMMERCE.to_string()));
        assert!(admin_flags(&state, "9401138").contains(&"Notificaties".to_string()));
        assert!(!state.to_string().contains("Meldingen") && !state.to_string().contains("Insights"));
        p.stop();
    }
}

#[test]
fn seed_users_adds_numbered_testers_without_rights() {
    let p = Portal::start(PortalConfig {
        seed_users: 3,
        ..Default::default()
    });
    let state = p.state();
    let ids: Vec<&str> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["id"].as_str())
        .filter(|id| id.starts_with("tester"))
        .collect();
    assert_eq!(ids, ["tester0001", "tester0002", "tester0003"]);
    let last = state["users"].as_array().unwrap().last().unwrap();
    assert_eq!(last["name"], "Tester 0003, Demo (PostNL)");
    assert_eq!(last["email"], "tester0003@postnl.example");
    assert_eq!(last["rights"], json!([]));
    assert_eq!(state["authorisations"]["9401138"]["tester0001"], json!([]));
    assert!(state["authorisations"]["9401139"].get("tester0001").is_none());

    // The admin sees them on 9401138 …
    let mut admin = p.client();
    admin.login_admin();
    let list = admin.get("/apex/api/gebruikers?klantnummer=9401138").json();
    let names: Vec<&str> = list["gebruikers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["naam"].as_str())
        .collect();
    assert!(names.contains(&"Tester 0002, Demo (PostNL)"), "{names:?}");
    // … and they log in with the demo password, without access to the authorisations.
    let mut t = p.client();
    let r = t.login("tester0002@postnl.example", DEMO_PASSWORD);
    assert_eq!(r.location.as_deref(), Some("/apex/BPG_Home"));
    assert_eq!(t.get(AUTH_PAGE).status, 403);
    assert_eq!(p.client().login("tester0004@postnl.example", DEMO_PASSWORD).status, 401);
    p.stop();
}

#[test]
fn every_accepted_save_is_audited_exactly_once() {
    let p = Portal::start(PortalConfig {
        seed_users: 3,
        ..Default::default()
    });
    let mut c = p.client();
    let csrf = c.login_admin();
    let save = |c: &mut Client, gebruiker: &str, flags: &[&str], token: &str| {
        c.post_json(
            "/apex/api/autorisaties",
            &json!({ "klantnummer": "9401138", "gebruiker": gebruiker, "autorisaties": flags }),
            Some(token),
        )
    };
    assert_eq!(save(&mut c, "tester0001", &[ECOMMERCE], &csrf).json()["gewijzigd"], 1);
    assert_eq!(save(&mut c, "tester0002", &[], &csrf).json()["gewijzigd"], 0);
    // Refused saves leave no trace.
    assert_eq!(save(&mut c, "tester0003", &[ECOMMERCE], "wrong").status, 403);
    assert_eq!(save(&mut c, "nobody", &[ECOMMERCE], &csrf).status, 404);
    assert_eq!(save(&mut c, "tester0003", &["bogus"], &csrf).status, 422);

    let state = p.state();
    let audit = state["audit"].as_array().unwrap();
    let saved: Vec<&str> = audit.iter().filter_map(|e| e["save"]["user"].as_str()).collect();
    assert_eq!(saved, ["tester0001", "tester0002"]);
    for e in audit {
        assert_eq!(e["who"], "GATUser, PostNL (PostNL)");
        assert!(e["when"].as_str().is_some_and(|w| w.ends_with('Z')), "{e}");
        assert_eq!(e["save"]["klantnummer"], "9401138");
    }
    assert_eq!(audit[0]["save"]["granted"], json!([ECOMMERCE]));
    assert_eq!(
        audit[0]["what"],
        "Autorisaties opgeslagen voor Tester 0001, Demo (PostNL) voor PostNL (9401138): 'E-commerce inzichten' toegekend"
    );
    assert_eq!(audit[1]["save"]["granted"], json!([]));
    assert_eq!(audit[1]["save"]["revoked"], json!([]));
    p.stop();
}

#[test]
fn apex_variant_has_a_popup_lov_and_the_editor_as_a_dialog_page() {
    let p = Portal::start(PortalConfig {
        variant: "apex".parse::<Variant>().unwrap(),
        ..Default::default()
    });
    let mut c = p.client();
    let login = c.get("/").text();
    for text in [
        "Welkom!",
        "Log in bij Mijn PostNL",
        r#"class="t-Form-label">E-mailadres</label>"#,
        r#"class="t-Form-label">Wachtwoord</label>"#,
        r#"<label for="P9999_REMEMBER">Onthoud mij</label>"#,
        "Inloggen bij Mijn PostNL",
    ] {
        assert!(login.contains(text), "login page lacks {text}");
    }
    let csrf = c.login_admin();
    let home = c.get("/apex/BPG_Home").text();
    assert!(home.contains(r#"role="banner""#) && home.contains(r#"aria-haspopup="true" aria-expanded="false""#));
    assert!(home.contains("t-Cards") && !home.contains("E-commerce Inzichten"));
    let account = c.get("/apex/bpg_my_account").text();
    assert!(account.contains(r#"role="tab""#) && account.contains(">Autorisaties</span>"));

    let page = c.get(AUTH_PAGE).text();
    for text in [
        "Selecteer een gebruiker om de autorisaties te wijzigen",
        "Kies een categorie om de autorisaties te beheren",
        r#"<option value="9401138" selected>PostNL (9401138)</option>"#,
        // The Popup LOV: a read-only field, its search button, the dialog with a search box and an
        // empty list (filled after it opens).
        r#"class="apex-item-text apex-item-popup-lov" readonly"#,
        r#"aria-haspopup="dialog" aria-label="Lijst met waarden: Gebruiker""#,
        r#"<input type="search" class="a-PopupLOV-search apex-item-text""#,
        r#"<ul role="listbox" aria-labelledby="P20_GEBRUIKER_dlg_title" id="P20_GEBRUIKER_list"></ul>"#,
        r#"title="Sluiten" aria-label="Sluiten""#,
    ] {
        assert!(page.contains(text), "authorisations page lacks {text}");
    }
    // The tree is not on the page: it is in the dialog page.
    assert!(!page.contains("E-commerce inzichten"));

    // The dialog page: the user's boxes, ticked as stored; transparent inputs drawn on labels.
    let dlg = c.get("/apex/BPG_Autorisaties_Dialoog?klantnummer=9401138&gebruiker=gatuser");
    assert_eq!(dlg.status, 200);
    let dlg = dlg.text();
    assert!(dlg.contains("t-Dialog-page") && dlg.contains("Autorisaties voor GATUser, PostNL (PostNL)"));
    assert!(dlg.contains(r#"value="Zendingen importeren" checked><label"#), "{dlg}");
    assert!(dlg.contains(r#"value="E-commerce inzichten"><label for="P21_AUT_2_1">E-commerce inzichten</label>"#));
    assert!(dlg.contains(">Opslaan<") && dlg.contains("Gebruikersaccount verwijderen"));
    assert!(dlg.contains("apexUT.processing(true)") && dlg.contains("De autorisaties zijn opgeslagen."));
    let other = c
        .get("/apex/BPG_Autorisaties_Dialoog?klantnummer=9401139&gebruiker=mohamed.elamrani")
        .text();
    assert!(other.contains(r#"value="E-commerce inzichten" checked>"#) || other.contains("Pagina niet gevonden"));
    // Unknown user, or a klantnummer that is not the admin's: 404.
    assert_eq!(
        c.get("/apex/BPG_Autorisaties_Dialoog?klantnummer=9401138&gebruiker=niemand")
            .status,
        404
    );
    assert_eq!(
        c.get("/apex/BPG_Autorisaties_Dialoog?klantnummer=1234567&gebruiker=gatuser")
            .status,
        404
    );

    // The same API saves.
    assert_eq!(grant_ecommerce(&mut c, &p, &csrf).status, 200);
    assert!(admin_flags(&p.state(), "9401138").contains(&ECOMMERCE.to_string()));
    assert!(c.get("/apex/BPG_Home").text().contains("E-commerce Inzichten"));
    p.stop();

    // Other renditions have no dialog page.
    let classic = Portal::default();
    let mut c = classic.client();
    c.login_admin();
    assert_eq!(
        c.get("/apex/BPG_Autorisaties_Dialoog?klantnummer=9401138&gebruiker=gatuser")
            .status,
        404
    );
    classic.stop();
}

#[test]
fn cookie_iframe_shows_the_consent_managers_page_in_a_frame() {
    for variant in [Variant::Classic, Variant::Apex] {
        let p = Portal::start(PortalConfig {
            variant,
            cookie_iframe: true,
            ..Default::default()
        });
        let mut c = p.client();
        let login = c.get("/").text();
        assert!(login.contains("frame.src = '/cookies/instellingen'"), "{variant}");
        assert!(login.contains("frame.title = 'Cookie-instellingen'"), "{variant}");
        assert!(
            !login.contains(r#"'<div class="cookie-banner""#),
            "{variant}: no inline banner"
        );
        let frame = c.get("/cookies/instellingen");
        assert_eq!(frame.status, 200);
        let frame = frame.text();
        assert!(frame.contains("<title>Cookie-instellingen</title>") && frame.contains(r#"role="dialog""#));
        assert!(frame.contains(">Weigeren</button>") && frame.contains(">Accepteren</button>"));
        assert!(frame.contains("parent.postMessage"));
        p.stop();
    }
    // Without the knob: the inline banner.
    let p = Portal::default();
    let login = p.client().get("/").text();
    assert!(login.contains(r#"'<div class="cookie-banner""#) && !login.contains("/cookies/instellingen'"));
    p.stop();
}

#[test]
fn shadow_tree_puts_the_boxes_in_a_form_associated_web_component() {
    let p = Portal::start(PortalConfig {
        shadow_tree: true,
        ..Default::default()
    });
    let mut c = p.client();
    c.login_admin();
    let page = c.get(AUTH_PAGE).text();
    let host = page.find(r#"<autorisatie-boom name="autorisatie"><template shadowrootmode="open">"#);
    let label = page.find(r#"">E-commerce inzichten</label>"#);
    let end = page.find("</template></autorisatie-boom>");
    assert!(host.is_some() && label.is_some() && end.is_some(), "{page}");
    assert!(host < label && label < end, "the labels are inside the shadow root");
    assert!(page.contains("static formAssociated = true") && page.contains("setFormValue"));
    assert!(page.contains("new FormData(form).getAll('autorisatie')"));
    p.stop();

    let p = Portal::default();
    let mut c = p.client();
    c.login_admin();
    assert!(!c.get(AUTH_PAGE).text().contains("<autorisatie-boom name="));
    p.stop();
}
