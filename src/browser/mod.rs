//! The browser: a WebDriver session (own chromedriver or a remote endpoint) and the element
//! operations the runner needs, each with auto-wait and Playwright-style actionability checks.

pub mod query;

pub use query::{Query, TextQuery};
