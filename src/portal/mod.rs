//! The replica of the Mijn PostNL portal: the embedded stage for the demo, the tests and QA.
//!
//! It serves the screens of the guide "Gebruiker autoriseren" at the guide's paths, with the
//! guide's Dutch texts: login (`/`), home (`/apex/BPG_Home`), Mijn Account
//! (`/apex/bpg_my_account`), the authorisations page
//! (`/apex/BPG_My_Account?PageTile=ShowMyAuthorizations`) and the E-commerce Inzichten page
//! with its PDF report. Start it with [`start`]; stop it with [`PortalHandle::shutdown`]
//! (dropping the handle also stops it).
//!
//! # State (`GET /__state`, loopback only, and [`PortalHandle::state`])
//!
//! ```json
//! {
//!   "users": [{ "id": "gatuser", "name": "GATUser, PostNL (PostNL)", "email": "…",
//!               "rights": ["Klantnummerinstellingen", "Instellingen voor uw klantnummer beheren"],
//!               "must_change_password": false, "deleted": false }],
//!   "klantnummers": [{ "number": "9401138", "name": "PostNL (9401138)" }],
//!   "authorisations": { "9401138": { "gatuser": ["Zendingen importeren", "…"] } },
//!   "granted_at": { "9401138": { "gatuser": { "E-commerce inzichten": "2026-…Z" } } },
//!   "audit": [{ "who": "GATUser, PostNL (PostNL)",
//!               "what": "Autorisaties opgeslagen voor … voor PostNL (9401138): '…' toegekend",
//!               "when": "…",
//!               "save": { "klantnummer": "9401138", "user": "gatuser",
//!                         "granted": ["E-commerce inzichten"], "revoked": [] } }]
//! }
//! ```
//!
//! `authorisations` lists, per klantnummer and user id, the names of the checkboxes that are
//! ticked (catalog order). `granted_at` holds when a flag was granted through the portal (for
//! the tile delay); seeded flags have none. `audit` has one entry per accepted save of the
//! authorisations page (with `save`, also when nothing changed), per password change and per
//! deleted account. No password material is ever part of the view.

mod alt;
mod apex;
mod catalog;
mod cookie;
mod extract;
mod faults;
mod hash;
mod html;
mod pages;
mod pdf;
mod rename;
mod rendition;
mod routes;
mod session;
mod state;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use catalog::{ECOMMERCE, GROUPS, RIGHT_BEHEREN, RIGHT_KLANTNUMMERINSTELLINGEN};
pub use rename::Rename;

/// E-mail address of the seeded admin "GATUser, PostNL". Demo data only.
pub const DEMO_ADMIN_EMAIL: &str = "gatuser@postnl.example";
/// The password of every seeded user. Demo data only: never a real credential.
pub const DEMO_PASSWORD: &str = "Demo-Wachtwoord-2026";
/// The klantnummer `--seed-users` adds its users to.
pub const SEED_USERS_KLANTNUMMER: &str = "9401138";

/// How the replica looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// The portal as the guide shows it (PostNL orange).
    #[default]
    Classic,
    /// A plausible redesign, for drift detection: blue, the user menu moved out of the header,
    /// 'E-commerce inzichten' renamed and moved to another group, and a "Nieuw in Mijn PostNL"
    /// interstitial on the home page.
    Redesign,
    /// The guide's texts and paths built very differently (an SPA with ARIA widgets, late
    /// rendering, a spinner, a late cookie bar, an interstitial and a one-off HTTP 500), for
    /// robustness tests: the shipped flow must pass here too. See `portal::alt`.
    Alt,
    /// The guide's pages as an Oracle APEX application in the Universal Theme: page items,
    /// region templates, a Popup LOV for the gebruiker, the authorisation editor as a modal
    /// dialog page in an iframe, the processing overlay and a success message. See `portal::apex`.
    Apex,
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "classic" => Ok(Variant::Classic),
            "redesign" => Ok(Variant::Redesign),
            "alt" => Ok(Variant::Alt),
            "apex" => Ok(Variant::Apex),
            other => Err(format!(
                "unknown variant '{other}' (expected 'classic', 'redesign', 'alt' or 'apex')"
            )),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Variant::Classic => "classic",
            Variant::Redesign => "redesign",
            Variant::Alt => "alt",
            Variant::Apex => "apex",
        })
    }
}

