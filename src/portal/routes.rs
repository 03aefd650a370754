//! The HTTP routes of the replica and their handlers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Form, Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::pages::{self, ECOMMERCE_PATH, LOGIN_ERROR, PASSWORD_PATH};
use super::session::{self, Session, Sessions, INTRO_COOKIE, SESSION_COOKIE};
use super::state::{Store, User};
use super::{catalog, faults, hash, pdf, PortalConfig, Variant};

/// Shared server state.
pub(crate) struct App {
    pub cfg: PortalConfig,
    /// State of the Alt rendition (its one-off HTTP 500 per session).
    pub alt: super::alt::AltState,
    pub store: Mutex<Store>,
    pub sessions: Mutex<Sessions>,
    /// How many HTTP 500s each `--fail-on` rule has injected so far.
    pub injected: Mutex<Vec<u32>>,
}

impl App {
    /// Counts one more injected failure for rule `i`; returns how many it had injected before.
    pub fn failures_injected(&self, i: usize) -> u32 {
        let mut counts = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() <= i {
            counts.resize(i + 1, 0);
        }
        counts[i] += 1;
        counts[i] - 1
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn variant(&self) -> Variant {
        self.cfg.variant
    }

    /// Applies `change` to the data and persists it. A failed write is logged and reported.
    fn commit<R>(&self, change: impl FnOnce(&mut super::state::Data) -> R) -> Result<R, Rejection> {
        let mut store = self.store();
        let r = change(&mut store.data);
        match store.persist() {
            Ok(()) => Ok(r),
            Err(e) => {
                tracing::error!(error = %e, "could not write the state file");
                Err(Box::new(self.server_error()))
            }
        }
    }

    fn server_error(&self) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(pages::server_error(self.variant())),
        )
            .into_response()
    }

    /// The logged-in session and its user, if any.
    fn current(&self, headers: &HeaderMap) -> Option<Current> {
        let token = session::cookie(headers, SESSION_COOKIE)?;
        let session = self.sessions().get(&token)?;
        let user = self.store().data.user(&session.user_id)?.clone();
        Some(Current { token, session, user })
    }

    /// For pages: a fully logged-in user, or the redirect to take.
    fn page_user(&self, headers: &HeaderMap) -> Result<Current, Rejection> {
        match self.current(headers) {
            None => Err(Box::new(Redirect::to("/").into_response())),
            Some(c) if c.session.must_change_password => Err(Box::new(Redirect::to(PASSWORD_PATH).into_response())),
            Some(c) => Ok(c),
        }
    }

    /// For the JSON API: a fully logged-in user, or 401/403.
    fn api_user(&self, headers: &HeaderMap) -> Result<Current, Rejection> {
        match self.current(headers) {
            None => Err(api_reject(StatusCode::UNAUTHORIZED, "Niet ingelogd.")),
            Some(c) if c.session.must_change_password => {
                Err(api_reject(StatusCode::FORBIDDEN, "Stel eerst een nieuw wachtwoord in."))
            }
            Some(c) => Ok(c),
        }
    }

    /// For API calls that change something: the user must manage authorisations and send the
    /// session's CSRF token in `X-CSRF-Token`.
    fn api_admin_write(&self, headers: &HeaderMap) -> Result<Current, Rejection> {
        let c = self.api_user(headers)?;
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !hash::same(sent, &c.session.csrf) {
            return Err(api_reject(
                StatusCode::FORBIDDEN,
                "Ongeldig of ontbrekend beveiligingstoken.",
            ));
        }
        require_rights(c)
    }
}

/// A response that ends a request early (boxed: responses are large).
type Rejection = Box<Response>;

/// A request's session.
struct Current {
    token: String,
    session: Session,
    user: User,
}

fn require_rights(c: Current) -> Result<Current, Rejection> {
    if c.user.may_manage_authorisations() {
        Ok(c)
    } else {
        Err(api_reject(
            StatusCode::FORBIDDEN,
            "Hiervoor heb je de autorisaties 'Klantnummerinstellingen' en 'Instellingen voor uw klantnummer beheren' nodig.",
        ))
    }
}

fn api_reject(status: StatusCode, message: &str) -> Rejection {
    Box::new(api_error(status, message))
}

fn api_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "fout": message }))).into_response()
}

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
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

/// All routes, with the fault middleware.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut r: Router<Arc<App>> = Router::new()
        .route("/", get(login_page).post(login))
        .route("/uitloggen", post(logout))
        .route("/info/{onderwerp}", get(public_info))
        .route("/__state", get(state_json));
    for (path, method) in [
        (PASSWORD_PATH, get(password_page).post(password_change)),
        ("/apex/BPG_Home", get(home)),
        ("/apex/BPG_My_Account", get(my_account)),
        (ECOMMERCE_PATH, get(ecommerce)),
        ("/apex/BPG_Info", get(info)),
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
        .layer(axum::middleware::from_fn_with_state(app.clone(), faults::inject))
        .with_state(app)
}

async fn not_found(State(app): State<Arc<App>>) -> Response {
    html(StatusCode::NOT_FOUND, pages::not_found(app.variant()))
}

async fn login_page(State(app): State<Arc<App>>) -> Response {
    html(StatusCode::OK, pages::login(app.variant(), None))
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
        return html(StatusCode::UNAUTHORIZED, pages::login(app.variant(), Some(LOGIN_ERROR)));
    };
    if let Err(resp) = app.commit(|d| d.record_login(&user_id, Utc::now())) {
        return *resp;
    }
    let token = app.sessions().create(&user_id, must_change);
    let to = if must_change { PASSWORD_PATH } else { "/apex/BPG_Home" };
    redirect_with_cookie(to, &session::session_cookie(&token, form.remember.is_some()))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(State(app): State<Arc<App>>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    if let Some(c) = app.current(&headers) {
        if !hash::same(&form.csrf, &c.session.csrf) {
            return html(StatusCode::FORBIDDEN, pages::forbidden(app.variant()));
        }
        app.sessions().remove(&c.token);
    }
    redirect_with_cookie("/", &session::clear_session_cookie())
}

