//! [`Browser`]: one WebDriver session with its driver and profile, and the page-level
//! operations (navigate, reload, URL, HTTP status, screenshot, close).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use tempfile::TempDir;

use super::driver::Driver;
use super::engine::{is_transient, Attempts};
use super::error::BrowserError;
use super::script::Counters;
use super::{grid, session, BrowserInfo, BrowserKind, BrowserOptions, DownloadWay};

/// A browser session. Owns the fantoccini client, the driver it started (if any) and the
/// temporary profile directory; [`Browser::close`] ends all three (dropping does too, less
/// gracefully: the driver's process group is killed).
#[derive(Debug)]
pub struct Browser {
    pub(crate) client: fantoccini::Client,
    pub(crate) download_dir: PathBuf,
    pub(crate) page_load_timeout: Duration,
    pub(crate) counters: Counters,
    /// What the last [`Browser::wait_until_idle`] saw, reused while nothing else was sent.
    pub(crate) look: Mutex<Option<Look>>,
    /// What the last [`Browser::show`] saw: (round trips then, [(query, visible)]), answering
    /// a probe of the same query while nothing else was sent.
    pub(crate) probes: super::script::Stamped<Vec<(serde_json::Value, bool)>>,
    /// The current document's HTTP status, once asked: (document, status).
    status: Mutex<Option<(u64, Option<u16>)>>,
    pub(crate) kind: BrowserKind,
    info: BrowserInfo,
    // Field order is drop order: the driver (and its browsers) go before the profile directory.
    driver: Option<Driver>,
    profile: Option<TempDir>,
}

impl Browser {
    /// Starts a browser: at `opts.webdriver` if given (a session the Grid has no free slot for
    /// is asked for again, with back-off), else with a driver of our own (chromedriver, or
    /// geckodriver for Firefox).
    pub async fn launch(opts: &BrowserOptions) -> Result<Browser, BrowserError> {
        match &opts.webdriver {
            Some(url) => Self::start(opts, url, None, None).await,
            None => {
                // The profile first, so that the driver's watchdog removes it whatever happens.
                let profile = new_profile(opts.browser.driver_name())?;
                let driver =
                    Driver::spawn_cleaning(opts.browser, opts.driver_path.as_deref(), Some(profile.path())).await?;
                let url = driver.url().to_string();
                Self::start(opts, &url, Some(profile), Some(driver)).await
            }
        }
    }

    /// [`Browser::launch_until`] on a driver of our own started ahead with
    /// [`EarlyDriver::start`] (while the flow was read and bound), when given.
    pub async fn launch_until_early(
        opts: &BrowserOptions,
        cancel: &tokio_util::sync::CancellationToken,
        early: Option<EarlyDriver>,
    ) -> Result<Option<Browser>, BrowserError> {
        match early {
            Some(e) if opts.webdriver.is_none() => Self::launch_until_with(opts, cancel, Some(e)).await,
            _ => Self::launch_until_with(opts, cancel, None).await,
        }
    }

