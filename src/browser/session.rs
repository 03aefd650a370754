//! Creating the WebDriver session: Chromium's capabilities (headless flags, a fresh profile,
//! download preferences) kept standard enough for Selenium Grid.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::error::BrowserError;
use super::BrowserOptions;

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

/// The capabilities for a new session. `profile` is the fresh `--user-data-dir` (only for a
/// driver on this machine; a remote Grid node manages its own profiles).
pub(crate) fn capabilities(opts: &BrowserOptions, profile: Option<&Path>) -> Map<String, Value> {
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
    caps.insert("pageLoadStrategy".into(), json!("normal"));
    caps.insert(
        "timeouts".into(),
        json!({
            "pageLoad": millis(opts.page_load_timeout),
            "script": 30_000,
            "implicit": 0,
        }),
    );
    // Lets Selenium Grid keep downloads of the node; ignored by chromedriver.
    caps.insert("se:downloadsEnabled".into(), json!(true));
    caps
}

fn millis(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

/// Opens a session at `url` with `caps`.
pub(crate) async fn connect(url: &str, caps: Map<String, Value>) -> Result<fantoccini::Client, BrowserError> {
    let mut builder = fantoccini::ClientBuilder::rustls().map_err(|e| BrowserError::Session {
        url: url.to_string(),
        message: format!("TLS set-up failed: {e}"),
    })?;
    builder.capabilities(caps);
    builder.connect(url).await.map_err(|e| BrowserError::Session {
        url: url.to_string(),
        message: explain(&e),
    })
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
