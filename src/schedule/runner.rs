//! The scheduler loop: fire each job at its next cron time, one run per job at a time.

use super::file::{self, Job, Notify, Schedule, ScheduleError};
use super::history::{self, HistoryEntry, RunStatus};
use super::lock::{LockError, ScheduleLock};
use super::{prune, webhook};
use crate::batch::rundir::{self, OutDirError};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Longest single timer wait: the wall clock is looked at again at least this often, so a
/// suspended machine or a changed clock does not leave the loop sleeping past a due time.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// A due time further in the past than this (the machine was asleep) is not caught up.
const MISSED_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// How one run of a job ended, as the launcher reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutcome {
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    /// What went wrong; must already be free of secrets.
    pub message: Option<String>,
}

/// Runs a job once (a `run`, `verify` or batch with the job's settings).
pub trait Launcher: Send + Sync + 'static {
    /// Runs `job` with `folder` (just created, empty) as its run folder. On `cancel`, stop at
    /// the next safe point, write the report and return.
    fn launch(&self, job: &Job, folder: &Path, cancel: CancellationToken) -> impl Future<Output = JobOutcome> + Send;
}

/// What a scheduler did before it stopped.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Runs started (what `--max-runs` counts).
    pub started: u64,
    /// Due times skipped because the job's previous run was still going.
    pub skipped: u64,
    /// Every finished run, in finishing order.
    pub runs: Vec<HistoryEntry>,
}

/// Why the scheduler could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// Loads `file`, takes its lock and runs the schedule until `cancel` or until `max_runs` runs
/// have started (and finished). Skips do not count as runs. Returns when no job is running.
pub async fn run_schedule<L: Launcher>(
    file: &Path,
    max_runs: Option<u64>,
    cancel: CancellationToken,
    launcher: Arc<L>,
) -> Result<RunSummary, RunError> {
    let schedule = file::load(file)?;
    let _lock = ScheduleLock::acquire(file)?;
    Ok(run_loaded(schedule, max_runs, cancel, launcher, webhook::BACKOFF).await)
}

struct JobState {
    job: Arc<Job>,
    next: Option<DateTime<Utc>>,
    running: bool,
}

/// A run that ended.
struct Ended {
    job: usize,
    folder: Option<PathBuf>,
    started: DateTime<Utc>,
    outcome: JobOutcome,
}

/// The loop itself, for a schedule already loaded and locked.
pub async fn run_loaded<L: Launcher>(
    schedule: Schedule,
    max_runs: Option<u64>,
    cancel: CancellationToken,
    launcher: Arc<L>,
    webhook_backoff: Duration,
) -> RunSummary {
    let now = Utc::now();
    let mut jobs: Vec<JobState> = schedule
        .jobs
        .into_iter()
        .map(|job| JobState {
            next: job.next_after(now),
            job: Arc::new(job),
            running: false,
        })
        .collect();
    let mut running: JoinSet<Ended> = JoinSet::new();
    let mut hooks: JoinSet<()> = JoinSet::new();
    let mut summary = RunSummary::default();
    let ctx = Finish {
        schedule: &schedule.path,
        webhook_backoff,
    };

    loop {
        let stopping = cancel.is_cancelled() || max_runs.is_some_and(|m| summary.started >= m);
        let due = jobs.iter().filter_map(|s| s.next).min();
        if stopping || due.is_none() {
            // Nothing more to start: let the running jobs finish.
            match running.join_next().await {
                Some(ended) => ctx.finish(ended_or_panic(ended), &mut jobs, &mut summary, &mut hooks),
                None => break,
            }
            continue;
        }
        let due = due.expect("checked above");
        let wait = (due - Utc::now()).to_std().unwrap_or_default().min(MAX_WAIT);
        tokio::select! {
            _ = cancel.cancelled() => {}
            Some(ended) = running.join_next(), if !running.is_empty() => {
                ctx.finish(ended_or_panic(ended), &mut jobs, &mut summary, &mut hooks);
            }
            _ = tokio::time::sleep(wait) => {
                let now = Utc::now();
                for (i, state) in jobs.iter_mut().enumerate() {
                    let Some(due) = state.next.filter(|d| *d <= now) else { continue };
                    // Never the same due time twice, and missed times are not caught up.
                    state.next = state.job.next_after(now.max(due));
                    if now - due > MISSED_AFTER {
                        tracing::warn!(job = %state.job.name, due = %due, "run missed (the machine was asleep?); not caught up");
                    } else if state.running {
                        skip(state, due, &mut summary);
                    } else if max_runs.is_none_or(|m| summary.started < m) {
                        start(i, state, &mut running, &launcher, &cancel);
                        summary.started += 1;
                    }
                }
            }
        }
    }
    while hooks.join_next().await.is_some() {}
    summary
}

