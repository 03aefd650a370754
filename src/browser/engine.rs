//! The Rust side of the page script's `locate` (`js/locate.js`): one request per attempt, its
//! JSON verdict, and the loop (deadline, obstacles) shared by every element operation.
//!
//! An attempt waits inside the page: `locate` looks again whenever the document changes (a
//! `MutationObserver`, and at least every 100 ms for what changes without
//! mutations: layout, animations, shadow roots, frames; `IN_PAGE_POLL_MS` in `js/settle.js`, 100 ms) until its verdict is `ok`, an obstacle
//! shows or the wait given runs out — one WebDriver round trip for the whole wait. The robot
//! asks again only after a navigation interrupted the script, or an action failed.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use fantoccini::error::{CmdError, ErrorStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Browser;
use super::error::BrowserError;
use super::frames::OpaqueFrame;
use super::query::{Query, TextQuery};
use super::script::Called;
use super::Wait;

/// The W3C key of an element reference in JSON.
pub(crate) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What `locate` should do.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Op {
    Probe,
    Visible,
    Click,
    Fill,
    Checked,
    Check,
    Select,
}

/// One request to `locate`.
#[derive(Debug, Serialize)]
pub(crate) struct Request<'a> {
    pub op: Op,
    pub query: Option<&'a Query>,
    pub obstacles: &'a [Query],
    pub option: Option<&'a TextQuery>,
    pub from: Option<&'a Query>,
    pub want: Option<bool>,
    /// Do not list cross-origin frames (the search already runs inside one).
    #[serde(rename = "noFrames", skip_serializing_if = "std::ops::Not::not")]
    pub no_frames: bool,
}

/// Adds what every request to `locate` carries: the attribute marking open menus when an
/// obstacle shows (see [`Browser::mark_open_popups`]).
fn with_popup_mark(mut arg: Value) -> Value {
    if let Some(o) = arg.as_object_mut() {
        if o.get("obstacles")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            o.insert("popupMark".into(), Value::from(super::popups::MARK));
        }
    }
    arg
}

impl<'a> Request<'a> {
    pub fn new(op: Op, query: &'a Query, wait: &'a Wait) -> Self {
        Request {
            op,
            query: Some(query),
            obstacles: &wait.obstacles,
            option: None,
            from: None,
            want: None,
            no_frames: false,
        }
    }
}

/// A successful verdict; which fields are set depends on the operation.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Hit {
    /// The element to act on (a WebDriver element reference).
    pub el: Option<Value>,
    #[serde(default)]
    pub desc: String,
    pub text: Option<String>,
    pub checked: Option<bool>,
    /// The settle token installed in the page (mutating operations).
    pub token: Option<String>,
    /// For `select`: `native` (a `<select>`), `item` (a list item to click), `popup` (a closed
    /// dropdown already showing the option) or `open` (click `el` to open the dropdown whose
    /// list holds the option, then look again).
    pub mode: Option<String>,
    /// Option index in a native select.
    pub index: Option<u64>,
    pub already: Option<bool>,
    /// For `probe`.
    pub found: Option<bool>,
    /// The element is in a frame: the WebDriver frame index path to switch into to act on it.
    /// Without `el`, the page script handed it over through that frame's window.
    pub frames: Option<Vec<u16>>,
    /// " (in frame '…')" for an element in a frame.
    #[serde(rename = "where")]
    pub place: Option<String>,
    /// For `fill`: the control has focus and its content is selected (typing replaces it).
    pub focused: Option<bool>,
    /// For checks that change nothing (`visible`, `checked`): what the page showed then.
    pub look: Option<Box<super::client::Look>>,
    /// For a click target in the top document: the viewport point (CSS pixels) where a click
    /// reaches it, as the page checked it.
    pub point: Option<[f64; 2]>,
}

impl Hit {
    /// The returned element as a fantoccini [`Element`] (valid in the frame it was found in).
    pub fn element(&self, client: &fantoccini::Client) -> Option<Element> {
        let id = self.el.as_ref()?.get(ELEMENT_KEY)?.as_str()?;
        Some(Element::from_element_id(
            client.clone(),
            ElementRef::from(id.to_string()),
        ))
    }

