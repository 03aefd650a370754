//! The session pool: N workers take rows from one queue; each keeps a session (a logged-in
//! browser) for many rows.
//!
//! The pool knows nothing about browsers: a [`SessionFactory`] opens a [`Session`] (runs the
//! flow's `session` steps, e.g. logging in) and the session runs one row at a time (the `row`
//! steps). A session that dies is dropped, the worker opens a new one for its next row, and the
//! row it was running is retried once (with [`RowContext::attempt`] = 2, so the session can read
//! the portal back before repeating anything). Cancelling stops workers from taking new rows;
//! rows already running get the token and finish (or stop) on their own.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often a worker tries to open a session before giving up.
const OPEN_ATTEMPTS: u32 = 2;

/// What a session needs to know when running a row.
#[derive(Debug, Clone)]
pub struct RowContext {
    /// Index of the worker (0-based) running the row.
    pub worker: usize,
    /// 1 for the first try; 2 when a previous session died while running this row.
    pub attempt: u32,
    /// Cancelled on Ctrl-C/SIGTERM: stop at the next safe point and report.
    pub cancel: CancellationToken,
}

/// How a row ended for the pool.
#[derive(Debug)]
pub enum RowOutcome<O> {
    /// The row ran to an outcome (passed or failed: `O` says which).
    Done(O),
    /// The row ran, and the whole batch must stop taking new rows (e.g. the portal demands a
    /// new password, which would lock out the other sessions).
    Stop { output: O, reason: String },
    /// The session (browser) died: it is replaced and the row retried once.
    SessionLost { reason: String },
}

/// A logged-in session that runs rows one at a time.
pub trait Session<I>: Send + 'static {
    type Output: Send + 'static;
    fn run(&mut self, item: &I, ctx: RowContext) -> impl Future<Output = RowOutcome<Self::Output>> + Send;
    /// Ends the session (closes the browser); called when the worker is done with it.
    fn close(self) -> impl Future<Output = ()> + Send;
}

/// Opens sessions for workers.
pub trait SessionFactory<I>: Send + Sync + 'static {
    type Session: Session<I>;
    /// Opens a session for `worker` (starts a browser, runs the `session` steps).
    fn open(&self, worker: usize) -> impl Future<Output = Result<Self::Session, String>> + Send;
}

/// Why a row did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRun {
    /// The batch was cancelled (Ctrl-C/SIGTERM) before the row was taken.
    Cancelled,
    /// A row's outcome stopped the batch.
    Stopped(String),
    /// No worker could open a session.
    NoSession(String),
}

/// The end of one row.
#[derive(Debug)]
pub enum Completion<O> {
    Finished {
        output: O,
        worker: usize,
        attempts: u32,
    },
    /// The session died on the first try and again on the retry (or its task panicked).
    SessionLost {
        reason: String,
        attempts: u32,
    },
    NotRun(NotRun),
}

/// A row's index in the input and how it ended.
#[derive(Debug)]
pub struct Completed<O> {
    pub index: usize,
    pub completion: Completion<O>,
}

type Output<I, F> = <<F as SessionFactory<I>>::Session as Session<I>>::Output;

struct Shared<I> {
    queue: Mutex<VecDeque<(usize, Arc<I>, u32)>>,
    /// The row each worker is running, to report it if the worker's task panics.
    in_flight: Mutex<Vec<Option<(usize, u32)>>>,
    stop_reason: Mutex<Option<String>>,
    last_open_error: Mutex<Option<String>>,
}

