//! Settling after an action: wait until the navigation it caused has loaded, or the fetch/XHR
//! requests it started have finished — no fixed sleeps.
//!
//! Before acting, `locate.js` installs in the page a request tracker (wrapping `fetch`, the
//! `Response` body readers and `XMLHttpRequest.send`) and a fresh token. Afterwards we poll: a
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

const SETTLE_JS: &str = r#"
const token = arguments[0], grace = arguments[1];
const done = arguments[arguments.length - 1];
const shown = (e) => {
  if (!e.isConnected) return false;
  if (typeof e.checkVisibility === 'function' && !e.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
  const r = e.getBoundingClientRect();
  return r.width * r.height > 1;
};
const busy = (s) => {
  const t = s.target;
  if (t && t.isConnected && performance.now() - s.at < grace &&
      (t.disabled === true || t.getAttribute('aria-disabled') === 'true' || t.getAttribute('aria-busy') === 'true')) {
    return 'the element acted on is disabled or busy';
  }
  for (const e of document.querySelectorAll('[aria-busy=true], [role=progressbar]:not([aria-valuenow])')) {
    if (s.busyBefore && s.busyBefore.has(e)) continue;
    if (shown(e)) return 'a busy indicator is showing (' + (e.getAttribute('aria-label') || e.id || e.tagName.toLowerCase()) + ')';
  }
  return null;
};
const finish = () => {
  const s = window.__robotSettle;
  const ready = document.readyState === 'complete';
  if (!s || s.token !== token) return done({ navigated: true, ready, pending: 0, busy: null });
  let pending = 0;
  for (const id of s.pending.keys()) if (id > s.startSeq) pending++;
  done({ navigated: false, ready, pending, busy: busy(s) });
};
let fired = false;
const go = () => { if (!fired) { fired = true; setTimeout(finish, 0); } };
requestAnimationFrame(go);
setTimeout(go, 50);
"#;

/// True when the document has loaded and no busy indicator is visible.
const IDLE_JS: &str = r#"
if (document.readyState !== 'complete') return false;
for (const e of document.querySelectorAll('[aria-busy=true], [role=progressbar]:not([aria-valuenow])')) {
  if (typeof e.checkVisibility === 'function' && !e.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
  const r = e.getBoundingClientRect();
  if (r.width * r.height > 1) return false;
}
return true;
"#;

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
                .client
                .execute_async(
                    SETTLE_JS,
                    vec![serde_json::Value::from(token), TARGET_BUSY_GRACE_MS.into()],
                )
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
        let mut attempts = Attempts::new(timeout);
        loop {
            match self.client.execute(IDLE_JS, vec![]).await {
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