    /// The description, with the frame it is in.
    pub fn described(&self) -> String {
        format!("{}{}", self.desc, self.place.as_deref().unwrap_or(""))
    }
}

/// The verdict of one attempt.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Verdict {
    Ok(Hit),
    Obstacle {
        index: usize,
        /// How many open menus it marked (see [`Browser::mark_open_popups`]).
        #[serde(default)]
        popups: Option<usize>,
    },
    NotFound {
        #[serde(default)]
        offered: Vec<String>,
        /// How many `within` levels down the failing query is (0: the query itself).
        #[serde(default)]
        container: usize,
        /// `from` when the select's `from` container failed.
        #[serde(default)]
        part: Option<String>,
        /// Frames the page script could not look into.
        #[serde(default, rename = "crossOrigin")]
        cross_origin: Vec<OpaqueFrame>,
    },
    Ambiguous {
        #[serde(default)]
        matches: Vec<String>,
        #[serde(default)]
        container: usize,
        #[serde(default)]
        part: Option<String>,
    },
    NotActionable {
        reason: String,
    },
    Error {
        message: String,
    },
    /// Not from the script: the page changed under the WebDriver call (navigation, stale
    /// element); worth another attempt.
    #[serde(skip)]
    Transient(String),
    /// Not from the script: the page is an HTTP 5xx error page (the previous action loaded
    /// it); the executor's recovery reloads.
    #[serde(skip)]
    ErrorPage(u16),
}

/// What an operation is about, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject<'a> {
    /// An element found by a query.
    Query(&'a Query),
    /// An option to select, optionally inside a container.
    Option {
        option: &'a TextQuery,
        from: Option<&'a Query>,
    },
}

impl Subject<'_> {
    /// The human description of the failing part: the query itself, or the container
    /// `container` levels of `within` down (or the select's `from` when `part` is `from`).
    fn describe(&self, container: usize, part: Option<&str>) -> String {
        let base = match (self, part) {
            (Subject::Option { from: Some(f), .. }, Some("from")) => *f,
            (Subject::Query(q), _) => *q,
            (Subject::Option { option, from }, _) => {
                return match from {
                    Some(f) => format!("option {option} in {f}"),
                    None => format!("option {option}"),
                };
            }
        };
        let mut q = base;
        for _ in 0..container {
            match q.container() {
                Some(c) => q = c,
                None => break,
            }
        }
        if std::ptr::eq(q, base) {
            base.to_string()
        } else {
            format!("{q} (the container in {base})")
        }
    }
}

impl Verdict {
    /// The error this verdict means if it is the last one before the deadline.
    pub fn into_error(self, subject: Subject<'_>) -> BrowserError {
        let whole = subject.describe(0, None);
        match self {
            Verdict::Ok(_) => BrowserError::Timeout {
                what: whole,
                after: Duration::ZERO,
            },
            Verdict::Obstacle { index, .. } => BrowserError::Obstacle { index },
            Verdict::NotFound {
                offered,
                container,
                part,
                ..
            } => BrowserError::NotFound {
                query: subject.describe(container, part.as_deref()),
                offered,
            },
            Verdict::Ambiguous {
                matches,
                container,
                part,
            } => BrowserError::Ambiguous {
                query: subject.describe(container, part.as_deref()),
                matches,
            },
            Verdict::NotActionable { reason } | Verdict::Transient(reason) => {
                BrowserError::NotActionable { query: whole, reason }
            }
            Verdict::Error { message } => BrowserError::InvalidQuery { query: whole, message },
            Verdict::ErrorPage(status) => BrowserError::NotFound {
                query: whole,
                offered: vec![format!("(the page answered HTTP {status})")],
            },
        }
    }
}

