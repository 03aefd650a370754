//! Settling after an action: wait until the navigation it caused has loaded, or the fetch/XHR
//! requests it started have finished — no fixed sleeps.
//!
//! The page script tracks the page's requests from the moment it is installed (wrapping `fetch`,
//! the `Response` body readers and `XMLHttpRequest.send`); before acting, `locate` arms it with
//! a fresh token (`js/settle.js`). Afterwards we poll the script's `settle`: a
//! missing or different token means a new document (navigation) and we wait for
//! `readyState == "complete"`; otherwise we wait until no request started since the token is
//! in flight and the page no longer says it is busy: no busy indicator that appeared since the
//! action (`aria-busy="true"`, a progress bar without a value — a spinner) is visible, and the
//! element acted on is not (newly) disabled or busy — a save button that disables itself while
//! it validates before sending its request. That last signal counts only for
//! [`TARGET_BUSY_GRACE_MS`] after the action (some buttons stay disabled until the next change).
//! Each poll first yields an animation frame and a task, so handlers the action triggered get to
//! start their requests and finish their DOM updates.

use std::time::Duration;

use serde::Deserialize;

use super::client::Browser;
use super::engine::{is_transient, Attempts};
use super::error::BrowserError;

/// How long after an action a disabled or busy target element still means "busy", in ms.
pub(crate) const TARGET_BUSY_GRACE_MS: u64 = 3000;

#[derive(Debug, Deserialize)]
struct State {
    navigated: bool,
    ready: bool,
    pending: u64,
    /// Why the page still looks busy, if it does.
    busy: Option<String>,
}

/// How settling ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Same document, no requests in flight, nothing busy.
    Quiet,
    /// A new document has loaded.
    Navigated,
    /// Still busy when the bound ran out (the action itself succeeded).
    Busy,
}

impl Browser {
    /// Waits (bounded by `timeout`) until the page is quiet after the action that installed
    /// `token`. Running out of time is not an error — the action happened, and the next
    /// operation auto-waits — but it is logged.
    pub(crate) async fn settle(&self, token: &str, timeout: Duration) -> Result<Settled, BrowserError> {
        let mut attempts = Attempts::new(timeout);
        let mut last = None;
        loop {
            match self
                .call_async("settle", vec![token.into(), TARGET_BUSY_GRACE_MS.into()])
                .await
            {
                Ok(v) => {
                    let s: State = serde_json::from_value(v).map_err(|e| BrowserError::WebDriver(e.into()))?;
                    if s.ready && s.pending == 0 && s.busy.is_none() {
                        return Ok(if s.navigated {
                            Settled::Navigated
                        } else {
                            Settled::Quiet
                        });
                    }
                    last = Some(s);
                }
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e.into()),
            }
            if !attempts.next().await {
                tracing::warn!(
                    ?last,
                    "page still busy {:.1} s after the action; continuing",
                    timeout.as_secs_f64()
                );
                return Ok(Settled::Busy);
            }
        }
    }
    /// Waits (bounded by `timeout`) until the page has loaded and shows no busy indicator
    /// (`aria-busy="true"`, a progress bar without a value); answers whether it got there. For
    /// moments a person would wait for the page to finish: before judging what it shows, before
    /// a screenshot. Running out of time is not an error (a page may keep a spinner forever).
    pub async fn wait_until_idle(&self, timeout: Duration) -> Result<bool, BrowserError> {
        let _trace = self.trace_op("wait_until_idle");
        let mut attempts = Attempts::new(timeout);
        loop {
            match self.call("idle", vec![]).await {
                Ok(v) if v.as_bool() == Some(true) => return Ok(true),
                Ok(_) => {}
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e.into()),
            }
            if !attempts.next().await {
                return Ok(false);
            }
        }
    }
}
