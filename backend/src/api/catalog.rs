//! What the server can run (models, presets, evaluators) and comparisons.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared::{ComparisonResponse, EvaluatorInfo, ModelAvailability, Preset};

use super::error::ApiError;
use super::request::Authenticated;
use super::State;
use crate::service::catalog;

/// Every model the server knows and why an unavailable one cannot run.
#[utoipa::path(tag = "catalog",
    responses((status = 200, body = Vec<ModelAvailability>)), security(("api_key" = [])))]
#[get("/api/v1/models")]
pub async fn list_models(state: State, _auth: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(state.service.models())
}

/// The quick presets of the original's page, plus an offline one.
#[utoipa::path(tag = "catalog",
    responses((status = 200, body = Vec<Preset>)), security(("api_key" = [])))]
#[get("/api/v1/presets")]
pub async fn list_presets(_auth: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(catalog::presets())
}

/// Every evaluator: what it measures, its kind, and the summary metric it feeds.
#[utoipa::path(tag = "catalog",
    responses((status = 200, body = Vec<EvaluatorInfo>)), security(("api_key" = [])))]
#[get("/api/v1/evaluators")]
pub async fn list_evaluators(_auth: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(catalog::evaluators())
}

/// Experiments to compare.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// 2–10 comma-separated experiment ids; the first is A.
    #[param(pattern = r"^\s*[^,\s]+\s*(,\s*[^,\s]+\s*){1,9}$")]
    pub ids: String,
}

/// Two or more experiments side by side with paired verdicts.
#[utoipa::path(tag = "history", params(CompareQuery),
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
    Ok(HttpResponse::Ok().json(state.service.compare(&ids).await?))
}
