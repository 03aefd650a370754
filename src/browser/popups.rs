//! Keeping open popups open across an obstacle handler: clicking away a cookie bar or an
//! interstitial is a click outside the menu or dropdown the flow just opened, and most widgets
//! close on that. Before a handler runs, the open popup triggers are marked; afterwards the ones
//! that were closed meanwhile are clicked again, the way a person would re-open the menu.

use std::time::Duration;

use super::client::Browser;
use super::engine::is_transient;
use super::error::BrowserError;
use super::query::Query;
use super::Wait;

/// The attribute marking popup triggers that were open before a handler ran.
const MARK: &str = "data-robot-open";

/// Marks every visible, open popup trigger (`aria-expanded="true"` on a button-like element);
/// answers how many.
const MARK_JS: &str = r#"
const attr = arguments[0];
for (const e of document.querySelectorAll('[' + attr + ']')) e.removeAttribute(attr);
const sel = 'button[aria-expanded=true], [role=button][aria-expanded=true], [role=combobox][aria-expanded=true], ' +
  'summary[aria-expanded=true], a[aria-expanded=true], input[aria-expanded=true]';
let n = 0;
for (const e of document.querySelectorAll(sel)) {
  const r = e.getBoundingClientRect();
  if (r.width * r.height <= 1 || getComputedStyle(e).visibility !== 'visible') continue;
  e.setAttribute(attr, String(++n));
}
return n;
"#;

/// Keeps the mark only on triggers that are now closed (and still visible); answers their marks.
const CLOSED_JS: &str = r#"
const attr = arguments[0];
const closed = [];
for (const e of document.querySelectorAll('[' + attr + ']')) {
  const r = e.getBoundingClientRect();
  const shown = e.isConnected && r.width * r.height > 1 && getComputedStyle(e).visibility === 'visible';
  if (shown && e.getAttribute('aria-expanded') === 'false') closed.push(e.getAttribute(attr));
  else e.removeAttribute(attr);
}
return closed;
"#;

const CLEAR_JS: &str = r#"
for (const e of document.querySelectorAll('[' + arguments[0] + ']')) e.removeAttribute(arguments[0]);
"#;

impl Browser {
    /// Marks the popup triggers (menus, dropdowns) that are open now; returns how many.
    /// Pair with [`Browser::reopen_popups`] after something that may have closed them.
    pub async fn mark_open_popups(&self) -> Result<usize, BrowserError> {
        match self.client.execute(MARK_JS, vec![MARK.into()]).await {
            Ok(v) => Ok(v.as_u64().unwrap_or(0) as usize),
            Err(e) if is_transient(&e) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Clicks again every trigger marked by [`Browser::mark_open_popups`] that has been closed
    /// since (same page only; after a navigation there is nothing to re-open). Returns what was
    /// re-opened, described for people.
    pub async fn reopen_popups(&self, timeout: Duration) -> Result<Vec<String>, BrowserError> {
        let marks: Vec<String> = match self.client.execute(CLOSED_JS, vec![MARK.into()]).await {
            Ok(v) => serde_json::from_value(v).unwrap_or_default(),
            Err(e) if is_transient(&e) => return Ok(vec![]),
            Err(e) => return Err(e.into()),
        };
        let mut reopened = Vec::new();
        for m in marks {
            let q = Query::Css {
                css: format!("[{MARK}=\"{m}\"][aria-expanded=false]"),
                within: None,
            };
            match self.click(&q, &Wait::new(timeout)).await {
                Ok(found) => reopened.push(found.description),
                // It went away or opened by itself meanwhile: nothing to restore.
                Err(BrowserError::NotFound { .. }) | Err(BrowserError::NotActionable { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let _ = self.client.execute(CLEAR_JS, vec![MARK.into()]).await;
        Ok(reopened)
    }
}
