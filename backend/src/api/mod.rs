//! The HTTP API: one file per resource, each route declared once, on its handler
//! (`#[get("/api/v1/…")]` plus its OpenAPI description); [`routes`] registers every
//! handler in the app and the OpenAPI document together. Handlers only translate HTTP to
//! service calls and back.

pub mod assets;
mod body_stream;
pub mod catalog;
pub mod datadog;
pub mod datasets;
pub mod error;
pub mod experiments;
pub mod history;
mod openapi;
pub mod operations;
pub mod request;
pub mod routes;
mod spa;
pub mod state;
pub mod tasks;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

pub use openapi::{document_errors, document_inputs, document_models, document_unsigned, ApiDoc};
pub use spa::{not_found_or_spa, static_files};

/// The state handlers extract.
pub(crate) type State = web::Data<state::AppState>;

/// Registers every route (and documents it). Fixed paths come before the `{id}` paths they
/// would otherwise match.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(experiments::health)
        .service(operations::ready)
        .service(operations::metrics)
        .service(experiments::experiments_health)
        .service(experiments::run_experiments)
        .service(experiments::run_experiments_async)
        .service(experiments::estimate_cost)
        .service(experiments::plan_sample)
        .service(tasks::get_task)
        .service(tasks::cancel_task)
        .service(tasks::task_events)
        .service(history::experiment_facets)
        .service(history::list_experiments)
        .service(history::get_experiment)
        .service(history::list_records)
        .service(history::export_experiment)
        .service(catalog::compare_experiments)
        .service(catalog::list_models)
        .service(catalog::list_presets)
        .service(catalog::list_evaluators)
        .service(datasets::list_datasets)
        .service(datasets::get_dataset)
        .service(datasets::list_dataset_records)
        .service(datasets::get_dataset_record)
        .service(datasets::get_record_image)
        .service(datasets::check_images)
        .service(datasets::upload_version)
        .service(datasets::correct_label)
        .service(datasets::audit_label)
        .service(datadog::push_dataset)
        .service(datadog::retry_export);
}
