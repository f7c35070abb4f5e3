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

/// The operations of a path, whatever their method.
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
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
        for op in operations(item) {
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

/// Lists the models this server can run now as the values `model_configs[].model` may take
/// in a run request, so a request naming another is not schema-valid (it gets 422 with the
/// list of names), and the models that can judge as the values of
/// `evaluators.llm_judge.model` (with none, the judge is not offered at all). Responses
/// (presets, past experiments) keep the open `ModelConfig`: they may name models this server
/// cannot run today.
pub fn document_models(doc: &mut utoipa::openapi::OpenApi, models: &[String], judges: &[String]) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    use utoipa::openapi::{Ref, RefOr};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    document_judges(components, judges);
    document_compared_metrics(components);
    let Some(RefOr::T(Schema::Object(mut runnable))) =
        components.schemas.get("ModelConfig").cloned()
    else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(model))) = runnable.properties.get_mut("model") {
        model.enum_values = Some(models.iter().map(|m| m.clone().into()).collect());
    }
    components.schemas.insert(
        RUNNABLE_CONFIG.to_string(),
        RefOr::T(Schema::Object(runnable)),
    );
    if let Some(RefOr::T(Schema::Object(request))) =
        components.schemas.get_mut("ExperimentRunRequest")
    {
        if let Some(RefOr::T(Schema::Array(configs))) = request.properties.get_mut("model_configs")
        {
            // Two equal configs would make two experiments of one name (refused).
            configs.unique_items = true;
            configs.items =
                ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(RUNNABLE_CONFIG).into()));
        }
    }
}

/// The metrics a comparison can be planned or decided on as the values `metric` may take
/// in a plan request and in `stop_when_decided`.
fn document_compared_metrics(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    for schema in ["PlanRequest", "StopWhenDecided"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) {
            if let Some(RefOr::T(Schema::Object(metric))) = object.properties.get_mut("metric") {
                metric.enum_values = Some(
                    crate::eval::ComparedMetric::names()
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                );
            }
        }
    }
}

/// The judge models as the values `evaluators.llm_judge.model` may take; with none, the
/// `llm_judge` property is withdrawn (no request naming a judge can run here).
fn document_judges(components: &mut utoipa::openapi::Components, judges: &[String]) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    if judges.is_empty() {
        if let Some(RefOr::T(Schema::Object(options))) =
            components.schemas.get_mut("EvaluatorOptions")
        {
            options.properties.remove("llm_judge");
        }
        return;
    }
    if let Some(RefOr::T(Schema::Object(judge))) = components.schemas.get_mut("JudgeOptions") {
        if let Some(RefOr::T(Schema::Object(model))) = judge.properties.get_mut("model") {
            model.enum_values = Some(judges.iter().map(|m| m.clone().into()).collect());
        }
    }
}

/// The schema of a model config a run request may name.
const RUNNABLE_CONFIG: &str = "RunnableModelConfig";

/// The dataset-name rule of `service::datasets::check_name`, as a JSON Schema pattern.
pub const DATASET_NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$";

/// Puts into the document the input rules the route macros cannot state: the dataset-name
/// pattern on every `{name}` path parameter and a non-blank upload body.
pub fn document_inputs(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Object, Schema, Type};
    use utoipa::openapi::RefOr;
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/datasets/{name}") {
            continue;
        }
        for op in operations(item) {
            for param in op.parameters.iter_mut().flatten() {
                if param.name == "name" {
                    let mut schema = Object::with_type(Type::String);
                    schema.pattern = Some(DATASET_NAME_PATTERN.to_string());
                    schema.max_length = Some(200);
                    param.schema = Some(RefOr::T(Schema::Object(schema)));
                }
            }
            if path.ends_with("/versions") {
                for content in op
                    .request_body
                    .iter_mut()
                    .flat_map(|b| b.content.values_mut())
                {
                    if let Some(RefOr::T(Schema::Object(body))) = content.schema.as_mut() {
                        body.min_length = Some(1);
                        body.pattern = Some(r"\S".to_string());
                    }
                }
            }
        }
    }
}

/// Makes the document say what unsigned fields take. utoipa writes `u32` as `format: int32`
/// with `minimum: 0`, which clients read as at most 2³¹−1 while the server takes up to
/// 2³²−1: they become `format: int64` with that maximum. `u64` fields get the maximum the
/// server takes (2⁶³−1, what SQLite and `whole` hold).
pub fn document_unsigned(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, KnownFormat, Schema, SchemaFormat};
    use utoipa::openapi::RefOr;
    use utoipa::Number;
    fn walk(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else {
            return;
        };
        match schema {
            Schema::Object(o) => {
                let non_negative = matches!(
                    o.minimum,
                    Some(Number::UInt(_)) | Some(Number::Int(0..)) | Some(Number::Float(0.0..))
                );
                let int32 = o.format == Some(SchemaFormat::KnownFormat(KnownFormat::Int32));
                let int64 = o.format == Some(SchemaFormat::KnownFormat(KnownFormat::Int64));
                if non_negative && o.maximum.is_none() && (int32 || int64) {
                    o.maximum = Some(if int32 {
                        Number::UInt(u32::MAX as usize)
                    } else {
                        Number::Int(i64::MAX as isize)
                    });
                    o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Int64));
                }
                o.properties.values_mut().for_each(walk);
            }
            Schema::Array(a) => {
                if let ArrayItems::RefOrSchema(items) = &mut a.items {
                    walk(items);
                }
            }
            Schema::OneOf(x) => x.items.iter_mut().for_each(walk),
            Schema::AllOf(x) => x.items.iter_mut().for_each(walk),
            Schema::AnyOf(x) => x.items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(walk);
    }
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            for param in op.parameters.iter_mut().flatten() {
                if let Some(schema) = param.schema.as_mut() {
                    walk(schema);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dataset_name_pattern_is_the_service_rule() {
        let pattern = regex::Regex::new(DATASET_NAME_PATTERN).expect("pattern");
        let long = "a".repeat(201);
        for name in [
            "a",
            "vote-extraction-1.2_x",
            "0",
            ".",
            "..",
            "-a",
            "ก",
            "a b",
            "",
            &long,
        ] {
            assert_eq!(
                pattern.is_match(name),
                crate::service::datasets::check_name(name).is_ok(),
                "{name:?}"
            );
        }
    }
}
#[cfg(test)]
mod unsigned_tests {
    #[test]
    fn u32_fields_are_documented_up_to_their_maximum() {
        use utoipa::{OpenApi, PartialSchema};
        let mut doc = super::ApiDoc::openapi();
        doc.components
            .get_or_insert_with(Default::default)
            .schemas
            .insert("VoteResult".into(), shared::VoteResult::schema());
        super::document_unsigned(&mut doc);
        let json = serde_json::to_value(&doc).unwrap();
        let number = &json["components"]["schemas"]["VoteResult"]["properties"]["number"];
        assert_eq!(number["format"], "int64", "{number}");
        assert_eq!(number["maximum"], u32::MAX, "{number}");
    }
}