fn skip(state: &JobState, due: DateTime<Utc>, summary: &mut RunSummary) {
    let job = &state.job;
    tracing::warn!(job = %job.name, "previous run still going; this run is skipped");
    let entry = HistoryEntry {
        job: job.name.clone(),
        started: due,
        finished: None,
        status: RunStatus::Skipped,
        exit_code: None,
        folder: None,
        message: Some("the previous run was still going".into()),
    };
    if let Err(e) = history::append(&job.out, &entry) {
        tracing::error!(job = %job.name, error = %e, "could not write history.jsonl");
    }
    summary.skipped += 1;
}

fn start<L: Launcher>(
    index: usize,
    state: &mut JobState,
    running: &mut JoinSet<Ended>,
    launcher: &Arc<L>,
    cancel: &CancellationToken,
) {
    state.running = true;
    let (job, launcher, cancel) = (state.job.clone(), launcher.clone(), cancel.clone());
    let started = Utc::now();
    running.spawn(async move {
        let folder = match rundir::unique_run_dir(&job.out, &job.name) {
            Ok(f) => f,
            Err(e) => {
                return Ended {
                    job: index,
                    folder: None,
                    started,
                    outcome: error_outcome(&e),
                }
            }
        };
        tracing::info!(job = %job.name, folder = %folder.display(), "run starts");
        // The launcher runs in a task of its own, so a panic in it ends this run, not the loop.
        let (j, f) = (job.clone(), folder.clone());
        let outcome = match tokio::spawn(async move { launcher.launch(&j, &f, cancel).await }).await {
            Ok(outcome) => outcome,
            Err(e) => JobOutcome {
                status: RunStatus::Error,
                exit_code: None,
                message: Some(format!("the run stopped unexpectedly: {e}")),
            },
        };
        Ended {
            job: index,
            folder: Some(folder),
            started,
            outcome,
        }
    });
}

fn error_outcome(e: &OutDirError) -> JobOutcome {
    JobOutcome {
        status: RunStatus::Error,
        exit_code: Some(4),
        message: Some(e.to_string()),
    }
}

fn ended_or_panic(r: Result<Ended, tokio::task::JoinError>) -> Ended {
    // The run task itself only awaits the launcher's task and cannot panic.
    r.expect("the run task does not panic")
}

/// Records a finished run: history, status, pruning, webhook.
struct Finish<'a> {
    schedule: &'a Path,
    webhook_backoff: Duration,
}

