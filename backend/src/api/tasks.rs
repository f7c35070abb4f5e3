//! A run's status, cancel and event stream (the original contract calls an async run a
//! task: `/tasks/{task_id}`).

use actix_web::{get, post, web, HttpResponse};
use futures::StreamExt;
use shared::TaskStatus;

use super::error::ApiError;
use super::request::Authenticated;
use super::State;
use crate::service::status::RunUpdate;

/// Status, progress and (once finished) the result of a run.
#[utoipa::path(tag = "experiments",
    params(("task_id" = String, Path)),
    responses((status = 200, body = TaskStatus), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/tasks/{task_id}")]
pub async fn get_task(
    state: State,
    _auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.task_status(&path).await?))
}

/// Cancels a running task; the trials it finished are kept.
#[utoipa::path(tag = "experiments",
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
    Ok(HttpResponse::Accepted().json(state.service.cancel(&path).await?))
}

/// Server-sent events: a `progress` event at each change, then `done` with the final status.
#[utoipa::path(tag = "experiments",
    params(("task_id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream"), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/tasks/{task_id}/events")]
pub async fn task_events(
    state: State,
    _auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let updates = state.service.updates(&path).await?;
    let events = updates.map(|u| {
        let (event, data) = match &u {
            RunUpdate::Progress(p) => ("progress", serde_json::to_string(p)),
            RunUpdate::Done(status) => ("done", serde_json::to_string(status)),
        };
        let data = data.unwrap_or_default();
        Ok::<_, actix_web::Error>(web::Bytes::from(format!(
            "event: {event}\ndata: {data}\n\n"
        )))
    });
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "text/event-stream"))
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}
