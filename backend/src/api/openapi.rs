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

/// Documents on every API operation the error answers any of them can give (each with the
/// `ErrorBody` schema), so that the document tells the truth about status codes: 400, 401
/// where the key is needed, 404, 405, 413 and 422 where a body or parameters are read, 429,
/// 500 and 503.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let reads_input = op.request_body.is_some() || op.parameters.is_some();
            let mut codes = vec![
                (
                    "400",
                    "The request cannot be read (bad JSON, query or path).",
                ),
                ("405", "The path answers to other methods (see Allow)."),
                (
                    "429",
                    "Too many runs are in flight; retry after Retry-After seconds.",
                ),
                ("500", "A fault of the server; the detail is in its log."),
                ("503", "The store is busy; retry after Retry-After seconds."),
            ];
            if secured {
                codes.push(("401", "Missing or wrong X-API-Key."));
            }
            if reads_input {
                codes.push(("404", "No such dataset, version, experiment or task."));
                codes.push(("409", "The resource is not in a state that allows this."));
                codes.push(("413", "The body is larger than the limit."));
                codes.push((
                    "422",
                    "Fields that break the rules; `errors` lists every one.",
                ));
            }
            for (code, description) in codes {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| error(description).into());
            }
        }
    }
}

/// Lists the models this server can run now as the values `model_configs[].model` may take,
/// so a request naming another is not schema-valid (it gets 422 with the list of names).
pub fn document_models(doc: &mut utoipa::openapi::OpenApi, models: &[String]) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(config))) = components.schemas.get_mut("ModelConfig") {
        if let Some(RefOr::T(Schema::Object(model))) = config.properties.get_mut("model") {
            model.enum_values = Some(models.iter().map(|m| m.clone().into()).collect());
        }
    }
}