    /// [`Browser::launch`], given up when `cancel` fires (answers `None` then). A session a
    /// remote endpoint is creating at that moment is waited for (bounded) and closed, so that no
    /// browser is left behind on a Grid node; our own driver is simply stopped.
    pub async fn launch_until(
        opts: &BrowserOptions,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> Result<Option<Browser>, BrowserError> {
        Self::launch_until_with(opts, cancel, None).await
    }

    async fn launch_until_with(
        opts: &BrowserOptions,
        cancel: &tokio_util::sync::CancellationToken,
        early: Option<EarlyDriver>,
    ) -> Result<Option<Browser>, BrowserError> {
        /// How long a session being created may still take once we are interrupted.
        const FINISH_CREATING: Duration = Duration::from_secs(30);
        let owned = opts.clone();
        let mut launch = tokio::spawn(async move {
            match early {
                Some(e) => {
                    let (driver, profile) = e.ready().await?;
                    let url = driver.url().to_string();
                    Browser::start(&owned, &url, Some(profile), Some(driver)).await
                }
                None => Browser::launch(&owned).await,
            }
        });
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                if opts.webdriver.is_some() {
                    if let Ok(Ok(Ok(b))) = tokio::time::timeout(FINISH_CREATING, &mut launch).await {
                        b.close().await;
                    }
                }
                // Our own driver: dropping the half-done start stops it and removes the profile.
                launch.abort();
                let _ = launch.await;
                Ok(None)
            }
            done = &mut launch => match done {
                Ok(r) => r.map(Some),
                Err(e) => Err(BrowserError::Session {
                    url: opts.webdriver.clone().unwrap_or_default(),
                    message: format!("the start of the browser failed: {e}"),
                }),
            },
        }
    }

    /// Starts a browser on a chromedriver running on this machine that someone else owns (e.g.
    /// one [`Driver`] shared by a whole test binary). Like an own driver, the session gets a
    /// fresh temporary profile.
    pub async fn launch_with_driver(opts: &BrowserOptions, driver: &Driver) -> Result<Browser, BrowserError> {
        Self::start(opts, driver.url(), Some(new_profile(driver.url())?), None).await
    }

    async fn start(
        opts: &BrowserOptions,
        url: &str,
        profile: Option<TempDir>,
        driver: Option<Driver>,
    ) -> Result<Browser, BrowserError> {
        let download_dir = absolute_dir(&opts.download_dir)?;
        let mut resolved = opts.clone();
        resolved.download_dir = download_dir.clone();
        let caps = session::capabilities(&resolved, profile.as_ref().map(|p| p.path()));
        // No profile of ours: the endpoint is remote (a Grid, a chromedriver elsewhere).
        let remote = profile.is_none();
        let client = if remote {
            session::connect_retrying(url, caps).await?
        } else {
            session::connect(url, caps).await?
        };
        let info = info_from(&client, opts.browser, url, driver.is_some(), remote).await;
        tracing::info!(
            browser = %info.name,
            version = %info.version,
            node = info.node.as_ref().map(|n| n.uri.as_str()).unwrap_or("-"),
            downloads = info.downloads.as_str(),
            "browser session started"
        );
        let browser = Browser {
            client,
            download_dir,
            page_load_timeout: opts.page_load_timeout,
            counters: Counters::default(),
            look: Mutex::new(None),
            probes: Mutex::new(None),
            status: Mutex::new(None),
            kind: opts.browser,
            info,
            driver,
            profile,
        };
        browser.register_script().await;
        Ok(browser)
    }

    /// Browser name and version, driver version and URL, for reports.
    pub fn info(&self) -> &BrowserInfo {
        &self.info
    }

    /// The (absolute) directory downloads land in.
    pub fn download_dir(&self) -> &Path {
        &self.download_dir
    }

    /// The underlying fantoccini client, for anything this layer does not cover.
    pub fn client(&self) -> &fantoccini::Client {
        &self.client
    }

    /// Opens `url` and waits until the page has loaded (`document.readyState == "complete"`).
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        let _trace = self.trace_op("goto");
        self.flush_settle().await?;
        let went = self.wd(self.client.goto(url)).await;
        self.new_document();
        went?;
        self.wait_loaded().await
    }

    /// Reloads the current page and waits until it has loaded.
    pub async fn reload(&self) -> Result<(), BrowserError> {
        let _trace = self.trace_op("reload");
        self.flush_settle().await?;
        let went = self.wd(self.client.refresh()).await;
        self.new_document();
        went?;
        self.wait_loaded().await
    }

    /// The address of the current page: the one [`Browser::wait_until_idle`] or a call that
    /// found a new document just read, when nothing was sent to the browser since; else from
    /// the page script, in the same call that settles what the last action started.
    pub async fn current_url(&self) -> Result<String, BrowserError> {
        if let Some(look) = self.fresh_look() {
            return Ok(look.url);
        }
        if let Some(url) = self.fresh_url() {
            return Ok(url);
        }
        match self.url_here().await {
            Ok(Some(url)) => return Ok(url),
            Ok(None) => {}
            Err(e) if is_transient(&e) => {}
            Err(e) => return Err(e.into()),
        }
        self.flush_settle().await?;
        Ok(self.wd(self.client.current_url()).await?.to_string())
    }

    /// Keeps what a call just saw of the page (see [`Browser::fresh_look`]).
    pub(crate) fn keep_look(&self, mut look: Look) {
        look.stamp = self.round_trips();
        *self.look.lock().expect("look lock") = Some(look);
    }

    /// What the last idle check (or a call answering the same) saw, when no command was sent
    /// to the browser since.
    pub(crate) fn fresh_look(&self) -> Option<Look> {
        let look = self.look.lock().ok()?.clone()?;
        (look.stamp == self.round_trips()).then_some(look)
    }

    /// The HTTP status of the current document's main response (Navigation Timing's
    /// `responseStatus`), e.g. 500 for a server error page; `None` when the browser does not
    /// know it (`about:blank`, a document from the cache, an older browser).
    ///
    /// Asked once per document, and answered with the call that installs the page script or
    /// notices a new document. While the settling after an action is still owed, this is the
    /// status of the document the robot last saw: a new document the action loaded is noticed
    /// by the next call into the page (an element operation finding an HTTP 5xx page there
    /// fails at once, see [`Called::ErrorPage`](super::script::Called)).
    pub async fn page_status(&self) -> Result<Option<u16>, BrowserError> {
        let doc = self.document();
        if let Some((d, status)) = *self.status.lock().expect("status lock") {
            if d == doc || self.settle_owed() {
                return Ok(status);
            }
        }
        match self.call("pageStatus", vec![]).await {
            Ok(v) => {
                let status = v.as_u64().and_then(|s| u16::try_from(s).ok());
                // The call itself may have found a new document (and installed the script).
                self.note_status(status);
                Ok(status)
            }
            Err(e) if is_transient(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Remembers `status` as the current document's.
    pub(crate) fn note_status(&self, status: Option<u16>) {
        *self.status.lock().expect("status lock") = Some((self.document(), status));
    }

    /// The current document's status, when known (no round trip).
    pub(crate) fn known_status(&self) -> Option<u16> {
        let doc = self.document();
        match *self.status.lock().expect("status lock") {
            Some((d, s)) if d == doc => s,
            _ => None,
        }
    }

    /// The messages the page shows a person right now (`role=alert`/`status`, `aria-live`),
    /// e.g. "Onjuist e-mailadres of wachtwoord.", to explain a failure.
    pub async fn messages(&self) -> Result<Vec<String>, BrowserError> {
        match self.call("messages", vec![]).await {
            Ok(v) => Ok(serde_json::from_value(v).unwrap_or_default()),
            Err(e) if is_transient(&e) => Ok(vec![]),
            Err(e) => Err(e.into()),
        }
    }

    /// The data requests (fetch/XHR) of the current page that answered HTTP 5xx, as (path,
    /// status), from Resource Timing: a page that shows nothing because its data did not load.
    pub async fn failed_requests(&self) -> Result<Vec<(String, u16)>, BrowserError> {
        // The last call answered them, and nothing was sent since.
        if let Some(failed) = self.fresh_failed_requests() {
            return Ok(failed);
        }
        match self.call("failedRequests", vec![]).await {
            Ok(v) => Ok(serde_json::from_value(v).unwrap_or_default()),
            Err(e) if is_transient(&e) => Ok(vec![]),
            Err(e) => Err(e.into()),
        }
    }

    /// A PNG of the whole page where the browser can (Chromium: DevTools `captureBeyondViewport`;
    /// Firefox: geckodriver's full-page screenshot; so the controls below the fold are in it
    /// too), else of the viewport.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>, BrowserError> {
        self.flush_settle().await?;
        let full = match self.kind {
            BrowserKind::Chromium => self.full_page_png().await,
            BrowserKind::Firefox => self.gecko_full_page_png().await,
        };
        if let Some(png) = full {
            return Ok(png);
        }
        Ok(self.wd(self.client.screenshot()).await?)
    }

    /// The whole page through geckodriver; `None` when not available.
    async fn gecko_full_page_png(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let v = self
            .wd(self.client.issue_cmd(super::gecko::FullScreenshot))
            .await
            .ok()?;
        base64::engine::general_purpose::STANDARD.decode(v.as_str()?).ok()
    }

    /// The whole page through DevTools; `None` when not available (not Chromium, a Grid that
    /// does not forward DevTools) or when the page is no taller than the viewport.
    ///
    /// The page's size comes from the idle check just before, when nothing was sent since; else
    /// from DevTools.
    async fn full_page_png(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        /// Chromium's limit for one capture is 16384 px; longer pages are cut there.
        const MAX_HEIGHT: f64 = 16_000.0;
        let (w, h, vw, vh) = match self.fresh_look() {
            Some(l) => (l.width, l.height, l.view_width, l.view_height),
            None => {
                let m = self.wd(self.client.issue_cmd(super::cdp::LayoutMetrics)).await.ok()?;
                let size = m.get("cssContentSize").or_else(|| m.get("contentSize"))?;
                let view = m.get("cssLayoutViewport").or_else(|| m.get("layoutViewport"))?;
                let (w, h) = (size.get("width")?.as_f64()?, size.get("height")?.as_f64()?);
                let (vw, vh) = (view.get("clientWidth")?.as_f64()?, view.get("clientHeight")?.as_f64()?);
                (w, h, vw, vh)
            }
        };
        let shot = if h <= vh + 1.0 {
            if !self.devtools() {
                return None;
            }
            // The viewport, through DevTools: encoded faster than WebDriver's screenshot.
            super::cdp::CaptureFullPage {
                width: 0.0,
                height: 0.0,
            }
        } else {
            super::cdp::CaptureFullPage {
                width: w.max(vw).ceil(),
                height: h.min(MAX_HEIGHT).ceil(),
            }
        };
        let v = self.wd(self.client.issue_cmd(shot)).await.ok()?;
        base64::engine::general_purpose::STANDARD
            .decode(v.get("data")?.as_str()?)
            .ok()
    }

    /// Polls until `document.readyState` is `complete`, bounded by the page-load timeout.
    pub(crate) async fn wait_loaded(&self) -> Result<(), BrowserError> {
        let mut attempts = Attempts::new(self.page_load_timeout);
        loop {
            match self.call("readyState", vec![]).await {
                Ok(v) if v.as_str() == Some("complete") => return Ok(()),
                Ok(_) => {}
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e.into()),
            }
            if !attempts.next().await {
                return Err(BrowserError::Timeout {
                    what: "the page to finish loading".into(),
                    after: self.page_load_timeout,
                });
            }
        }
    }

    /// Ends the session, stops our chromedriver and removes the profile. With a driver of our
    /// own the browser is not asked to quit (a WebDriver round trip of 0.1–0.2 s): the driver's
    /// whole process group, the browser included, is killed and the temporary profile removed.
    /// On a driver someone else owns, the session is ended the WebDriver way.
    pub async fn close(self) {
        tracing::debug!(
            round_trips = self.round_trips(),
            script_installs = self.script_installs(),
            "closing the browser session"
        );
        let Browser {
            client,
            driver,
            profile,
            ..
        } = self;
        match driver {
            Some(d) => {
                // Dropping the client must not end the session either (the driver is gone).
                let _ = client.persist().await;
                drop(client);
                tokio::task::spawn_blocking(move || d.stop()).await.ok();
            }
            // Bounded: a hung browser must not keep the robot from exiting.
            None => {
                let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
            }
        }
        drop(profile);
    }
}