/// `--fail-on [METHOD ]ROUTE[:RATE][*TIMES]`: answer HTTP 500 (a Dutch error page) for paths
/// starting with `route` (case-insensitive), only for requests with `method` when given (e.g.
/// `POST /apex/api/autorisaties`: the save, not the data loading), for a fraction `rate` (0..=1)
/// of the requests; with `TIMES`, only for the first that many matching requests (a hiccup, then
/// recovery).
#[derive(Debug, Clone, PartialEq)]
pub struct FailRule {
    /// `GET`, `POST`, … (upper case); `None`: every method.
    pub method: Option<String>,
    pub route: String,
    pub rate: f64,
    pub times: Option<u32>,
}

/// Parses `[METHOD ]ROUTE[:RATE][*TIMES]`, e.g. `/apex/BPG_Home`, `/apex/api/autorisaties:0.5`,
/// `/apex/api/autorisaties*1` (only the first request fails) or `POST /apex/api/autorisaties`.
pub fn parse_fail_rule(s: &str) -> Result<FailRule, String> {
    let full = s.trim();
    let (method, full) = match full.split_once(' ') {
        Some((m, rest)) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) => {
            (Some(m.to_ascii_uppercase()), rest.trim())
        }
        Some(_) => return Err(format!("'{full}': expected [METHOD ]ROUTE[:RATE][*N]")),
        None => (None, full),
    };
    let (s, times) = match full.rsplit_once('*') {
        Some((rest, n)) => (
            rest,
            Some(
                n.trim()
                    .parse::<u32>()
                    .map_err(|_| format!("invalid count '{n}' in '{full}' (expected *N)"))?,
            ),
        ),
        None => (full, None),
    };
    let (route, rate) = match s.rsplit_once(':') {
        Some((route, rate)) => {
            let rate: f64 = rate
                .trim()
                .parse()
                .map_err(|_| format!("invalid rate '{rate}' in '{s}' (expected a number 0..1)"))?;
            (route, rate)
        }
        None => (s, 1.0),
    };
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("rate {rate} in '{s}' is outside 0..1"));
    }
    if !route.starts_with('/') {
        return Err(format!("route '{route}' must start with '/'"));
    }
    Ok(FailRule {
        method,
        route: route.to_string(),
        rate,
        times,
    })
}

/// Settings of one replica instance.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// Address to listen on (default 127.0.0.1).
    pub bind: IpAddr,
    /// Port; 0 picks a free one (default).
    pub port: u16,
    /// Where the state is persisted (loaded at start if it exists); None keeps it in memory.
    pub state_file: Option<PathBuf>,
    /// Delay added to every response.
    pub latency: Duration,
    /// How long after 'E-commerce inzichten' was saved its tile appears (the guide: up to 60 min).
    pub tile_delay: Duration,
    /// Sessions end this long after login; None never.
    pub session_ttl: Option<Duration>,
    /// HTTP 500 on these routes.
    pub fail_on: Vec<FailRule>,
    /// Every user who never logged in must set a new password at the first login.
    pub force_password_change: bool,
    pub variant: Variant,
    /// Labels shown under another text (a release that renamed them); the state is unchanged.
    pub renames: Vec<Rename>,
    /// Extra users "Tester 0001, Demo (PostNL)" … on klantnummer 9401138, without rights or
    /// authorisations, with the demo password (for batch benchmarks).
    pub seed_users: u32,
    /// The cookie dialog is a consent manager's page in an iframe overlay.
    pub cookie_iframe: bool,
    /// The checkbox tree of Stap 4 is a web component with an open shadow root (the form
    /// still submits its boxes).
    pub shadow_tree: bool,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            state_file: None,
            latency: Duration::ZERO,
            tile_delay: Duration::ZERO,
            session_ttl: None,
            fail_on: Vec::new(),
            force_password_change: false,
            variant: Variant::Classic,
            renames: Vec::new(),
            seed_users: 0,
            cookie_iframe: false,
            shadow_tree: false,
        }
    }
}

/// Why the replica could not start or persist.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot read the state file {path}: {source}")]
    StateRead { path: PathBuf, source: std::io::Error },
    #[error("the state file {path} is not valid: {source}")]
    StateParse { path: PathBuf, source: serde_json::Error },
    #[error("cannot write the state file {path}: {source}")]
    StateWrite { path: PathBuf, source: std::io::Error },
}

