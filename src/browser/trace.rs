//! What the page recorded for `--trace` (see `js/trace.js`): console messages, uncaught errors
//! and network requests since the last read, and a DOM snapshot.

use serde::Deserialize;

use super::client::Browser;
use super::error::BrowserError;

/// One read of the page's trace log.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageTrace {
    /// The page's address when read.
    pub url: String,
    /// The document's title.
    pub title: String,
    pub console: Vec<PageConsole>,
    pub network: Vec<PageRequest>,
    /// The DOM as inert HTML (fields' current values, no password, no scripts), when asked.
    pub dom: Option<String>,
}

/// A console message or an uncaught error.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageConsole {
    /// When, in milliseconds since the Unix epoch.
    pub at: f64,
    /// `log`, `info`, `warn`, `error` or `debug`.
    pub level: String,
    pub text: String,
}

/// A request of the page: the document, a resource, fetch or XHR.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageRequest {
    /// When it started, in milliseconds since the Unix epoch.
    pub at: f64,
    /// The method, when known (fetch, XHR, the document).
    pub method: Option<String>,
    pub url: String,
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// How long it took, in milliseconds, when known.
    pub ms: Option<f64>,
    /// `document`, `fetch`, `xhr`, `script`, `link`, `img`, ….
    pub kind: String,
    /// Why it failed without an answer (fetch).
    pub error: Option<String>,
}

impl Browser {
    /// What the page recorded since the last read (then forgotten there), with a DOM snapshot
    /// when `dom`. One round trip.
    pub async fn trace_read(&self, dom: bool) -> Result<PageTrace, BrowserError> {
        let v = self.call("traceRead", vec![serde_json::Value::Bool(dom)]).await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }
}
