//! Integration tests: the real app on a random port with a temporary database, driven over
//! real HTTP.

mod async_tasks;
mod catalogue;
mod claims;
mod cli_gates;
mod contract;
mod datadog;
mod datadog_export;
mod datadog_fixtures;
mod datadog_push;
mod discovery;
mod errors;
mod export;
mod failures;
mod gemini_run;
mod helpers;
mod history;
mod hostile;
mod images;
mod judge;
mod misbehaving;
mod operations;
mod planning;
mod process;
mod replicas;
mod resume;
mod sequential;
mod storage;
mod triage;
mod uploads;
mod verdicts;
mod web_assets;
