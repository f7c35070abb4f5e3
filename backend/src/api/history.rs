//! Experiment history: list, one experiment, its records, and JSON/CSV export.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared::{ExperimentDetail, ExperimentListItem, Page, RecordResult};

use crate::server::error::ApiError;
use crate::server::extract::Authenticated;
use crate::server::state::AppState;
use crate::service::views::{experiment_detail, list_item, record_result};
use crate::store::ExperimentFilter;

type State = web::Data<AppState>;

/// Most items per page.
pub const MAX_LIMIT: u64 = 500;

/// Filters and paging of the history.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub project: Option<String>,
    pub dataset: Option<String>,
    pub model: Option<String>,
    pub offset: Option<u64>,
    /// 1–500, default 50.
    pub limit: Option<u64>,
}

/// A page size from a query: 1–500, `default` when absent.
pub fn page_limit(v: Option<u64>, default: u64) -> Result<u64, ApiError> {
    match v {
        None => Ok(default),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(_) => Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Experiments, newest first.
#[utoipa::path(get, path = "/api/v1/experiments", tag = "history", params(ListQuery),
    responses((status = 200, body = Page<ExperimentListItem>)), security(("api_key" = [])))]
#[get("/api/v1/experiments")]
pub async fn list_experiments(
    state: State,
    _auth: Authenticated,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let filter = ExperimentFilter {
        project: q.project,
        dataset: q.dataset,
        model: q.model,
        offset: q.offset.unwrap_or(0),
        limit: page_limit(q.limit, 50)?,
    };
    let (rows, total) = state.store.list_experiments(&filter).await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(list_item).collect::<Vec<_>>(),
        total,
        offset: filter.offset,
        limit: filter.limit,
    }))
}

/// One experiment with its config, metrics and intervals.
#[utoipa::path(get, path = "/api/v1/experiments/{id}", tag = "history", params(("id" = String, Path)),
    responses((status = 200, body = ExperimentDetail), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/{id}")]
pub async fn get_experiment(
    state: State,
    _auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = state.store.get_experiment(&id).await?;
    Ok(HttpResponse::Ok().json(experiment_detail(&state, &row)))
}

/// Paging of an experiment's records.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    pub offset: Option<u64>,
    /// 1–500, default 50.
    pub limit: Option<u64>,
    /// Only failed tasks.
    pub errors_only: Option<bool>,
}

async fn records_of(
    state: &AppState,
    id: &str,
    offset: u64,
    limit: u64,
    errors_only: bool,
) -> Result<(Vec<RecordResult>, u64), ApiError> {
    let row = state.store.get_experiment(id).await?;
    let (outcomes, total) = state
        .store
        .outcomes_page(id, offset, limit, errors_only)
        .await?;
    let (_, _, records) = state
        .store
        .dataset_records(&row.dataset_name, Some(row.dataset_version))
        .await?;
    let by_id: HashMap<&str, &shared::DatasetRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let items = outcomes
        .into_iter()
        .map(|o| {
            let rec = by_id.get(o.record_id.as_str()).copied();
            record_result(o, rec)
        })
        .collect();
    Ok((items, total))
}

/// Per-record results: input reference, output, expected, every evaluator with detail.
#[utoipa::path(get, path = "/api/v1/experiments/{id}/records", tag = "history",
    params(("id" = String, Path), RecordsQuery),
    responses((status = 200, body = Page<RecordResult>), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/{id}/records")]
pub async fn list_records(
    state: State,
    _auth: Authenticated,
    id: web::Path<String>,
    q: web::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(q.limit, 50)?;
    let offset = q.offset.unwrap_or(0);
    let (items, total) =
        records_of(&state, &id, offset, limit, q.errors_only.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        offset,
        limit,
    }))
}

/// Export format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// json (default) or csv.
    pub format: Option<String>,
}

/// The whole experiment as JSON (detail + every record) or CSV (one row per record).
#[utoipa::path(get, path = "/api/v1/experiments/{id}/export", tag = "history",
    params(("id" = String, Path), ExportQuery),
    responses((status = 200), (status = 404, body = shared::ErrorBody), (status = 422, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/{id}/export")]
pub async fn export_experiment(
    state: State,
    _auth: Authenticated,
    id: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv") {
        return Err(ApiError::field("format", "must be json or csv"));
    }
    let row = state.store.get_experiment(&id).await?;
    let (records, _) = records_of(&state, &id, 0, u64::MAX >> 1, false).await?;
    let filename = format!("{}-{}.{format}", row.name, row.id);
    let disposition = (
        "Content-Disposition",
        format!("attachment; filename=\"{filename}\""),
    );
    if format == "json" {
        let doc = serde_json::json!({ "experiment": experiment_detail(&state, &row), "records": records });
        return Ok(HttpResponse::Ok().insert_header(disposition).json(doc));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "record_id",
        "repetition",
        "has_no_errors",
        "exact_form_match",
        "ballot_accuracy_score",
        "vote_results_quality",
        "voter_statistics_accuracy",
        "arithmetic_consistency",
        "overall",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "error",
    ];
    let csv_err = |e: csv::Error| ApiError::Internal(format!("csv: {e}"));
    w.write_record(header).map_err(csv_err)?;
    for r in &records {
        let s = &r.scores;
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        w.write_record([
            r.record_id.clone(),
            r.repetition.to_string(),
            s.has_no_errors.to_string(),
            s.exact_form_match.to_string(),
            format!("{:.4}", s.ballot_accuracy_score),
            format!("{:.4}", s.vote_results_quality),
            format!("{:.4}", s.voter_statistics_accuracy),
            s.arithmetic_consistency.to_string(),
            format!("{:.4}", s.overall),
            format!("{:.1}", r.latency_ms),
            opt(r.input_tokens),
            opt(r.output_tokens),
            r.error.clone().unwrap_or_default(),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(disposition)
        .content_type("text/csv; charset=utf-8")
        .body(bytes))
}
