//! Who is asking: axum extractors for the session of a request. Pages redirect a visitor who is
//! not logged in to the login page (and one who must still set a new password to that page);
//! the JSON API answers 401/403 with a Dutch `{"fout": …}`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::hash;
use super::pages::PASSWORD_PATH;
use super::routes::{api_error, App};
use super::session::{self, Session, SESSION_COOKIE};
use super::state::User;

/// A response that ends a request early (boxed: responses are large).
pub(crate) struct Rejection(Box<Response>);

impl From<Response> for Rejection {
    fn from(r: Response) -> Self {
        Rejection(Box::new(r))
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// A request's live session and its user.
pub(crate) struct Current {
    pub token: String,
    pub session: Session,
    pub user: User,
}

impl Current {
    fn of(app: &App, headers: &HeaderMap) -> Option<Current> {
        let token = session::cookie(headers, SESSION_COOKIE)?;
        let session = app.sessions().get(&token)?;
        let user = app.store().data.user(&session.user_id)?.clone();
        Some(Current { token, session, user })
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }
}

/// Any visitor: the session when there is one, also one that must still set a new password.
pub(crate) struct Visitor(pub Option<Current>);

impl FromRequestParts<Arc<App>> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        Ok(Visitor(Current::of(app, &parts.headers)))
    }
}

/// A fully logged-in user. Otherwise: a redirect to the login page, or to the password page
/// while the first-login password change is due.
pub(crate) struct LoggedIn(pub Current);

impl FromRequestParts<Arc<App>> for LoggedIn {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        match Current::of(app, &parts.headers) {
            None => Err(Redirect::to("/").into_response().into()),
            Some(c) if c.session.must_change_password => Err(Redirect::to(PASSWORD_PATH).into_response().into()),
            Some(c) => Ok(LoggedIn(c)),
        }
    }
}

/// A logged-in user who holds both rights for the authorisations page. Otherwise what
/// [`LoggedIn`] does, or the Dutch explanation of the missing rights (HTTP 403).
pub(crate) struct Admin(pub Current);

impl FromRequestParts<Arc<App>> for Admin {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let LoggedIn(c) = LoggedIn::from_request_parts(parts, app).await?;
        if c.user.may_manage_authorisations() {
            Ok(Admin(c))
        } else {
            Err(app
                .page(StatusCode::FORBIDDEN, |r| r.no_rights(&c.user, c.csrf()))
                .into())
        }
    }
}

/// The JSON API's user: fully logged in, else 401 (no session) or 403 (password change due).
fn api_user(app: &App, headers: &HeaderMap) -> Result<Current, Rejection> {
    match Current::of(app, headers) {
        None => Err(api_error(StatusCode::UNAUTHORIZED, "Niet ingelogd.").into()),
        Some(c) if c.session.must_change_password => {
            Err(api_error(StatusCode::FORBIDDEN, "Stel eerst een nieuw wachtwoord in.").into())
        }
        Some(c) => Ok(c),
    }
}

/// 403 unless the user holds both rights.
fn api_rights(c: Current) -> Result<Current, Rejection> {
    if c.user.may_manage_authorisations() {
        Ok(c)
    } else {
        Err(api_error(
            StatusCode::FORBIDDEN,
            "Hiervoor heb je de autorisaties 'Klantnummerinstellingen' en 'Instellingen voor uw klantnummer beheren' nodig.",
        )
        .into())
    }
}

/// The JSON API's admin: fully logged in (else 401/403) and holding both rights (else 403).
pub(crate) struct ApiAdmin(pub Current);

impl FromRequestParts<Arc<App>> for ApiAdmin {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        api_user(app, &parts.headers).and_then(api_rights).map(ApiAdmin)
    }
}

/// An [`ApiAdmin`] call that changes something: it must also send the session's CSRF token in
/// `X-CSRF-Token` (else 403).
pub(crate) struct ApiAdminWrite(pub Current);

impl FromRequestParts<Arc<App>> for ApiAdminWrite {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let c = api_user(app, &parts.headers)?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !hash::same(sent, c.csrf()) {
            return Err(api_error(StatusCode::FORBIDDEN, "Ongeldig of ontbrekend beveiligingstoken.").into());
        }
        api_rights(c).map(ApiAdminWrite)
    }
}
