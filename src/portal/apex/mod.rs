//! `Variant::Apex`: the guide's pages as the real Mijn PostNL is built — an Oracle APEX
//! application in the Universal Theme (the guide's paths, `/apex/BPG_Home`, say so):
//!
//! - page items (`t-Form-fieldContainer`, labels above), region templates (`t-Region`), a Cards
//!   region for the tiles, a Region Display Selector for the tabs of Mijn Account, the navigation
//!   bar's user menu (a menu button, `aria-haspopup="true"`);
//! - Stap 4: the klantnummer as a select list and the gebruiker as a **Popup LOV**: a read-only
//!   field with a search button that opens a dialog (its own "Sluiten") with a search box and a
//!   result list loaded after it opened (at most ten rows; the search box filters);
//! - picking a gebruiker opens the authorisation editor as a **modal dialog page in an iframe**
//!   (`apexUT.dialog`, titled "Autorisaties voor …", with a "Sluiten" of its own); its checkboxes
//!   are drawn on their labels (the inputs are transparent); "Opslaan" shows APEX's
//!   **processing overlay**, saves through the JSON API, closes the dialog and shows the
//!   **success message** region (`role="alert"`) on the page below.
//!
//! `--cookie-iframe` applies (the consent manager's iframe instead of the banner);
//! `--shadow-tree` does not (the tree lives in the dialog page).

mod page;
mod scripts;
mod views;

pub(crate) use views::DIALOG_PATH;

use super::rendition::{Look, Rendition};
use super::state::{Klantnummer, User};

/// The Apex rendition.
pub(crate) struct Apex {
    look: Look,
}

impl Apex {
    pub fn new(look: Look) -> Self {
        Apex { look }
    }
}

impl Rendition for Apex {
    fn login(&self, error: Option<&str>) -> String {
        views::login(self.look, error)
    }
    fn password_change(&self, csrf: &str, errors: &[&str]) -> String {
        views::password_change(self.look, csrf, errors)
    }
    fn home(&self, user: &User, csrf: &str, ecommerce: bool, _intro: bool) -> String {
        views::home(self.look, user, csrf, ecommerce)
    }
    fn my_account(&self, user: &User, csrf: &str, klantnummer_tab: bool) -> String {
        views::my_account(self.look, user, csrf, klantnummer_tab)
    }
    fn no_rights(&self, user: &User, csrf: &str) -> String {
        views::no_rights(self.look, user, csrf)
    }
    fn authorisations(
        &self,
        user: &User,
        csrf: &str,
        klantnummers: &[&Klantnummer],
        selected: &str,
        _selected_user: Option<&str>,
    ) -> String {
        views::authorisations(self.look, user, csrf, klantnummers, selected)
    }
    fn authorisation_dialog(
        &self,
        _user: &User,
        csrf: &str,
        klantnummer: &Klantnummer,
        gebruiker: &User,
        checked: &[String],
    ) -> Option<String> {
        Some(views::authorisation_dialog(
            self.look,
            csrf,
            klantnummer,
            gebruiker,
            checked,
        ))
    }
    fn ecommerce(&self, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
        views::ecommerce(self.look, user, csrf, klantnummers)
    }
    fn ecommerce_no_access(&self, user: &User, csrf: &str) -> String {
        views::ecommerce_no_access(self.look, user, csrf)
    }
    fn info(&self, title: &str, user: Option<(&User, &str)>) -> String {
        views::info(self.look, title, user)
    }
    fn server_error(&self) -> String {
        views::server_error(self.look)
    }
    fn not_found(&self) -> String {
        views::not_found(self.look)
    }
    fn forbidden(&self) -> String {
        views::forbidden(self.look)
    }
}
