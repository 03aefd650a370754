//! Element operations: each auto-waits through the locate engine's poll loop, acts, and (for
//! clicks, selections and ticks) settles.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;

use super::client::Browser;
use super::download;
use super::engine::{self, is_frame_gone, is_transient, transient_reason, Hit, Op, Poller, Request, Step, Subject};
use super::error::BrowserError;
use super::query::{Query, TextQuery};
use super::{BrowserKind, Found, Selected, Wait};

/// How often `select` opens a dropdown (that closed again, or keeps its option hidden) before
/// it gives up.
const MAX_DROPDOWN_OPENS: usize = 3;

impl Browser {
    /// The element a hit names, ready to act on: for an element in a frame, the WebDriver
    /// context is switched into that frame (call [`Browser::leave`] afterwards). `Retry` when
    /// the frame or the element went away meanwhile.
    async fn target(&self, hit: &Hit) -> Result<Step<Element>, BrowserError> {
        let Some(path) = hit.frames.as_deref() else {
            return match hit.element(&self.client) {
                Some(el) => Ok(Step::Done(el)),
                None => Err(BrowserError::WebDriver(CmdError::NotW3C(
                    hit.el.clone().unwrap_or_default(),
                ))),
            };
        };
        let entered = match self.enter_frames(path).await {
            Ok(()) => match hit.element(&self.client) {
                Some(el) => Ok(Some(el)),
                None => self.handed_over().await,
            },
            Err(e) => Err(e),
        };
        match entered {
            Ok(Some(el)) => Ok(Step::Done(el)),
            Ok(None) => {
                self.to_top().await?;
                Ok(Step::Retry(format!("{} went away", hit.described())))
            }
            Err(e) if is_transient(&e) || is_frame_gone(&e) => {
                self.to_top().await?;
                Ok(Step::Retry(transient_reason(&e)))
            }
            Err(e) => {
                let _ = self.to_top().await;
                Err(e.into())
            }
        }
    }

    /// Back to the top document after acting on `hit` (when it was in a frame).
    async fn leave(&self, hit: &Hit) -> Result<(), BrowserError> {
        if hit.frames.is_some() {
            self.to_top().await?;
        }
        Ok(())
    }

    /// Clicks the element `hit` names (in its frame), then returns to the top document.
    async fn click_hit(&self, hit: &Hit) -> Result<Step<()>, BrowserError> {
        if let Some(step) = self.click_point(hit).await {
            return Ok(step);
        }
        let el = match self.target(hit).await? {
            Step::Done(el) => el,
            Step::Retry(r) => return Ok(Step::Retry(r)),
        };
        let clicked = self.click_element(&el).await;
        self.leave(hit).await?;
        clicked
    }

