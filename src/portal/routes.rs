//! The HTTP routes of the replica and their handlers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Form, Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::extract::{Admin, ApiAdmin, ApiAdminWrite, LoggedIn, Rejection, Visitor};
use super::faults::{self, Faults};
use super::pages::{ECOMMERCE_PATH, LOGIN_ERROR, PASSWORD_PATH};
use super::rename::Renames;
use super::rendition::Rendition;
use super::session::{self, Sessions, INTRO_COOKIE};
use super::state::{Data, Store};
use super::{apex, catalog, cookie, hash, pdf, PortalConfig};

/// The home page, where a logged-in visitor of `/` lands.
const HOME_PATH: &str = "/apex/BPG_Home";

/// Shared server state.
pub(crate) struct App {
    pub cfg: PortalConfig,
    /// How the pages look, chosen once from `cfg.variant`.
    pub rendition: Box<dyn Rendition>,
    /// `cfg.renames`, applied to every page.
    pub renames: Renames,
    pub store: Mutex<Store>,
    pub sessions: Mutex<Sessions>,
}

impl App {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A page of the rendition, renamed, with `status`.
    pub fn page(&self, status: StatusCode, draw: impl FnOnce(&dyn Rendition) -> String) -> Response {
        let html = self.renames.apply(draw(self.rendition.as_ref()));
        (status, Html(html)).into_response()
    }

    fn server_error(&self) -> Response {
        self.page(StatusCode::INTERNAL_SERVER_ERROR, |r| r.server_error())
    }

    /// Applies `change` to the data and persists it. A failed write is logged and answered
    /// with the HTTP 500 page.
    fn commit<R>(&self, change: impl FnOnce(&mut Data) -> R) -> Result<R, Rejection> {
        let mut store = self.store();
        let r = change(&mut store.data);
        match store.persist() {
            Ok(()) => Ok(r),
            Err(e) => {
                tracing::error!(error = %e, "could not write the state file");
                drop(store);
                Err(self.server_error().into())
            }
        }
    }
}

/// A Dutch JSON error: `{"fout": message}`.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "fout": message }))).into_response()
}

fn redirect_with_cookie(to: &str, cookie: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Registers `path` and its lower-case spelling (apex paths are case-insensitive).
fn route_ci(router: Router<Arc<App>>, path: &str, method: MethodRouter<Arc<App>>) -> Router<Arc<App>> {
    let lower = path.to_ascii_lowercase();
    let router = router.route(path, method.clone());
    if lower != path {
        router.route(&lower, method)
    } else {
        router
    }
}

/// All routes, with the fault middleware (which has its own state).
pub(crate) fn router(app: Arc<App>, faults: Arc<Faults>) -> Router {
    let mut r: Router<Arc<App>> = Router::new()
        .route("/", get(login_page).post(login))
        .route("/uitloggen", post(logout))
        .route("/info/{onderwerp}", get(public_info))
        .route(cookie::DIALOG_PATH, get(cookie_dialog))
        .route("/__state", get(state_json));
    for (path, method) in [
        (PASSWORD_PATH, get(password_page).post(password_change)),
        (HOME_PATH, get(home)),
        ("/apex/BPG_My_Account", get(my_account)),
        (ECOMMERCE_PATH, get(ecommerce)),
        ("/apex/BPG_Info", get(info)),
        (apex::DIALOG_PATH, get(authorisation_dialog)),
        ("/apex/rapporten/{bestand}", get(report)),
        ("/apex/api/gebruikers", get(api_users)),
        ("/apex/api/gebruikers/verwijderen", post(api_delete_user)),
        (
            "/apex/api/autorisaties",
            get(api_get_authorisations).post(api_save_authorisations),
        ),
    ] {
        r = route_ci(r, path, method);
    }
    r.fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(faults, faults::inject))
        .with_state(app)
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    app.page(StatusCode::NOT_FOUND, |r| r.not_found())
}

