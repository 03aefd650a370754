//! What can go wrong in the browser layer, worded for the person reading the run report.

use std::time::Duration;

/// How to get a driver, repeated in every [`BrowserError::NoDriver`] message.
pub const INSTALL_HINT: &str = "install it with `apt-get install chromium chromium-driver`, pass --driver PATH, \
     or use a running WebDriver server with --webdriver URL";

/// An error from the browser layer.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// chromedriver is missing or did not start.
    #[error("no browser driver: {detail}; {INSTALL_HINT}")]
    NoDriver { detail: String },

    /// The WebDriver server would not create a browser session.
    #[error("could not start a browser session at {url}: {message}")]
    Session { url: String, message: String },

    /// Nothing visible matched; `offered` says what the page had instead.
    #[error("{query} not found{}", offered_suffix(.offered))]
    NotFound { query: String, offered: Vec<String> },

    /// More than one visible element matched.
    #[error("{query} is ambiguous: {} elements match: {}", .matches.len(), .matches.join("; "))]
    Ambiguous { query: String, matches: Vec<String> },

    /// Found, but a person could not act on it (covered, disabled, hidden, moving…).
    #[error("{query} cannot be used: {reason}")]
    NotActionable { query: String, reason: String },

    /// The `index`-th obstacle trigger of the [`Wait`](super::Wait) is visible: run its handler,
    /// then retry.
    #[error("obstacle #{index} is in the way")]
    Obstacle { index: usize },

    /// A download did not arrive (or did not finish) in time.
    #[error("download failed: {0}")]
    Download(String),

    /// The query itself is malformed (invalid CSS selector or XPath).
    #[error("{query} is not a valid locator: {message}")]
    InvalidQuery { query: String, message: String },

    /// The WebDriver connection failed (browser closed, connection lost…).
    #[error("browser connection failed: {0}")]
    WebDriver(#[from] fantoccini::error::CmdError),

    /// Waiting for something ran out of time.
    #[error("timed out after {:.1} s waiting for {what}", .after.as_secs_f64())]
    Timeout { what: String, after: Duration },
}

fn offered_suffix(offered: &[String]) -> String {
    if offered.is_empty() {
        "; the page offered nothing similar".to_string()
    } else {
        format!("; the page offered: {}", offered.join("; "))
    }
}

impl BrowserError {
    /// True for errors a runner should treat as "no browser available" (distinct exit code).
    pub fn is_no_browser(&self) -> bool {
        matches!(self, BrowserError::NoDriver { .. } | BrowserError::Session { .. })
    }
}
