//! Running a bound flow in a browser session.

pub mod executor;
pub mod result;

pub use result::{RunResult, Status, StepResult};
