//! The page script (`js/*.js`, assembled at compile time) and the one way the browser layer
//! runs JavaScript: [`Browser::call`] / [`Browser::call_async`] call a function of the script's
//! global `window.__postnlRobot` by name. The script is installed once per document: a call
//! first checks the global's version in a tiny script (one round trip); only when it is missing
//! (a new document after a navigation or reload) the full script is sent, together with the
//! same call (a second round trip). After a navigation the robot knows of (`goto`, `reload`, an
//! action that loaded a new document) the next call sends the full script at once: one round
//! trip.
//!
//! Every WebDriver command of the browser layer goes through [`Browser::wd`], which counts it
//! and the time spent waiting for its answer ([`Traffic`]).

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::LazyLock;
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

/// What a call answers when the document has no (current) page script.
const MISSING: &str = "__postnlRobot:missing";

/// A synchronous call: `arguments` = [version, function name, arguments].
const CALL_JS: &str = r#"
const R = window.__postnlRobot;
if (!R || R.version !== arguments[0]) return '__postnlRobot:missing';
return R[arguments[1]](...arguments[2]);
"#;

/// An asynchronous call (the function may answer a Promise); a rejection comes back as
/// `{__postnlRobotError: message}`.
const CALL_ASYNC_JS: &str = r#"
const [version, name, args] = arguments, done = arguments[arguments.length - 1];
const R = window.__postnlRobot;
if (!R || R.version !== version) return done('__postnlRobot:missing');
Promise.resolve().then(() => R[name](...args)).then(done,
  (e) => done({ __postnlRobotError: String(e && e.message ? e.message : e) }));
"#;

/// The script's version: the crate version and a hash of the script's text, so a document
/// holding another build's script gets this one.
pub(crate) static VERSION: LazyLock<String> =
    LazyLock::new(|| format!("{}-{:016x}", env!("CARGO_PKG_VERSION"), fnv1a(SCRIPT.as_bytes())));

/// The script that installs the page script (the version in its first argument) and then makes
/// the call, synchronous or not.
static INSTALL_JS: LazyLock<String> = LazyLock::new(|| install_js(CALL_JS));
static INSTALL_ASYNC_JS: LazyLock<String> = LazyLock::new(|| install_js(CALL_ASYNC_JS));

fn install_js(call: &str) -> String {
    format!("const __postnlRobotVersion = arguments[0];\n{SCRIPT}\n{call}")
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Counters of one session's traffic with the browser.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    round_trips: AtomicU64,
    installs: AtomicU64,
    /// Nanoseconds spent waiting for WebDriver answers.
    waited: AtomicU64,
    /// The current document is known to be new (no page script yet): install at once.
    fresh: AtomicBool,
    /// How many documents the robot has seen (goto, reload, a script call finding a new one).
    documents: AtomicU64,
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

    /// Like [`Browser::call_async`], but never installs the script: `None` when this document
    /// does not have it (a new document: the action before navigated).
    pub(crate) async fn call_async_here(&self, name: &str, args: Vec<Value>) -> Result<Option<Value>, CmdError> {
        if self.counters.fresh.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let params = vec![Value::from(VERSION.as_str()), Value::from(name), Value::Array(args)];
        let v = self.run_js(true, CALL_ASYNC_JS, params).await?;
        if v.as_str() == Some(MISSING) {
            self.new_document();
            return Ok(None);
        }
        answer(v).map(Some)
    }

    async fn call_with(&self, is_async: bool, name: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        let params = vec![Value::from(VERSION.as_str()), Value::from(name), Value::Array(args)];
        if !self.counters.fresh.load(Ordering::Relaxed) {
            let v = self
                .run_js(is_async, if is_async { CALL_ASYNC_JS } else { CALL_JS }, params.clone())
                .await?;
            if v.as_str() != Some(MISSING) {
                return answer(v);
            }
            self.counters.documents.fetch_add(1, Ordering::Relaxed);
        }
        self.counters.installs.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(version = VERSION.as_str(), "installing the page script");
        let install = if is_async { &INSTALL_ASYNC_JS } else { &INSTALL_JS };
        let v = self.run_js(is_async, install, params).await;
        // Installed, or the document changed again meanwhile (then the next call finds out).
        self.counters.fresh.store(false, Ordering::Relaxed);
        answer(v?)
    }

    async fn run_js(&self, is_async: bool, js: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        if is_async {
            self.wd(self.client.execute_async(js, args)).await
        } else {
            self.wd(self.client.execute(js, args)).await
        }
    }

    /// The current document is new (after a navigation): the next call installs the page script
    /// without asking first.
    pub(crate) fn new_document(&self) {
        self.counters.fresh.store(true, Ordering::Relaxed);
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

    /// How many WebDriver commands this session has sent through the browser layer so far
    /// (script calls, clicks, typing, navigation, screenshots); for performance work.
    pub fn round_trips(&self) -> u64 {
        self.counters.round_trips.load(Ordering::Relaxed)
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
