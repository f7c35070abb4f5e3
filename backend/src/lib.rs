//! tallylab: runs LLM extraction experiments on Thai vote-count forms and tells, with
//! evidence, which model configuration to trust.
//!
//! Layout: [`thai`] normalises Thai text and numbers; [`report`] parses model output into
//! vote reports; [`eval`] scores outputs against labels; [`stats`] turns scores into
//! estimates with confidence intervals and paired verdicts; [`dataset`] generates and ships
//! datasets; [`extract`] is the built-in offline extractor `rules-v1`; [`providers`] are the
//! model backends; [`runner`] runs experiments; [`store`] keeps everything; [`service`] and
//! [`api`] are the HTTP service on [`server`]; [`cli`] is the command line.

pub mod api;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod eval;
pub mod extract;
pub mod providers;
pub mod report;
pub mod runner;
pub mod server;
pub mod service;
pub mod stats;
pub mod store;
pub mod thai;
