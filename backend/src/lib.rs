//! tallylab: runs LLM extraction experiments on Thai vote-count forms and tells, with
//! evidence, which model configuration to trust.
//!
//! Layers, each importing only from the layers below it (checked by `tests/architecture.rs`):
//!
//! - entry points: [`server`] (wires the process), [`api`] (HTTP), [`cli`] (command line);
//! - [`service`]: what tallylab does (runs, history, comparisons, datasets), owning its
//!   state and its error;
//! - [`runner`] runs one experiment's trials; [`store`] keeps everything;
//! - [`providers`] are the model backends;
//! - the domain: [`outcome`] (a trial's result), [`eval`] (scores and the evaluator
//!   registry), [`report`] (parsing model output), [`dataset`] (the generator and bundled
//!   data), [`rules`] (the built-in offline extractor `rules-v1`), [`stats`], [`thai`],
//!   [`telemetry`] (Prometheus metrics) and [`config`].

pub mod api;
pub mod cli;
pub mod config;
pub mod datadog;
pub mod dataset;
pub mod eval;
pub mod fuzzing;
pub mod outcome;
pub mod providers;
pub mod report;
pub mod rules;
pub mod runner;
pub mod server;
pub mod service;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod thai;
