//! What an orchestrator and a monitoring system ask: readiness (`/ready`) and Prometheus
//! metrics (`/metrics`). Liveness is `/health`.

use std::time::Duration;

use actix_web::{get, HttpResponse};

use super::request::ScrapeAuthenticated;
use super::State;
use crate::telemetry::{telemetry, ProviderLabel, StatusLabel};

/// How long readiness waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Readiness: 200 when this replica can serve (its database answers), 503 otherwise. The
/// server listens only once its migrations ran, so a replica still migrating is not ready
/// either.
#[utoipa::path(tag = "health", responses((status = 200), (status = 503)))]
#[get("/ready")]
pub async fn ready(state: State) -> HttpResponse {
    match tokio::time::timeout(READY_TIMEOUT, state.service.store_ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Err(e)) => {
            // The details (paths, addresses) go to the log, not to an unauthenticated probe.
            tracing::warn!(error = %e, "not ready: the database cannot be reached");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({
                "status": "unavailable",
                "reason": "the database cannot be reached",
            }))
        }
        Err(_) => HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "unavailable",
            "reason": format!("the database did not answer within {READY_TIMEOUT:?}"),
        })),
    }
}

/// Prometheus metrics (OpenMetrics text): runs by status, trials, model calls, retries,
/// 429s, call latency, cache hits, the Datadog export backlog and store errors. Needs the
/// API key, as `X-API-Key` or `Authorization: Bearer`.
#[utoipa::path(tag = "health",
    responses((status = 200, content_type = "application/openmetrics-text", body = String),
        (status = 401, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/metrics")]
pub async fn metrics(state: State, _auth: ScrapeAuthenticated) -> HttpResponse {
    let t = telemetry();
    if let Ok(counts) = state.service.run_counts().await {
        for status in shared::RunStatus::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            t.runs
                .get_or_create(&StatusLabel {
                    status: status.to_string(),
                })
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }
    for (provider, n) in state.budgets.rate_limited_by_provider() {
        // The budgets count since the start: the counter catches up with them.
        let counter = t.rate_limited.get_or_create(&ProviderLabel { provider });
        counter.inc_by(n.saturating_sub(counter.get()));
    }
    let backlog = state
        .service
        .export_backlog()
        .await
        .map_or(0, |b| b.unsent_trials);
    t.export_backlog
        .set(i64::try_from(backlog).unwrap_or(i64::MAX));
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(t.encode())
}