/// `/`: the login form; a logged-in visitor goes on to the home page (or to the password page
/// while the first-login password change is due), as on mijn.postnl.nl.
async fn login_page(State(app): State<Arc<App>>, Visitor(visitor): Visitor) -> Response {
    match visitor {
        None => app.page(StatusCode::OK, |r| r.login(None)),
        Some(c) if c.session.must_change_password => Redirect::to(PASSWORD_PATH).into_response(),
        Some(_) => Redirect::to(HOME_PATH).into_response(),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    remember: Option<String>,
}

async fn login(State(app): State<Arc<App>>, Form(form): Form<LoginForm>) -> Response {
    let found = {
        let store = app.store();
        store
            .data
            .user_by_email(&form.email)
            .filter(|u| u.password_matches(&form.password))
            .map(|u| (u.id.clone(), u.must_change_password))
    };
    let Some((user_id, must_change)) = found else {
        tracing::info!("login failed");
        return app.page(StatusCode::UNAUTHORIZED, |r| r.login(Some(LOGIN_ERROR)));
    };
    if let Err(resp) = app.commit(|d| d.record_login(&user_id, Utc::now())) {
        return resp.into_response();
    }
    let token = app.sessions().create(&user_id, must_change);
    let to = if must_change { PASSWORD_PATH } else { HOME_PATH };
    redirect_with_cookie(to, &session::session_cookie(&token, form.remember.is_some()))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(State(app): State<Arc<App>>, Visitor(visitor): Visitor, Form(form): Form<CsrfForm>) -> Response {
    if let Some(c) = visitor {
        if !hash::same(&form.csrf, c.csrf()) {
            return app.page(StatusCode::FORBIDDEN, |r| r.forbidden());
        }
        app.sessions().remove(&c.token);
    }
    redirect_with_cookie("/", &session::clear_session_cookie())
}

async fn password_page(State(app): State<Arc<App>>, Visitor(visitor): Visitor) -> Response {
    match visitor {
        None => Redirect::to("/").into_response(),
        Some(c) if !c.session.must_change_password => Redirect::to(HOME_PATH).into_response(),
        Some(c) => app.page(StatusCode::OK, |r| r.password_change(c.csrf(), &[])),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

/// Minimum length of a new password.
const MIN_PASSWORD_LEN: usize = 8;

async fn password_change(
    State(app): State<Arc<App>>,
    Visitor(visitor): Visitor,
    Form(form): Form<PasswordForm>,
) -> Response {
    let c = match visitor {
        None => return Redirect::to("/").into_response(),
        Some(c) if !c.session.must_change_password => return Redirect::to(HOME_PATH).into_response(),
        Some(c) => c,
    };
    if !hash::same(&form.csrf, c.csrf()) {
        return app.page(StatusCode::FORBIDDEN, |r| r.forbidden());
    }
    let mut errors = Vec::new();
    if form.new_password.chars().count() < MIN_PASSWORD_LEN {
        errors.push("Het nieuwe wachtwoord moet minimaal 8 tekens lang zijn.");
    }
    if form.new_password != form.repeat_password {
        errors.push("De twee wachtwoorden komen niet overeen.");
    }
    if c.user.password_matches(&form.new_password) {
        errors.push("Het nieuwe wachtwoord moet anders zijn dan je huidige wachtwoord.");
    }
    if !errors.is_empty() {
        return app.page(StatusCode::UNPROCESSABLE_ENTITY, |r| {
            r.password_change(c.csrf(), &errors)
        });
    }
    if let Err(resp) = app.commit(|d| d.change_password(&c.user.id, &form.new_password, Utc::now())) {
        return resp.into_response();
    }
    app.sessions().password_changed(&c.token);
    Redirect::to(HOME_PATH).into_response()
}

async fn home(State(app): State<Arc<App>>, LoggedIn(c): LoggedIn, headers: HeaderMap) -> Response {
    let ecommerce = !app
        .store()
        .data
        .ecommerce_klantnummers(&c.user.id, app.cfg.tile_delay, Utc::now())
        .is_empty();
    let intro = app.rendition.has_intro() && session::cookie(&headers, INTRO_COOKIE).is_none();
    app.page(StatusCode::OK, |r| r.home(&c.user, c.csrf(), ecommerce, intro))
}

#[derive(Deserialize)]
struct AccountQuery {
    #[serde(rename = "PageTile")]
    page_tile: Option<String>,
    tab: Option<String>,
    klantnummer: Option<String>,
    gebruiker: Option<String>,
}

impl AccountQuery {
    fn is_authorisations(&self) -> bool {
        self.page_tile
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("ShowMyAuthorizations"))
    }
}

/// `/apex/BPG_My_Account`: Mijn Account, or with `PageTile=ShowMyAuthorizations` the
/// authorisations page (admins only).
async fn my_account(
    State(app): State<Arc<App>>,
    LoggedIn(c): LoggedIn,
    Query(q): Query<AccountQuery>,
    req: Request,
) -> Response {
    // A rendition may answer the first visit of a session with HTTP 500 (the Alt hiccup).
    if app.rendition.hiccup(&c.token) {
        tracing::info!("one-off HTTP 500 on /apex/bpg_my_account");
        return app.server_error();
    }
    if q.is_authorisations() {
        authorisations.call(req, app).await
    } else {
        let tab = q.tab.as_deref() == Some("klantnummer");
        app.page(StatusCode::OK, |r| r.my_account(&c.user, c.csrf(), tab))
    }
}

async fn authorisations(State(app): State<Arc<App>>, Admin(c): Admin, Query(q): Query<AccountQuery>) -> Response {
    let store = app.store();
    let kns = store.data.klantnummers_of(&c.user.id);
    let selected = q
        .klantnummer
        .as_deref()
        .and_then(|n| kns.iter().find(|k| k.number == n))
        .or(kns.first())
        .map(|k| k.number.clone())
        .unwrap_or_default();
    app.page(StatusCode::OK, |r| {
        r.authorisations(&c.user, c.csrf(), &kns, &selected, q.gebruiker.as_deref())
    })
}

/// The authorisation editor as a page of its own (Apex: a modal dialog page in an iframe).
async fn authorisation_dialog(State(app): State<Arc<App>>, Admin(c): Admin, Query(q): Query<AuthQuery>) -> Response {
    let store = app.store();
    let d = &store.data;
    let kn = d
        .klantnummers_of(&c.user.id)
        .into_iter()
        .find(|k| k.number == q.klantnummer);
    let gebruiker = d.users_of(&q.klantnummer).into_iter().find(|u| u.id == q.gebruiker);
    let checked = d.authorisations_of(&q.klantnummer, &q.gebruiker);
    let page = match (kn, gebruiker, checked) {
        (Some(kn), Some(g), Some(checked)) => app.rendition.authorisation_dialog(&c.user, c.csrf(), kn, g, checked),
        _ => None,
    };
    match page {
        Some(html) => (StatusCode::OK, Html(app.renames.apply(html))).into_response(),
        None => app.page(StatusCode::NOT_FOUND, |r| r.not_found()),
    }
}

/// The consent manager's dialog page (`--cookie-iframe` shows it in an iframe).
async fn cookie_dialog(State(app): State<Arc<App>>) -> Response {
    Html(app.renames.apply(cookie::dialog_page())).into_response()
}

#[derive(Deserialize)]
struct InfoQuery {
    titel: Option<String>,
}

async fn info(State(app): State<Arc<App>>, LoggedIn(c): LoggedIn, Query(q): Query<InfoQuery>) -> Response {
    let title = q.titel.unwrap_or_else(|| "Mijn PostNL".into());
    app.page(StatusCode::OK, |r| r.info(&title, Some((&c.user, c.csrf()))))
}

async fn public_info(State(app): State<Arc<App>>, Path(onderwerp): Path<String>) -> Response {
    let title = match onderwerp.as_str() {
        "wachtwoord-vergeten" => "Wachtwoord vergeten?",
        "account-aanmaken" => "Maak een nieuw account aan",
        "zakelijk" => "Zakelijk",
        "klantenservice" => "Klantenservice",
        "privacy" => "Privacy",
        "cookies" => "Cookies",
        "voorwaarden" => "Algemene voorwaarden",
        _ => return app.page(StatusCode::NOT_FOUND, |r| r.not_found()),
    };
    app.page(StatusCode::OK, |r| r.info(title, None))
}

async fn ecommerce(State(app): State<Arc<App>>, LoggedIn(c): LoggedIn) -> Response {
    let store = app.store();
    let kns = store
        .data
        .ecommerce_klantnummers(&c.user.id, app.cfg.tile_delay, Utc::now());
    if kns.is_empty() {
        return app.page(StatusCode::FORBIDDEN, |r| r.ecommerce_no_access(&c.user, c.csrf()));
    }
    app.page(StatusCode::OK, |r| r.ecommerce(&c.user, c.csrf(), &kns))
}

async fn report(State(app): State<Arc<App>>, LoggedIn(c): LoggedIn, Path(bestand): Path<String>) -> Response {
    let number = bestand
        .strip_prefix("e-commerce-inzichten-")
        .and_then(|s| s.strip_suffix(".pdf"))
        .unwrap_or("");
    let found = app
        .store()
        .data
        .ecommerce_klantnummers(&c.user.id, app.cfg.tile_delay, Utc::now())
        .into_iter()
        .find(|k| k.number == number)
        .cloned();
    let Some(kn) = found else {
        return app.page(StatusCode::NOT_FOUND, |r| r.not_found());
    };
    let bytes = pdf::ecommerce_report(&kn.number, &kn.name, Utc::now().date_naive());
    let disposition = format!("attachment; filename=\"e-commerce-inzichten-{}.pdf\"", kn.number);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize)]
struct UsersQuery {
    #[serde(default)]
    klantnummer: String,
}

async fn api_users(State(app): State<Arc<App>>, ApiAdmin(c): ApiAdmin, Query(q): Query<UsersQuery>) -> Response {
    let store = app.store();
    let d = &store.data;
    if !d.klantnummers_of(&c.user.id).iter().any(|k| k.number == q.klantnummer) {
        return api_error(StatusCode::NOT_FOUND, "Onbekend klantnummer.");
    }
    let users: Vec<_> = d
        .users_of(&q.klantnummer)
        .iter()
        .map(|u| {
            json!({
                "id": u.id,
                "naam": u.name,
                "aantal": d.authorisations_of(&q.klantnummer, &u.id).map_or(0, |a| a.len()),
            })
        })
        .collect();
    Json(json!({ "klantnummer": q.klantnummer, "gebruikers": users })).into_response()
}

#[derive(Deserialize)]
struct AuthQuery {
    #[serde(default)]
    klantnummer: String,
    #[serde(default)]
    gebruiker: String,
}

async fn api_get_authorisations(
    State(app): State<Arc<App>>,
    ApiAdmin(c): ApiAdmin,
    Query(q): Query<AuthQuery>,
) -> Response {
    let store = app.store();
    let d = &store.data;
    if !d.klantnummers_of(&c.user.id).iter().any(|k| k.number == q.klantnummer) {
        return api_error(StatusCode::NOT_FOUND, "Onbekend klantnummer.");
    }
    match (d.user(&q.gebruiker), d.authorisations_of(&q.klantnummer, &q.gebruiker)) {
        (Some(u), Some(list)) => Json(json!({
            "klantnummer": q.klantnummer,
            "gebruiker": u.id,
            "naam": u.name,
            "autorisaties": list,
        }))
        .into_response(),
        _ => api_error(StatusCode::NOT_FOUND, "Onbekende gebruiker."),
    }
}

#[derive(Deserialize)]
struct SaveBody {
    klantnummer: String,
    gebruiker: String,
    autorisaties: Vec<String>,
}

async fn api_save_authorisations(
    State(app): State<Arc<App>>,
    ApiAdminWrite(c): ApiAdminWrite,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<SaveBody>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "Ongeldig verzoek.");
    };
    if let Some(bad) = body.autorisaties.iter().find(|n| !catalog::is_known(n)) {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("Onbekende autorisatie: {bad}"),
        );
    }
    let allowed = app
        .store()
        .data
        .klantnummers_of(&c.user.id)
        .iter()
        .any(|k| k.number == body.klantnummer);
    if !allowed {
        return api_error(StatusCode::NOT_FOUND, "Onbekend klantnummer.");
    }
    let changed = app.commit(|d| {
        d.set_authorisations(
            &c.user.name,
            &body.klantnummer,
            &body.gebruiker,
            &body.autorisaties,
            Utc::now(),
        )
    });
    match changed {
        Err(resp) => resp.into_response(),
        Ok(None) => api_error(StatusCode::NOT_FOUND, "Onbekende gebruiker."),
        Ok(Some(n)) => {
            tracing::info!(changed = n, "authorisations saved");
            Json(json!({ "opgeslagen": true, "gewijzigd": n })).into_response()
        }
    }
}

