//! How the replica looks: one [`Rendition`] per instance, chosen once at start from the
//! [`Variant`]. Handlers ask it for each screen and never look at the variant themselves.

use super::state::{Klantnummer, User};
use super::{alt, apex, pages, Variant};

/// What a rendition is asked to draw: the variant and the knobs that change parts of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Look {
    pub variant: Variant,
    /// The cookie dialog is a consent manager's page in an iframe overlay (`--cookie-iframe`).
    pub cookie_iframe: bool,
    /// The checkbox tree of Stap 4 is a web component with an open shadow root (`--shadow-tree`).
    pub shadow_tree: bool,
}

impl Look {
    /// `variant` without knobs.
    #[cfg(test)]
    pub fn of(variant: Variant) -> Self {
        Look {
            variant,
            ..Look::default()
        }
    }
}

/// The screens of the guide (and the portal's error pages) as one rendition draws them. Each
/// returns a complete HTML document; the caller sets the status code.
pub(crate) trait Rendition: Send + Sync {
    /// Stap 1: the login page, with the alert after wrong credentials.
    fn login(&self, error: Option<&str>) -> String;
    /// The forced, one-time password change after the first login.
    fn password_change(&self, csrf: &str, errors: &[&str]) -> String;
    /// Stap 2: home with its tiles; `ecommerce` adds the "E-commerce Inzichten" tile, `intro`
    /// the interstitial (see [`Rendition::has_intro`]).
    fn home(&self, user: &User, csrf: &str, ecommerce: bool, intro: bool) -> String;
    /// Stap 3: Mijn Account; `klantnummer_tab` opens "Klantnummerinstellingen".
    fn my_account(&self, user: &User, csrf: &str, klantnummer_tab: bool) -> String;
    /// Stap 3 without the two rights: the Dutch explanation.
    fn no_rights(&self, user: &User, csrf: &str) -> String;
    /// Stap 4: the authorisations page.
    fn authorisations(
        &self,
        user: &User,
        csrf: &str,
        klantnummers: &[&Klantnummer],
        selected: &str,
        selected_user: Option<&str>,
    ) -> String;
    /// Stap 5: the E-commerce Inzichten page with the report download.
    fn ecommerce(&self, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String;
    /// Stap 5 without (visible) access to the report.
    fn ecommerce_no_access(&self, user: &User, csrf: &str) -> String;
    /// A placeholder for portal features outside the guide; `user` is None before login.
    fn info(&self, title: &str, user: Option<(&User, &str)>) -> String;
    /// HTTP 500 (also the page `--fail-on` serves).
    fn server_error(&self) -> String;
    /// HTTP 404.
    fn not_found(&self) -> String;
    /// A refused action (e.g. a form with an invalid CSRF token).
    fn forbidden(&self) -> String;

    /// Stap 4's authorisation editor as a page of its own, for renditions that open it as a
    /// modal dialog page in an iframe (Apex); None elsewhere (the route answers 404).
    fn authorisation_dialog(
        &self,
        _user: &User,
        _csrf: &str,
        _klantnummer: &Klantnummer,
        _gebruiker: &User,
        _checked: &[String],
    ) -> Option<String> {
        None
    }

    /// Whether the home page shows an interstitial until the visitor closed it once.
    fn has_intro(&self) -> bool {
        false
    }

    /// Whether this request of the session (on Mijn Account) gets a one-off HTTP 500.
    fn hiccup(&self, _session_token: &str) -> bool {
        false
    }
}

/// The rendition for `look`. (Alt has its own cookie bar and tree: the knobs do not apply.)
pub(crate) fn of(look: Look) -> Box<dyn Rendition> {
    match look.variant {
        Variant::Classic | Variant::Redesign => Box::new(pages::Standard::new(look)),
        Variant::Alt => Box::new(alt::Alt::default()),
        Variant::Apex => Box::new(apex::Apex::new(look)),
    }
}
