//! postnl-robot: replays the Mijn PostNL guide "Gebruiker autoriseren" in a real browser.
//!
//! Data flows one way: flow file → [`flow::load`] (parse with spans → include → validate) → [`flow::bind`]
//! (parameters and secrets) → [`run::executor`] on a [`browser::Browser`] → [`run::RunResult`] →
//! [`report`] writers (HTML, JSON, JUnit, console), each redacting secrets.

pub mod app;
pub mod batch;
pub mod browser;
pub mod cli;
pub mod durable;
pub mod error;
pub mod exit;
pub mod flow;
pub mod markup;
pub mod portal;
pub mod redact;
pub mod report;
pub mod run;
pub mod schedule;
pub mod signals;
pub mod verify;
