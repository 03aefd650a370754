//! Creating the WebDriver session: Chromium's or Firefox's capabilities (headless, a fresh
//! profile, download preferences) kept standard enough for Selenium Grid, and a session the Grid
//! has no free slot for asked again with back-off.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::error::BrowserError;
use super::{BrowserKind, BrowserOptions};

/// Chromium flags that work in containers and as root (see the brief), plus quietness.
const BASE_ARGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-search-engine-choice-screen",
    "--password-store=basic",
];

/// The capabilities for a new session. `profile` is the fresh profile folder (only for a driver
/// on this machine; a remote Grid node manages its own profiles).
pub(crate) fn capabilities(opts: &BrowserOptions, profile: Option<&Path>) -> Map<String, Value> {
    let mut caps = match opts.browser {
        BrowserKind::Chromium => chromium(opts, profile),
        BrowserKind::Firefox => firefox(opts, profile),
    };
    caps.insert("pageLoadStrategy".into(), json!("normal"));
    caps.insert(
        "timeouts".into(),
        json!({
            "pageLoad": millis(opts.page_load_timeout),
            "script": 30_000,
            "implicit": 0,
        }),
    );
    // Lets Selenium Grid keep the node's downloads for us (managed downloads); drivers ignore it.
    caps.insert("se:downloadsEnabled".into(), json!(true));
    caps
}

/// Firefox through geckodriver: headless, the fresh profile (`-profile`), downloads saved into
/// the run folder without a dialog, PDFs saved instead of shown.
fn firefox(opts: &BrowserOptions, profile: Option<&Path>) -> Map<String, Value> {
    let (w, h) = opts.window;
    let mut args: Vec<String> = vec![format!("--width={w}"), format!("--height={h}")];
    if !opts.headed {
        args.push("-headless".into());
    }
    if let Some(p) = profile {
        args.push("-profile".into());
        args.push(p.display().to_string());
    }
    let mut firefox = json!({
        "args": args,
        "prefs": {
            "browser.download.dir": opts.download_dir.display().to_string(),
            "browser.download.folderList": 2,
            "browser.download.useDownloadDir": true,
            "browser.download.manager.showWhenStarting": false,
            "browser.download.always_ask_before_handling_new_types": false,
            "browser.helperApps.neverAsk.saveToDisk": "application/pdf,application/octet-stream",
            "pdfjs.disabled": true,
            "browser.shell.checkDefaultBrowser": false,
            "browser.startup.homepage_override.mstone": "ignore",
            "datareporting.policy.dataSubmissionEnabled": false,
            "signon.rememberSignons": false,
        },
    });
    // Our own geckodriver: the Firefox on PATH (Debian calls it firefox-esr).
    if profile.is_some() {
        if let Some(bin) = opts.chrome_binary.clone().or_else(super::driver::find_firefox) {
            firefox["binary"] = json!(bin.display().to_string());
        }
    }
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("firefox"));
    caps.insert("moz:firefoxOptions".into(), firefox);
    caps
}

/// Chromium through chromedriver.
fn chromium(opts: &BrowserOptions, profile: Option<&Path>) -> Map<String, Value> {
    let mut args: Vec<String> = BASE_ARGS.iter().map(|s| s.to_string()).collect();
    if !opts.headed {
        args.push("--headless=new".into());
    }
    let (w, h) = opts.window;
    args.push(format!("--window-size={w},{h}"));
    if let Some(p) = profile {
        args.push(format!("--user-data-dir={}", p.display()));
    }
    let mut chrome = json!({
        "args": args,
        "prefs": {
            "download.default_directory": opts.download_dir.display().to_string(),
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
            "safebrowsing.enabled": false,
            "plugins.always_open_pdf_externally": true,
            "session.restore_on_startup": 4,
            "session.startup_urls": ["about:blank"],
            "credentials_enable_service": false,
            "profile.password_manager_enabled": false,
        },
        "excludeSwitches": ["enable-automation"],
    });
    if let Some(bin) = &opts.chrome_binary {
        chrome["binary"] = json!(bin.display().to_string());
    }
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), chrome);
    caps
}

