//! tallylab: runs LLM extraction experiments on Thai vote-count forms and tells, with
//! evidence, which model configuration to trust.
//!
//! Layout: [`thai`] normalises Thai text and numbers; [`report`] parses model output into
//! vote reports; [`eval`] scores outputs against labels; [`stats`] turns scores into
//! estimates with confidence intervals and paired verdicts; [`dataset`] generates and ships
//! datasets; [`extract`] is the built-in offline extractor `rules-v1`; [`providers`] are the
//! model backends; [`runner`] runs experiments; [`cli`] is the command line.

pub mod cli;
pub mod dataset;
pub mod eval;
pub mod extract;
pub mod providers;
pub mod report;
pub mod runner;
pub mod stats;
pub mod thai;
