//! `Variant::Alt`: another rendition of the portal for robustness tests. It keeps the guide's
//! visible texts and paths but is built like a modern SPA from a component library:
//!
//! - markup: `role=button`/`role=link` divs, cards with click handlers instead of links, fields
//!   labelled by `aria-labelledby`, `aria-label` or only a placeholder, an `<input type=submit>`,
//!   custom klantnummer dropdowns (a combobox/popup button plus a hidden `role=listbox`), the
//!   users as a grid of rows, tri-state `role=checkbox` spans with the text next to them, a user
//!   menu button with `aria-expanded` but no `aria-haspopup`, and "Rapport downloaden (PDF, 1 MB)";
//! - timing: every page renders client-side 300–800 ms after load under a spinner overlay, which
//!   also covers the page while data loads and while saving; "Opslaan" is disabled while the
//!   save (client-side validation, then the request; ~700 ms in all) runs;
//! - obstacles: a non-modal cookie bar at the bottom about 1 s after load ("Alle cookies
//!   accepteren" / "Alleen noodzakelijke cookies"), a "Nieuw: …" interstitial on the home page
//!   closed by an × labelled only `aria-label="Sluiten"`, and a one-off HTTP 500 on the first
//!   request to `/apex/bpg_my_account` of every session (the user presses reload).
//!
//! Data, sessions, CSRF and audit are the classic ones (same routes and JSON API).

mod scripts;
mod shell;
mod views;

use std::collections::HashSet;
use std::sync::Mutex;

use super::rendition::Rendition;
use super::state::{Klantnummer, User};

/// The Alt rendition, with its per-instance state: which sessions already had their hiccup.
#[derive(Debug, Default)]
pub(crate) struct Alt {
    hiccups: Mutex<HashSet<String>>,
}

impl Rendition for Alt {
    fn login(&self, error: Option<&str>) -> String {
        views::login(error)
    }
    fn password_change(&self, csrf: &str, errors: &[&str]) -> String {
        views::password_change(csrf, errors)
    }
    fn home(&self, user: &User, csrf: &str, ecommerce: bool, intro: bool) -> String {
        views::home(user, csrf, ecommerce, intro)
    }
    fn my_account(&self, user: &User, csrf: &str, klantnummer_tab: bool) -> String {
        views::my_account(user, csrf, klantnummer_tab)
    }
    fn no_rights(&self, user: &User, csrf: &str) -> String {
        views::no_rights(user, csrf)
    }
    fn authorisations(
        &self,
        user: &User,
        csrf: &str,
        klantnummers: &[&Klantnummer],
        selected: &str,
        selected_user: Option<&str>,
    ) -> String {
        views::authorisations(user, csrf, klantnummers, selected, selected_user)
    }
    fn ecommerce(&self, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
        views::ecommerce(user, csrf, klantnummers)
    }
    fn ecommerce_no_access(&self, user: &User, csrf: &str) -> String {
        views::ecommerce_no_access(user, csrf)
    }
    fn info(&self, title: &str, user: Option<(&User, &str)>) -> String {
        views::info(title, user)
    }
    fn server_error(&self) -> String {
        views::server_error()
    }
    fn not_found(&self) -> String {
        views::not_found()
    }
    fn forbidden(&self) -> String {
        views::forbidden()
    }
    fn has_intro(&self) -> bool {
        true
    }
    /// True exactly once per session token: this request gets the one-off HTTP 500.
    fn hiccup(&self, session_token: &str) -> bool {
        let mut seen = self.hiccups.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(session_token.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hiccup_per_session() {
        let s = Alt::default();
        assert!(s.hiccup("a"));
        assert!(!s.hiccup("a"));
        assert!(s.hiccup("b"));
    }
}
