//! What the API does, apart from HTTP: starting, running, resuming and cancelling runs,
//! and building comparisons.

pub mod compare;
pub mod estimate;
pub mod runs;
pub mod tasks;
pub mod views;
