//! Batches: one flow replayed for every row of a CSV file by a pool of browser sessions.
//!
//! [`csv`] reads and checks the rows, [`key`] gives every row a stable identity, [`journal`]
//! records each row's outcome durably so a batch can be resumed, [`results`] writes
//! `results.csv`, [`queue`] hands rows to N sessions, and [`rundir`] picks run folders that are
//! never shared. [`session`] runs rows in real browser sessions, [`run`] runs a whole batch and
//! [`report`] writes the batch's own reports.

pub mod csv;
pub mod journal;
pub mod key;
pub mod queue;
pub mod report;
pub mod results;
pub mod run;
pub mod rundir;
pub mod session;
