//! Settling after an action: wait until the navigation it caused has loaded, or the fetch/XHR
//! requests it started have finished — no fixed sleeps.
//!
//! The page script tracks the page's requests from the moment it is installed (wrapping `fetch`,
//! the `Response` body readers and `XMLHttpRequest.send`); before acting, `locate` arms it with
//! a fresh token (`js/settle.js`). Afterwards the script's `settle` waits inside the page, at the
//! start of the next call into it (see `script.rs`), or in a call of its own before a command
//! that is not a script call: a document without the script, or with a different token, is a
//! new document (navigation; WebDriver answers only once it has loaded). Otherwise it waits until no request started since the token is
//! in flight and the page no longer says it is busy: no busy indicator that appeared since the
//! action (`aria-busy="true"`, a progress bar without a value — a spinner) is visible, and the
//! element acted on is not (newly) disabled or busy — a save button that disables itself while
//! it validates before sending its request. That last signal counts only for
//! [`TARGET_BUSY_GRACE_MS`] after the action (some buttons stay disabled until the next change).
//! Each poll first yields an animation frame and a task, so handlers the action triggered get to
//! start their requests and finish their DOM updates. A form sent the browser's way since the
//! action (its submit event not taken over by the page) counts as busy until the page it loads
//! replaces this one (at most 3 s: a form answered by a download loads none).

use std::time::Duration;

use serde::Deserialize;

use super::client::{Browser, Look};
use super::engine::{is_transient, Attempts};
use super::error::BrowserError;
use super::query::Query;

/// The longest one call waits inside the page (below the session's 30 s script timeout).
const MAX_IN_PAGE_WAIT: Duration = Duration::from_secs(20);

fn millis(d: Duration) -> serde_json::Value {
    serde_json::Value::from(d.as_millis() as u64)
}

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
            let wait = attempts.remaining().min(MAX_IN_PAGE_WAIT);
            let args = vec![token.into(), TARGET_BUSY_GRACE_MS.into(), millis(wait)];
            match self.call_async_here("settle", args).await {
                Ok(None) => return Ok(Settled::Navigated),
                Ok(Some(v)) => {
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
        // The last call looked at the page and nothing was sent since: it was quiet then.
        if self.fresh_look().is_some_and(|l| l.quiet) {
            return Ok(true);
        }
        let mut attempts = Attempts::new(timeout);
        loop {
            let wait = attempts.remaining().min(MAX_IN_PAGE_WAIT);
            match self.call_async("idle", vec![millis(wait)]).await {
                Ok(v) => {
                    let quiet = v.get("quiet").and_then(|q| q.as_bool()) == Some(true);
                    match serde_json::from_value::<Look>(v) {
                        Ok(look) => self.keep_look(look),
                        Err(_) => *self.look.lock().expect("look lock") = None,
                    }
                    if quiet {
                        return Ok(true);
                    }
                }
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e.into()),
            }
            if !attempts.next().await {
                return Ok(false);
            }
        }
    }
}

impl Browser {
    /// Before deciding on what is visible, in one call: waits until the page is idle (bounded
    /// by `idle`), then until one of `queries` finds a visible element (bounded by `within`,
    /// counted from the start; zero: one look). Answers, per query, whether it does; a probe
    /// of one of them right after is answered from this look.
    pub async fn show(&self, idle: Duration, within: Duration, queries: &[Query]) -> Result<Vec<bool>, BrowserError> {
        let _trace = self.trace_op("show");
        let (idle, within) = (idle.min(MAX_IN_PAGE_WAIT), within.min(MAX_IN_PAGE_WAIT));
        let qs: Vec<serde_json::Value> = queries
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(|e| BrowserError::WebDriver(e.into()))?;
        let v = match self
            .call_async(
                "show",
                vec![millis(idle), millis(within), serde_json::Value::Array(qs.clone())],
            )
            .await
        {
            Ok(v) => v,
            Err(e) if is_transient(&e) => return Ok(vec![false; queries.len()]),
            Err(e) => return Err(e.into()),
        };
        let visible: Vec<bool> = v
            .get("visible")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().map(|b| b.as_bool() == Some(true)).collect())
            .unwrap_or_else(|| vec![false; queries.len()]);
        if let Ok(look) = serde_json::from_value::<Look>(v) {
            self.keep_look(look);
        }
        *self.probes.lock().expect("probes lock") = Some((
            self.round_trips(),
            qs.into_iter().zip(visible.iter().copied()).collect(),
        ));
        Ok(visible)
    }

    /// What [`Browser::show`] just saw of `q`, when nothing was sent since.
    pub(crate) fn shown(&self, q: &Query) -> Option<bool> {
        let probes = self.probes.lock().ok()?;
        let (stamp, seen) = probes.as_ref()?;
        if *stamp != self.round_trips() {
            return None;
        }
        let q = serde_json::to_value(q).ok()?;
        seen.iter().find(|(s, _)| *s == q).map(|(_, v)| *v)
    }
}