/// Runs every item through sessions of `factory` with `workers` workers; `on_done` sees each
/// row as it ends (in completion order: write the journal there). Returns all rows in input
/// order. Never fails: rows that could not run say why.
pub async fn run_pool<I, F>(
    factory: Arc<F>,
    items: Vec<I>,
    workers: usize,
    cancel: CancellationToken,
    mut on_done: impl FnMut(&Completed<Output<I, F>>) + Send,
) -> Vec<Completed<Output<I, F>>>
where
    I: Send + Sync + 'static,
    F: SessionFactory<I>,
{
    let total = items.len();
    let workers = workers.clamp(1, total.max(1));
    let shared = Arc::new(Shared {
        queue: Mutex::new(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| (i, Arc::new(item), 1))
                .collect(),
        ),
        in_flight: Mutex::new(vec![None; workers]),
        stop_reason: Mutex::new(None),
        last_open_error: Mutex::new(None),
    });
    let stop = cancel.child_token();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let (factory, shared, stop, cancel, tx) = (
            factory.clone(),
            shared.clone(),
            stop.clone(),
            cancel.clone(),
            tx.clone(),
        );
        tasks.spawn(work(worker, factory, shared, stop, cancel, tx));
    }
    drop(tx);

    let mut done: Vec<Option<Completed<Output<I, F>>>> = (0..total).map(|_| None).collect();
    let mut record = |c: Completed<Output<I, F>>| {
        on_done(&c);
        let i = c.index;
        done[i] = Some(c);
    };
    while let Some(c) = rx.recv().await {
        record(c);
    }
    while tasks.join_next().await.is_some() {}

    for slot in lock(&shared.in_flight).iter().flatten() {
        let (index, attempts) = *slot;
        let reason = "the session's task stopped unexpectedly (panic)".to_string();
        record(Completed {
            index,
            completion: Completion::SessionLost { reason, attempts },
        });
    }
    let why = if cancel.is_cancelled() {
        NotRun::Cancelled
    } else if let Some(reason) = lock(&shared.stop_reason).clone() {
        NotRun::Stopped(reason)
    } else {
        NotRun::NoSession(
            lock(&shared.last_open_error)
                .clone()
                .unwrap_or_else(|| "no session could be opened".into()),
        )
    };
    let left: Vec<_> = lock(&shared.queue).drain(..).collect();
    for (index, _, _) in left {
        record(Completed {
            index,
            completion: Completion::NotRun(why.clone()),
        });
    }
    done.into_iter()
        .map(|c| c.expect("every row ends exactly once"))
        .collect()
}

async fn work<I, F>(
    worker: usize,
    factory: Arc<F>,
    shared: Arc<Shared<I>>,
    stop: CancellationToken,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Completed<Output<I, F>>>,
) where
    I: Send + Sync + 'static,
    F: SessionFactory<I>,
{
    let mut session: Option<F::Session> = None;
    loop {
        if stop.is_cancelled() {
            break;
        }
        let Some((index, item, attempt)) = lock(&shared.queue).pop_front() else {
            break;
        };
        if session.is_none() {
            match open(&*factory, worker).await {
                Ok(s) => session = Some(s),
                Err(e) => {
                    tracing::warn!(worker, error = %e, "could not open a session");
                    *lock(&shared.last_open_error) = Some(e);
                    lock(&shared.queue).push_front((index, item, attempt));
                    break;
                }
            }
            if stop.is_cancelled() {
                lock(&shared.queue).push_front((index, item, attempt));
                break;
            }
        }
        let s = session.as_mut().expect("opened above");
        lock(&shared.in_flight)[worker] = Some((index, attempt));
        let ctx = RowContext {
            worker,
            attempt,
            cancel: cancel.clone(),
        };
        let completion = match s.run(&item, ctx).await {
            RowOutcome::Done(output) => Some(Completion::Finished {
                output,
                worker,
                attempts: attempt,
            }),
            RowOutcome::Stop { output, reason } => {
                lock(&shared.stop_reason).get_or_insert(reason);
                stop.cancel();
                Some(Completion::Finished {
                    output,
                    worker,
                    attempts: attempt,
                })
            }
            RowOutcome::SessionLost { reason } => {
                tracing::warn!(worker, row = index, attempt, %reason, "session lost; opening a new one");
                if let Some(s) = session.take() {
                    s.close().await;
                }
                if attempt == 1 {
                    lock(&shared.queue).push_front((index, item.clone(), 2));
                    None
                } else {
                    Some(Completion::SessionLost {
                        reason,
                        attempts: attempt,
                    })
                }
            }
        };
        lock(&shared.in_flight)[worker] = None;
        if let Some(completion) = completion {
            let _ = tx.send(Completed { index, completion });
        }
    }
    if let Some(s) = session {
        s.close().await;
    }
}

