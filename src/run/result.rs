//! What a run produced: the facts every report writer renders (`report.json` is this, serialized).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::failure::FailureKind;
pub use super::fingerprint::StepFingerprint;

/// Version of the `report.json` layout; bump on incompatible changes.
pub const SCHEMA_VERSION: u32 = 2;

/// The outcome of a whole run, of one step or of one action (one enum for all three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// Not run (a condition did not hold, an earlier step failed, the run was interrupted, or a
    /// dry run left out a committing action).
    Skipped,
    /// The run was cancelled (SIGINT, SIGTERM, SIGHUP) while this was going on.
    Interrupted,
    /// A committing action (e.g. "Opslaan") was sent, then the run failed or was cancelled before
    /// its outcome was confirmed: the portal may or may not have applied it.
    CommittedUnknown,
    /// `verify`: not performed because it depends on a committing action that a dry run does
    /// not perform (the read-back after the save, the tile that appears after it).
    NotVerified,
    /// `verify`: the step matches its baseline (the run: every step does).
    Unchanged,
    /// `verify`: the step could be performed, but its page differs from the baseline
    /// (the run: drift, exit 5).
    Changed,
    /// `verify`: the step could not be performed (the run: exit 1).
    Broken,
}

impl Status {
    /// Failed, interrupted or committed-unknown: something did not complete.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Status::Failed | Status::Interrupted | Status::CommittedUnknown | Status::Broken
        )
    }

    /// The exit code of a run that ended with this status; `signal` is the one that
    /// interrupted it (an interruption without a known signal counts as SIGINT).
    pub fn exit_code(self, no_browser: bool, signal: Option<crate::exit::Signal>) -> u8 {
        use crate::exit::{Signal, EXIT_DRIFT, EXIT_FAILED, EXIT_NO_BROWSER, EXIT_PASSED};
        match self {
            Status::Passed | Status::Skipped | Status::Unchanged | Status::NotVerified => EXIT_PASSED,
            Status::Changed => EXIT_DRIFT,
            Status::Interrupted => signal.unwrap_or(Signal::Int).exit_code(),
            _ if no_browser => EXIT_NO_BROWSER,
            Status::Failed | Status::CommittedUnknown | Status::Broken => EXIT_FAILED,
        }
    }

    /// The word used in reports: `passed`, `committed-unknown`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
            Status::CommittedUnknown => "committed-unknown",
            Status::NotVerified => "not-verified",
            Status::Unchanged => "unchanged",
            Status::Changed => "changed",
            Status::Broken => "broken",
        }
    }
}

/// `report.json`: the facts of one run of one flow. Secret values never appear; secret
/// parameters are `***`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
#[schemars(title = "postnl-robot run report")]
pub struct RunResult {
    /// Version of this layout; bumped on incompatible changes.
    #[schemars(range(min = 2, max = 2))]
    pub schema_version: u32,
    /// The robot's version (`postnl-robot --version`).
    pub tool_version: String,
    pub flow: FlowInfo,
    /// Parameters as given; secret ones are `***`.
    pub params: Vec<Param>,
    pub base_url: String,
    /// Who had the robot do this (`--operator`, default the OS user).
    #[serde(default)]
    pub operator: Option<String>,
    /// The ticket the run belongs to (`--ticket`).
    #[serde(default)]
    pub ticket: Option<String>,
    /// The language of the reports and terminal messages: `nl` or `en`.
    #[serde(default = "default_lang")]
    pub lang: String,
    pub browser: BrowserInfo,
    pub started: DateTime<Utc>,
    /// When the run ended (the reports are written right after).
    pub finished: DateTime<Utc>,
    pub duration_ms: u64,
    pub status: Status,
    /// The process exit code this run leads to (see the README's exit-code table).
    pub exit_code: u8,
    /// `run` or `verify` (dry run: committing actions skipped).
    pub mode: String,
    pub steps: Vec<StepResult>,
    /// Files downloaded during the run, relative to the run folder.
    pub downloads: Vec<String>,
    /// A run-level error that is not tied to a step (browser could not start, interrupted, …).
    pub error: Option<ErrorInfo>,
    /// `verify`: the baseline compared with (or written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyInfo>,
    /// `--trace`: `on` or `on-failure` (absent when `off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// `verify`: which baseline, and how it was compared.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct VerifyInfo {
    /// The baseline folder as given.
    pub baseline: String,
    /// The sub-folder for this browser and viewport, e.g. `chromium-1280x900`.
    pub key: String,
    /// A step whose screenshot differs in more than this share of pixels (0–1) has changed.
    pub pixel_threshold: f64,
    /// The baseline was written (`--update-baseline`) instead of compared.
    pub updated: bool,
    /// The files of the baseline written by this run, relative to the baseline folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
}

