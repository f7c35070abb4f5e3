//! The OpenAPI 3 document's frame (served at /api/v1/openapi.json, browsable at /docs); the
//! paths are collected from the routes themselves.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Title, tags and the API-key scheme.
#[derive(OpenApi)]
#[openapi(
    info(title = "tallylab API", description = "Run LLM extraction experiments on Thai vote-count forms and compare model configurations with evidence."),
    modifiers(&SecurityAddon),
    tags((name = "experiments"), (name = "history"), (name = "datasets"), (name = "catalog"), (name = "health"))
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}
