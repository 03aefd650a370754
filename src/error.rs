//! Error classes of the command line and their exit codes.

use std::process::ExitCode;

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
    /// Interrupted by Ctrl-C. Exit 130.
    #[error("interrupted")]
    Interrupted,
    /// Anything else (I/O, the replica could not start). Exit 4.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code of this error class.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Failed(_) => 1,
            CliError::Invalid(_) => 2,
            CliError::NoBrowser(_) => 3,
            CliError::Other(_) => 4,
            CliError::Interrupted => 130,
        })
    }
}
