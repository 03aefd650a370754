//! What `verify` reads from a page (the page script's `fingerprint` and `candidates`,
//! `js/fingerprint.js`), and the dry run of a committing click: found and actionable, not clicked.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Browser;
use super::engine::{Op, Poller, Request, Subject};
use super::error::BrowserError;
use super::query::{Query, TextQuery};
use super::{Found, Wait};

/// An element a step touched, to describe: found by a query, or the list offering an option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetSpec {
    pub query: Option<Query>,
    pub option: Option<TextQuery>,
    /// The flow found it without naming it (a role, a CSS selector): its own name is data (the
    /// user's name on the menu button), not a label, and is left out.
    pub nameless: bool,
}

/// What to read from the page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FingerprintRequest {
    pub targets: Vec<TargetSpec>,
    /// Regions to ignore (the flow's `mask`).
    pub masks: Vec<Query>,
}

/// A labelled thing on the page: its role, accessible name and the named groups it sits in
/// (`"Verzenden › Extra"`; empty when none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Item {
    pub role: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

/// The element a target spec found, and the labelled things around it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TargetPrint {
    pub found: bool,
    pub role: String,
    pub name: String,
    pub items: Vec<Item>,
}

/// A rectangle in screenshot pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// What `fingerprint` answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PageFingerprint {
    /// `location.pathname`.
    pub path: String,
    pub title: String,
    pub targets: Vec<TargetPrint>,
    /// The masked regions now on screen.
    pub masks: Vec<Rect>,
}

impl Browser {
    /// Reads the page's fingerprint for `req` (one script call, no waiting).
    pub async fn fingerprint(&self, req: &FingerprintRequest) -> Result<PageFingerprint, BrowserError> {
        let _trace = self.trace_op("fingerprint");
        let arg = serde_json::to_value(req).map_err(fantoccini::error::CmdError::Json)?;
        let v = self.call("fingerprint", vec![arg]).await?;
        serde_json::from_value(v).map_err(|e| BrowserError::WebDriver(fantoccini::error::CmdError::Json(e)))
    }

    /// Every text on the page a locator of `q`'s kind could have meant (label names, names of
    /// the role, placeholders, short visible texts), for "did you mean".
    pub async fn candidates(&self, q: &Query) -> Result<Vec<String>, BrowserError> {
        let _trace = self.trace_op("candidates");
        let arg = serde_json::to_value(q).map_err(fantoccini::error::CmdError::Json)?;
        let v = self.call("candidates", vec![arg]).await?;
        Ok(match v {
            Value::Array(a) => a.into_iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
            _ => vec![],
        })
    }

    /// Waits until `q` finds exactly one element a person could click now (visible, enabled,
    /// stable, not covered) and brings it into view — without clicking it: the dry run of a
    /// committing action.
    pub async fn check_clickable(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        let _trace = self.trace_op("check_clickable");
        let req = Request::new(Op::Click, q, w);
        let hit = Poller::new(self, &req, Subject::Query(q), w.timeout).next_hit().await?;
        Ok(Found { description: hit.desc })
    }
}
