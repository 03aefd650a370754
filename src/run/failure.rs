//! Typed failures: what kind of thing went wrong, derived from the browser's error. The kind
//! drives recovery (re-login, reload), the step's status, the exit code and `error.kind` in
//! `report.json`.

use serde::{Deserialize, Serialize};

use crate::browser::BrowserError;

/// What kind of failure stopped an action, a step or the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureKind {
    /// The element did not show in time (or a download that should be a file was a web page).
    ElementAbsent,
    /// More than one visible element matched the locator.
    Ambiguous,
    /// Found, but a person could not have used it (covered, disabled, moving).
    NotActionable,
    /// The portal shows its login page again.
    SessionEnded,
    /// The portal answered with an HTTP 5xx and reloading did not help.
    ServerError {
        #[serde(rename = "http_status")]
        status: u16,
    },
    /// The page did not get where the flow expected and shows a message saying why (e.g.
    /// "Onjuist e-mailadres of wachtwoord.").
    PortalAlert,
    /// The portal does not answer (connection refused, no such host, a browser error page).
    PortalUnreachable,
    /// A check of the flow (`expect`) did not hold.
    ExpectationFailed,
    /// A committing action was sent, then something failed: its outcome is unknown.
    CommittedThenFailed,
    /// The run was cancelled.
    Interrupted,
    /// No browser or WebDriver could be started.
    NoBrowser,
    /// Anything else: the browser connection broke, a file could not be written, a template
    /// could not be rendered.
    #[default]
    Hard,
}

impl FailureKind {
    /// The element was not there (in time): an optional action is skipped, a `wait_for` reloads,
    /// a row step checks whether the session ended.
    pub fn is_absence(self) -> bool {
        matches!(self, FailureKind::ElementAbsent)
    }

    /// The kind a browser error stands for.
    pub fn of(e: &BrowserError) -> FailureKind {
        match e {
            BrowserError::NotFound { .. } | BrowserError::Timeout { .. } => FailureKind::ElementAbsent,
            BrowserError::Ambiguous { .. } => FailureKind::Ambiguous,
            BrowserError::NotActionable { .. } => FailureKind::NotActionable,
            BrowserError::NoDriver { .. } | BrowserError::Session { .. } => FailureKind::NoBrowser,
            BrowserError::Obstacle { .. }
            | BrowserError::Download(_)
            | BrowserError::InvalidQuery { .. }
            | BrowserError::WebDriver(_) => FailureKind::Hard,
        }
    }
}

/// A failed action, explained: its kind, a message for people, the locator and what the page
/// offered instead.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub locator: Option<String>,
    pub found: Vec<String>,
}

impl Failure {
    /// A failure of `kind` with a message only.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            locator: None,
            found: vec![],
        }
    }

    /// An `expect` that did not hold, naming its locator.
    pub fn expectation(message: impl Into<String>, locator: impl std::fmt::Display) -> Self {
        Failure {
            locator: Some(locator.to_string()),
            ..Failure::new(FailureKind::ExpectationFailed, message)
        }
    }

    /// A [`FailureKind::Hard`] failure.
    pub fn hard(message: impl std::fmt::Display) -> Self {
        Failure::new(FailureKind::Hard, message.to_string())
    }

    /// The run was cancelled.
    pub fn interrupted() -> Self {
        Failure::new(FailureKind::Interrupted, "Onderbroken: de run is geannuleerd.")
    }
}

impl From<BrowserError> for Failure {
    fn from(e: BrowserError) -> Self {
        let kind = FailureKind::of(&e);
        // The lists go into `found` (shown as "the page offered instead"), not into the message.
        let (message, locator, found) = match e {
            BrowserError::NotFound { query, offered } => (format!("{query} not found"), Some(query), offered),
            BrowserError::Ambiguous { query, matches } => (
                format!("{query} is ambiguous: {} elements match", matches.len()),
                Some(query),
                matches,
            ),
            BrowserError::NotActionable { ref query, .. } => {
                let q = query.clone();
                (e.to_string(), Some(q), vec![])
            }
            BrowserError::WebDriver(e) => (browser_lost(&e.to_string()), None, vec![]),
            other => (other.to_string(), None, vec![]),
        };
        Failure {
            kind,
            message,
            locator,
            found,
        }
    }
}

/// A broken WebDriver connection in one line that says what was lost: the driver (it no longer
/// answers) or the browser (closed or crashed).
fn browser_lost(detail: &str) -> String {
    let line = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = line.to_ascii_lowercase();
    let what = if lower.contains("could not be reached") || lower.contains("connection refused") {
        "the browser driver stopped answering (chromedriver ended or was killed)"
    } else if [
        "disconnected",
        "session deleted",
        "invalid session id",
        "no such window",
        "target window already closed",
        "chrome not reachable",
        "tab crashed",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        "the browser was closed or crashed"
    } else {
        return format!("browser connection failed: {}", clip(&line));
    };
    format!("{what}: {}", clip(&line))
}

/// At most 200 characters.
fn clip(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_browser_error() {
        let absent: Failure = BrowserError::NotFound {
            query: "text \"Opslaan\"".into(),
            offered: vec!["<button> \"Opslaan en sluiten\"".into()],
        }
        .into();
        assert_eq!(absent.kind, FailureKind::ElementAbsent);
        assert_eq!(absent.locator.as_deref(), Some("text \"Opslaan\""));
        assert_eq!(absent.found.len(), 1);
        let timeout = BrowserError::Timeout {
            what: "x".into(),
            after: std::time::Duration::from_secs(1),
        };
        assert!(FailureKind::of(&timeout).is_absence());
        let amb = BrowserError::Ambiguous {
            query: "q".into(),
            matches: vec!["a".into(), "b".into()],
        };
        assert_eq!(FailureKind::of(&amb), FailureKind::Ambiguous);
        assert_eq!(
            FailureKind::of(&BrowserError::NoDriver { detail: "x".into() }),
            FailureKind::NoBrowser
        );
    }

    #[test]
    fn a_lost_driver_or_browser_is_named() {
        assert!(
            browser_lost("webdriver could not be reached (hyper_util): client error (SendRequest)")
                .starts_with("the browser driver stopped answering")
        );
        let crash = browser_lost("unknown error: session deleted from disconnected: Unable to receive message from renderer\n  (Session info: chrome=156)");
        assert!(crash.starts_with("the browser was closed or crashed: "), "{crash}");
        assert!(!crash.contains('\n'));
        assert!(browser_lost(&"x".repeat(5000)).chars().count() < 260);
    }

    #[test]
    fn kinds_serialise_as_snake_case_with_the_http_status() {
        let v = serde_json::to_value(FailureKind::ServerError { status: 503 }).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "server_error", "http_status": 503}));
        let v = serde_json::to_value(FailureKind::CommittedThenFailed).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "committed_then_failed"}));
    }
}
