//! The page script (`js/*.js`, assembled at compile time) and the one way the browser layer
//! runs JavaScript: [`Browser::call`] / [`Browser::call_async`] call a function of the script's
//! global `window.__postnlRobot` by name, one round trip each.
//!
//! On Chromium the script is registered once per session to run in every new document (DevTools
//! `Page.addScriptToEvaluateOnNewDocument`), before the page's own scripts: no call sends it.
//! Elsewhere (Firefox, a Grid without DevTools) a call into a document without it answers
//! "missing" with the document's status and address, and the full script is then sent with the
//! same call; after a navigation the robot knows of (`goto`, `reload`) it is sent at once.
//!
//! Every answer carries the document's identity (a new one: the robot noticed a navigation),
//! its HTTP status and its data requests that answered 5xx, so that asking for those costs no
//! round trip of its own. The settling owed after an action ([`Browser::defer_settle`]) is
//! folded into the next call: the page waits for it, then the function runs.
//!
//! Every WebDriver command of the browser layer goes through [`Browser::wd`], which counts it
//! and the time spent waiting for its answer ([`Traffic`]).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use fantoccini::error::{CmdError, ErrorStatus, WebDriver};
use serde_json::Value;

use super::client::Browser;

/// The page script, in the order its parts depend on each other.
const SCRIPT: &str = concat!(
    include_str!("js/prelude.js"),
    include_str!("js/text.js"),
    include_str!("js/deep.js"),
    include_str!("js/aria.js"),
    include_str!("js/visible.js"),
    include_str!("js/obstacles.js"),
    include_str!("js/locate.js"),
    include_str!("js/select.js"),
    include_str!("js/settle.js"),
    include_str!("js/popups.js"),
    include_str!("js/forms.js"),
    include_str!("js/page.js"),
    include_str!("js/fingerprint.js"),
    include_str!("js/inspect.js"),
    include_str!("js/trace.js"),
    include_str!("js/api.js"),
);

/// What a call answers when the document has no (current) page script: the key marking it,
/// with the new document's HTTP status and address (so that noticing a navigation costs no
/// further round trip).
const MISSING: &str = "__postnlRobotMissing";

/// A synchronous call: `arguments` = [version, function name, arguments]. The answer comes
/// wrapped with the document's identity, its HTTP status and its data requests that answered
/// 5xx (see `failedRequests`).
const CALL_JS: &str = r#"
const R = window.__postnlRobot;
if (!R || R.version !== arguments[0]) {
  const n = performance.getEntriesByType('navigation')[0];
  return { __postnlRobotMissing: true, status: n && n.responseStatus ? n.responseStatus : null, url: location.href };
}
const v = R[arguments[1]](...arguments[2]);
return { __postnlRobotDoc: R.doc, status: R.pageStatus(), failed: R.failedRequests(), v };
"#;

/// An asynchronous call (the function may answer a Promise); a rejection comes back as
/// `{__postnlRobotError: message}`. `arguments` = [version, function name, arguments, settle,
/// check]: `settle`, when not null, are the arguments of a `settle` awaited first (the
/// settling after the previous action, in the same round trip; still busy when its wait ran
/// out: `{__postnlRobotUnsettled: true}`, nothing called); `check`: in a document that
/// answered HTTP 5xx, answer `{__postnlRobotErrorPage: status}` instead of calling.
const CALL_ASYNC_JS: &str = r#"
const [version, name, args, settle, check] = arguments, done = arguments[arguments.length - 1];
const R = window.__postnlRobot;
if (!R || R.version !== version) {
  const n = performance.getEntriesByType('navigation')[0];
  return done({ __postnlRobotMissing: true, status: n && n.responseStatus ? n.responseStatus : null, url: location.href });
}
Promise.resolve().then(() => settle && R.settle(...settle)).then((settled) => {
  if (settled && !settled.navigated && !(settled.ready && settled.pending === 0 && !settled.busy)) {
    return { __postnlRobotUnsettled: true };
  }
  const status = R.pageStatus();
  if (check && status >= 500) return { __postnlRobotErrorPage: status, __postnlRobotDoc: R.doc, status };
  return Promise.resolve(R[name](...args))
    .then((v) => ({ __postnlRobotDoc: R.doc, status, failed: R.failedRequests(), v }));
}).then(done, (e) => done({ __postnlRobotError: String(e && e.message ? e.message : e) }));
"#;

