//! postnl-robot: replays the Mijn PostNL guide "Gebruiker autoriseren" in a real browser.

pub mod browser;
pub mod flow;
pub mod portal;
pub mod report;
pub mod run;