/// A running replica.
pub struct PortalHandle {
    addr: SocketAddr,
    app: Arc<routes::App>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// How long [`PortalHandle::shutdown`] waits for open connections before it cuts them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

impl PortalHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// E.g. `http://127.0.0.1:41234` (a wildcard bind is shown as loopback).
    pub fn base_url(&self) -> String {
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The state as JSON, the same as `GET /__state` (see the module docs).
    pub fn state(&self) -> serde_json::Value {
        self.app.store().data.view()
    }

    /// Ends every session now: the next request of a logged-in browser lands on the login page
    /// (session expiry on demand, for the reliability tests).
    pub fn end_sessions(&self) {
        self.app.sessions.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Stops the server: graceful for up to a few seconds, then connections are cut.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

/// Starts the replica on `cfg.bind:cfg.port` and returns once it is listening.
pub async fn start(cfg: PortalConfig) -> Result<PortalHandle, PortalError> {
    let mut store = state::Store::open(cfg.state_file.clone())?;
    if cfg.seed_users > 0 {
        store.data.seed_testers(SEED_USERS_KLANTNUMMER, cfg.seed_users);
    }
    if cfg.force_password_change {
        store.data.force_password_change();
    }
    let requested = SocketAddr::new(cfg.bind, cfg.port);
    let listener = tokio::net::TcpListener::bind(requested)
        .await
        .map_err(|source| PortalError::Bind {
            addr: requested,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| PortalError::Bind {
        addr: requested,
        source,
    })?;
    let rendition = rendition::of(rendition::Look {
        variant: cfg.variant,
        cookie_iframe: cfg.cookie_iframe,
        shadow_tree: cfg.shadow_tree,
    });
    let renames = rename::Renames::new(&cfg.renames);
    let faults = Arc::new(faults::Faults::new(
        cfg.latency,
        cfg.fail_on.clone(),
        renames.apply(rendition.server_error()),
    ));
    let app = Arc::new(routes::App {
        sessions: Mutex::new(session::Sessions::new(cfg.session_ttl)),
        store: Mutex::new(store),
        rendition,
        renames,
        cfg,
    });
    let router = routes::router(app.clone(), faults);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(async {
                // A dropped handle also stops the server.
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "portal server stopped with an error");
        }
    });
    tracing::info!(%addr, variant = %app.cfg.variant, "portal replica listening");
    Ok(PortalHandle {
        addr,
        app,
        stop: Some(stop),
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_rules() {
        assert_eq!(
            parse_fail_rule("/apex/BPG_Home").unwrap(),
            FailRule {
                method: None,
                route: "/apex/BPG_Home".into(),
                rate: 1.0,
                times: None
            }
        );
        assert_eq!(parse_fail_rule("/apex/api*2").unwrap().times, Some(2));
        assert_eq!(parse_fail_rule("/apex:0.5*1").unwrap().rate, 0.5);
        assert!(parse_fail_rule("/apex*x").is_err());
        assert_eq!(parse_fail_rule("/apex:0.25").unwrap().rate, 0.25);
        assert!(parse_fail_rule("/apex:1.5").is_err());
        assert!(parse_fail_rule("/apex:x").is_err());
        assert!(parse_fail_rule("apex").is_err());
        let post = parse_fail_rule("post /apex/api/autorisaties*1").unwrap();
        assert_eq!(post.method.as_deref(), Some("POST"));
        assert_eq!((post.route.as_str(), post.times), ("/apex/api/autorisaties", Some(1)));
        assert!(parse_fail_rule("P0ST /apex").is_err());
    }

    #[test]
    fn variants() {
        assert_eq!("Redesign".parse::<Variant>().unwrap(), Variant::Redesign);
        assert_eq!("classic".parse::<Variant>().unwrap(), Variant::Classic);
        assert!("blue".parse::<Variant>().is_err());
        assert_eq!(Variant::Redesign.to_string(), "redesign");
        assert_eq!("ALT".parse::<Variant>().unwrap(), Variant::Alt);
        assert_eq!(Variant::Alt.to_string(), "alt");
        assert_eq!("apex".parse::<Variant>().unwrap(), Variant::Apex);
        assert_eq!(Variant::Apex.to_string(), "apex");
    }
}