/// The longest the settling folded into the next call may wait (that call's own wait comes
/// on top; both stay below the session's 30 s script timeout).
const MAX_FOLDED_SETTLE: Duration = Duration::from_secs(8);

/// The script's version: the crate version and a hash of the script's text, so a document
/// holding another build's script gets this one.
pub(crate) static VERSION: LazyLock<String> =
    LazyLock::new(|| format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), fnv1a(SCRIPT.as_bytes())));

/// The script that installs the page script (the version in its first argument) and then makes
/// the call, synchronous or not.
static INSTALL_JS: LazyLock<String> = LazyLock::new(|| install_js(CALL_JS));
static INSTALL_ASYNC_JS: LazyLock<String> = LazyLock::new(|| install_js(CALL_ASYNC_JS));

/// The page script as registered to run in every new document (Chromium: DevTools
/// `Page.addScriptToEvaluateOnNewDocument`), before the page's own scripts.
pub(crate) static ON_NEW_DOCUMENT_JS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "(() => {{ const __postnlRobotVersion = {};\n{SCRIPT}\n}})();",
        Value::from(VERSION.as_str())
    )
});

fn install_js(call: &str) -> String {
    format!("const __postnlRobotVersion = arguments[0];\n{SCRIPT}\n{call}")
}

/// The parameters of a call script.
fn call_params(
    is_async: bool,
    name: &str,
    args: Vec<Value>,
    settle: Option<(String, Duration)>,
    check: bool,
) -> Vec<Value> {
    let mut params = vec![Value::from(VERSION.as_str()), Value::from(name), Value::Array(args)];
    if is_async {
        params.push(match settle {
            Some((token, bound)) => Value::Array(vec![
                token.into(),
                super::settle::TARGET_BUSY_GRACE_MS.into(),
                Value::from(bound.min(MAX_FOLDED_SETTLE).as_millis() as u64),
            ]),
            None => Value::Null,
        });
        params.push(Value::Bool(check));
    }
    params
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Something a call answered, with the round-trip count right after it: still true while that
/// count has not moved (nothing was sent since).
pub(crate) type Stamped<T> = Mutex<Option<(u64, T)>>;

/// Counters of one session's traffic with the browser.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    round_trips: AtomicU64,
    installs: AtomicU64,
    /// Nanoseconds spent waiting for WebDriver answers.
    waited: AtomicU64,
    /// The current document is known to be new (no page script yet): install at once.
    fresh: AtomicBool,
    /// The driver refused a pointer action once: click elements the WebDriver way from now on.
    pub(crate) no_pointer: AtomicBool,
    /// Clicks made as one pointer action at a point (see `Browser::click_point`).
    pub(crate) pointer_clicks: AtomicU64,
    /// How many documents the robot has seen (goto, reload, a script call finding a new one).
    documents: AtomicU64,
    /// The settling still owed after the last action: (token, bound). The next script call
    /// settles first, in the same round trip; other commands settle on their own before.
    pending: Mutex<Option<(String, Duration)>>,
    /// The address a call that found a new document answered, stamped with the round-trip
    /// count right after it.
    seen_url: Stamped<String>,
    /// How many open menus the last call marked (an obstacle showed), stamped like `seen_url`.
    marked: Stamped<usize>,
    /// The data requests that answered 5xx, as the last call saw them, stamped like `seen_url`.
    failed: Stamped<Vec<(String, u16)>>,
    /// The identity of the document the last call answered from.
    doc: Mutex<Option<String>>,
    /// The page script is registered to run in every new document (Chromium): no document
    /// needs it sent.
    registered: AtomicBool,
}

