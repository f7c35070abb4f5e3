//! Models, presets and comparisons.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared::{ComparisonResponse, ModelAvailability, ModelConfig, Preset};

use crate::server::error::ApiError;
use crate::server::extract::Authenticated;
use crate::server::state::AppState;
use crate::service::compare;

type State = web::Data<AppState>;

/// Every model the server knows and why an unavailable one cannot run.
#[utoipa::path(get, path = "/api/v1/models", tag = "catalog",
    responses((status = 200, body = Vec<ModelAvailability>)), security(("api_key" = [])))]
#[get("/api/v1/models")]
pub async fn list_models(state: State, _auth: Authenticated) -> HttpResponse {
    let models: Vec<ModelAvailability> = state
        .registry
        .models()
        .into_iter()
        .map(|m| {
            let spec = state.registry.spec(&m.name);
            ModelAvailability {
                input_price_per_mtok: spec.map_or(0.0, |s| s.input_price_per_mtok),
                output_price_per_mtok: spec.map_or(0.0, |s| s.output_price_per_mtok),
                name: m.name,
                provider: m.provider,
                available: m.available,
                reason: m.reason,
            }
        })
        .collect();
    HttpResponse::Ok().json(models)
}

/// The seed's quick presets.
pub fn presets() -> Vec<Preset> {
    let cfg = |m: &str, t: f64, s: &str, purpose: &str| {
        let mut c = ModelConfig::new(m, t, Some(s));
        c.metadata.insert("purpose".into(), purpose.into());
        c
    };
    vec![
        Preset {
            id: "offline-baseline".into(),
            name: "Offline Baseline".into(),
            description: "the built-in rules-v1 extractor at two temperatures: runs with no keys"
                .into(),
            model_configs: vec![
                cfg("rules-v1", 0.0, "rules-baseline", "offline baseline"),
                cfg("rules-v1", 0.5, "rules-t0.5", "offline baseline"),
            ],
            sample_size: Some(10),
            jobs: 2,
        },
        Preset {
            id: "baseline-comparison".into(),
            name: "Baseline Comparison".into(),
            description: "gemini-2.5-flash against gemini-2.5-flash-lite on 10 records".into(),
            model_configs: vec![
                cfg("gemini-2.5-flash", 0.0, "baseline", "baseline test"),
                cfg("gemini-2.5-flash-lite", 0.0, "lite", "cost optimization"),
            ],
            sample_size: Some(10),
            jobs: 2,
        },
        Preset {
            id: "temperature-test".into(),
            name: "Temperature Test".into(),
            description: "gemini-2.5-flash at temperatures 0.0, 0.1 and 0.2 on the full dataset"
                .into(),
            model_configs: vec![
                cfg("gemini-2.5-flash", 0.0, "t0.0", "temperature test"),
                cfg("gemini-2.5-flash", 0.1, "t0.1", "temperature test"),
                cfg("gemini-2.5-flash", 0.2, "t0.2", "temperature test"),
            ],
            sample_size: None,
            jobs: 2,
        },
        Preset {
            id: "quick-ci-test".into(),
            name: "Quick CI Test".into(),
            description: "gemini-2.5-flash-lite and gemini-2.5-flash on 4 records".into(),
            model_configs: vec![
                cfg("gemini-2.5-flash-lite", 0.0, "ci-lite", "ci-test"),
                cfg("gemini-2.5-flash", 0.0, "ci-flash", "ci-test"),
            ],
            sample_size: Some(4),
            jobs: 2,
        },
    ]
}

/// The quick presets of the seed's UI.
#[utoipa::path(get, path = "/api/v1/presets", tag = "catalog",
    responses((status = 200, body = Vec<Preset>)), security(("api_key" = [])))]
#[get("/api/v1/presets")]
pub async fn list_presets(_auth: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(presets())
}

/// Experiments to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// Comma-separated experiment ids; the first is A.
    pub ids: String,
}

/// Two or more experiments side by side with paired verdicts.
#[utoipa::path(get, path = "/api/v1/compare", tag = "history", params(CompareQuery),
    responses((status = 200, body = ComparisonResponse), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/compare")]
pub async fn compare_experiments(
    state: State,
    _auth: Authenticated,
    q: web::Query<CompareQuery>,
) -> Result<HttpResponse, ApiError> {
    let ids: Vec<String> = q
        .ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(HttpResponse::Ok().json(compare::compare(&state, &ids).await?))
}