/// WebDriver errors that mean "the page moved under us", not "the browser is gone".
pub(crate) fn is_transient(e: &CmdError) -> bool {
    match e {
        CmdError::Standard(w) => match w.error {
            ErrorStatus::JavascriptError
            | ErrorStatus::StaleElementReference
            | ErrorStatus::ElementClickIntercepted
            | ErrorStatus::ElementNotInteractable
            | ErrorStatus::InvalidElementState
            | ErrorStatus::NoSuchElement
            | ErrorStatus::ScriptTimeout
            | ErrorStatus::DetachedShadowRoot
            | ErrorStatus::MoveTargetOutOfBounds => true,
            ErrorStatus::UnknownError => {
                let m = w.message.to_lowercase();
                !(m.contains("disconnected")
                    || m.contains("not reachable")
                    || m.contains("session deleted")
                    || m.contains("target window already closed"))
            }
            _ => false,
        },
        _ => false,
    }
}

/// The frame to switch into is no longer there (a dialog closed with its iframe).
pub(crate) fn is_frame_gone(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::NoSuchFrame || w.error == ErrorStatus::NoSuchWindow)
}

/// A short human reason for a transient WebDriver error.
pub(crate) fn transient_reason(e: &CmdError) -> String {
    match e {
        CmdError::Standard(w) if w.error == ErrorStatus::ElementClickIntercepted => {
            let m = w.message.lines().next().unwrap_or("").to_string();
            format!("click intercepted: {m}")
        }
        CmdError::Standard(w) => format!(
            "the page changed while acting ({}: {})",
            w.error,
            w.message.lines().next().unwrap_or("")
        ),
        other => other.to_string(),
    }
}

/// The longest one attempt waits inside the page (below the session's 30 s script timeout).
const MAX_IN_PAGE_WAIT: Duration = Duration::from_secs(20);

/// Runs one attempt of `locate`, waiting inside the page up to `wait` for an `ok` verdict.
pub(crate) async fn attempt(browser: &Browser, req: &Request<'_>, wait: Duration) -> Result<Verdict, BrowserError> {
    let mut arg = with_popup_mark(serde_json::to_value(req).map_err(CmdError::Json)?);
    let wait = wait.min(MAX_IN_PAGE_WAIT);
    if let Some(o) = arg.as_object_mut() {
        if !wait.is_zero() {
            o.insert("waitMs".into(), Value::from(wait.as_millis() as u64));
        }
    }
    match browser.call_async_checked("locate", vec![arg]).await {
        Ok(Called::Value(v)) => {
            let mut verdict: Verdict =
                serde_json::from_value(v).map_err(|e| BrowserError::WebDriver(CmdError::Json(e)))?;
            match &mut verdict {
                Verdict::Ok(Hit {
                    look: look @ Some(_), ..
                }) => browser.keep_look(*look.take().expect("some")),
                Verdict::Obstacle { popups: Some(n), .. } if !req.no_frames => browser.keep_marked_popups(*n),
                _ => {}
            }
            Ok(verdict)
        }
        Ok(Called::ErrorPage(status)) => Ok(Verdict::ErrorPage(status)),
        Err(e) if is_transient(&e) => Ok(Verdict::Transient(transient_reason(&e))),
        Err(e) => Err(e.into()),
    }
}

/// Deadline and back-off (25 → 50 → 100 ms) for a poll loop. Always allows one attempt.
/// Short pauses: a page that shows the element is noticed within ~0.1 s, at the cost of one
/// small script call per pause.
#[derive(Debug)]
pub(crate) struct Attempts {
    deadline: Instant,
    pause: Duration,
}

impl Attempts {
    pub fn new(timeout: Duration) -> Self {
        Attempts {
            deadline: Instant::now() + timeout,
            pause: Duration::from_millis(25),
        }
    }

    /// Time left until the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Pauses before the next attempt; false when the deadline has passed.
    pub async fn next(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        let pause = self.pause.min(self.deadline - now);
        tokio::time::sleep(pause).await;
        self.pause = (self.pause * 2).min(Duration::from_millis(100));
        true
    }
}

/// What an operation's action step decided.
pub(crate) enum Step<T> {
    Done(T),
    /// The action could not be done this time (element went stale, click intercepted): poll on.
    Retry(String),
}