/// A driver of our own (and the browser profile it will use) being started ahead of the
/// session, e.g. while the flow is read and bound: nothing is opened in a browser until
/// [`Browser::launch_until_early`] gets it. Dropping it stops the driver and removes the
/// profile (as does [`EarlyDriver::discard`], which waits for that).
#[derive(Debug)]
pub struct EarlyDriver(tokio::task::JoinHandle<Result<(Driver, TempDir), BrowserError>>);

impl EarlyDriver {
    /// Starts the driver `opts` asks for, when it is one of our own (no `webdriver` URL).
    pub fn start(opts: &BrowserOptions) -> Option<EarlyDriver> {
        if opts.webdriver.is_some() {
            return None;
        }
        let (kind, path) = (opts.browser, opts.driver_path.clone());
        Some(EarlyDriver(tokio::spawn(async move {
            // The profile first, so that the driver's watchdog removes it whatever happens.
            let profile = new_profile(kind.driver_name())?;
            let driver = Driver::spawn_cleaning(kind, path.as_deref(), Some(profile.path())).await?;
            Ok((driver, profile))
        })))
    }

    /// The started driver and its profile.
    async fn ready(mut self) -> Result<(Driver, TempDir), BrowserError> {
        match (&mut self.0).await {
            Ok(r) => r,
            Err(e) => Err(BrowserError::NoDriver {
                detail: format!("the start of the driver failed: {e}"),
            }),
        }
    }

