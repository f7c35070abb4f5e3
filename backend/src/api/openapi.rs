//! The OpenAPI 3 document (served at /api/v1/openapi.json, browsable at /docs).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{catalog, datasets, experiments, history};

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(title = "tallylab API", description = "Run LLM extraction experiments on Thai vote-count forms and compare model configurations with evidence."),
    paths(
        experiments::run_experiments, experiments::run_experiments_async, experiments::estimate_cost, experiments::experiments_health,
        experiments::health, experiments::get_task, experiments::cancel_task, experiments::task_events,
        history::list_experiments, history::get_experiment, history::list_records, history::export_experiment,
        catalog::list_models, catalog::list_presets, catalog::compare_experiments,
        datasets::list_datasets, datasets::get_dataset, datasets::list_dataset_records,
        datasets::upload_version, datasets::correct_label,
    ),
    modifiers(&SecurityAddon),
    tags((name = "experiments"), (name = "history"), (name = "datasets"), (name = "catalog"), (name = "health"))
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "api_key",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
            );
        }
    }
}