/// A session's traffic with the browser so far: WebDriver commands and the time spent waiting
/// for their answers. Subtract two to get the traffic of what happened in between.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// WebDriver commands sent (script calls, clicks, typing, navigation, screenshots).
    pub round_trips: u64,
    /// Time spent waiting for their answers (in the browser, the driver and on the wire).
    pub waited: Duration,
}

impl std::ops::Sub for Traffic {
    type Output = Traffic;

    fn sub(self, earlier: Traffic) -> Traffic {
        Traffic {
            round_trips: self.round_trips.saturating_sub(earlier.round_trips),
            waited: self.waited.saturating_sub(earlier.waited),
        }
    }
}

/// What one script call got back.
pub(crate) enum Called {
    /// The function's answer.
    Value(Value),
    /// The call found a new document that answered this HTTP error status (≥ 500), and did
    /// not act in it.
    ErrorPage(u16),
}

/// What a call without installing got back.
enum Raw {
    Value(Value),
    /// This document has no page script (a new one): its status and address.
    Missing {
        status: Option<u16>,
        url: String,
    },
    /// A checked call found the document to be an HTTP error page.
    ErrorPage(u16),
}

impl Browser {
    /// Calls `name` of the page script with `args`; installs the script first if this document
    /// does not have it.
    pub(crate) async fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        self.call_with(false, name, args).await
    }

    /// Like [`Browser::call`], for functions that answer a Promise (waited for).
    pub(crate) async fn call_async(&self, name: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        self.call_with(true, name, args).await
    }

    /// Like [`Browser::call_async`], but a new document that answered HTTP 5xx (the previous
    /// action loaded an error page) is reported instead of called into: an element operation
    /// then fails at once, and the executor's recovery reloads.
    pub(crate) async fn call_async_checked(&self, name: &str, args: Vec<Value>) -> Result<Called, CmdError> {
        self.call_inner(true, name, args, true).await
    }

    /// Like [`Browser::call_async`], but never installs the script: `None` when this document
    /// does not have it (a new document: the action before navigated).
    pub(crate) async fn call_async_here(&self, name: &str, args: Vec<Value>) -> Result<Option<Value>, CmdError> {
        if self.counters.fresh.load(Ordering::Relaxed) {
            return Ok(None);
        }
        match self.call_raw(true, name, args, None, false).await? {
            Raw::Value(v) => answer(v).map(Some),
            Raw::ErrorPage(_) => Ok(None),
            Raw::Missing { status, url } => {
                self.found_document(status, url);
                Ok(None)
            }
        }
    }

    async fn call_with(&self, is_async: bool, name: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        match self.call_inner(is_async, name, args, false).await? {
            Called::Value(v) => Ok(v),
            Called::ErrorPage(_) => unreachable!("only checked calls stop at an error page"),
        }
    }

    async fn call_inner(&self, is_async: bool, name: &str, args: Vec<Value>, check: bool) -> Result<Called, CmdError> {
        let settle = self.take_pending();
        if !self.counters.fresh.load(Ordering::Relaxed) {
            let owed = settle.is_some();
            let raw = match self.call_raw(is_async, name, args.clone(), settle, check).await {
                // The document went away under the settling (the action's navigation, e.g. a
                // form sent a task after the click): make the call in the page it loaded.
                Err(e) if owed && super::engine::is_transient(&e) => {
                    tracing::debug!(error = %e, "the page changed while settling; calling again");
                    self.call_raw(is_async, name, args.clone(), None, check).await?
                }
                r => r?,
            };
            match raw {
                Raw::Value(v) => return answer(v).map(Called::Value),
                Raw::ErrorPage(s) => return Ok(Called::ErrorPage(s)),
                Raw::Missing { status, url } => {
                    self.found_document(status, url);
                    if let Some(s) = status.filter(|s| check && *s >= 500) {
                        return Ok(Called::ErrorPage(s));
                    }
                }
            }
        }
        // A new document: whatever the last action started there is over.
        self.counters.installs.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(version = VERSION.as_str(), "installing the page script");
        let is_async = is_async || check;
        let install = if is_async { &INSTALL_ASYNC_JS } else { &INSTALL_JS };
        let v = self
            .run_js(is_async, install, call_params(is_async, name, args, None, check))
            .await;
        // Installed, or the document changed again meanwhile (then the next call finds out).
        self.counters.fresh.store(false, Ordering::Relaxed);
        match self.unwrap(v?) {
            Raw::Value(v) => answer(v).map(Called::Value),
            Raw::ErrorPage(s) => Ok(Called::ErrorPage(s)),
            // Navigated again while installing: the next call finds out.
            Raw::Missing { .. } => Err(CmdError::Standard(WebDriver::new(
                ErrorStatus::JavascriptError,
                "the page changed while the page script was installed".to_string(),
            ))),
        }
    }

    /// One call into the current document, with the settling owed (if any) folded in front.
    async fn call_raw(
        &self,
        is_async: bool,
        name: &str,
        args: Vec<Value>,
        settle: Option<(String, Duration)>,
        check: bool,
    ) -> Result<Raw, CmdError> {
        let is_async = is_async || settle.is_some() || check;
        let owed = settle.clone();
        let params = call_params(is_async, name, args.clone(), settle, check);
        let v = self
            .run_js(is_async, if is_async { CALL_ASYNC_JS } else { CALL_JS }, params)
            .await?;
        if v.get("__postnlRobotUnsettled").is_some() {
            // Still busy after the folded wait (a slow save): settle on its own for the rest
            // of the action's bound, then make the call.
            if let Some((token, bound)) = owed {
                Box::pin(self.settle(&token, bound.saturating_sub(MAX_FOLDED_SETTLE)))
                    .await
                    .map_err(|e| match e {
                        super::error::BrowserError::WebDriver(c) => c,
                        other => CmdError::NotW3C(Value::String(other.to_string())),
                    })?;
            }
            let params = call_params(is_async, name, args, None, check);
            let v = self
                .run_js(is_async, if is_async { CALL_ASYNC_JS } else { CALL_JS }, params)
                .await?;
            return Ok(self.unwrap(v));
        }
        Ok(self.unwrap(v))
    }

    /// A call's answer without its wrapping; notes the document and its status it came from.
    fn unwrap(&self, mut v: Value) -> Raw {
        let status_of = |v: &Value| {
            v.get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
        };
        if v.get(MISSING).is_some() {
            let url = v.get("url").and_then(Value::as_str).unwrap_or_default().to_string();
            return Raw::Missing {
                status: status_of(&v),
                url,
            };
        }
        let error_page = v.get("__postnlRobotErrorPage").and_then(Value::as_u64);
        let Some(doc) = v.get("__postnlRobotDoc").and_then(Value::as_str) else {
            return Raw::Value(v);
        };
        {
            let mut last = self.counters.doc.lock().expect("doc lock");
            if last.as_deref() != Some(doc) {
                if last.is_some() {
                    self.counters.documents.fetch_add(1, Ordering::Relaxed);
                }
                *last = Some(doc.to_string());
            }
        }
        self.note_status(status_of(&v));
        if let Some(s) = error_page {
            return Raw::ErrorPage(u16::try_from(s).unwrap_or(500));
        }
        if let Some(failed) = v.get("failed").and_then(|f| serde_json::from_value(f.clone()).ok()) {
            // Stamped once the answer is counted: the round trip is already.
            *self.counters.failed.lock().expect("failed lock") = Some((self.round_trips(), failed));
        }
        Raw::Value(v.get_mut("v").map(Value::take).unwrap_or(Value::Null))
    }

    /// A call found a new document (no page script): count it, remember its status and address.
    fn found_document(&self, status: Option<u16>, url: String) {
        self.counters.documents.fetch_add(1, Ordering::Relaxed);
        self.note_status(status);
        *self.counters.seen_url.lock().expect("url lock") = Some((self.round_trips(), url));
    }

    /// The address the last call answered when it found a new document, if nothing was sent
    /// since.
    pub(crate) fn fresh_url(&self) -> Option<String> {
        let seen = self.counters.seen_url.lock().ok()?.clone()?;
        (seen.0 == self.round_trips()).then_some(seen.1)
    }

    /// The page's address in one call that also settles what the last action started (and
    /// looks at the page as the idle check does): `None` when the page script cannot answer
    /// (ask WebDriver then).
    pub(crate) async fn url_here(&self) -> Result<Option<String>, CmdError> {
        if self.counters.fresh.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let settle = self.take_pending();
        match self.call_raw(true, "idle", vec![Value::from(0)], settle, false).await? {
            Raw::Value(v) => {
                let v = answer(v)?;
                let url = v.get("url").and_then(Value::as_str).map(str::to_string);
                if let Ok(look) = serde_json::from_value::<super::client::Look>(v) {
                    self.keep_look(look);
                }
                Ok(url)
            }
            Raw::ErrorPage(_) => Ok(None),
            Raw::Missing { status, url } => {
                self.found_document(status, url.clone());
                Ok(Some(url))
            }
        }
    }

    /// Keeps how many open menus the last call marked.
    pub(crate) fn keep_marked_popups(&self, n: usize) {
        *self.counters.marked.lock().expect("marked lock") = Some((self.round_trips(), n));
    }

    /// How many open menus the last call marked, when nothing was sent since.
    pub(crate) fn marked_popups(&self) -> Option<usize> {
        let m = (*self.counters.marked.lock().ok()?)?;
        (m.0 == self.round_trips()).then_some(m.1)
    }

    /// The failed data requests the last call saw, when nothing was sent since.
    pub(crate) fn fresh_failed_requests(&self) -> Option<Vec<(String, u16)>> {
        let f = self.counters.failed.lock().ok()?.clone()?;
        (f.0 == self.round_trips()).then_some(f.1)
    }

    /// After an action that armed `token`: the page is settled at the start of the next script
    /// call (or before the next other command), not in a round trip of its own.
    pub(crate) fn defer_settle(&self, token: &str, bound: Duration) {
        *self.counters.pending.lock().expect("pending lock") = Some((token.to_string(), bound));
    }

    fn take_pending(&self) -> Option<(String, Duration)> {
        self.counters.pending.lock().expect("pending lock").take()
    }

    /// Whether an action's settling is still owed.
    pub(crate) fn settle_owed(&self) -> bool {
        self.counters.pending.lock().map(|p| p.is_some()).unwrap_or(false)
    }

    /// Settles what the last action started, when that is still owed: before a command that
    /// is not a script call (navigation, screenshot).
    pub(crate) async fn flush_settle(&self) -> Result<(), super::error::BrowserError> {
        if let Some((token, bound)) = self.take_pending() {
            self.settle(&token, bound).await?;
        }
        Ok(())
    }

    async fn run_js(&self, is_async: bool, js: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        if is_async {
            self.wd(self.client.execute_async(js, args)).await
        } else {
            self.wd(self.client.execute(js, args)).await
        }
    }

    /// Registers the page script to run in every new document (Chromium, through DevTools), so
    /// that no call has to send it. Where DevTools is not available (Firefox, a Grid that does
    /// not forward it), each document gets it with its first call instead.
    pub(crate) async fn register_script(&self) {
        if self.kind != super::BrowserKind::Chromium {
            return;
        }
        let cmd = super::cdp::AddScriptOnNewDocument(ON_NEW_DOCUMENT_JS.clone());
        match self.wd(self.client.issue_cmd(cmd)).await {
            Ok(_) => self.counters.registered.store(true, Ordering::Relaxed),
            Err(e) => tracing::debug!(error = %e, "the page script cannot be registered for new documents"),
        }
    }

    /// The current document is new (after a navigation): the next call installs the page script
    /// without asking first.
    pub(crate) fn new_document(&self) {
        if !self.counters.registered.load(Ordering::Relaxed) {
            self.counters.fresh.store(true, Ordering::Relaxed);
        }
        self.counters.documents.fetch_add(1, Ordering::Relaxed);
    }

    /// Which document the robot works in: changes with every navigation it has noticed.
    pub(crate) fn document(&self) -> u64 {
        self.counters.documents.load(Ordering::Relaxed)
    }

    /// Sends one WebDriver command: counts it and the time waited for its answer.
    pub(crate) async fn wd<T>(&self, command: impl Future<Output = T>) -> T {
        self.counters.round_trips.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(command = std::any::type_name_of_val(&command), "WebDriver command");
        let start = Instant::now();
        let out = command.await;
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.counters.waited.fetch_add(nanos, Ordering::Relaxed);
        out
    }

    /// The session's traffic with the browser so far (see [`Traffic`]).
    pub fn traffic(&self) -> Traffic {
        Traffic {
            round_trips: self.round_trips(),
            waited: Duration::from_nanos(self.counters.waited.load(Ordering::Relaxed)),
        }
    }

    /// Whether DevTools commands reach the browser (Chromium, and a Grid that forwards them):
    /// the page script could be registered through them.
    pub(crate) fn devtools(&self) -> bool {
        self.counters.registered.load(Ordering::Relaxed)
    }

    /// How many WebDriver commands this session has sent through the browser layer so far
    /// (script calls, clicks, typing, navigation, screenshots); for performance work.
    pub fn round_trips(&self) -> u64 {
        self.counters.round_trips.load(Ordering::Relaxed)
    }

    /// How many clicks were one pointer action at the point the page script checked (the
    /// rest were WebDriver element clicks).
    pub fn pointer_clicks(&self) -> u64 {
        self.counters.pointer_clicks.load(Ordering::Relaxed)
    }

    /// How many times the page script was installed (once per document the robot worked in).
    pub fn script_installs(&self) -> u64 {
        self.counters.installs.load(Ordering::Relaxed)
    }

    /// Logs (debug) the round trips of the operation `op` when the returned guard is dropped.
    pub(crate) fn trace_op(&self, op: &'static str) -> OpTrace<'_> {
        OpTrace {
            browser: self,
            op,
            start: self.traffic(),
            installs: self.script_installs(),
        }
    }
}

/// See [`Browser::trace_op`].
pub(crate) struct OpTrace<'a> {
    browser: &'a Browser,
    op: &'static str,
    start: Traffic,
    installs: u64,
}

impl Drop for OpTrace<'_> {
    fn drop(&mut self) {
        let t = self.browser.traffic() - self.start;
        tracing::debug!(
            op = self.op,
            round_trips = t.round_trips,
            browser_ms = t.waited.as_millis() as u64,
            script_installs = self.browser.script_installs() - self.installs,
            "browser operation"
        );
    }
}

/// A call's answer: a rejected promise becomes a JavaScript error, as a thrown one does.
fn answer(v: Value) -> Result<Value, CmdError> {
    match v.get("__postnlRobotError").and_then(Value::as_str) {
        Some(message) => Err(CmdError::Standard(WebDriver::new(
            ErrorStatus::JavascriptError,
            message.to_string(),
        ))),
        None => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_the_crate_and_the_script() {
        assert!(VERSION.starts_with(concat!(env!("CARGO_PKG_VERSION"), "-")));
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }
}
