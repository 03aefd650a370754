//! Flow files: parsing (with spans), validation, binding of parameters and secrets.

pub mod model;

pub use model::*;
