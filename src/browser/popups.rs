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

/// The attribute marking popup triggers that were open before a handler ran (see
/// `js/popups.js`).
pub(crate) const MARK: &str = "data-robot-open";

impl Browser {
    /// Marks the popup triggers (menus, dropdowns) that are open now; returns how many.
    /// Pair with [`Browser::reopen_popups`] after something that may have closed them.
    pub async fn mark_open_popups(&self) -> Result<usize, BrowserError> {
        let _trace = self.trace_op("mark_open_popups");
        if let Some(n) = self.marked_popups() {
            return Ok(n);
        }
        match self.call("markPopups", vec![MARK.into()]).await {
            Ok(v) => Ok(v.as_u64().unwrap_or(0) as usize),
            Err(e) if is_transient(&e) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Clicks again every trigger marked by [`Browser::mark_open_popups`] that has been closed
    /// since (same page only; after a navigation there is nothing to re-open). Returns what was
    /// re-opened, described for people.
    pub async fn reopen_popups(&self, timeout: Duration) -> Result<Vec<String>, BrowserError> {
        let _trace = self.trace_op("reopen_popups");
        let marks: Vec<String> = match self.call("closedPopups", vec![MARK.into()]).await {
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
        let _ = self.call("clearPopups", vec![MARK.into()]).await;
        Ok(reopened)
    }
}
