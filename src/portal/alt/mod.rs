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

pub(crate) use views::*;

/// Per-instance state of the Alt rendition: which sessions already had their hiccup.
#[derive(Debug, Default)]
pub(crate) struct AltState {
    hiccups: Mutex<HashSet<String>>,
}

impl AltState {
    /// True exactly once per session token: this request gets the one-off HTTP 500.
    pub fn hiccup(&self, session_token: &str) -> bool {
        let mut seen = self.hiccups.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(session_token.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hiccup_per_session() {
        let s = AltState::default();
        assert!(s.hiccup("a"));
        assert!(!s.hiccup("a"));
        assert!(s.hiccup("b"));
    }
}
