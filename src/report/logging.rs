//! The process-wide tracing subscriber: human/JSON lines to stderr and to the current run's
//! `run.log`, every line redacted.
//!
//! [`init`] installs one global subscriber with two outputs:
//! - **stderr**: warnings and errors only (errors only with `quiet`) unless `RUST_LOG` is set, in
//!   which case `RUST_LOG` decides. While a live progress display is on screen, each line is
//!   written with the display suspended, so spinners and log lines never garble each other.
//! - **run.log**: the file set with [`set_run_log`] (none at first; switchable at runtime because
//!   one process may run several flows). Filter: `RUST_LOG`, default `warn,postnl_robot=info`.
//!   A task that runs inside [`TaskLog::scope`] (a batch session, one batch row) logs to its own
//!   file instead, so parallel sessions never interleave in one log.
//!
//! Every line is redacted, after formatting, with the global redactor ([`set_global_redactor`])
//! merged with the current run's. This covers `RUST_LOG=trace`, where WebDriver request bodies
//! (typed text) and `log`-crate records of dependencies show up: the formatted line, with its
//! JSON/Debug escaping, is what gets redacted.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use indicatif::MultiProgress;
use tracing_subscriber::filter::{filter_fn, EnvFilter, FilterExt};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

use super::redact::{RedactingWriter, Redactor};

/// Default filter of `run.log` when `RUST_LOG` is not set.
pub const DEFAULT_RUN_LOG_FILTER: &str = "warn,postnl_robot=info";

/// Layout of log lines (stderr and `run.log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `2025-01-31T09:12:03.123Z  INFO postnl_robot::run: message key=value`
    #[default]
    Text,
    /// One JSON object per line (tracing-subscriber's JSON format).
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("unknown log format '{other}' (expected text or json)")),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

/// Returned by [`init`]; on drop, closes the current `run.log` (if any).
#[must_use = "dropping the guard closes run.log"]
#[derive(Debug)]
pub struct LogGuard {
    _private: (),
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        clear_run_log();
    }
}

struct RunLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

#[derive(Default)]
struct State {
    global: Redactor,
    run_redactor: Redactor,
    /// `global` merged with `run_redactor`, precomputed.
    active: Redactor,
    run_log: Option<RunLog>,
}

fn state() -> &'static RwLock<State> {
    static STATE: OnceLock<RwLock<State>> = OnceLock::new();
    STATE.get_or_init(Default::default)
}

fn progress_slot() -> &'static Mutex<Option<MultiProgress>> {
    static SLOT: OnceLock<Mutex<Option<MultiProgress>>> = OnceLock::new();
    SLOT.get_or_init(Default::default)
}

static RUN_LOG_OPEN: AtomicBool = AtomicBool::new(false);

tokio::task_local! {
    static TASK_LOG: Arc<TaskLog>;
}

/// The `run.log` of one task (a batch session or row): what the task logs while it runs inside
/// [`TaskLog::scope`] goes to this file, redacted with the global secrets and its own.
#[derive(Debug)]
pub struct TaskLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    redactor: Redactor,
}

