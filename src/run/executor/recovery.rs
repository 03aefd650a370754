//! Portal hiccups, cleared the way a person would: a page that answered HTTP 5xx is reloaded
//! (at once, then with a growing pause; bounded), and an action whose element never showed because the page's
//! own data request failed is tried again after a reload. Never behind a committing action: when
//! the portal answers one with HTTP 5xx, the action fails saying the portal refused it.

use std::time::Duration;

use super::{ActionResult, Executor, Failure, FailureKind, Page};
use crate::flow::{Action, ActionKind};

/// How many times a page that answered HTTP 5xx is reloaded before the action fails.
const SERVER_ERROR_RELOADS: u32 = 3;
/// The pause before the second such reload; it doubles for each next one. The first reload
/// is at once, as a person presses reload: most such errors are a one-off hiccup.
const SERVER_ERROR_PAUSE: Duration = Duration::from_millis(500);

impl<P: Page> Executor<'_, P> {
    /// Performs an action, then clears a server hiccup it ran into: when the page is an HTTP 5xx
    /// error page afterwards, it is reloaded (see [`Executor::recover_server_error`]); when the
    /// action failed because its element was absent and the page is such an error page, or the
    /// page's data request failed with one ([`Executor::recover_failed_data`]), the action is
    /// tried once more after the reload.
    pub(super) async fn perform_recovering(
        &mut self,
        action: &Action,
        out: &mut Vec<ActionResult>,
    ) -> Result<Option<String>, Failure> {
        if matches!(action.kind, ActionKind::If { .. }) {
            return Box::pin(self.perform(action, out)).await;
        }
        let before = if action.commits {
            Some(self.io(self.page.failed_requests()).await.unwrap_or_default())
        } else {
            None
        };
        let first = Box::pin(self.perform(action, out)).await;
        if let (Ok(_), Some(before)) = (&first, before) {
            self.refused(before).await?;
        }
        let f = match first {
            Ok(detail) => {
                return Ok(match self.recover_server_error(action.commits).await? {
                    None => detail,
                    Some(note) => Some(match detail {
                        Some(d) => format!("{d}; {note}"),
                        None => note,
                    }),
                })
            }
            Err(f) if f.kind.is_absence() => f,
            Err(f) => return Err(f),
        };
        let note = match self.recover_server_error(action.commits).await? {
            Some(note) => note,
            None => match self.recover_failed_data(action.commits).await? {
                Some(note) => note,
                None => return Err(f),
            },
        };
        let again = Box::pin(self.perform(action, out)).await.map_err(|mut f| {
            f.message = format!("{note}; then: {}", f.message);
            f
        })?;
        Ok(Some(match again {
            Some(d) => format!("{note}; then {d}"),
            None => note,
        }))
    }

    /// After a committing action: when one of the page's data requests answered HTTP 5xx since
    /// `before` (the failed requests seen before the action), the portal refused the change —
    /// the action fails naming the request and its status, with what the page says about it.
    async fn refused(&self, before: Vec<(String, u16)>) -> Result<(), Failure> {
        let mut seen = before;
        let after = self.io(self.page.failed_requests()).await.unwrap_or_default();
        let new = after.into_iter().find(|r| match seen.iter().position(|s| s == r) {
            Some(i) => {
                seen.swap_remove(i);
                false
            }
            None => true,
        });
        let Some((path, status)) = new else {
            return Ok(());
        };
        tracing::warn!(%path, status, "the portal answered a committing action with a server error");
        let messages = self.io(self.page.messages()).await.unwrap_or_default();
        Err(Failure {
            kind: FailureKind::ServerError { status },
            message: format!("the portal refused to save: it answered HTTP {status} to {path}"),
            locator: None,
            found: messages.into_iter().map(|m| format!("message \"{m}\"")).collect(),
        })
    }

    /// A portal hiccup a person clears by pressing reload: when the current page answered HTTP
    /// 5xx, open its address again (a GET: a form is never sent twice), up to
    /// [`SERVER_ERROR_RELOADS`] times with a growing pause. Returns a note for the report when it
    /// reloaded; fails when the error stays, or when `committing` (the action changed something
    /// and must not be repeated behind the person's back).
    pub(super) async fn recover_server_error(&self, committing: bool) -> Result<Option<String>, Failure> {
        let status = match self.io(self.page.page_status()).await? {
            Some(s) if s >= 500 => s,
            _ => return Ok(None),
        };
        let url = self.io(self.page.current_url()).await?;
        tracing::warn!(status, %url, "the portal answered with a server error");
        if committing {
            return Err(Failure::new(
                FailureKind::CommittedThenFailed,
                format!(
                    "the portal answered HTTP {status} at {url} after this action; not reloading, since the action changes something"
                ),
            ));
        }
        let mut pause = Duration::ZERO;
        for n in 1..=SERVER_ERROR_RELOADS {
            // After the first reload, give the portal a moment, longer each time (bounded retry,
            // not a wait for an element).
            if !pause.is_zero() {
                self.pause(pause).await?;
            }
            pause = (pause * 2).max(SERVER_ERROR_PAUSE);
            tracing::info!(attempt = n, "reloading after HTTP {status}");
            self.io(self.page.goto(&url)).await?;
            match self.io(self.page.page_status()).await? {
                Some(s) if s >= 500 => continue,
                _ => {
                    let times = if n == 1 {
                        "once".to_string()
                    } else {
                        format!("{n} times")
                    };
                    return Ok(Some(format!(
                        "the page was an HTTP {status} error; reloaded it {times} and it loaded"
                    )));
                }
            }
        }
        Err(Failure::new(
            FailureKind::ServerError { status },
            format!("the portal answered HTTP {status} at {url}, still after {SERVER_ERROR_RELOADS} reloads"),
        ))
    }

    /// The element did not show and the page's own data request answered HTTP 5xx (the page
    /// says "could not load"): reload the page once, as a person would. Never for a committing
    /// action. Returns a note for the report when it reloaded.
    async fn recover_failed_data(&self, committing: bool) -> Result<Option<String>, Failure> {
        if committing {
            return Ok(None);
        }
        let failed = self.io(self.page.failed_requests()).await?;
        let Some((path, status)) = failed.first() else {
            return Ok(None);
        };
        let url = self.io(self.page.current_url()).await?;
        tracing::warn!(%path, status, "a data request of the page answered with a server error; reloading");
        self.io(self.page.goto(&url)).await?;
        Ok(Some(format!(
            "the page's request to {path} answered HTTP {status}; reloaded the page"
        )))
    }
}
