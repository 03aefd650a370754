//! The browser: a WebDriver session (own chromedriver or a remote endpoint) and the element
//! operations the runner needs, each with auto-wait and Playwright-style actionability checks.
//!
//! All JavaScript lives in one page script (`js/`, split by concern: roles and accessible names,
//! visibility and actionability, obstacles, locate, select, settle, popups, forms), installed
//! once per document as the global `window.__postnlRobot` and called by name (`script.rs`): one
//! small WebDriver call normally, two on the first call in a new document.
//!
//! Every element operation makes one asynchronous call of the script's `locate` that waits
//! inside the page (bounded by [`Wait::timeout`]; it looks again at every change of the
//! document): it checks the obstacle triggers, resolves the [`Query`] to exactly one visible
//! element and checks it is actionable (attached, visible, enabled, stable across two animation
//! frames, receiving events at its centre) — and, for a field, focuses it. The action itself
//! uses WebDriver's native input, so the page sees trusted events: on Chromium a click in the
//! top document is one pointer action at the point the script just checked (a form's submit
//! control, a frame's element and other browsers: WebDriver's element click); text goes in
//! through DevTools text insertion. Clicks, selections and ticks then *settle*, again in one call that waits in
//! the page: they return only once a navigation they caused has loaded, or the fetch/XHR
//! requests they started have finished and the page no longer shows it is busy (a spinner that
//! appeared, the clicked button disabled while it works). The robot asks again only when a
//! navigation interrupted a call or an action failed (intercepted, stale), with a short back-off.
//! [`Browser::traffic`] counts the WebDriver round trips and the time spent waiting for them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), postnl_robot::browser::BrowserError> {
//! use postnl_robot::browser::{Browser, BrowserOptions, Query, Wait};
//! let browser = Browser::launch(&BrowserOptions::new("/tmp/downloads")).await?;
//! browser.goto("http://127.0.0.1:8080/").await?;
//! browser.click(&Query::role("button", Some("Opslaan")), &Wait::secs(10)).await?;
//! browser.close().await;
//! # Ok(()) }
//! ```

mod actions;
mod cdp;
mod client;
mod download;
pub mod driver;
mod engine;
pub mod error;
pub mod fingerprint;
mod frames;
mod gecko;
mod grid;
pub mod inspect;
mod popups;
pub mod query;
mod script;
mod session;
mod settle;
pub mod trace;
mod unzip;

use std::path::PathBuf;
use std::time::Duration;

pub use client::{Browser, EarlyDriver};
pub use driver::Driver;
pub use error::BrowserError;
pub use query::{Query, TextQuery};
pub use script::Traffic;

/// Which browser a session runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BrowserKind {
    /// Chromium through chromedriver (`browserName: chrome`).
    #[default]
    Chromium,
    /// Firefox through geckodriver (`browserName: firefox`).
    Firefox,
}

impl BrowserKind {
    /// `chromium` or `firefox`, for reports and folder names.
    pub fn as_str(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chromium",
            BrowserKind::Firefox => "firefox",
        }
    }

    /// The WebDriver `browserName` a session asks for.
    pub fn browser_name(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chrome",
            BrowserKind::Firefox => "firefox",
        }
    }

    /// The driver binary this machine runs for it.
    pub fn driver_name(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chromedriver",
            BrowserKind::Firefox => "geckodriver",
        }
    }
}

/// How to get a browser.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Chromium (default) or Firefox.
    pub browser: BrowserKind,
    /// A running WebDriver server (Selenium Grid, a remote chromedriver). `None`: start our own
    /// driver (chromedriver or geckodriver).
    pub webdriver: Option<String>,
    /// The driver to start; `None`: `chromedriver` / `geckodriver` on PATH (geckodriver also in
    /// `~/.cargo/bin`).
    pub driver_path: Option<PathBuf>,
    /// The browser binary for our own driver to start (Chromium, or Firefox); `None`: the
    /// driver's default (for Firefox: `firefox` or `firefox-esr` on PATH).
    pub chrome_binary: Option<PathBuf>,
    /// Show the browser window (default: headless).
    pub headed: bool,
    /// Where downloads land; made absolute and created if missing.
    pub download_dir: PathBuf,
    /// Window size in CSS pixels (default 1280×900).
    pub window: (u32, u32),
    /// Bound on a page load (`goto`, `reload`, navigations caused by clicks). Default 60 s.
    pub page_load_timeout: Duration,
}

