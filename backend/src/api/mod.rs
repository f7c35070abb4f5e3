//! HTTP endpoints, one file per resource, declared in one place.

pub mod catalog;
pub mod datasets;
pub mod experiments;
pub mod history;
mod openapi;
mod spa;

use actix_web::web;

pub use openapi::ApiDoc;

/// Registers every route. Fixed paths come before `{id}` paths they would otherwise match.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(experiments::health)
        .service(experiments::experiments_health)
        .service(experiments::run_experiments)
        .service(experiments::run_experiments_async)
        .service(experiments::estimate_cost)
        .service(experiments::get_task)
        .service(experiments::cancel_task)
        .service(experiments::task_events)
        .service(history::list_experiments)
        .service(history::get_experiment)
        .service(history::list_records)
        .service(history::export_experiment)
        .service(catalog::compare_experiments)
        .service(catalog::list_models)
        .service(catalog::list_presets)
        .service(datasets::list_datasets)
        .service(datasets::get_dataset)
        .service(datasets::list_dataset_records)
        .service(datasets::upload_version)
        .service(datasets::correct_label);
}

pub use spa::{not_found_or_spa, static_files};
