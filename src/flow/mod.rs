//! Flow files: parsing (with spans), validation, binding of parameters and secrets.

pub mod bind;
pub mod check;
mod display;
pub mod model;
pub mod parse;
pub mod span;
pub mod text;
pub mod validate;

pub use bind::{bind, bind_env, BindError, BindProblem, RenderError, Vars};
pub use check::check;
pub use model::*;
pub use parse::{load, parse_str};
pub use span::{FlowError, FlowErrors};
