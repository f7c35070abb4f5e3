//! The web app in headless Chromium against the real server: each test starts its own
//! server (fresh data directory, free port) and its own ChromeDriver. Screenshots of every
//! page go to `e2e-artifacts/screenshots/`.
//!
//! Needs the built web app (`frontend/dist`, `make frontend`) and Debian's `chromium` and
//! `chromium-driver`; without them the tests fail and say so.

mod async_run;
mod browser;
mod compare_follow_up;
mod compare_triage;
mod compare_unpaired;
mod datadog;
mod dataset_images;
mod dataset_triage;
mod focus;
mod judge;
mod key_change;
mod layouts;
mod live_runs;
mod pages;
mod planner;
mod run_form;
mod run_page;
mod stale;
mod steps;
mod stop_when_decided;
mod triage;
mod upload_errors;
mod world;
