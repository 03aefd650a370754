//! Our own driver (chromedriver, or geckodriver for Firefox): found on PATH (or given; geckodriver
//! also in `~/.cargo/bin`, where `cargo install geckodriver` puts it), started on a free loopback
//! port, ready-checked via `GET /status`, and stopped on every exit path.
//!
//! A driver does not take its browser down when it is killed, so it is started through a tiny
//! `/bin/sh` watchdog in a process group of its own: the watchdog kills the whole group (driver
//! and browser) as soon as our end of its stdin pipe closes — on [`Driver::stop`], on drop, on a
//! panic, on Ctrl-C, even when this process is killed outright. Being in its own process group
//! also keeps the terminal's Ctrl-C away from the driver, so the robot can close the session
//! cleanly first.
//!
//! The files a run leaves in the temp folder — the browser profile (which also holds the
//! browser's own temporary files: its `TMPDIR` points inside) and the driver's log — are
//! removed by a second helper in a session of its own (so the group kill spares it): once our end
//! of the pipe closes and the group is gone, it deletes them, also when this process was killed.
//! Neither the driver nor the browser inherits a `POSTNL_*` variable (the secrets live there).

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::error::BrowserError;
use super::BrowserKind;

/// How long the driver may take to answer `/status` with `ready: true`.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Start attempts (a free port can be taken between probing and binding).
const ATTEMPTS: usize = 3;

/// Runs the driver (`$0 $@`) in the background and kills the process group when stdin reaches
/// EOF (our end closed) or when the driver exits by itself. dash's `kill` takes `-9 -PGID`.
/// With `RM_PROFILE` / `RM_LOG` set, a cleaner in its own session (`setsid`) waits for the same
/// EOF, then (bounded) for the group to be gone — its live processes: killed ones that nobody
/// has reaped yet do not count —, and removes those paths. Only the cleaner keeps
/// stdout (a pipe to us) open: its end tells us the cleaning is done; everything else writes to
/// stderr (the log).
const WATCHDOG: &str = r#"exec 3<&0
if [ -n "$RM_PROFILE$RM_LOG" ] && command -v setsid >/dev/null; then
  setsid sh -c 'g=$1 p=$2 l=$3; alive() { for f in /proc/[0-9]*/stat; do read -r s < "$f" || continue; set -- ${s##*) }; [ "$3" = "$g" ] && [ "$1" != Z ] && return 0; done; return 1; }; read -r _; n=0; while alive && [ $n -lt 100 ]; do sleep 0.05; n=$((n+1)); done; rm -rf -- "$p" "$l"' sh $$ "$RM_PROFILE" "$RM_LOG" <&3 2>/dev/null &
fi
exec 1>&2
unset RM_PROFILE RM_LOG
"$0" "$@" </dev/null &
p=$!
( read -r _ <&3; kill -9 -$$ ) &
wait "$p"
kill -9 -$$"#;