impl BrowserOptions {
    /// Defaults (own chromedriver, headless, 1280×900) with downloads going to `download_dir`.
    pub fn new(download_dir: impl Into<PathBuf>) -> Self {
        BrowserOptions {
            download_dir: download_dir.into(),
            ..Default::default()
        }
    }
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            browser: BrowserKind::Chromium,
            webdriver: None,
            driver_path: None,
            chrome_binary: None,
            headed: false,
            download_dir: std::env::temp_dir().join("postnl-robot-downloads"),
            window: (1280, 900),
            page_load_timeout: Duration::from_secs(60),
        }
    }
}

/// What a session runs on, for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrowserInfo {
    /// `chromium` or `firefox`.
    pub name: String,
    /// `browserVersion` from the session's capabilities.
    pub version: String,
    /// chromedriver's or geckodriver's version, when it reports it.
    pub driver_version: Option<String>,
    /// The WebDriver URL used.
    pub webdriver: String,
    /// True when this process started the driver.
    pub own_driver: bool,
    /// The Selenium Grid node that runs the session (from the hub's `/status`), when there is one.
    pub node: Option<GridNode>,
    /// How downloads reach the run folder.
    pub downloads: DownloadWay,
}

/// A Selenium Grid node, as the hub's `GET /status` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GridNode {
    /// The node's id (a UUID).
    pub id: String,
    /// The node's address, e.g. `http://10.0.0.7:5555`.
    pub uri: String,
}

/// How a download gets into the run folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DownloadWay {
    /// The browser runs on this machine and saves into the run folder itself.
    Local,
    /// Selenium Grid's managed downloads: fetched from the node (`/se/files`) and unpacked here.
    Managed,
    /// A remote browser saves into the run folder's path, which must be shared with it (a volume).
    SharedFolder,
}

impl DownloadWay {
    /// `local`, `managed` or `shared-folder`, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DownloadWay::Local => "local",
            DownloadWay::Managed => "managed",
            DownloadWay::SharedFolder => "shared-folder",
        }
    }
}

/// How long an element operation may wait, and which obstacles interrupt it.
#[derive(Debug, Clone)]
pub struct Wait {
    /// Poll until this much time has passed.
    pub timeout: Duration,
    /// Handler triggers, in order: as soon as one is visible the operation fails with
    /// [`BrowserError::Obstacle`] and its index. While running handler *i*, pass a `Wait`
    /// without trigger *i* (else the handler's own clicks would be reported as obstacles).
    pub obstacles: Vec<Query>,
}

impl Wait {
    /// Wait up to `timeout`, no obstacles.
    pub fn new(timeout: Duration) -> Self {
        Wait {
            timeout,
            obstacles: Vec::new(),
        }
    }

    /// Wait up to `secs` seconds, no obstacles.
    pub fn secs(secs: u64) -> Self {
        Wait::new(Duration::from_secs(secs))
    }

    /// The same wait, interrupted by these handler triggers.
    pub fn with_obstacles(mut self, obstacles: Vec<Query>) -> Self {
        self.obstacles = obstacles;
        self
    }
}

/// The element an operation acted on, described for people: `<button> "Opslaan"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub description: String,
}

/// The outcome of [`Browser::select`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    /// The full visible text of the chosen option or item.
    pub text: String,
    /// It was already selected, so nothing was clicked.
    pub already_selected: bool,
    /// Where it was chosen: `<select …>` or the clicked item.
    pub description: String,
}