/// Which flow ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FlowInfo {
    pub name: String,
    pub title: String,
    pub file: String,
}

/// A named parameter value (already redacted when secret).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

/// The browser the run used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BrowserInfo {
    pub name: String,
    pub version: String,
    /// The WebDriver endpoint (own chromedriver or `--webdriver URL`).
    pub webdriver: String,
    /// The Selenium Grid node that ran the session (from the hub's `/status`); `null` when the
    /// endpoint is no Grid.
    #[serde(default)]
    pub node: Option<NodeInfo>,
    /// How downloads reached the run folder: `local` (a browser on this machine), `managed`
    /// (Selenium Grid's managed downloads, fetched from the node) or `shared-folder` (a remote
    /// browser writing into the run folder's path).
    #[serde(default)]
    pub downloads: Option<String>,
}

/// A Selenium Grid node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NodeInfo {
    /// The node's id, as the hub lists it.
    pub id: String,
    /// The node's address, e.g. `http://10.0.0.7:5555`.
    pub uri: String,
}

/// One guide step.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StepResult {
    /// 1-based position in the flow.
    pub index: usize,
    pub title: String,
    pub status: Status,
    pub skip_reason: Option<String>,
    pub duration_ms: u64,
    /// Screenshot at the end of the step, relative to the run folder.
    pub screenshot: Option<String>,
    /// URL at the end of the step.
    pub url: Option<String>,
    pub actions: Vec<ActionResult>,
    pub error: Option<ErrorInfo>,
    /// What `verify` read from the page during this step (compared with the baseline; the
    /// baseline files hold it, report.json does not).
    #[serde(skip)]
    pub fingerprint: Option<StepFingerprint>,
    /// `verify`: how the step compares with its baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<StepVerify>,
    /// Every screenshot of the step, in order: named ones from the flow, the end of the step,
    /// the moment it failed.
    #[serde(default)]
    pub screenshots: Vec<Screenshot>,
    /// The checkboxes the step ensured: the state before, after, and as read back.
    #[serde(default)]
    pub ensured: Vec<Ensured>,
    /// The step's traffic with the browser (its actions, the idle check and screenshot at its
    /// end); absent for steps that did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
    /// `--trace on` or `on-failure`, when the step stopped: the last DOM, console and network
    /// log, and the page at that moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
}

/// The traffic with the browser of a step or an action: how many WebDriver round trips it
/// made, and how its time divides between waiting on the browser and the robot's own work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Traffic {
    /// WebDriver commands sent (script calls, clicks, typing, navigation, screenshots).
    pub round_trips: u64,
    /// Time spent waiting for their answers: in the browser (including waits inside the page),
    /// the driver and on the wire.
    pub browser_ms: u64,
    /// The rest of `duration_ms`: the robot's own work (and pauses it chose, e.g. between
    /// reloads).
    pub robot_ms: u64,
}

impl Traffic {
    /// The traffic between two readings of the browser's counters, over `duration`.
    pub fn between(
        before: crate::browser::Traffic,
        after: crate::browser::Traffic,
        duration: std::time::Duration,
    ) -> Traffic {
        let t = after - before;
        let browser_ms = t.waited.as_millis() as u64;
        Traffic {
            round_trips: t.round_trips,
            browser_ms,
            robot_ms: (duration.as_millis() as u64).saturating_sub(browser_ms),
        }
    }
}

/// `verify`: how one step compares with its baseline.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StepVerify {
    /// `unchanged`, `changed`, `broken` or `not-verified` (also the step's status).
    pub status: Status,
    /// The baseline file of the step, relative to the baseline folder; none when the baseline
    /// has no such step.
    pub baseline: Option<String>,
    /// What changed, structurally and visually.
    pub changes: Vec<Change>,
    /// Share (0–1) of the screenshot's pixels that differ from the baseline's, masks left out.
    pub pixels_changed: Option<f64>,
    /// The baseline's screenshot, copied into the run folder (relative to it).
    pub baseline_screenshot: Option<String>,
    /// The difference highlighted on today's screenshot (relative to the run folder).
    pub diff_screenshot: Option<String>,
    /// Edits that would repair the flow.
    pub edits: Vec<Edit>,
}

/// One difference between a step and its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// `renamed`, `added`, `removed`, `moved`, `path`, `title`, `visual`, `missing-step`.
    pub kind: String,
    /// The element's role (`checkbox`, `menuitem`, …), when the change is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Before (the baseline) and after (today).
    pub old: Option<String>,
    pub new: Option<String>,
    /// The change in words: `checkbox "Notificaties" renamed to "Meldingen" (in "Pakketten & Vracht")`.
    pub message: String,
}

/// An edit that repairs the flow: on `file:line`, the locator's `kind` text `old` becomes `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Edit {
    pub file: String,
    pub line: usize,
    /// `label`, `text`, `name` or `placeholder`.
    pub kind: String,
    pub old: String,
    pub new: String,
}