#[derive(Deserialize)]
struct DeleteBody {
    gebruiker: String,
}

async fn api_delete_user(State(app): State<Arc<App>>, ApiAdminWrite(c): ApiAdminWrite, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<DeleteBody>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "Ongeldig verzoek.");
    };
    if body.gebruiker == c.user.id {
        return api_error(StatusCode::CONFLICT, "Je kunt je eigen account niet verwijderen.");
    }
    let shares_klantnummer = {
        let store = app.store();
        let d = &store.data;
        d.klantnummers_of(&c.user.id)
            .iter()
            .any(|k| d.users_of(&k.number).iter().any(|u| u.id == body.gebruiker))
    };
    if !shares_klantnummer {
        return api_error(StatusCode::NOT_FOUND, "Onbekende gebruiker.");
    }
    match app.commit(|d| d.delete_user(&c.user.name, &body.gebruiker, Utc::now())) {
        Err(resp) => resp.into_response(),
        Ok(_) => {
            app.sessions().remove_user(&body.gebruiker);
            tracing::warn!("user account deleted through the portal");
            Json(json!({ "verwijderd": true })).into_response()
        }
    }
}

async fn state_json(State(app): State<Arc<App>>, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Response {
    if !peer.ip().to_canonical().is_loopback() {
        return api_error(StatusCode::FORBIDDEN, "Alleen lokaal beschikbaar.");
    }
    Json(app.store().data.view()).into_response()
}
