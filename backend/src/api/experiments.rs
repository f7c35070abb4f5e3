//! The seed's endpoints: sync and async runs, the experiments health check, and the task
//! status, event stream and cancel that make async runs real.

use std::time::Duration;

use actix_web::{get, post, web, HttpResponse};
use futures::StreamExt;
use shared::{
    AsyncRunAccepted, ExperimentProgress, ExperimentRunRequest, ExperimentsHealth, TaskStatus,
};
use tokio_stream::wrappers::WatchStream;

use crate::server::error::ApiError;
use crate::server::extract::{Authenticated, JsonBody};
use crate::server::state::AppState;
use crate::service::runs;
use crate::service::tasks::RunProgress;

type State = web::Data<AppState>;

/// Runs every model config against the dataset and answers when all are done.
#[utoipa::path(post, path = "/api/v1/experiments/run", tag = "experiments",
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
    let prepared = runs::prepare(&state, body.0, "sync").await?;
    // The run is spawned so a client that disconnects does not abort it half-way.
    let handle = runs::spawn(state.clone().into_inner(), prepared);
    let response = handle
        .await
        .map_err(|e| ApiError::Internal(format!("run task failed: {e}")))??;
    Ok(HttpResponse::Ok().json(response))
}

/// Starts the run in the background and answers 202 with the task id at once.
#[utoipa::path(post, path = "/api/v1/experiments/run-async", tag = "experiments",
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
    let prepared = runs::prepare(&state, body.0, "async").await?;
    let task_id = prepared.run.id.clone();
    drop(runs::spawn(state.clone().into_inner(), prepared));
    let status_url = state.page_url(&format!("/api/v1/experiments/tasks/{task_id}"));
    Ok(HttpResponse::Accepted().json(AsyncRunAccepted {
        status: "accepted".into(),
        message: "Experiments started in background".into(),
        note: format!("Poll {status_url} for progress and results"),
        task_id,
        status_url: Some(status_url),
    }))
}

/// Estimated tokens and cost of a run before running it.
#[utoipa::path(post, path = "/api/v1/experiments/estimate", tag = "experiments",
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
    Ok(HttpResponse::Ok().json(crate::service::estimate::estimate(&state, &body.0).await?))
}

/// Whether the experiments service is configured (seed shape).
#[utoipa::path(get, path = "/api/v1/experiments/health", tag = "health",
    responses((status = 200, body = ExperimentsHealth)))]
#[get("/api/v1/experiments/health")]
pub async fn experiments_health(state: State) -> HttpResponse {
    HttpResponse::Ok().json(ExperimentsHealth {
        status: "healthy".into(),
        service: "experiments".into(),
        datadog_configured: state.settings.datadog.configured(),
        api_key_configured: state.settings.api_key.is_some(),
        note: if state.settings.api_key.is_some() {
            "API key set from API_KEY".into()
        } else {
            "API_KEY not set: the server generated a key and stored it in its data directory".into()
        },
    })
}

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok", "service": "tallylab"}))
}

async fn task_status(state: &AppState, task_id: &str) -> Result<TaskStatus, ApiError> {
    let run = state.store.get_run(task_id).await?;
    let experiments: Vec<ExperimentProgress> = match state.tasks.get(task_id) {
        Some(live) => live.progress.borrow().experiments.clone(),
        None => {
            let mut v = Vec::new();
            for e in state.store.run_experiments(task_id).await? {
                let done = state.store.done_tasks(&e.id).await?.len() as u64;
                v.push(ExperimentProgress {
                    experiment_id: e.id.clone(),
                    experiment_name: e.name.clone(),
                    status: e.status.clone(),
                    done,
                    total: e.total_tasks,
                    failed: e.summary.as_ref().map_or(0, |s| s.failed_records),
                });
            }
            v
        }
    };
    Ok(TaskStatus {
        task_id: run.id,
        status: run.status,
        created_at: run.created_at,
        finished_at: run.finished_at,
        done: experiments.iter().map(|e| e.done).sum(),
        total: experiments.iter().map(|e| e.total).sum(),
        experiments,
        result: run.response,
        error: run.error,
        request: run.request,
    })
}

/// Status, progress and (once finished) the result of an async run.
#[utoipa::path(get, path = "/api/v1/experiments/tasks/{task_id}", tag = "experiments",
    params(("task_id" = String, Path)),
    responses((status = 200, body = TaskStatus), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/tasks/{task_id}")]
pub async fn get_task(
    state: State,
    _auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(task_status(&state, &path).await?))
}

/// Cancels a running task; records it finished are kept.
#[utoipa::path(post, path = "/api/v1/experiments/tasks/{task_id}/cancel", tag = "experiments",
    params(("task_id" = String, Path)),
    responses((status = 202, body = TaskStatus), (status = 404, body = shared::ErrorBody),
        (status = 409, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[post("/api/v1/experiments/tasks/{task_id}/cancel")]
pub async fn cancel_task(
    state: State,
    _auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let run = state.store.get_run(&path).await?;
    match state.tasks.get(&path) {
        Some(live) => live.cancel.cancel(),
        None => {
            return Err(ApiError::Conflict(format!(
                "task \"{}\" is not running (status {})",
                run.id, run.status
            )))
        }
    }
    // Wait briefly so the answer usually shows the final state.
    for _ in 0..50 {
        if state.tasks.get(&path).is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(HttpResponse::Accepted().json(task_status(&state, &path).await?))
}

/// Server-sent events: a `progress` event at each change, then `done` with the final status.
#[utoipa::path(get, path = "/api/v1/experiments/tasks/{task_id}/events", tag = "experiments",
    params(("task_id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream"), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/tasks/{task_id}/events")]
pub async fn task_events(
    state: State,
    _auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let task_id = path.into_inner();
    let first = task_status(&state, &task_id).await?;
    let progress = |p: &RunProgress| sse("progress", &serde_json::to_string(p).unwrap_or_default());
    let state2 = state.clone();
    let stream = match state.tasks.get(&task_id) {
        Some(live) => {
            let updates = WatchStream::new(live.progress.subscribe())
                .map(move |p| progress(&p))
                // Close with the stored final state once the run ends.
                .chain(futures::stream::once(async move {
                    let done = task_status(&state2, &task_id).await.ok();
                    sse("done", &serde_json::to_string(&done).unwrap_or_default())
                }));
            updates.boxed_local()
        }
        None => futures::stream::once(async move {
            sse("done", &serde_json::to_string(&first).unwrap_or_default())
        })
        .boxed_local(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "text/event-stream"))
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream.map(Ok::<_, actix_web::Error>)))
}

fn sse(event: &str, data: &str) -> web::Bytes {
    web::Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}
