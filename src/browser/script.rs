//! The page script (`js/*.js`, assembled at compile time) and the one way the browser layer
//! runs JavaScript: [`Browser::call`] / [`Browser::call_async`] call a function of the script's
//! global `window.__postnlRobot` by name. The script is installed once per document: a call
//! first checks the global's version in a tiny script (one round trip); only when it is missing
//! (a new document after a navigation or reload) the full script is sent, together with the
//! same call (a second round trip).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

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

    async fn call_with(&self, is_async: bool, name: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        let params = vec![Value::from(VERSION.as_str()), Value::from(name), Value::Array(args)];
        let v = self
            .run_js(is_async, if is_async { CALL_ASYNC_JS } else { CALL_JS }, params.clone())
            .await?;
        if v.as_str() != Some(MISSING) {
            return answer(v);
        }
        self.counters.installs.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(version = VERSION.as_str(), "installing the page script");
        let install = if is_async { &INSTALL_ASYNC_JS } else { &INSTALL_JS };
        answer(self.run_js(is_async, install, params).await?)
    }

    async fn run_js(&self, is_async: bool, js: &str, args: Vec<Value>) -> Result<Value, CmdError> {
        self.round_trip();
        if is_async {
            self.client.execute_async(js, args).await
        } else {
            self.client.execute(js, args).await
        }
    }

    /// Counts one WebDriver command.
    pub(crate) fn round_trip(&self) {
        self.counters.round_trips.fetch_add(1, Ordering::Relaxed);
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
            start: self.round_trips(),
            installs: self.script_installs(),
        }
    }
}

/// See [`Browser::trace_op`].
pub(crate) struct OpTrace<'a> {
    browser: &'a Browser,
    op: &'static str,
    start: u64,
    installs: u64,
}

impl Drop for OpTrace<'_> {
    fn drop(&mut self) {
        tracing::debug!(
            op = self.op,
            round_trips = self.browser.round_trips() - self.start,
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
