//! The original contract's endpoints: sync and async runs and the experiments health
//! check, plus the cost estimate.

use actix_web::{get, post, HttpResponse};
use shared::{AsyncRunAccepted, ExperimentRunRequest, ExperimentsHealth};

use super::error::ApiError;
use super::request::{Authenticated, JsonBody};
use super::State;

/// Runs every model config against the dataset and answers when all are done.
#[utoipa::path(tag = "experiments",
    request_body = ExperimentRunRequest,
    responses((status = 200, body = shared::ExperimentRunResponse),
        (status = 400, body = shared::ErrorBody), (status = 401, body = shared::ErrorBody),
        (status = 404, body = shared::ErrorBody), (status = 413, body = shared::ErrorBody),
        (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/run")]
pub async fn run_experiments(
    state: State,
    _auth: Authenticated,
    body: JsonBody<ExperimentRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let response = state.service.run_sync(body.0).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Starts the run in the background and answers 202 with the task id at once.
#[utoipa::path(tag = "experiments",
    request_body = ExperimentRunRequest,
    responses((status = 202, body = AsyncRunAccepted), (status = 401, body = shared::ErrorBody),
        (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/run-async")]
pub async fn run_experiments_async(
    state: State,
    _auth: Authenticated,
    body: JsonBody<ExperimentRunRequest>,
) -> Result<HttpResponse, ApiError> {
    let task_id = state.service.run_async(body.0).await?;
    let status_url = state
        .service
        .url(&format!("/api/v1/experiments/tasks/{task_id}"));
    Ok(HttpResponse::Accepted().json(AsyncRunAccepted {
        status: "accepted".into(),
        message: "Experiments started in background".into(),
        note: format!("Poll {status_url} for progress and results"),
        task_id,
        status_url: Some(status_url),
    }))
}

/// Estimated tokens and cost of a run before running it.
#[utoipa::path(tag = "experiments",
    request_body = ExperimentRunRequest,
    responses((status = 200, body = shared::CostEstimate), (status = 404, body = shared::ErrorBody),
        (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/estimate")]
pub async fn estimate_cost(
    state: State,
    _auth: Authenticated,
    body: JsonBody<ExperimentRunRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.estimate(&body.0).await?))
}

/// How many records a paired comparison needs to tell a given difference, and its cost.
#[utoipa::path(tag = "experiments",
    request_body = shared::PlanRequest,
    responses((status = 200, body = shared::SamplePlan), (status = 400, body = shared::ErrorBody),
        (status = 401, body = shared::ErrorBody), (status = 404, body = shared::ErrorBody),
        (status = 413, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/plan")]
pub async fn plan_sample(
    state: State,
    _auth: Authenticated,
    body: JsonBody<shared::PlanRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.plan(&body.0).await?))
}

/// Whether the experiments service is configured (the original's shape).
#[utoipa::path(tag = "health", responses((status = 200, body = ExperimentsHealth)))]
#[get("/api/v1/experiments/health")]
pub async fn experiments_health(state: State) -> HttpResponse {
    let key_set = state.settings.api_key.is_some();
    HttpResponse::Ok().json(ExperimentsHealth {
        status: "healthy".into(),
        service: "experiments".into(),
        datadog_configured: state.settings.datadog.configured(),
        api_key_configured: key_set,
        note: if key_set {
            "API key set from API_KEY".into()
        } else {
            "API_KEY not set: the server generated a key and stored it in its data directory".into()
        },
        datadog_export: state.service.export_backlog().await,
    })
}

/// Liveness.
#[utoipa::path(tag = "health", responses((status = 200)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok", "service": "tallylab"}))
}
