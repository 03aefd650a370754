//! The exit codes and the signals that interrupt a run (the table is in [`crate::error`]).

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
