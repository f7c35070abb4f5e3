//! Datadog LLM Observability: pushing a dataset version, retrying an experiment's export.

use actix_web::{post, web, HttpResponse};
use shared::{DatadogDatasetPushed, DatadogExport, DatadogPushRequest};

use super::error::ApiError;
use super::request::{Authenticated, JsonBody};
use super::State;

/// Pushes a dataset version to Datadog as a new version of the Datadog dataset of the same
/// name (created if needed) in `project_name`; a version already pushed or pulled answers
/// the Datadog version it is.
#[utoipa::path(tag = "datasets", params(("name" = String, Path)),
    request_body(content = DatadogPushRequest, content_type = "application/json"),
    responses((status = 200, body = DatadogDatasetPushed), (status = 404, body = shared::ErrorBody),
        (status = 409, description = "Datadog is not configured", body = shared::ErrorBody),
        (status = 422, body = shared::ErrorBody),
        (status = 502, description = "Datadog failed or refused", body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/datasets/{name}/datadog")]
pub async fn push_dataset(
    state: State,
    _auth: Authenticated,
    name: web::Path<String>,
    body: JsonBody<DatadogPushRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.push_to_datadog(&name, &body.0).await?))
}

/// Makes an experiment's Datadog export due now: after Datadog refused it (`failed`), or
/// to skip the wait of a pending one.
#[utoipa::path(tag = "history", params(("id" = String, Path)),
    responses((status = 200, body = DatadogExport), (status = 404, body = shared::ErrorBody),
        (status = 409, description = "The export is already done", body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/{id}/datadog-export/retry")]
pub async fn retry_export(
    state: State,
    _auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.retry_export(&id).await?))
}