/// The poll loop, driven by each operation:
///
/// ```ignore
/// let mut p = Poller::new(browser, &req, subject, timeout);
/// loop {
///     let hit = p.next_hit().await?;        // attempts until an `ok` verdict
///     match act(hit).await? { Step::Done(t) => return Ok(t), Step::Retry(r) => p.retry(r) }
/// }
/// ```
///
/// Anything but an obstacle or a broken query is retried with back-off until the deadline;
/// then the last failure becomes the error.
pub(crate) struct Poller<'a> {
    browser: &'a Browser,
    req: &'a Request<'a>,
    subject: Subject<'a>,
    attempts: Attempts,
    last: Option<Verdict>,
}

impl<'a> Poller<'a> {
    pub fn new(browser: &'a Browser, req: &'a Request<'a>, subject: Subject<'a>, timeout: Duration) -> Self {
        Poller {
            browser,
            req,
            subject,
            attempts: Attempts::new(timeout),
            last: None,
        }
    }

    /// Attempts (pausing between attempts) until the script answers `ok`.
    pub async fn next_hit(&mut self) -> Result<Hit, BrowserError> {
        loop {
            if let Some(last) = self.last.take() {
                if !self.attempts.next().await {
                    return Err(last.into_error(self.subject));
                }
            }
            let wait = self.attempts.remaining();
            // An error page the robot already saw (e.g. at an idle check): no use waiting in it.
            if let Some(status) = self.browser.known_status().filter(|s| *s >= 500) {
                if !self.browser.settle_owed() {
                    return Err(Verdict::ErrorPage(status).into_error(self.subject));
                }
            }
            let verdict = match attempt(self.browser, self.req, wait).await? {
                Verdict::NotFound {
                    offered,
                    container,
                    part,
                    cross_origin,
                } if !cross_origin.is_empty() => {
                    search_opaque_frames(self.browser, self.req, offered, container, part, &cross_origin).await?
                }
                v => v,
            };
            match verdict {
                Verdict::Ok(hit) => return Ok(hit),
                Verdict::Obstacle { index, .. } => return Err(BrowserError::Obstacle { index }),
                v @ (Verdict::Error { .. } | Verdict::ErrorPage(_)) => return Err(v.into_error(self.subject)),
                v => self.last = Some(v),
            }
        }
    }

    /// The action after an `ok` verdict failed transiently: the next attempt pauses first.
    pub fn retry(&mut self, reason: String) {
        self.last = Some(Verdict::NotActionable { reason });
    }
}

/// The query was not found in the page the script can see: look in each cross-origin frame by
/// switching into it. A hit there carries the frame path (its element is valid in that frame);
/// otherwise the frames' offers are added, named, and a frame that could not be searched says
/// so in the error.
async fn search_opaque_frames(
    browser: &Browser,
    req: &Request<'_>,
    mut offered: Vec<String>,
    container: usize,
    part: Option<String>,
    frames: &[OpaqueFrame],
) -> Result<Verdict, BrowserError> {
    let inner = Request {
        op: req.op,
        query: req.query,
        obstacles: req.obstacles,
        option: req.option,
        from: req.from,
        want: req.want,
        no_frames: true,
    };
    for f in frames {
        let looked = match browser.enter_frames(&f.path).await {
            Ok(()) => attempt(browser, &inner, Duration::ZERO).await,
            Err(e) => Err(e.into()),
        };
        browser.to_top().await?;
        match looked {
            Ok(Verdict::Ok(mut hit)) => {
                hit.frames = Some(f.path.clone());
                hit.place = Some(format!(" (in frame '{}')", f.name));
                return Ok(Verdict::Ok(hit));
            }
            Ok(v @ Verdict::Obstacle { .. }) => return Ok(v),
            Ok(Verdict::NotFound { offered: more, .. }) => {
                offered.extend(more.into_iter().map(|o| format!("{o} (in frame '{}')", f.name)));
            }
            Ok(Verdict::Transient(reason)) | Ok(Verdict::NotActionable { reason }) => {
                offered.push(format!(
                    "(the cross-origin frame '{}' could not be searched: {reason})",
                    f.name
                ));
            }
            Ok(_) => {}
            Err(e) => offered.push(format!(
                "(the cross-origin frame '{}' could not be searched: {e})",
                f.name
            )),
        }
    }
    Ok(Verdict::NotFound {
        offered,
        container,
        part,
        cross_origin: vec![],
    })
}
