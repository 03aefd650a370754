//! Login sessions (HttpOnly cookie), their per-session CSRF token, expiry, and cookie helpers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use cookie::{Cookie, SameSite};
use rand::Rng;

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "mijnpostnl_sessie";
/// Set when the redesign's "Nieuw" interstitial was closed.
pub(crate) const INTRO_COOKIE: &str = "intro_gezien";
/// How long "Onthoud mij" keeps the session cookie.
const REMEMBER: cookie::time::Duration = cookie::time::Duration::days(30);

/// One logged-in browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub user_id: String,
    pub csrf: String,
    pub created: Instant,
    /// Until the user set a new password, the session only reaches the password page.
    pub must_change_password: bool,
}

/// All sessions, keyed by the cookie's token.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
    ttl: Option<Duration>,
}

impl Sessions {
    pub fn new(ttl: Option<Duration>) -> Self {
        Sessions {
            map: HashMap::new(),
            ttl,
        }
    }

    /// Starts a session; returns its token.
    pub fn create(&mut self, user_id: &str, must_change_password: bool) -> String {
        self.purge();
        let token = random_token();
        self.map.insert(
            token.clone(),
            Session {
                user_id: user_id.to_string(),
                csrf: random_token(),
                created: Instant::now(),
                must_change_password,
            },
        );
        token
    }

    fn expired(&self, s: &Session) -> bool {
        self.ttl.is_some_and(|ttl| s.created.elapsed() >= ttl)
    }

    fn purge(&mut self) {
        if let Some(ttl) = self.ttl {
            self.map.retain(|_, s| s.created.elapsed() < ttl);
        }
    }

    /// The live session for `token`; an expired one is removed.
    pub fn get(&mut self, token: &str) -> Option<Session> {
        let s = self.map.get(token)?;
        if self.expired(s) {
            self.map.remove(token);
            return None;
        }
        Some(s.clone())
    }

    pub fn password_changed(&mut self, token: &str) {
        if let Some(s) = self.map.get_mut(token) {
            s.must_change_password = false;
        }
    }

    pub fn remove(&mut self, token: &str) {
        self.map.remove(token);
    }

    /// Ends every session (as a portal does when it logs everyone out).
    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn remove_user(&mut self, user_id: &str) {
        self.map.retain(|_, s| s.user_id != user_id);
    }
}

/// 32 random bytes, hex encoded.
pub(crate) fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    super::hash::hex(&bytes)
}

/// The value of cookie `name` in the request's Cookie headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The session cookie: HttpOnly, SameSite=Lax, for the whole site.
fn session_cookie_builder(token: &str) -> cookie::CookieBuilder<'static> {
    Cookie::build((SESSION_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
}

/// Set-Cookie value for a new session; `remember` keeps it for 30 days.
pub(crate) fn session_cookie(token: &str, remember: bool) -> String {
    let c = session_cookie_builder(token);
    let c = if remember { c.max_age(REMEMBER) } else { c };
    c.build().to_string()
}

/// Set-Cookie value that removes the session cookie.
pub(crate) fn clear_session_cookie() -> String {
    session_cookie_builder("")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_parsing() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; mijnpostnl_sessie=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn set_cookie_values() {
        let c = session_cookie("abc", false);
        assert!(c.starts_with("mijnpostnl_sessie=abc"), "{c}");
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
            "{c}"
        );
        assert!(!c.contains("Max-Age"), "{c}");
        assert!(session_cookie("abc", true).contains("Max-Age=2592000"));
        assert!(clear_session_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn sessions_expire() {
        let mut s = Sessions::new(Some(Duration::ZERO));
        let t = s.create("u", false);
        assert!(s.get(&t).is_none());
        let mut s = Sessions::new(None);
        let t = s.create("u", false);
        assert_eq!(s.get(&t).unwrap().user_id, "u");
        s.remove_user("u");
        assert!(s.get(&t).is_none());
    }
}