/// Locks a mutex; a worker that panicked while holding it left consistent data (every critical
/// section is a single push, pop or assignment), so poisoning is ignored.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn open<I, F: SessionFactory<I>>(factory: &F, worker: usize) -> Result<F::Session, String> {
    let mut last = String::new();
    for attempt in 1..=OPEN_ATTEMPTS {
        match factory.open(worker).await {
            Ok(s) => return Ok(s),
            Err(e) => {
                tracing::debug!(worker, attempt, error = %e, "opening a session failed");
                last = e;
            }
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// What a fake row does when run.
    #[derive(Debug, Clone)]
    enum Script {
        Pass,
        /// The session dies the first `n` times this row is run.
        DieTimes(usize),
        /// Passes and stops the batch.
        Stop,
        /// Waits until cancelled, then reports.
        WaitForCancel,
        Panic,
    }

    #[derive(Default)]
    struct Log {
        opened: AtomicUsize,
        closed: AtomicUsize,
        runs: Mutex<Vec<(usize, usize, u32)>>, // (row, session id, attempt)
        deaths: Mutex<HashMap<usize, usize>>,
        /// Notified whenever a row starts.
        row_started: tokio::sync::Notify,
    }

    struct Factory {
        rows: Vec<Script>,
        log: Arc<Log>,
        /// Opening fails for these workers.
        broken_workers: Vec<usize>,
    }

    struct FakeSession {
        id: usize,
        rows: Vec<Script>,
        log: Arc<Log>,
    }

    impl SessionFactory<usize> for Factory {
        type Session = FakeSession;
        async fn open(&self, worker: usize) -> Result<FakeSession, String> {
            if self.broken_workers.contains(&worker) {
                return Err(format!("login failed for worker {worker}"));
            }
            let id = self.log.opened.fetch_add(1, Ordering::SeqCst);
            Ok(FakeSession {
                id,
                rows: self.rows.clone(),
                log: self.log.clone(),
            })
        }
    }

    impl Session<usize> for FakeSession {
        type Output = String;
        async fn run(&mut self, row: &usize, ctx: RowContext) -> RowOutcome<String> {
            self.log.runs.lock().unwrap().push((*row, self.id, ctx.attempt));
            self.log.row_started.notify_one();
            match self.rows[*row].clone() {
                Script::Pass => RowOutcome::Done(format!("row {row} passed")),
                Script::DieTimes(n) => {
                    let mut deaths = self.log.deaths.lock().unwrap();
                    let d = deaths.entry(*row).or_default();
                    if *d < n {
                        *d += 1;
                        RowOutcome::SessionLost {
                            reason: "browser crashed".into(),
                        }
                    } else {
                        RowOutcome::Done(format!("row {row} passed"))
                    }
                }
                Script::Stop => RowOutcome::Stop {
                    output: "asked for a new password".into(),
                    reason: "new password".into(),
                },
                Script::WaitForCancel => {
                    ctx.cancel.cancelled().await;
                    RowOutcome::Done(format!("row {row} interrupted"))
                }
                Script::Panic => panic!("bug in the session"),
            }
        }
        async fn close(self) {
            self.log.closed.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn factory(rows: Vec<Script>, broken_workers: Vec<usize>) -> (Arc<Factory>, Arc<Log>) {
        let log = Arc::new(Log::default());
        (
            Arc::new(Factory {
                rows,
                log: log.clone(),
                broken_workers,
            }),
            log,
        )
    }

    async fn run(f: Arc<Factory>, n: usize, workers: usize, cancel: CancellationToken) -> Vec<Completed<String>> {
        let mut seen = Vec::new();
        let out = run_pool(f, (0..n).collect(), workers, cancel, |c| seen.push(c.index)).await;
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            (0..n).collect::<Vec<_>>(),
            "on_done sees every row exactly once"
        );
        out
    }

    fn finished(c: &Completed<String>) -> Option<&str> {
        match &c.completion {
            Completion::Finished { output, .. } => Some(output),
            _ => None,
        }
    }

    #[tokio::test]
    async fn all_rows_run_once_over_sessions_that_log_in_once() {
        let (f, log) = factory(vec![Script::Pass; 6], vec![]);
        let out = run(f, 6, 2, CancellationToken::new()).await;
        assert_eq!(out.len(), 6);
        for (i, c) in out.iter().enumerate() {
            assert_eq!(c.index, i);
            assert_eq!(finished(c), Some(format!("row {i} passed").as_str()));
        }
        let runs = log.runs.lock().unwrap();
        assert_eq!(runs.len(), 6, "each row once");
        assert!(log.opened.load(Ordering::SeqCst) <= 2, "one login per worker");
        assert_eq!(
            log.opened.load(Ordering::SeqCst),
            log.closed.load(Ordering::SeqCst),
            "every session closed"
        );
    }

    #[tokio::test]
    async fn dead_session_is_replaced_and_row_retried_once() {
        let (f, log) = factory(
            vec![Script::Pass, Script::DieTimes(1), Script::Pass, Script::DieTimes(5)],
            vec![],
        );
        let out = run(f, 4, 1, CancellationToken::new()).await;
        assert_eq!(finished(&out[1]), Some("row 1 passed"));
        assert!(matches!(out[1].completion, Completion::Finished { attempts: 2, .. }));
        assert!(
            matches!(&out[3].completion, Completion::SessionLost { attempts: 2, reason } if reason == "browser crashed")
        );
        assert_eq!(finished(&out[2]), Some("row 2 passed"));
        let runs = log.runs.lock().unwrap();
        let tries_of = |row| runs.iter().filter(|r| r.0 == row).map(|r| r.2).collect::<Vec<_>>();
        assert_eq!(tries_of(1), vec![1, 2]);
        assert_eq!(tries_of(3), vec![1, 2], "retried once, not more");
        // Sessions are opened when a row needs one: the first, one after row 1's death, one
        // after row 3's first death; none after its last (no rows left).
        assert_eq!(log.opened.load(Ordering::SeqCst), 3);
        let retry_session = runs.iter().find(|r| r.0 == 1 && r.2 == 2).unwrap().1;
        let first_session = runs.iter().find(|r| r.0 == 1 && r.2 == 1).unwrap().1;
        assert_ne!(retry_session, first_session);
        assert_eq!(log.opened.load(Ordering::SeqCst), log.closed.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_worker_that_cannot_log_in_leaves_rows_to_the_others() {
        let (f, log) = factory(vec![Script::Pass; 5], vec![0]);
        let out = run(f, 5, 2, CancellationToken::new()).await;
        assert!(out.iter().all(|c| finished(c).is_some()), "{out:?}");
        assert!(
            log.runs.lock().unwrap().iter().all(|r| r.1 == 0),
            "only worker 1's session ran rows"
        );
    }

    #[tokio::test]
    async fn no_session_at_all_reports_every_row_not_run() {
        let (f, _) = factory(vec![Script::Pass; 3], vec![0, 1]);
        let out = run(f, 3, 2, CancellationToken::new()).await;
        for c in &out {
            assert!(
                matches!(&c.completion, Completion::NotRun(NotRun::NoSession(e)) if e.starts_with("login failed")),
                "{c:?}"
            );
        }
    }

    #[tokio::test]
    async fn stop_outcome_ends_the_batch_after_running_rows() {
        let (f, _) = factory(vec![Script::Pass, Script::Stop, Script::Pass, Script::Pass], vec![]);
        let out = run(f, 4, 1, CancellationToken::new()).await;
        assert_eq!(finished(&out[0]), Some("row 0 passed"));
        assert_eq!(finished(&out[1]), Some("asked for a new password"));
        for c in &out[2..] {
            assert!(
                matches!(&c.completion, Completion::NotRun(NotRun::Stopped(r)) if r == "new password"),
                "{c:?}"
            );
        }
    }

    #[tokio::test]
    async fn cancel_stops_taking_rows_and_lets_the_running_row_finish() {
        let (f, log) = factory(vec![Script::WaitForCancel, Script::Pass, Script::Pass], vec![]);
        let cancel = CancellationToken::new();
        let log2 = log.clone();
        let c2 = cancel.clone();
        // Cancel once row 0 is running.
        tokio::spawn(async move {
            log2.row_started.notified().await;
            c2.cancel();
        });
        let out = run(f, 3, 1, cancel).await;
        assert_eq!(finished(&out[0]), Some("row 0 interrupted"));
        assert!(matches!(out[1].completion, Completion::NotRun(NotRun::Cancelled)));
        assert!(matches!(out[2].completion, Completion::NotRun(NotRun::Cancelled)));
        assert_eq!(log.runs.lock().unwrap().len(), 1);
        assert_eq!(log.closed.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_panicking_session_loses_only_its_row() {
        let (f, _) = factory(vec![Script::Pass, Script::Panic, Script::Pass, Script::Pass], vec![]);
        let out = run(f, 4, 2, CancellationToken::new()).await;
        assert!(matches!(&out[1].completion, Completion::SessionLost { reason, .. } if reason.contains("panic")));
        assert_eq!(
            [0, 2, 3].iter().filter(|i| finished(&out[**i]).is_some()).count(),
            3,
            "{out:?}"
        );
    }

    #[tokio::test]
    async fn empty_batch_and_more_workers_than_rows() {
        let (f, log) = factory(vec![Script::Pass; 2], vec![]);
        assert!(run(f.clone(), 0, 4, CancellationToken::new()).await.is_empty());
        let out = run(f, 2, 8, CancellationToken::new()).await;
        assert!(out.iter().all(|c| finished(c).is_some()));
        assert!(log.opened.load(Ordering::SeqCst) <= 2);
    }
}