/// A running driver owned by this process.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    url: String,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Driver {
    /// Starts `chromedriver` (`path`, else the one on PATH) on a free port of 127.0.0.1 and waits
    /// (bounded) until it reports ready.
    pub async fn spawn(path: Option<&Path>) -> Result<Driver, BrowserError> {
        Self::spawn_cleaning(BrowserKind::Chromium, path, None).await
    }

    /// Starts the driver of `kind` (`path`, else the one found on PATH) like [`Driver::spawn`],
    /// and `profile` (the browser's profile folder) is removed once the driver is gone — on every
    /// exit path, this process being killed included.
    pub async fn spawn_cleaning(
        kind: BrowserKind,
        path: Option<&Path>,
        profile: Option<&Path>,
    ) -> Result<Driver, BrowserError> {
        let exe = find_driver(kind, path)?;
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            match Self::try_spawn(kind, &exe, profile).await {
                Ok(d) => return Ok(d),
                Err(detail) => last = detail,
            }
        }
        Err(BrowserError::NoDriver {
            detail: format!("{} did not start: {last}", exe.display()),
        })
    }

    async fn try_spawn(kind: BrowserKind, exe: &Path, profile: Option<&Path>) -> Result<Driver, String> {
        let port = free_port().map_err(|e| format!("no free port: {e}"))?;
        let log = tempfile::Builder::new()
            .prefix("webdriver-")
            .suffix(".log")
            .tempfile()
            .map_err(|e| format!("cannot create a log file: {e}"))?;
        let err = log.reopen().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("/bin/sh");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("POSTNL_") {
                cmd.env_remove(name);
            }
        }
        if let Some(p) = profile {
            // The browser's own temporary files go inside the profile, so they go with it.
            let tmp = p.join("tmp");
            std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
            cmd.env("RM_PROFILE", p).env("RM_LOG", log.path()).env("TMPDIR", &tmp);
        }
        cmd.arg("-c").arg(WATCHDOG).arg(exe).arg(format!("--port={port}"));
        if kind == BrowserKind::Firefox {
            // Firefox's remote agent on a port of its own choosing: parallel sessions never clash.
            cmd.arg("--websocket-port=0");
        }
        let child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run /bin/sh: {e}"))?;
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            log,
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut pause = Duration::from_millis(20);
        loop {
            if let Ok(Some(_)) = driver.child.try_wait() {
                return Err(format!("it exited: {}", driver.log_tail()));
            }
            if status_ready(port).await {
                return Ok(driver);
            }
            if Instant::now() >= deadline {
                let tail = driver.log_tail();
                driver.kill_now();
                return Err(format!("not ready after {} s: {tail}", READY_TIMEOUT.as_secs()));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// The driver's base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Asks `/status` once; true when the driver says it is ready.
    pub async fn is_ready(&self) -> bool {
        status_ready(self.port).await
    }

    /// Stops the driver and every browser it started, and reaps the watchdog.
    pub fn stop(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        // Closing our end of the pipe makes the watchdog kill the whole process group; kill it
        // here as well, so that it is gone before the caller removes the browser's profile.
        drop(self.child.stdin.take());
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: plain syscall; the group is the one `process_group(0)` created for the watchdog.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        wait_group_gone(pgid, Duration::from_secs(3));
        self.wait_cleaner(Duration::from_secs(3));
    }

    /// Waits (bounded) until the cleaner has removed the profile and the log: its end of the
    /// stdout pipe closes when it exits.
    fn wait_cleaner(&mut self, limit: Duration) {
        let Some(mut pipe) = self.child.stdout.take() else {
            return;
        };
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = pipe.read_to_end(&mut sink);
            let _ = done.send(());
        });
        let _ = finished.recv_timeout(limit);
    }

    /// The last lines the driver wrote, for error messages.
    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = self.log.reopen() {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(5)..].join(" | ");
        if tail.is_empty() {
            "no output".to_string()
        } else {
            tail
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// Waits (bounded) until no live process of group `pgid` is left (zombies do not count: they
/// hold no files open).
fn wait_group_gone(pgid: libc::pid_t, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    while group_alive(pgid) && Instant::now() < deadline {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// Whether a process of group `pgid` is still running (from `/proc/<pid>/stat`).
fn group_alive(pgid: libc::pid_t) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .any(|stat| {
            // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                return false;
            };
            let mut f = rest.split_whitespace();
            let state = f.next().unwrap_or("Z");
            let group = f.nth(1).and_then(|g| g.parse::<libc::pid_t>().ok());
            group == Some(pgid) && state != "Z" && state != "X"
        })
}

/// `path` if given (must exist), else the driver of `kind` on PATH (geckodriver also in
/// `~/.cargo/bin`).
pub fn find_driver(kind: BrowserKind, path: Option<&Path>) -> Result<PathBuf, BrowserError> {
    if let Some(p) = path {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(BrowserError::NoDriver {
                detail: format!("{} does not exist", p.display()),
            })
        };
    }
    let name = kind.driver_name();
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path_var).collect();
    if kind == BrowserKind::Firefox {
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
    }
    dirs.into_iter()
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
        .ok_or_else(|| BrowserError::NoDriver {
            detail: match kind {
                BrowserKind::Chromium => format!("{name} is not on PATH"),
                BrowserKind::Firefox => format!(
                    "{name} is not on PATH nor in ~/.cargo/bin (for Firefox: `apt-get install firefox-esr` \
                     and `cargo install --locked geckodriver`)"
                ),
            },
        })
}

/// The Firefox binary on PATH (`firefox`, else Debian's `firefox-esr`), for geckodriver.
pub fn find_firefox() -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    ["firefox", "firefox-esr"].iter().find_map(|name| {
        std::env::split_paths(&path_var)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// One `GET /status`; true when the body says `"ready": true`.
pub(crate) async fn status_ready(port: u16) -> bool {
    let probe = move || -> Option<bool> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .proxy(None)
            .build()
            .into();
        let body = agent
            .get(format!("http://127.0.0.1:{port}/status"))
            .call()
            .ok()?
            .body_mut()
            .read_to_string()
            .ok()?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v["value"]["ready"].as_bool()
    };
    tokio::task::spawn_blocking(probe).await.ok().flatten().unwrap_or(false)
}
