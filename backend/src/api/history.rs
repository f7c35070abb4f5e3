//! Experiment history: list, one experiment, its trials, and JSON/CSV export.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared::{ExperimentDetail, ExperimentListItem, Page, RecordResult};

use super::error::ApiError;
use super::request::Authenticated;
use super::State;
use crate::service::export::ExportFormat;
use crate::service::history::{page_limit, page_offset};
use crate::store::{ExperimentFacets, ExperimentFilter, ExperimentOrder, TrialFilter, TrialOrder};

/// Filters and paging of the history.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Experiments whose project name contains this text (so do `dataset` and `model`).
    pub project: Option<String>,
    pub dataset: Option<String>,
    pub model: Option<String>,
    /// Only experiments queued or running.
    pub active: Option<bool>,
    /// Experiments whose name, project, dataset or model contains this text.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// `newest` (the default: a run's experiments together), `oldest`, `best` or `worst`
    /// (overall accuracy), `name` or `model`.
    #[param(inline)]
    pub sort: Option<ExperimentOrder>,
    pub offset: Option<u64>,
    /// 1–500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
}

/// The projects, datasets and models of the history, for its filters.
#[utoipa::path(tag = "history",
    responses((status = 200, body = ExperimentFacets)), security(("api_key" = [])))]
#[get("/api/v1/experiments/facets")]
pub async fn experiment_facets(
    state: State,
    _auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.experiment_facets().await?))
}

/// Experiments, newest first (a run's together) unless `sort` says otherwise.
#[utoipa::path(tag = "history", params(ListQuery),
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
        active: q.active.unwrap_or(false),
        search: match q.q {
            Some(text) if text.is_empty() || text.chars().count() > 200 => {
                return Err(ApiError::field("q", "must be 1–200 characters"));
            }
            other => other,
        },
        order: q.sort.unwrap_or_default(),
        offset: page_offset(q.offset)?,
        limit: page_limit(q.limit, 50)?,
    };
    Ok(HttpResponse::Ok().json(state.service.list_experiments(filter).await?))
}

/// One experiment with its config, metrics and intervals.
#[utoipa::path(tag = "history", params(("id" = String, Path)),
    responses((status = 200, body = ExperimentDetail), (status = 404, body = shared::ErrorBody)),
    security(("api_key" = [])))]
#[get("/api/v1/experiments/{id}")]
pub async fn get_experiment(
    state: State,
    _auth: Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.service.experiment(&id).await?))
}

/// Paging of an experiment's trials.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    pub offset: Option<u64>,
    /// 1–500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Only failed trials.
    pub errors_only: Option<bool>,
    /// Only trials that got this field wrong, named as per-field accuracy names it (rows
    /// pooled), e.g. `PartyList.vote_results[].vote_count`.
    #[param(min_length = 1, max_length = 300)]
    pub field: Option<String>,
    /// Only trials with a differing field or an error.
    pub differs: Option<bool>,
    /// Only trials whose record id contains this text.
    #[param(min_length = 1, max_length = 200)]
    pub record_id: Option<String>,
    /// Only the trials of the record at this position of the dataset (its `record_index`).
    pub record_index: Option<u64>,
    /// `record` (dataset order, the default), `worst` (lowest overall first) or `best`.
    #[param(inline)]
    pub sort: Option<TrialOrder>,
    /// With `sort=worst|best`: order by this evaluator's score instead of the overall one
    /// (a name of `GET /evaluators`, e.g. `ballot_accuracy_score`).
    #[param(inline)]
    pub score: Option<ScoreName>,
}

/// An evaluator whose score can order trials (the names `GET /evaluators` lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreName {
    HasNoErrors,
    ExactFormMatch,
    BallotAccuracyScore,
    VoteResultsQuality,
    VoterStatisticsAccuracy,
    ArithmeticConsistency,
    LlmJudgeEvaluator,
}

impl ScoreName {
    /// The evaluator's name.
    pub fn name(self) -> &'static str {
        use crate::eval::names;
        match self {
            ScoreName::HasNoErrors => names::HAS_NO_ERRORS,
            ScoreName::ExactFormMatch => names::EXACT_FORM_MATCH,
            ScoreName::BallotAccuracyScore => names::BALLOT_ACCURACY,
            ScoreName::VoteResultsQuality => names::VOTE_RESULTS_QUALITY,
            ScoreName::VoterStatisticsAccuracy => names::VOTER_STATISTICS_ACCURACY,
            ScoreName::ArithmeticConsistency => names::ARITHMETIC_CONSISTENCY,
            ScoreName::LlmJudgeEvaluator => names::LLM_JUDGE,
        }
    }
}

/// Per-trial results: input reference, output, expected, every evaluator with detail.
#[utoipa::path(tag = "history",
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
    let page = state
        .service
        .records_page(
            &id,
            page_offset(q.offset)?,
            limit,
            &TrialFilter {
                errors_only: q.errors_only.unwrap_or(false),
                field: trial_field(q.field.as_deref())?,
                differs: q.differs.unwrap_or(false),
                record_id: record_search(q.record_id.as_deref())?,
                record_index: match q.record_index {
                    Some(i) if i64::try_from(i).is_err() => {
                        return Err(ApiError::field(
                            "record_index",
                            "must be at most 9223372036854775807",
                        ));
                    }
                    other => other,
                },
                order: q.sort.unwrap_or_default(),
                score: q.score.map(|n| n.name().to_string()),
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A record id search: 1–200 characters.
fn record_search(text: Option<&str>) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) if !t.is_empty() && t.chars().count() <= 200 => Ok(Some(t.to_string())),
        Some(_) => Err(ApiError::Service(crate::service::ServiceError::field(
            "record_id",
            "must be 1–200 characters of a record id",
        ))),
    }
}

/// A field filter: 1–300 characters.
fn trial_field(field: Option<&str>) -> Result<Option<String>, ApiError> {
    match field {
        None => Ok(None),
        Some(f) if !f.trim().is_empty() && f.chars().count() <= 300 => Ok(Some(f.to_string())),
        Some(_) => Err(ApiError::Service(crate::service::ServiceError::field(
            "field",
            "must be a field name of 1–300 characters, as per-field accuracy shows it",
        ))),
    }
}

/// Export format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// json (default) or csv.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// The whole experiment as JSON (detail + every trial) or CSV (one row per trial).
#[utoipa::path(tag = "history",
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
    let format: ExportFormat = q.format.as_deref().unwrap_or("json").parse()?;
    let file = state.service.export(&id, format).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Disposition", file.content_disposition()))
        .content_type(file.content_type)
        .streaming(file.body))
}

#[cfg(test)]
mod tests {
    use super::ScoreName;

    #[test]
    fn every_evaluator_can_order_the_trials() {
        for e in crate::eval::EVALUATORS {
            let named: ScoreName = serde_json::from_value(serde_json::json!(e.name))
                .unwrap_or_else(|_| panic!("{} cannot be a score to order by", e.name));
            assert_eq!(named.name(), e.name);
        }
    }
}