    /// On Chromium, a target in the top document is clicked at the point the page script just
    /// checked reaches it: one pointer action (move, press, release; trusted events, and the
    /// driver waits for a navigation it starts, as for an element click) costs the driver a
    /// third of an element click, which scrolls, measures and hit-tests again. `None`: not
    /// clicked, click the element the WebDriver way (so from now on when the driver refused
    /// the action). A transient failure means "poll on", as for an element click.
    async fn click_point(&self, hit: &Hit) -> Option<Step<()>> {
        let [x, y] = hit.point?;
        if self.kind != BrowserKind::Chromium
            || hit.frames.is_some()
            || self.counters.no_pointer.load(Ordering::Relaxed)
        {
            return None;
        }
        let mouse = MouseActions::new("robot-mouse".into())
            .then(PointerAction::MoveTo {
                duration: Some(Duration::ZERO),
                x,
                y,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        match self.wd(self.client.perform_actions(mouse)).await {
            Ok(()) => {
                self.counters.pointer_clicks.fetch_add(1, Ordering::Relaxed);
                Some(Step::Done(()))
            }
            Err(e) if is_transient(&e) && !is_out_of_bounds(&e) => Some(Step::Retry(transient_reason(&e))),
            Err(e) => {
                tracing::debug!(error = %e, "pointer action refused; clicking elements the WebDriver way");
                self.counters.no_pointer.store(true, Ordering::Relaxed);
                None
            }
        }
    }

    /// Clicks through WebDriver; a transient failure (intercepted, stale) means "poll on".
    async fn click_element(&self, el: &Element) -> Result<Step<()>, BrowserError> {
        match self.wd(el.click()).await {
            Ok(()) => Ok(Step::Done(())),
            Err(e) if is_transient(&e) => Ok(Step::Retry(transient_reason(&e))),
            Err(e) => Err(e.into()),
        }
    }

    /// Settling after an action that armed `token` (if any) is owed: the next call into the
    /// page settles first, in the same round trip (see [`Browser::defer_settle`]).
    fn settle_after(&self, token: Option<&str>, w: &Wait) {
        if let Some(t) = token {
            self.defer_settle(t, w.timeout);
        }
    }

    /// Clicks the one visible, actionable element `q` finds (an interactive ancestor of matched
    /// text is preferred), then settles.
    pub async fn click(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        let _trace = self.trace_op("click");
        let req = Request::new(Op::Click, q, w);
        let mut p = Poller::new(self, &req, Subject::Query(q), w.timeout);
        let hit = loop {
            let hit = p.next_hit().await?;
            match self.click_hit(&hit).await? {
                Step::Done(()) => break hit,
                Step::Retry(r) => p.retry(r),
            }
        };
        self.settle_after(hit.token.as_deref(), w);
        Ok(Found {
            description: hit.described(),
        })
    }

    /// Types `value` into the one editable control `q` finds (cleared first). The value is
    /// never logged or put in errors.
    pub async fn fill(&self, q: &Query, value: &str, w: &Wait) -> Result<Found, BrowserError> {
        let _trace = self.trace_op("fill");
        let req = Request::new(Op::Fill, q, w);
        let mut p = Poller::new(self, &req, Subject::Query(q), w.timeout);
        // Something that pops up while typing (a cookie banner taking focus) can swallow keys:
        // read the value back and type again, a few times at most (masked inputs may differ).
        let mut mismatches = 0;
        loop {
            let hit = p.next_hit().await?;
            let el = match self.target(&hit).await? {
                Step::Done(el) => el,
                Step::Retry(r) => {
                    p.retry(r);
                    continue;
                }
            };
            let typed = async {
                self.type_into(&el, value, hit.focused == Some(true) && hit.frames.is_none())
                    .await?;
                self.wd(el.prop("value")).await
            };
            let typed = typed.await;
            self.leave(&hit).await?;
            match typed {
                Ok(got) if got.as_deref() != Some(value) && mismatches < 3 => {
                    mismatches += 1;
                    p.retry("the field did not hold the typed value afterwards".into());
                }
                Ok(_) => {
                    return Ok(Found {
                        description: hit.described(),
                    })
                }
                Err(e) if is_transient(&e) => p.retry(transient_reason(&e)),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Replaces the field's content by `value`: the whole text in one DevTools `insertText` over
    /// the selected content (one `input` event, as a person pasting or an IME would); WebDriver
    /// clear + key events where DevTools is not available (Firefox) or the value is empty.
    /// `focused`: `locate` already focused it and selected its content.
    async fn type_into(&self, el: &Element, value: &str, focused: bool) -> Result<(), CmdError> {
        if !value.is_empty() && self.kind == super::BrowserKind::Chromium {
            let focused = focused || {
                let arg = serde_json::to_value(el).map_err(CmdError::Json)?;
                self.call("focusSelect", vec![arg]).await?.as_bool() == Some(true)
            };
            if focused {
                let insert = super::cdp::InsertText(value.to_string());
                if self.wd(self.client.issue_cmd(insert)).await.is_ok() {
                    return Ok(());
                }
            }
        }
        self.wd(el.clear()).await?;
        self.wd(el.send_keys(value)).await
    }

    /// Chooses the option whose visible text matches `option`: in a native `<select>` (sets it
    /// and fires input/change), a listbox/list/menu/radio group/table (clicks the item; a table
    /// row also matches by one of its cells), or a custom dropdown (a combobox or popup button
    /// whose list is hidden until opened: it is clicked open first, then the option is clicked).
    /// Searches inside `from` if given, else every visible list and dropdown on the page;
    /// exactly one option may match. Already selected (including a closed dropdown that shows
    /// it) → nothing is done. Not found → the error lists all options available.
    pub async fn select(&self, from: Option<&Query>, option: &TextQuery, w: &Wait) -> Result<Selected, BrowserError> {
        let _trace = self.trace_op("select");
        let req = Request {
            op: Op::Select,
            query: None,
            obstacles: &w.obstacles,
            option: Some(option),
            from,
            want: None,
            no_frames: false,
        };
        let subject = Subject::Option { option, from };
        let mut p = Poller::new(self, &req, subject, w.timeout);
        let mut opened = 0;
        let mut searched = 0;
        let (hit, already) = loop {
            let hit = p.next_hit().await?;
            if hit.already == Some(true) {
                break (hit, true);
            }
            if hit.mode.as_deref() == Some("search") {
                // An open picker dialog listed other values: type the option into its search box.
                if searched >= MAX_DROPDOWN_OPENS {
                    return Err(BrowserError::NotActionable {
                        query: format!("option {option}"),
                        reason: format!(
                            "searched for it in {} {searched} times, but it was not listed",
                            hit.desc
                        ),
                    });
                }
                let el = match self.target(&hit).await? {
                    Step::Done(el) => el,
                    Step::Retry(r) => {
                        p.retry(r);
                        continue;
                    }
                };
                let typed = self.type_into(&el, &option.text, false).await;
                self.leave(&hit).await?;
                match typed {
                    Ok(()) => {
                        searched += 1;
                        p.retry(format!("searched for it in {}", hit.desc));
                    }
                    Err(e) if is_transient(&e) => p.retry(transient_reason(&e)),
                    Err(e) => return Err(e.into()),
                }
                continue;
            }
            if hit.mode.as_deref() == Some("open") {
                // A closed dropdown holds the option: open it, then look again.
                if opened >= MAX_DROPDOWN_OPENS {
                    return Err(BrowserError::NotActionable {
                        query: format!("option {option}"),
                        reason: format!(
                            "opened {} {opened} times, but the option did not show in its list",
                            hit.desc
                        ),
                    });
                }
                match self.click_hit(&hit).await? {
                    Step::Done(()) => {
                        opened += 1;
                        self.settle_after(hit.token.as_deref(), w);
                        p.retry(format!("opened {}, but its list did not show the option", hit.desc));
                    }
                    Step::Retry(r) => p.retry(r),
                }
                continue;
            }
            let step = match hit.index {
                Some(index) => {
                    let el = match self.target(&hit).await? {
                        Step::Done(el) => el,
                        Step::Retry(r) => {
                            p.retry(r);
                            continue;
                        }
                    };
                    let el = serde_json::to_value(&el).map_err(|e| BrowserError::WebDriver(e.into()))?;
                    let chosen = self.call("selectOption", vec![el, index.into()]).await;
                    self.leave(&hit).await?;
                    match chosen {
                        Ok(_) => Step::Done(()),
                        Err(e) if is_transient(&e) => Step::Retry(transient_reason(&e)),
                        Err(e) => return Err(e.into()),
                    }
                }
                None => self.click_hit(&hit).await?,
            };
            match step {
                Step::Done(()) => break (hit, false),
                Step::Retry(r) => p.retry(r),
            }
        };
        if !already {
            self.settle_after(hit.token.as_deref(), w);
        }
        Ok(Selected {
            description: hit.described(),
            text: hit.text.unwrap_or_default(),
            already_selected: already,
        })
    }

    /// Ensures the checkbox `q` finds is ticked (`checked`) or unticked: clicks it (or its
    /// label) only when its state differs, settles, and verifies the new state. Returns
    /// whether it changed anything.
    pub async fn set_checked(&self, q: &Query, checked: bool, w: &Wait) -> Result<bool, BrowserError> {
        let _trace = self.trace_op("set_checked");
        let mut req = Request::new(Op::Check, q, w);
        req.want = Some(checked);
        let mut p = Poller::new(self, &req, Subject::Query(q), w.timeout);
        let token = loop {
            let hit = p.next_hit().await?;
            if hit.checked == Some(checked) {
                return Ok(false);
            }
            match self.click_hit(&hit).await? {
                Step::Done(()) => break hit.token,
                Step::Retry(r) => p.retry(r),
            }
        };
        self.settle_after(token.as_deref(), w);
        // Verify: the state must now be the wanted one.
        let no_obstacles = Wait::new(w.timeout);
        let verify = Request::new(Op::Checked, q, &no_obstacles);
        let mut p = Poller::new(self, &verify, Subject::Query(q), w.timeout);
        let state_word = if checked { "unticked" } else { "ticked" };
        loop {
            let hit = p.next_hit().await?;
            if hit.checked == Some(checked) {
                return Ok(true);
            }
            p.retry(format!("clicked it, but it stayed {state_word}"));
        }
    }

    /// Whether the checkbox `q` finds is ticked (waits for it to be there).
    pub async fn is_checked(&self, q: &Query, w: &Wait) -> Result<bool, BrowserError> {
        let _trace = self.trace_op("is_checked");
        let req = Request::new(Op::Checked, q, w);
        let hit = Poller::new(self, &req, Subject::Query(q), w.timeout).next_hit().await?;
        Ok(hit.checked.unwrap_or(false))
    }

    /// Waits until `q` finds exactly one visible element.
    pub async fn wait_visible(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        let _trace = self.trace_op("wait_visible");
        let req = Request::new(Op::Visible, q, w);
        let hit = Poller::new(self, &req, Subject::Query(q), w.timeout).next_hit().await?;
        Ok(Found {
            description: hit.described(),
        })
    }

    /// One look, no waiting, no obstacles: does `q` find at least one visible element?
    pub async fn probe_visible(&self, q: &Query) -> Result<bool, BrowserError> {
        let _trace = self.trace_op("probe_visible");
        if let Some(seen) = self.shown(q) {
            return Ok(seen);
        }
        let w = Wait::new(Duration::ZERO);
        let req = Request::new(Op::Probe, q, &w);
        match engine::attempt(self, &req, Duration::ZERO).await? {
            engine::Verdict::Ok(hit) => Ok(hit.found.unwrap_or(false)),
            engine::Verdict::Transient(_) => Ok(false),
            v => Err(v.into_error(Subject::Query(q))),
        }
    }

    /// The visible text (whitespace-normalised) of the one element `q` finds; for form fields,
    /// their value.
    pub async fn text_of(&self, q: &Query, w: &Wait) -> Result<String, BrowserError> {
        let _trace = self.trace_op("text_of");
        let req = Request::new(Op::Visible, q, w);
        let hit = Poller::new(self, &req, Subject::Query(q), w.timeout).next_hit().await?;
        Ok(hit.text.unwrap_or_default())
    }

    /// Clicks `q` and waits (bounded by `w.timeout`) until a new file has completely arrived
    /// in the download directory; returns its path. On a Selenium Grid with managed downloads
    /// the file is fetched from the node into the download directory.
    pub async fn download(&self, q: &Query, w: &Wait) -> Result<PathBuf, BrowserError> {
        let _trace = self.trace_op("download");
        if self.info().downloads == super::DownloadWay::Managed {
            let before = super::grid::list(&self.client).await?;
            self.click(q, w).await?;
            return super::grid::fetch_new_file(&self.client, &before, &self.download_dir, w.timeout).await;
        }
        let before = download::snapshot(&self.download_dir);
        self.click(q, w).await?;
        download::wait_for_new_file(&self.download_dir, &before, w.timeout).await
    }
}

/// The driver found the point outside the viewport (its idea of the viewport differs).
fn is_out_of_bounds(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == fantoccini::error::ErrorStatus::MoveTargetOutOfBounds)
}
