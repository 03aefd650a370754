//! A scripted [`Page`] for executor unit tests: a tiny world of named elements (keyed by how a
//! query displays, e.g. `role button "Opslaan"`), what clicking them does, and a log of every
//! call. Element operations never wait: what is not visible now fails at once as not found.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::page::Page;
use crate::browser::{BrowserError, Found, Query, Selected, TextQuery, Wait};
use crate::run::result::BrowserInfo;

/// What a click (or a reload) changes.
#[derive(Debug, Clone)]
pub enum Effect {
    Show(&'static str),
    Hide(&'static str),
    /// The next document answers with this HTTP status.
    Status(u16),
    /// The session ends: everything disappears, the login page shows these elements.
    SessionEnds(&'static [&'static str]),
    /// One of the page's data requests answers with this HTTP status.
    FailRequest(&'static str, u16),
    /// The run is cancelled right now (as a signal would).
    Cancel,
}

#[derive(Default)]
struct World {
    url: String,
    visible: BTreeSet<String>,
    checked: BTreeMap<String, bool>,
    status: Option<u16>,
    /// Statuses the next reloads/gotos of the current URL answer, in order (then 200).
    status_after_reload: Vec<u16>,
    failed_requests: Vec<(String, u16)>,
    messages: Vec<String>,
    /// What clicking an element does: the first stage on the first click, and so on; the last
    /// stage on every later click.
    on_click: HashMap<String, Vec<Vec<Effect>>>,
    /// Elements that show only after this many reloads.
    after_reloads: HashMap<String, u32>,
    /// Waiting for this element never ends (but the run may be cancelled): cancels `cancel`.
    hang_on: Option<String>,
    /// Every element operation and navigation, in order: `click role button "Opslaan"`.
    log: Vec<String>,
    reloads: u32,
}

/// The scripted page.
pub struct FakePage {
    world: Mutex<World>,
    cancel: CancellationToken,
}

impl FakePage {
    /// An empty page at `http://portal.test/`; `cancel` is the token [`Effect::Cancel`] fires.
    pub fn new(cancel: CancellationToken) -> Self {
        FakePage {
            world: Mutex::new(World {
                url: "http://portal.test/".into(),
                ..World::default()
            }),
            cancel,
        }
    }

    fn w(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }

    /// These elements are visible.
    pub fn show(&self, keys: &[&str]) -> &Self {
        let mut w = self.w();
        for k in keys {
            w.visible.insert(k.to_string());
        }
        self
    }

    /// The next click on `key` has these effects (call again for the click after that; the
    /// last stage repeats).
    pub fn on_click(&self, key: &str, effects: Vec<Effect>) -> &Self {
        self.w().on_click.entry(key.into()).or_default().push(effects);
        self
    }

    /// The box `key` is (un)ticked.
    pub fn set_box(&self, key: &str, ticked: bool) -> &Self {
        self.w().checked.insert(key.into(), ticked);
        self
    }

    /// The current document answered `status`; the next reloads answer `then` in order.
    pub fn status(&self, status: u16, then: &[u16]) -> &Self {
        let mut w = self.w();
        w.status = Some(status);
        w.status_after_reload = then.to_vec();
        self
    }

    /// A data request of the page failed; a reload fixes it and shows `key`.
    pub fn failed_request(&self, path: &str, status: u16, key: &'static str) -> &Self {
        let mut w = self.w();
        w.failed_requests.push((path.into(), status));
        w.after_reloads.insert(key.into(), 1);
        self
    }

    /// A data request of the page has answered `status` already.
    pub fn failed(&self, path: &str, status: u16) -> &Self {
        self.w().failed_requests.push((path.into(), status));
        self
    }

    /// Messages the page shows (alerts).
    pub fn messages(&self, m: &[&str]) -> &Self {
        self.w().messages = m.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Waiting for `key` cancels the run and then never ends on its own.
    pub fn hang_on(&self, key: &str) -> &Self {
        self.w().hang_on = Some(key.into());
        self
    }

    /// The calls so far.
    pub fn log(&self) -> Vec<String> {
        self.w().log.clone()
    }

    /// The calls so far that start with `prefix`.
    pub fn calls(&self, prefix: &str) -> Vec<String> {
        self.log().into_iter().filter(|l| l.starts_with(prefix)).collect()
    }

    /// Whether `key` is ticked.
    pub fn is_ticked(&self, key: &str) -> bool {
        self.w().checked.get(key).copied().unwrap_or(false)
    }

    fn shows(w: &World, q: &Query) -> bool {
        match q {
            Query::Any { alternatives } => alternatives.iter().any(|a| Self::shows(w, a)),
            q => w.visible.contains(&q.to_string()),
        }
    }

    /// The key of the alternative that shows (for an `any`), else the query's own.
    fn key(w: &World, q: &Query) -> String {
        match q {
            Query::Any { alternatives } => alternatives
                .iter()
                .find(|a| Self::shows(w, a))
                .map(|a| Self::key(w, a))
                .unwrap_or_else(|| q.to_string()),
            q => q.to_string(),
        }
    }

    /// The common part of every element operation: hang, obstacles, presence.
    async fn locate(&self, op: &str, q: &Query, wait: &Wait) -> Result<String, BrowserError> {
        let hang = {
            let mut w = self.w();
            w.log.push(format!("{op} {q}"));
            w.hang_on.as_deref() == Some(q.to_string().as_str())
        };
        if hang {
            self.cancel.cancel();
            std::future::pending::<()>().await;
        }
        let found = {
            let w = self.w();
            if let Some(index) = wait.obstacles.iter().position(|o| Self::shows(&w, o)) {
                return Err(BrowserError::Obstacle { index });
            }
            Self::shows(&w, q).then(|| Self::key(&w, q))
        };
        match found {
            Some(key) => Ok(key),
            None => {
                // Like the browser: not there means waiting the whole timeout (virtual time in
                // the tests: they run on a paused clock).
                tokio::time::sleep(wait.timeout).await;
                Err(BrowserError::NotFound {
                    query: q.to_string(),
                    offered: vec![],
                })
            }
        }
    }

    fn apply(&self, effects: &[Effect]) {
        let mut w = self.w();
        for e in effects {
            match e {
                Effect::Show(k) => {
                    w.visible.insert(k.to_string());
                }
                Effect::Hide(k) => {
                    w.visible.remove(*k);
                }
                Effect::Status(s) => w.status = Some(*s),
                Effect::SessionEnds(login_page) => {
                    w.visible.clear();
                    w.visible.extend(login_page.iter().map(|k| k.to_string()));
                    w.url = "http://portal.test/".into();
                }
                Effect::FailRequest(path, status) => w.failed_requests.push((path.to_string(), *status)),
                Effect::Cancel => self.cancel.cancel(),
            }
        }
    }

    fn load(&self, url: Option<&str>) {
        let mut w = self.w();
        if let Some(u) = url {
            if u != w.url {
                w.url = u.to_string();
                w.status = Some(200);
                return;
            }
        }
        w.reloads += 1;
        w.status = Some(if w.status_after_reload.is_empty() {
            200
        } else {
            w.status_after_reload.remove(0)
        });
        w.failed_requests.clear();
        let reloads = w.reloads;
        let due: Vec<String> = w
            .after_reloads
            .iter()
            .filter(|(_, n)| **n <= reloads)
            .map(|(k, _)| k.clone())
            .collect();
        for k in due {
            w.after_reloads.remove(&k);
            w.visible.insert(k);
        }
    }
}

impl Page for FakePage {
    fn info(&self) -> BrowserInfo {
        BrowserInfo {
            name: "fake".into(),
            version: "0".into(),
            webdriver: "none".into(),
            ..BrowserInfo::default()
        }
    }
    async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        self.w().log.push(format!("goto {url}"));
        self.load(Some(url));
        Ok(())
    }
    async fn reload(&self) -> Result<(), BrowserError> {
        self.w().log.push("reload".into());
        self.load(None);
        Ok(())
    }
    async fn current_url(&self) -> Result<String, BrowserError> {
        Ok(self.w().url.clone())
    }
    async fn page_status(&self) -> Result<Option<u16>, BrowserError> {
        Ok(self.w().status)
    }
    async fn messages(&self) -> Result<Vec<String>, BrowserError> {
        Ok(self.w().messages.clone())
    }
    async fn failed_requests(&self) -> Result<Vec<(String, u16)>, BrowserError> {
        Ok(self.w().failed_requests.clone())
    }
    async fn screenshot_png(&self) -> Result<Vec<u8>, BrowserError> {
        Ok(b"\x89PNG\r\n\x1a\nfake".to_vec())
    }
    async fn wait_until_idle(&self, _: Duration) -> Result<bool, BrowserError> {
        Ok(true)
    }
    async fn click(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        let key = self.locate("click", q, w).await?;
        let effects = {
            let mut w = self.w();
            match w.on_click.get_mut(&key) {
                Some(stages) if stages.len() > 1 => stages.remove(0),
                Some(stages) => stages.first().cloned().unwrap_or_default(),
                None => vec![],
            }
        };
        self.apply(&effects);
        Ok(Found { description: key })
    }
    async fn fill(&self, q: &Query, value: &str, w: &Wait) -> Result<Found, BrowserError> {
        let key = self.locate("fill", q, w).await?;
        let _ = value;
        Ok(Found { description: key })
    }
    async fn select(&self, from: Option<&Query>, option: &TextQuery, w: &Wait) -> Result<Selected, BrowserError> {
        let q = Query::Text {
            text: option.clone(),
            within: from.cloned().map(Box::new),
        };
        let key = self.locate("select", &q, w).await?;
        Ok(Selected {
            text: option.text.clone(),
            already_selected: false,
            description: key,
        })
    }
    async fn set_checked(&self, q: &Query, checked: bool, w: &Wait) -> Result<bool, BrowserError> {
        let key = self.locate("set_checked", q, w).await?;
        let mut world = self.w();
        let was = world.checked.get(&key).copied().unwrap_or(false);
        if was == checked {
            return Ok(false);
        }
        world.log.push(format!("click {key}"));
        world.checked.insert(key, checked);
        Ok(true)
    }
    async fn is_checked(&self, q: &Query, w: &Wait) -> Result<bool, BrowserError> {
        let key = self.locate("is_checked", q, w).await?;
        Ok(self.w().checked.get(&key).copied().unwrap_or(false))
    }
    async fn wait_visible(&self, q: &Query, w: &Wait) -> Result<Found, BrowserError> {
        let key = self.locate("wait_visible", q, w).await?;
        Ok(Found { description: key })
    }
    async fn probe_visible(&self, q: &Query) -> Result<bool, BrowserError> {
        let w = self.w();
        Ok(Self::shows(&w, q))
    }
    async fn text_of(&self, q: &Query, w: &Wait) -> Result<String, BrowserError> {
        self.locate("text_of", q, w).await
    }
    async fn download(&self, q: &Query, w: &Wait) -> Result<PathBuf, BrowserError> {
        self.locate("download", q, w).await?;
        Err(BrowserError::Download("the fake page downloads nothing".into()))
    }
    async fn mark_open_popups(&self) -> Result<usize, BrowserError> {
        Ok(0)
    }
    async fn reopen_popups(&self, _: Duration) -> Result<Vec<String>, BrowserError> {
        Ok(vec![])
    }
}