async fn password_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match app.current(&headers) {
        None => Redirect::to("/").into_response(),
        Some(c) if !c.session.must_change_password => Redirect::to("/apex/BPG_Home").into_response(),
        Some(c) => html(
            StatusCode::OK,
            pages::password_change(app.variant(), &c.session.csrf, &[]),
        ),
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

async fn password_change(State(app): State<Arc<App>>, headers: HeaderMap, Form(form): Form<PasswordForm>) -> Response {
    let c = match app.current(&headers) {
        None => return Redirect::to("/").into_response(),
        Some(c) if !c.session.must_change_password => return Redirect::to("/apex/BPG_Home").into_response(),
        Some(c) => c,
    };
    if !hash::same(&form.csrf, &c.session.csrf) {
        return html(StatusCode::FORBIDDEN, pages::forbidden(app.variant()));
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
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::password_change(app.variant(), &c.session.csrf, &errors),
        );
    }
    if let Err(resp) = app.commit(|d| d.change_password(&c.user.id, &form.new_password, Utc::now())) {
        return *resp;
    }
    app.sessions().password_changed(&c.token);
    Redirect::to("/apex/BPG_Home").into_response()
}

async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let c = match app.page_user(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let ecommerce = !app
        .store()
        .data
        .ecommerce_klantnummers(&c.user.id, app.cfg.tile_delay, Utc::now())
        .is_empty();
    let intro =
        matches!(app.variant(), Variant::Redesign | Variant::Alt) && session::cookie(&headers, INTRO_COOKIE).is_none();
    html(
        StatusCode::OK,
        pages::home(app.variant(), &c.user, &c.session.csrf, ecommerce, intro),
    )
}

#[derive(Deserialize)]
struct AccountQuery {
    #[serde(rename = "PageTile")]
    page_tile: Option<String>,
    tab: Option<String>,
    klantnummer: Option<String>,
    gebruiker: Option<String>,
}

async fn my_account(State(app): State<Arc<App>>, headers: HeaderMap, Query(q): Query<AccountQuery>) -> Response {
    let c = match app.page_user(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let v = app.variant();
    // The Alt rendition's portal hiccup: the first visit of a session answers HTTP 500.
    if v == Variant::Alt && app.alt.hiccup(&c.token) {
        tracing::info!("alt: one-off HTTP 500 on /apex/bpg_my_account");
        return app.server_error();
    }
    let is_authorisations = q
        .page_tile
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ShowMyAuthorizations"));
    if !is_authorisations {
        let tab = q.tab.as_deref() == Some("klantnummer");
        return html(StatusCode::OK, pages::my_account(v, &c.user, &c.session.csrf, tab));
    }
    if !c.user.may_manage_authorisations() {
        return html(StatusCode::FORBIDDEN, pages::no_rights(v, &c.user, &c.session.csrf));
    }
    let store = app.store();
    let kns = store.data.klantnummers_of(&c.user.id);
    let selected = q
        .klantnummer
        .as_deref()
        .and_then(|n| kns.iter().find(|k| k.number == n))
        .or(kns.first())
        .map(|k| k.number.clone())
        .unwrap_or_default();
    html(
        StatusCode::OK,
        pages::authorisations(v, &c.user, &c.session.csrf, &kns, &selected, q.gebruiker.as_deref()),
    )
}

#[derive(Deserialize)]
struct InfoQuery {
    titel: Option<String>,
}

async fn info(State(app): State<Arc<App>>, headers: HeaderMap, Query(q): Query<InfoQuery>) -> Response {
    let c = match app.page_user(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let title = q.titel.unwrap_or_else(|| "Mijn PostNL".into());
    html(
        StatusCode::OK,
        pages::info(app.variant(), &title, Some((&c.user, &c.session.csrf))),
    )
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
        _ => return html(StatusCode::NOT_FOUND, pages::not_found(app.variant())),
    };
    html(StatusCode::OK, pages::info(app.variant(), title, None))
}

async fn ecommerce(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let c = match app.page_user(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let store = app.store();
    let kns = store
        .data
        .ecommerce_klantnummers(&c.user.id, app.cfg.tile_delay, Utc::now());
    if kns.is_empty() {
        return html(
            StatusCode::FORBIDDEN,
            pages::ecommerce_no_access(app.variant(), &c.user, &c.session.csrf),
        );
    }
    html(
        StatusCode::OK,
        pages::ecommerce(app.variant(), &c.user, &c.session.csrf, &kns),
    )
}

async fn report(State(app): State<Arc<App>>, headers: HeaderMap, Path(bestand): Path<String>) -> Response {
    let c = match app.page_user(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
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
        return html(StatusCode::NOT_FOUND, pages::not_found(app.variant()));
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

async fn api_users(State(app): State<Arc<App>>, headers: HeaderMap, Query(q): Query<UsersQuery>) -> Response {
    let c = match app.api_user(&headers).and_then(require_rights) {
        Ok(c) => c,
        Err(r) => return *r,
    };
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
    headers: HeaderMap,
    Query(q): Query<AuthQuery>,
) -> Response {
    let c = match app.api_user(&headers).and_then(require_rights) {
        Ok(c) => c,
        Err(r) => return *r,
    };
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

async fn api_save_authorisations(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let c = match app.api_admin_write(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
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
        Err(resp) => *resp,
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

async fn api_delete_user(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let c = match app.api_admin_write(&headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
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
        Err(resp) => *resp,
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
