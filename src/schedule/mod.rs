//! Schedules: jobs from a TOML file run at cron times, one scheduler per file, each run in its
//! own folder with a history, a status file for monitoring and an optional webhook.
//!
//! [`file`] reads and checks the schedule file, [`runner`] is the scheduler loop (jobs are run
//! by a [`runner::Launcher`]), [`history`] writes `history.jsonl` and `status.json`, [`lock`]
//! keeps a second scheduler off the same file, [`prune`] keeps the last N run folders, and
//! [`webhook`] posts run summaries.

pub mod file;
pub mod history;
pub mod lock;
pub mod prune;
pub mod runner;
pub mod webhook;

pub use file::{load, parse, Job, JobInput, JobTz, Mode, Notify, Schedule, ScheduleError};
pub use runner::{run_loaded, run_schedule, JobOutcome, Launcher, RunError, RunSummary};
