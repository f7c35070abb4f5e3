//! One module per route.

pub mod compare;
pub mod dataset;
pub mod datasets;
pub mod experiment;
pub mod experiments;
pub mod not_found;
pub mod run;