fn millis(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

/// Opens a session at `url` with `caps`, once.
pub(crate) async fn connect(url: &str, caps: Map<String, Value>) -> Result<fantoccini::Client, BrowserError> {
    open(url, caps).await.map_err(|e| session_error(url, &e))
}

/// How often a session the Grid refused for want of a free slot is asked for again, and the
/// first pause (doubled each time, at most [`MAX_PAUSE`]).
const GRID_ATTEMPTS: u32 = 6;
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const MAX_PAUSE: Duration = Duration::from_secs(15);

/// Opens a session at a remote endpoint with `caps`; when the Grid refuses it because no slot
/// came free in time (its new-session queue timed out), asks again with bounded back-off.
pub(crate) async fn connect_retrying(url: &str, caps: Map<String, Value>) -> Result<fantoccini::Client, BrowserError> {
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        match open(url, caps.clone()).await {
            Err(e) if attempt < GRID_ATTEMPTS && no_free_slot(&e) => {
                tracing::warn!(
                    attempt,
                    pause_s = pause.as_secs(),
                    "the WebDriver server has no free slot for a new session; asking again"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_PAUSE);
                attempt += 1;
            }
            r => return r.map_err(|e| session_error(url, &e)),
        }
    }
}

/// Whether the server refused the session only for want of capacity right now: Selenium Grid's
/// new-session queue timed out or was full, or no slot was free.
fn no_free_slot(e: &fantoccini::error::NewSessionError) -> bool {
    use fantoccini::error::NewSessionError as E;
    let text = match e {
        E::SessionNotCreated(w) => w.to_string(),
        E::UnexpectedError(c) => c.to_string(),
        _ => return false,
    };
    is_capacity_refusal(&text)
}

/// The words Selenium Grid uses when it has no capacity for a session now (as opposed to none
/// for this browser at all, "No nodes support the capabilities").
fn is_capacity_refusal(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    !t.contains("no nodes support")
        && (t.contains("new session request timed out")
            || t.contains("session request timed out")
            || t.contains("queue is full")
            || t.contains("no free slot")
            || t.contains("no slot"))
}

async fn open(url: &str, caps: Map<String, Value>) -> Result<fantoccini::Client, fantoccini::error::NewSessionError> {
    let mut builder = match fantoccini::ClientBuilder::rustls() {
        Ok(b) => b,
        Err(e) => {
            return Err(fantoccini::error::NewSessionError::Lost(std::io::Error::other(
                format!("TLS set-up failed: {e}"),
            )))
        }
    };
    builder.capabilities(caps);
    builder.connect(url).await
}

fn session_error(url: &str, e: &fantoccini::error::NewSessionError) -> BrowserError {
    BrowserError::Session {
        url: url.to_string(),
        message: explain(e),
    }
}

/// Longest part of a WebDriver server's answer quoted in an error.
const MAX_QUOTE: usize = 200;

/// A session error in one short line: an ordinary web server or an unreachable address named as
/// such, anything else clipped (a web page in the answer is never quoted whole).
fn explain(e: &fantoccini::error::NewSessionError) -> String {
    use fantoccini::error::{CmdError, NewSessionError as E};
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let web_page = lower.contains("<html") || lower.contains("<!doctype") || lower.contains("<body");
    match e {
        E::Failed(_) | E::FailedC(_) | E::Lost(_) => format!("nothing answers there ({})", clip(&text)),
        E::NotW3C(_) | E::UnexpectedError(CmdError::NotJson(_) | CmdError::NotW3C(_)) => {
            "it is not a WebDriver server (it answered, but not as WebDriver does)".to_string()
        }
        _ if web_page => "it is not a WebDriver server (it answered with a web page)".to_string(),
        _ => clip(&text),
    }
}

/// One line of at most [`MAX_QUOTE`] characters.
fn clip(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_QUOTE) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::is_capacity_refusal;

    #[test]
    fn a_full_grid_is_retried_a_grid_without_the_browser_is_not() {
        assert!(is_capacity_refusal(
            "session not created: Could not start a new session. New session request timed out"
        ));
        assert!(is_capacity_refusal(
            "Session request rejected: the new session queue is full"
        ));
        assert!(!is_capacity_refusal(
            "Could not start a new session. No nodes support the capabilities in the request"
        ));
        assert!(!is_capacity_refusal("cannot find Chrome binary"));
    }
}