    /// The run does not start after all: stops the driver and removes the profile, and waits
    /// until that is done.
    pub async fn discard(mut self) {
        self.0.abort();
        if let Ok(Ok(started)) = (&mut self.0).await {
            drop(started);
        }
    }
}

impl Drop for EarlyDriver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the page showed at an idle check: its address and the size of its content and viewport
/// (CSS pixels), stamped with the round-trip count right after the check.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Look {
    #[serde(skip)]
    pub stamp: u64,
    /// Loaded, no busy indicator showing.
    #[serde(default)]
    pub quiet: bool,
    pub url: String,
    pub width: f64,
    pub height: f64,
    #[serde(rename = "viewWidth")]
    pub view_width: f64,
    #[serde(rename = "viewHeight")]
    pub view_height: f64,
}

/// A fresh temporary browser profile (for a driver on this machine; a remote Grid node manages
/// its own).
fn new_profile(url: &str) -> Result<TempDir, BrowserError> {
    tempfile::Builder::new()
        .prefix("postnl-robot-profile-")
        .tempdir()
        .map_err(|e| BrowserError::Session {
            url: url.to_string(),
            message: format!("cannot create a profile directory: {e}"),
        })
}

async fn info_from(
    client: &fantoccini::Client,
    kind: BrowserKind,
    url: &str,
    own_driver: bool,
    remote: bool,
) -> BrowserInfo {
    let caps = client.capabilities();
    let get = |k: &str| caps.and_then(|c| c.get(k));
    let version = get("browserVersion")
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_string();
    let driver_version = get("chrome")
        .and_then(|c| c.get("chromedriverVersion"))
        .or_else(|| get("moz:geckodriverVersion"))
        .and_then(|v| v.as_str())
        .map(|v| v.split_whitespace().next().unwrap_or(v).to_string());
    let managed = get("se:downloadsEnabled").and_then(|v| v.as_bool()) == Some(true);
    let downloads = match (remote, managed) {
        (false, _) => DownloadWay::Local,
        (true, true) => DownloadWay::Managed,
        (true, false) => DownloadWay::SharedFolder,
    };
    let node = match (remote, client.session_id().await) {
        (true, Ok(Some(id))) => grid::node_of(url, &id).await,
        _ => None,
    };
    BrowserInfo {
        name: kind.as_str().into(),
        version,
        driver_version,
        webdriver: url.to_string(),
        own_driver,
        node,
        downloads,
    }
}

/// Makes `dir` absolute and creates it.
fn absolute_dir(dir: &Path) -> Result<PathBuf, BrowserError> {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| BrowserError::Download(format!("no current directory: {e}")))?
            .join(dir)
    };
    std::fs::create_dir_all(&abs)
        .map_err(|e| BrowserError::Download(format!("cannot create {}: {e}", abs.display())))?;
    Ok(abs)
}
