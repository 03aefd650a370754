//! Error classes of the command line and the one exit-code table.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | passed |
//! | 1 | a step failed (verify: a step is broken, it cannot be performed) |
//! | 2 | invalid usage, flow, parameters or secrets: nothing was started |
//! | 3 | no browser or WebDriver available |
//! | 4 | other errors |
//! | 5 | drift: verify found every step performable, but something changed |
//! | 129 / 130 / 143 | interrupted by SIGHUP / SIGINT / SIGTERM (the report is written) |

use std::process::ExitCode;

use crate::run::Status;

/// Exit code: passed.
pub const EXIT_PASSED: u8 = 0;
/// Exit code: a step failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: invalid usage, flow, parameters or secrets.
pub const EXIT_INVALID: u8 = 2;
/// Exit code: no browser or WebDriver.
pub const EXIT_NO_BROWSER: u8 = 3;
/// Exit code: anything else.
pub const EXIT_OTHER: u8 = 4;
/// Exit code: drift found by verify (every step performable, something changed).
pub const EXIT_DRIFT: u8 = 5;

/// A signal that interrupts a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGHUP: the terminal went away.
    Hup,
    /// SIGINT: Ctrl-C.
    Int,
    /// SIGTERM: `timeout`, `docker stop`, CI cancellation.
    Term,
}

impl Signal {
    /// 128 + the signal number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Hup => 129,
            Signal::Int => 130,
            Signal::Term => 143,
        }
    }

    /// `SIGINT`, ….
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hup => "SIGHUP",
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }
}

/// The exit code of a run that ended with `status`; `signal` is the one that interrupted it
/// (an interruption without a known signal counts as SIGINT).
pub fn exit_code_of(status: Status, no_browser: bool, signal: Option<Signal>) -> u8 {
    match status {
        Status::Passed | Status::Skipped | Status::Unchanged | Status::NotVerified => EXIT_PASSED,
        Status::Changed => EXIT_DRIFT,
        Status::Interrupted => signal.unwrap_or(Signal::Int).exit_code(),
        _ if no_browser => EXIT_NO_BROWSER,
        Status::Failed | Status::CommittedUnknown | Status::Broken => EXIT_FAILED,
    }
}

/// Why a command did not succeed; each class has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Invalid usage, flow file, parameters or secrets: nothing was started. Exit 2.
    #[error("{0}")]
    Invalid(String),
    /// A step of the flow failed in the browser. Exit 1.
    #[error("{0}")]
    Failed(String),
    /// No browser or WebDriver available. Exit 3.
    #[error("{0}")]
    NoBrowser(String),
    /// `verify` found drift: every step could be performed, something changed. Exit 5.
    #[error("{0}")]
    Drift(String),
    /// Interrupted by a signal (the report was written). Exit 129, 130 or 143.
    #[error("interrupted by {}", .0.name())]
    Interrupted(Signal),
    /// Anything else (I/O, the replica could not start). Exit 4.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code of this error class.
    pub fn code(&self) -> u8 {
        match self {
            CliError::Failed(_) => EXIT_FAILED,
            CliError::Drift(_) => EXIT_DRIFT,
            CliError::Invalid(_) => EXIT_INVALID,
            CliError::NoBrowser(_) => EXIT_NO_BROWSER,
            CliError::Other(_) => EXIT_OTHER,
            CliError::Interrupted(s) => s.exit_code(),
        }
    }

    /// A run's failure or interruption: its progress summary has shown it already, so the
    /// command line does not print it again.
    pub fn shown_by_run(&self) -> bool {
        matches!(self, CliError::Failed(_) | CliError::Interrupted(_))
    }

    /// The process exit code of this error class.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_code_table() {
        assert_eq!(exit_code_of(Status::Passed, false, None), 0);
        assert_eq!(exit_code_of(Status::Failed, false, None), 1);
        assert_eq!(exit_code_of(Status::CommittedUnknown, false, None), 1);
        assert_eq!(exit_code_of(Status::Failed, true, None), 3);
        assert_eq!(exit_code_of(Status::Interrupted, false, Some(Signal::Term)), 143);
        assert_eq!(exit_code_of(Status::Interrupted, false, Some(Signal::Hup)), 129);
        assert_eq!(exit_code_of(Status::Interrupted, false, None), 130);
        assert_eq!(CliError::Invalid(String::new()).code(), 2);
        assert_eq!(CliError::Other(anyhow::anyhow!("x")).code(), 4);
        assert_eq!(EXIT_DRIFT, 5);
        assert_eq!(exit_code_of(Status::Unchanged, false, None), 0);
        assert_eq!(exit_code_of(Status::Changed, false, None), 5);
        assert_eq!(exit_code_of(Status::Broken, false, None), 1);
    }
}
