//! What a run produced: the facts every report writer renders (`report.json` is this, serialized).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::failure::FailureKind;

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
}

impl Status {
    /// Failed, interrupted or committed-unknown: something did not complete.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Interrupted | Status::CommittedUnknown)
    }

    /// The word used in reports: `passed`, `committed-unknown`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
            Status::CommittedUnknown => "committed-unknown",
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
    /// Every screenshot of the step, in order: named ones from the flow, the end of the step,
    /// the moment it failed.
    #[serde(default)]
    pub screenshots: Vec<Screenshot>,
    /// The checkboxes the step ensured: the state before, after, and as read back.
    #[serde(default)]
    pub ensured: Vec<Ensured>,
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
}
