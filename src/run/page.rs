//! [`Page`]: the browser calls the executor makes, so that it can run on the WebDriver
//! [`Browser`] or, in unit tests, on a scripted fake.
//!
//! Element operations auto-wait (bounded by [`Wait::timeout`]) and fail with
//! [`BrowserError::Obstacle`] when one of the wait's obstacle triggers shows; see
//! [`crate::browser`] for the rules.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use crate::browser::fingerprint::{FingerprintRequest, PageFingerprint};
use crate::browser::trace::PageTrace;
use crate::browser::{Browser, BrowserError, Found, Query, Selected, TextQuery, Traffic, Wait};
use crate::run::result::BrowserInfo;

/// One browser tab the executor drives.
pub trait Page: Sync {
    /// The browser behind the page, for the report.
    fn info(&self) -> BrowserInfo;
    /// The traffic with the browser so far (round trips, time waited); none for a fake.
    fn traffic(&self) -> Traffic {
        Traffic::default()
    }
    /// Opens `url` and waits until it has loaded.
    fn goto(&self, url: &str) -> impl Future<Output = Result<(), BrowserError>> + Send;
    /// Reloads the current page and waits until it has loaded.
    fn reload(&self) -> impl Future<Output = Result<(), BrowserError>> + Send;
    /// The address of the current page.
    fn current_url(&self) -> impl Future<Output = Result<String, BrowserError>> + Send;
    /// The HTTP status of the current document, when known.
    fn page_status(&self) -> impl Future<Output = Result<Option<u16>, BrowserError>> + Send;
    /// The messages the page shows a person (alerts, status lines).
    fn messages(&self) -> impl Future<Output = Result<Vec<String>, BrowserError>> + Send;
    /// The page's data requests that answered HTTP 5xx, as (path, status).
    fn failed_requests(&self) -> impl Future<Output = Result<Vec<(String, u16)>, BrowserError>> + Send;
    /// A PNG of the viewport.
    fn screenshot_png(&self) -> impl Future<Output = Result<Vec<u8>, BrowserError>> + Send;
    /// Waits (bounded) until the page shows no busy indicator; answers whether it got there.
    fn wait_until_idle(&self, timeout: Duration) -> impl Future<Output = Result<bool, BrowserError>> + Send;
    /// Clicks the one element `q` finds, once it is actionable.
    fn click(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<Found, BrowserError>> + Send;
    /// Types `value` into the one field `q` finds.
    fn fill(&self, q: &Query, value: &str, w: &Wait) -> impl Future<Output = Result<Found, BrowserError>> + Send;
    /// Chooses an option (of the dropdown `from`, if given).
    fn select(
        &self,
        from: Option<&Query>,
        option: &TextQuery,
        w: &Wait,
    ) -> impl Future<Output = Result<Selected, BrowserError>> + Send;
    /// Ticks or unticks a box; answers whether it changed anything.
    fn set_checked(
        &self,
        q: &Query,
        checked: bool,
        w: &Wait,
    ) -> impl Future<Output = Result<bool, BrowserError>> + Send;
    /// Whether the box `q` finds is ticked.
    fn is_checked(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<bool, BrowserError>> + Send;
    /// Waits until exactly one element matches and is visible.
    fn wait_visible(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<Found, BrowserError>> + Send;
    /// Whether exactly one element matches and is visible now (no waiting).
    fn probe_visible(&self, q: &Query) -> impl Future<Output = Result<bool, BrowserError>> + Send;
    /// Waits until the page is idle (bounded by `idle`), then until one of `queries` finds a
    /// visible element (bounded by `within`; zero: one look); answers, per query, whether it
    /// does. A browser does it in one call.
    fn show(
        &self,
        idle: Duration,
        within: Duration,
        queries: &[Query],
    ) -> impl Future<Output = Result<Vec<bool>, BrowserError>> + Send {
        async move {
            let _ = within;
            self.wait_until_idle(idle).await?;
            let mut seen = Vec::with_capacity(queries.len());
            for q in queries {
                seen.push(self.probe_visible(q).await?);
            }
            Ok(seen)
        }
    }
    /// The visible text of the one element `q` finds.
    fn text_of(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<String, BrowserError>> + Send;
    /// Clicks a download link and waits for the file; answers its path.
    fn download(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<PathBuf, BrowserError>> + Send;
    /// Marks the menus open now; answers how many.
    fn mark_open_popups(&self) -> impl Future<Output = Result<usize, BrowserError>> + Send;
    /// Re-opens the marked menus that have closed since; answers what it re-opened.
    fn reopen_popups(&self, timeout: Duration) -> impl Future<Output = Result<Vec<String>, BrowserError>> + Send;
    /// What `verify` compares: the touched elements' roles and names and the labels around
    /// them, the path, the title and the masked regions (no waiting).
    fn fingerprint(
        &self,
        _req: &FingerprintRequest,
    ) -> impl Future<Output = Result<PageFingerprint, BrowserError>> + Send {
        async { Ok(PageFingerprint::default()) }
    }
    /// Every text on the page a locator of `q`'s kind could have meant ("did you mean").
    fn candidates(&self, _q: &Query) -> impl Future<Output = Result<Vec<String>, BrowserError>> + Send {
        async { Ok(vec![]) }
    }
    /// Waits until the one element `q` finds could be clicked, without clicking it (the dry run
    /// of a committing action).
    fn check_clickable(&self, q: &Query, w: &Wait) -> impl Future<Output = Result<Found, BrowserError>> + Send {
        self.wait_visible(q, w)
    }
    /// What the page recorded for `--trace` since the last read, with its DOM when `dom`.
    fn trace_read(&self, _dom: bool) -> impl Future<Output = Result<PageTrace, BrowserError>> + Send {
        async { Ok(PageTrace::default()) }
    }
}

impl Page for Browser {
    fn traffic(&self) -> Traffic {
        Browser::traffic(self)
    }
    fn info(&self) -> BrowserInfo {
        let i = Browser::info(self);
        BrowserInfo {
            name: i.name.clone(),
            version: i.version.clone(),
            webdriver: i.webdriver.clone(),
            node: i.node.as_ref().map(|n| crate::run::result::NodeInfo {
                id: n.id.clone(),
                uri: n.uri.clone(),
            }),
            downloads: Some(i.downloads.as_str().to_string()),
        }
    }
    async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        Browser::goto(self, url).await
    }
    async fn reload(&self) -> Result<(), BrowserError> {
        Browser::reload(self).await
    }
    async fn current_url(&self) -> Result<String, BrowserError> {
        Browser::current_url(self).await
    }
    async fn page_status(&self) -> Result<Option<u16>, BrowserError> {
        Browser::page_status(self).await
    }
    async fn messages(&self) -> Result<Vec<String>, BrowserError> {
        Browser::messages(self).await
    }
    async fn failed_requests(&self) -> Result<Vec<(String, u16)>, BrowserError> {
        Browser::failed_requests(self).await
    }
    async fn screenshot_png(&self) -> Result<Vec<u8>, BrowserError> {
        Browser::screenshot_png(self).await
    }
    async fn wait_until_idle(&self, timeout: Duration) -> Result<bool, BrowserError> {
        Browser::wait_until_idle(self, timeout).await
    }
    async fn click(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        Browser::click(self, q, w).await
    }
    async fn fill(&self, q: &Query, value: &str, w: &Wait) -> Result<Found, BrowserError> {
        Browser::fill(self, q, value, w).await
    }
    async fn select(&self, from: Option<&Query>, option: &TextQuery, w: &Wait) -> Result<Selected, BrowserError> {
        Browser::select(self, from, option, w).await
    }
    async fn set_checked(&self, q: &Query, checked: bool, w: &Wait) -> Result<bool, BrowserError> {
        Browser::set_checked(self, q, checked, w).await
    }
    async fn is_checked(&self, q: &Query, w: &Wait) -> Result<bool, BrowserError> {
        Browser::is_checked(self, q, w).await
    }
    async fn wait_visible(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        Browser::wait_visible(self, q, w).await
    }
    async fn show(&self, idle: Duration, within: Duration, queries: &[Query]) -> Result<Vec<bool>, BrowserError> {
        Browser::show(self, idle, within, queries).await
    }
    async fn probe_visible(&self, q: &Query) -> Result<bool, BrowserError> {
        Browser::probe_visible(self, q).await
    }
    async fn text_of(&self, q: &Query, w: &Wait) -> Result<String, BrowserError> {
        Browser::text_of(self, q, w).await
    }
    async fn download(&self, q: &Query, w: &Wait) -> Result<PathBuf, BrowserError> {
        Browser::download(self, q, w).await
    }
    async fn mark_open_popups(&self) -> Result<usize, BrowserError> {
        Browser::mark_open_popups(self).await
    }
    async fn reopen_popups(&self, timeout: Duration) -> Result<Vec<String>, BrowserError> {
        Browser::reopen_popups(self, timeout).await
    }
    async fn fingerprint(&self, req: &FingerprintRequest) -> Result<PageFingerprint, BrowserError> {
        Browser::fingerprint(self, req).await
    }
    async fn candidates(&self, q: &Query) -> Result<Vec<String>, BrowserError> {
        Browser::candidates(self, q).await
    }
    async fn check_clickable(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        Browser::check_clickable(self, q, w).await
    }
    async fn trace_read(&self, dom: bool) -> Result<PageTrace, BrowserError> {
        Browser::trace_read(self, dom).await
    }
}