impl Finish<'_> {
    fn finish(&self, ended: Ended, jobs: &mut [JobState], summary: &mut RunSummary, hooks: &mut JoinSet<()>) {
        let state = &mut jobs[ended.job];
        state.running = false;
        let job = &state.job;
        let finished = Utc::now();
        let entry = HistoryEntry {
            job: job.name.clone(),
            started: ended.started,
            finished: Some(finished),
            status: ended.outcome.status,
            exit_code: ended.outcome.exit_code,
            folder: ended.folder.clone(),
            message: ended.outcome.message.clone(),
        };
        tracing::info!(job = %job.name, status = ?entry.status, "run finished");
        if let Err(e) = history::append(&job.out, &entry).and_then(|_| history::update_status(&job.out, &entry)) {
            tracing::error!(job = %job.name, error = %e, "could not write history.jsonl/status.json");
        }
        if let Some(keep) = job.keep {
            match prune::prune_runs(&job.out, keep, None) {
                Ok(deleted) if !deleted.is_empty() => {
                    tracing::info!(job = %job.name, count = deleted.len(), "old run folders deleted")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(job = %job.name, error = %e, "could not delete old run folders"),
            }
        }
        let failed = matches!(
            entry.status,
            RunStatus::Failed | RunStatus::Drift | RunStatus::CommittedUnknown | RunStatus::Error
        );
        if let (Some(url), true) = (&job.webhook, failed || job.notify == Notify::Always) {
            let body = webhook::Summary {
                event: "run.finished".into(),
                schedule: self.schedule.to_path_buf(),
                job: job.name.clone(),
                mode: job.mode,
                flow: job.flow.clone(),
                status: entry.status,
                exit_code: entry.exit_code,
                started: entry.started,
                finished,
                duration_s: (finished - entry.started).num_milliseconds() as f64 / 1000.0,
                folder: entry.folder.clone(),
                message: entry.message.clone(),
            };
            let (url, backoff) = (url.clone(), self.webhook_backoff);
            hooks.spawn(async move {
                if let Err(e) = webhook::post(&url, &body, backoff).await {
                    tracing::error!(error = %e, "webhook failed");
                }
            });
        }
        summary.runs.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::webhook::tests::receiver;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// A fake launcher: each call takes the next scripted behaviour (the last one repeats).
    struct Fake {
        script: Vec<Behaviour>,
        calls: AtomicUsize,
        folders: Mutex<Vec<PathBuf>>,
        started: tokio::sync::Notify,
    }

    #[derive(Clone)]
    enum Behaviour {
        Pass,
        Fail,
        /// Keeps running until the job's history shows a skipped run (bounded wait).
        RunUntilSkipRecorded,
        /// Keeps running until cancelled, then reports an interrupted run.
        RunUntilCancelled,
        Panic,
    }

    impl Fake {
        fn new(script: Vec<Behaviour>) -> Arc<Fake> {
            Arc::new(Fake {
                script,
                calls: AtomicUsize::new(0),
                folders: Mutex::new(Vec::new()),
                started: tokio::sync::Notify::new(),
            })
        }
    }

    fn outcome(status: RunStatus, code: i32) -> JobOutcome {
        JobOutcome {
            status,
            exit_code: Some(code),
            message: None,
        }
    }

    impl Launcher for Fake {
        async fn launch(&self, job: &Job, folder: &Path, cancel: CancellationToken) -> JobOutcome {
            assert!(folder.is_dir() && folder.starts_with(&job.out));
            self.folders.lock().unwrap().push(folder.to_path_buf());
            std::fs::write(folder.join("report.html"), "x").unwrap();
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            self.started.notify_one();
            match self.script[n.min(self.script.len() - 1)].clone() {
                Behaviour::Pass => outcome(RunStatus::Passed, 0),
                Behaviour::Fail => JobOutcome {
                    status: RunStatus::Failed,
                    exit_code: Some(1),
                    message: Some("Stap 3: knop niet gevonden".into()),
                },
                Behaviour::RunUntilSkipRecorded => {
                    for _ in 0..500 {
                        if history::read(&job.out)
                            .unwrap()
                            .iter()
                            .any(|e| e.status == RunStatus::Skipped)
                        {
                            return outcome(RunStatus::Passed, 0);
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    panic!("no skip was recorded while the run was going");
                }
                Behaviour::RunUntilCancelled => {
                    cancel.cancelled().await;
                    outcome(RunStatus::Interrupted, 130)
                }
                Behaviour::Panic => panic!("launcher bug"),
            }
        }
    }

    struct Setup {
        dir: tempfile::TempDir,
        file: PathBuf,
    }

    fn setup(extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("flow.toml"), "").unwrap();
        let file = dir.path().join("schedule.toml");
        let text = format!(
            "[[jobs]]\nname = \"elke-seconde\"\ncron = \"*/1 * * * * *\"\ntz = \"UTC\"\nflow = \"flow.toml\"\n\
             params = {{ klantnummer = \"1001\" }}\n{extra}"
        );
        std::fs::write(&file, text).unwrap();
        Setup { dir, file }
    }

    impl Setup {
        fn out(&self) -> PathBuf {
            self.dir.path().join("runs/elke-seconde")
        }
        async fn run(&self, fake: &Arc<Fake>, max: u64, cancel: CancellationToken) -> RunSummary {
            let schedule = file::load(&self.file).unwrap();
            let fut = run_loaded(schedule, Some(max), cancel, fake.clone(), Duration::from_millis(10));
            tokio::time::timeout(Duration::from_secs(60), fut)
                .await
                .expect("the scheduler stops")
        }
    }

    #[tokio::test]
    async fn max_runs_two_gives_two_history_lines_and_two_folders() {
        let s = setup("");
        let fake = Fake::new(vec![Behaviour::Pass]);
        let summary = s.run(&fake, 2, CancellationToken::new()).await;
        assert_eq!(summary.started, 2);
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
        let h = history::read(&s.out()).unwrap();
        assert_eq!(h.len(), 2, "{h:?}");
        assert!(h
            .iter()
            .all(|e| e.status == RunStatus::Passed && e.exit_code == Some(0) && e.job == "elke-seconde"));
        let folders = fake.folders.lock().unwrap().clone();
        assert_ne!(folders[0], folders[1]);
        assert_eq!(h.iter().map(|e| e.folder.clone().unwrap()).collect::<Vec<_>>(), folders);
        let status: history::Status =
            serde_json::from_slice(&std::fs::read(s.out().join(history::STATUS_FILE)).unwrap()).unwrap();
        assert_eq!(status.last_run.as_ref().unwrap().folder, Some(folders[1].clone()));
        assert_eq!(status.last_success.unwrap().folder, Some(folders[1].clone()));
    }

    #[tokio::test]
    async fn a_running_job_is_not_started_twice_and_the_skip_is_recorded() {
        let s = setup("");
        let fake = Fake::new(vec![Behaviour::RunUntilSkipRecorded, Behaviour::Pass]);
        let summary = s.run(&fake, 2, CancellationToken::new()).await;
        assert_eq!(summary.started, 2, "skips do not count as runs");
        assert!(summary.skipped >= 1);
        let h = history::read(&s.out()).unwrap();
        let statuses: Vec<_> = h.iter().map(|e| e.status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == RunStatus::Passed).count(),
            2,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == RunStatus::Skipped).count() as u64,
            summary.skipped
        );
        assert_eq!(
            statuses[0],
            RunStatus::Skipped,
            "the skip happened while run 1 was going: {statuses:?}"
        );
        let skip = &h[0];
        assert_eq!(skip.folder, None);
        assert_eq!(skip.message.as_deref(), Some("the previous run was still going"));
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failures_post_to_the_webhook_and_passes_do_not() {
        let r = receiver(0).await;
        let s = setup(&format!("webhook = \"{}\"\n", r.url));
        let fake = Fake::new(vec![Behaviour::Pass, Behaviour::Fail]);
        s.run(&fake, 2, CancellationToken::new()).await;
        let bodies = r.bodies.lock().unwrap().clone();
        assert_eq!(bodies.len(), 1, "only the failed run is posted: {bodies:?}");
        let b = &bodies[0];
        assert_eq!(b["event"], "run.finished");
        assert_eq!(b["job"], "elke-seconde");
        assert_eq!(b["status"], "failed");
        assert_eq!(b["exit_code"], 1);
        assert_eq!(b["message"], "Stap 3: knop niet gevonden");
        assert_eq!(
            b["folder"].as_str().unwrap(),
            fake.folders.lock().unwrap()[1].to_str().unwrap()
        );
        let status: history::Status =
            serde_json::from_slice(&std::fs::read(s.out().join(history::STATUS_FILE)).unwrap()).unwrap();
        assert_eq!(status.last_run.unwrap().status, RunStatus::Failed);
        assert_eq!(
            status.last_success.unwrap().folder,
            Some(fake.folders.lock().unwrap()[0].clone())
        );
    }

    #[tokio::test]
    async fn notify_always_posts_every_run() {
        let r = receiver(1).await;
        let s = setup(&format!("webhook = \"{}\"\nnotify = \"always\"\n", r.url));
        let fake = Fake::new(vec![Behaviour::Pass]);
        s.run(&fake, 2, CancellationToken::new()).await;
        let bodies = r.bodies.lock().unwrap().clone();
        // The receiver refused the first delivery: 2 runs, 3 posts, both runs delivered.
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert!(bodies.iter().all(|b| b["status"] == "passed"));
    }

    #[tokio::test]
    async fn cancel_finishes_the_running_job_and_starts_no_more() {
        let s = setup("");
        let fake = Fake::new(vec![Behaviour::RunUntilCancelled]);
        let cancel = CancellationToken::new();
        let (f, c) = (fake.clone(), cancel.clone());
        tokio::spawn(async move {
            f.started.notified().await;
            c.cancel();
        });
        let summary = s.run(&fake, 10, cancel).await;
        assert_eq!(summary.started, 1);
        let h = history::read(&s.out()).unwrap();
        let finished: Vec<_> = h.iter().filter(|e| e.status != RunStatus::Skipped).collect();
        assert_eq!(finished.len(), 1);
        assert_eq!(finished[0].status, RunStatus::Interrupted);
        assert_eq!(finished[0].exit_code, Some(130));
    }

    #[tokio::test]
    async fn keep_prunes_old_run_folders() {
        let s = setup("keep = 2\n");
        let fake = Fake::new(vec![Behaviour::Pass]);
        s.run(&fake, 4, CancellationToken::new()).await;
        let folders = fake.folders.lock().unwrap().clone();
        assert_eq!(folders.len(), 4);
        assert!(!folders[0].exists() && !folders[1].exists());
        assert!(folders[2].exists() && folders[3].exists());
        assert!(s.out().join(history::HISTORY_FILE).exists());
        assert_eq!(history::read(&s.out()).unwrap().len(), 4, "history keeps every run");
    }

    #[tokio::test]
    async fn a_panicking_launcher_is_an_error_run_not_a_crash() {
        let s = setup("");
        let fake = Fake::new(vec![Behaviour::Panic, Behaviour::Pass]);
        let summary = s.run(&fake, 2, CancellationToken::new()).await;
        let statuses: Vec<_> = summary.runs.iter().map(|e| e.status).collect();
        assert_eq!(statuses, vec![RunStatus::Error, RunStatus::Passed]);
        assert!(summary.runs[0]
            .message
            .as_deref()
            .unwrap()
            .contains("stopped unexpectedly"));
    }

    #[tokio::test]
    async fn second_scheduler_on_the_same_file_is_refused() {
        let s = setup("");
        let _held = ScheduleLock::acquire(&s.file).unwrap();
        let fake = Fake::new(vec![Behaviour::Pass]);
        let err = run_schedule(&s.file, Some(1), CancellationToken::new(), fake.clone())
            .await
            .unwrap_err();
        assert!(matches!(err, RunError::Lock(LockError::Busy { .. })), "{err}");
        assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
        drop(_held);
        let summary = run_schedule(&s.file, Some(1), CancellationToken::new(), fake.clone())
            .await
            .unwrap();
        assert_eq!(summary.started, 1);
    }
}