impl std::fmt::Display for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}  {} \"{}\" → \"{}\"",
            self.file, self.line, self.kind, self.old, self.new
        )
    }
}

/// A near miss: a text the page offers that resembles what a locator wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Suggestion {
    /// How the locator looked: `label`, `text`, `name` or `placeholder`.
    pub kind: String,
    /// The text the locator wanted.
    pub wanted: String,
    /// What the page offers instead.
    pub offered: String,
    /// Similarity, 0–1 (see `run::similar`).
    pub score: f64,
}

/// A screenshot in the run folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Screenshot {
    /// File name relative to the run folder.
    pub file: String,
    /// What it shows: `named` (a `screenshot` action of the flow), `step` (end of the step) or
    /// `failure` (the moment it failed or was interrupted).
    pub kind: ShotKind,
    /// The name the flow gave it (`screenshot = "…"`), for `named` ones.
    #[serde(default)]
    pub name: Option<String>,
}

/// Why a screenshot was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ShotKind {
    Named,
    Step,
    Failure,
}

/// A checkbox the flow ensured (`check` / `uncheck`): how it was, how the robot left it, and
/// what a later `expect checked` on the same box read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Ensured {
    /// The box as a person names it, e.g. `E-commerce inzichten`.
    pub label: String,
    /// The locator, values filled in.
    pub locator: String,
    /// Ticked before the robot acted.
    pub before: bool,
    /// Ticked after the robot acted.
    pub after: bool,
    /// Ticked as read back by a later `expect checked` (`None`: not read back).
    pub read_back: Option<bool>,
    /// The page was reloaded (or opened again) between setting and reading back.
    pub reloaded: bool,
}

fn default_lang() -> String {
    "nl".into()
}

/// One action inside a step.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ActionResult {
    /// Human description, e.g. `click role button "Opslaan"`; placeholders of secrets never resolved.
    pub description: String,
    pub locator: Option<String>,
    pub status: Status,
    pub duration_ms: u64,
    /// What happened, e.g. "was already ticked", "handled obstacle 'cookie banner'".
    pub detail: Option<String>,
    /// The action's traffic with the browser (obstacle handlers it ran included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
    /// `--trace on`: what the page did during the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
}

/// `--trace`: the evidence of one action (`--trace on`) or of the moment a step stopped (also
/// `--trace on-failure`): the page before and after, the DOM, the console and the network.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Trace {
    /// When the span the console and network entries cover ended (the trace was read).
    pub at: DateTime<Utc>,
    /// Screenshot of the page before the action, relative to the run folder.
    pub before: Option<String>,
    /// Screenshot of the page after the action (or at the failure), relative to the run folder.
    pub after: Option<String>,
    /// The DOM snapshot (inert HTML: fields' current values, never a password, no scripts),
    /// relative to the run folder.
    pub dom: Option<String>,
    /// The page's address when the trace was read.
    pub url: Option<String>,
    /// Console messages and uncaught errors since the previous trace (with `on-failure`: since
    /// the run began, the newest 400).
    pub console: Vec<ConsoleEntry>,
    /// The page's requests since the previous trace (with `on-failure`: since the run began,
    /// the newest 400).
    pub network: Vec<NetworkEntry>,
    /// Why part of the trace is missing (e.g. the browser no longer answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A console message (`console.log`, `.warn`, …) or an uncaught error of the page.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ConsoleEntry {
    pub at: DateTime<Utc>,
    /// `log`, `info`, `warn`, `error` or `debug`.
    pub level: String,
    pub text: String,
}

/// A request of the page: its document, a resource (script, style, image), fetch or XHR.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NetworkEntry {
    /// When it started.
    pub at: DateTime<Utc>,
    /// `GET`, `POST`, …, when known (documents, fetch, XHR).
    pub method: Option<String>,
    pub url: String,
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// How long it took, when known.
    pub duration_ms: Option<u64>,
    /// `document`, `fetch`, `xhr`, `script`, `link`, `img`, ….
    pub kind: String,
    /// Why it failed without an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A failure explained: what kind, what, where, and what the page offered instead.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ErrorInfo {
    /// The kind of failure (`element_absent`, `server_error`, …) and, for a server error, its
    /// HTTP status (`http_status`).
    #[serde(flatten)]
    pub kind: FailureKind,
    pub message: String,
    pub locator: Option<String>,
    /// What the page offered instead (options listed, similar texts, …).
    pub found: Vec<String>,
    /// Screenshot of the moment it failed, relative to the run folder.
    pub screenshot: Option<String>,
    pub url: Option<String>,
    /// Near misses for a locator that found nothing, best first ("did you mean").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<Suggestion>,
}
