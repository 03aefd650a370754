//! Flow files: loading (parse → include → validate → inline), binding of parameters and secrets.
//!
//! Dependencies run one way: [`lang`] (the vocabulary) ← [`parse`] (one file's text → model) and
//! [`validate`] (a pass over one file's model) ← [`load`] (reads files, resolves includes, drives
//! both) ← [`check`] (the `check` command); [`bind`] works on a loaded [`Flow`].

pub mod bind;
pub mod check;
mod display;
pub mod lang;
pub mod load;
pub mod model;
pub mod parse;
pub mod span;
pub mod text;
pub mod validate;

/// What a secret's value is shown as, wherever it would be printed.
pub const MASK: &str = "***";

pub use bind::{bind, bind_env, BindError, BindProblem, RenderError, Vars};
pub use check::check;
pub use load::{load, parse_str};
pub use model::*;
pub use span::{FlowError, FlowErrors};