impl TaskLog {
    /// Opens (appends to) `path`, creating its folder.
    pub fn open(path: &Path, redactor: &Redactor) -> io::Result<Arc<TaskLog>> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let global = state().read().unwrap_or_else(|e| e.into_inner()).global.clone();
        Ok(Arc::new(TaskLog {
            path: path.to_owned(),
            file: Arc::new(Mutex::new(file)),
            redactor: global.merge(redactor),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `fut` with its log lines going to this file (also from nested scopes' parents:
    /// the innermost scope wins).
    pub async fn scope<F: std::future::Future>(self: Arc<Self>, fut: F) -> F::Output {
        TASK_LOG.scope(self, fut).await
    }
}

fn task_log() -> Option<Arc<TaskLog>> {
    TASK_LOG.try_with(Arc::clone).ok()
}

/// Installs the global subscriber (once per process; later calls only return a guard).
pub fn init(format: LogFormat, quiet: bool) -> LogGuard {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| install(format, quiet));
    LogGuard { _private: () }
}

fn install(format: LogFormat, quiet: bool) {
    let rust_log = std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty());
    let mut bad_filter = None;
    let mut filter_or = |default: &str| -> EnvFilter {
        match &rust_log {
            Some(v) => EnvFilter::try_new(v).unwrap_or_else(|e| {
                bad_filter = Some(format!("ignoring invalid RUST_LOG '{v}': {e}"));
                EnvFilter::new(default)
            }),
            None => EnvFilter::new(default),
        }
    };
    let stderr_filter = filter_or(if quiet { "error" } else { "warn" });
    let run_filter = filter_or(DEFAULT_RUN_LOG_FILTER).and(filter_fn(|_| {
        RUN_LOG_OPEN.load(Ordering::Relaxed) || TASK_LOG.try_with(|_| ()).is_ok()
    }));

    let ansi = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let layers = vec![
        fmt_layer(format, StderrOut, ansi, stderr_filter),
        fmt_layer(format, RunLogOut, false, run_filter),
    ];
    let installed = Registry::default().with(layers).try_init().is_ok();
    if let (true, Some(msg)) = (installed, bad_filter) {
        tracing::warn!("{msg}");
    }
}

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

fn fmt_layer<W, F>(format: LogFormat, writer: W, ansi: bool, filter: F) -> BoxedLayer
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
    F: tracing_subscriber::layer::Filter<Registry> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(ansi);
    match format {
        LogFormat::Text => layer.with_filter(filter).boxed(),
        LogFormat::Json => layer.json().with_filter(filter).boxed(),
    }
}

/// Adds process-wide secrets (applied to every output, with or without a run).
pub fn set_global_redactor(redactor: Redactor) {
    let mut st = state().write().unwrap_or_else(|e| e.into_inner());
    st.global = redactor;
    st.active = st.global.merge(&st.run_redactor);
}

/// Starts writing the log to `path` (appending; parent folders created), redacted with
/// `redactor` plus the global one. Replaces the previous run's log, if any.
pub fn set_run_log(path: &Path, redactor: Redactor) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut open = OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    {
        // A symbolic link planted as run.log is not followed.
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NOFOLLOW);
    }
    let file = open.open(path)?;
    let mut st = state().write().unwrap_or_else(|e| e.into_inner());
    st.run_redactor = redactor;
    st.active = st.global.merge(&st.run_redactor);
    st.run_log = Some(RunLog {
        path: path.to_owned(),
        file: Arc::new(Mutex::new(file)),
    });
    RUN_LOG_OPEN.store(true, Ordering::Relaxed);
    Ok(())
}

/// Stops writing to the current `run.log` and forgets the run's secrets.
pub fn clear_run_log() {
    let mut st = state().write().unwrap_or_else(|e| e.into_inner());
    RUN_LOG_OPEN.store(false, Ordering::Relaxed);
    if let Some(log) = st.run_log.take() {
        if let Ok(mut f) = log.file.lock() {
            let _ = f.flush();
        }
    }
    st.run_redactor = Redactor::none();
    st.active = st.global.clone();
}

/// The current `run.log`, if one is set.
pub fn run_log_path() -> Option<PathBuf> {
    let st = state().read().unwrap_or_else(|e| e.into_inner());
    st.run_log.as_ref().map(|l| l.path.clone())
}

/// The redactor every output uses right now: global secrets plus the current run's.
pub fn active_redactor() -> Redactor {
    state().read().unwrap_or_else(|e| e.into_inner()).active.clone()
}

/// Registers the live progress display so stderr log lines suspend it while they are written.
pub(crate) fn set_progress(progress: Option<MultiProgress>) {
    *progress_slot().lock().unwrap_or_else(|e| e.into_inner()) = progress;
}

/// MakeWriter for stderr: redacted, progress display suspended while writing.
struct StderrOut;

struct StderrSink;

impl Write for StderrSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        let progress = progress_slot().lock().unwrap_or_else(|e| e.into_inner()).clone();
        let write = || {
            let mut err = io::stderr().lock();
            err.write_all(data)?;
            err.flush()
        };
        match progress {
            Some(p) => p.suspend(write),
            None => write(),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for StderrOut {
    type Writer = RedactingWriter<StderrSink>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(StderrSink, active_redactor())
    }
}

/// MakeWriter for the current run.log (a sink when none is set).
struct RunLogOut;

struct RunLogSink(Option<Arc<Mutex<File>>>);

impl Write for RunLogSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match &self.0 {
            Some(f) => f.lock().unwrap_or_else(|e| e.into_inner()).write_all(data),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for RunLogOut {
    type Writer = RedactingWriter<RunLogSink>;

    fn make_writer(&'a self) -> Self::Writer {
        if let Some(t) = task_log() {
            return RedactingWriter::new(RunLogSink(Some(t.file.clone())), t.redactor.clone());
        }
        let st = state().read().unwrap_or_else(|e| e.into_inner());
        let file = st.run_log.as_ref().map(|l| l.file.clone());
        RedactingWriter::new(RunLogSink(file), st.active.clone())
    }
}
