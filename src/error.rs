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

pub use crate::exit::{Signal, EXIT_DRIFT, EXIT_FAILED, EXIT_INVALID, EXIT_NO_BROWSER, EXIT_OTHER, EXIT_PASSED};

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
    use crate::run::Status;

    #[test]
    fn the_exit_code_table() {
        assert_eq!(Status::Passed.exit_code(false, None), 0);
        assert_eq!(Status::Failed.exit_code(false, None), 1);
        assert_eq!(Status::CommittedUnknown.exit_code(false, None), 1);
        assert_eq!(Status::Failed.exit_code(true, None), 3);
        assert_eq!(Status::Interrupted.exit_code(false, Some(Signal::Term)), 143);
        assert_eq!(Status::Interrupted.exit_code(false, Some(Signal::Hup)), 129);
        assert_eq!(Status::Interrupted.exit_code(false, None), 130);
        assert_eq!(CliError::Invalid(String::new()).code(), 2);
        assert_eq!(CliError::Other(anyhow::anyhow!("x")).code(), 4);
        assert_eq!(EXIT_DRIFT, 5);
        assert_eq!(Status::Unchanged.exit_code(false, None), 0);
        assert_eq!(Status::Changed.exit_code(false, None), 5);
        assert_eq!(Status::Broken.exit_code(false, None), 1);
    }
}
