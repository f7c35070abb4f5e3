//! The answer of a run: a card per experiment with its metrics and intervals, the
//! comparison link, and the JSON download.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ExperimentRunResponse, ExperimentSummary};

use crate::components::estimate::usd;
use crate::components::metric_cards::MetricCards;
use crate::components::sequence_chart::SequentialView;
use crate::components::status::StatusBadge;
use crate::dom::{focus_heading, json_blob_url, revoke_url};
use crate::format::{local_path, millis, pct, records_line};

/// Results of a run (sync, or a finished async task).
#[component]
pub fn RunResults(
    /// The run's response.
    response: ExperimentRunResponse,
) -> impl IntoView {
    let json = serde_json::to_string_pretty(&response).unwrap_or_default();
    let download = json_blob_url(&json);
    if let Some(url) = download.clone() {
        on_cleanup(move || revoke_url(&url));
    }
    let filename = results_filename(&response.dataset_name);
    let compare = response
        .comparison_url
        .as_deref()
        .filter(|_| response.experiments.len() > 1)
        .map(local_path);
    let sequential = response.sequential.clone().map(|s| {
        view! {
            <section class="card" aria-labelledby="sequential-title" data-testid="run-sequential">
                <h3 id="sequential-title">"Stop when decided"</h3>
                <SequentialView result=s/>
            </section>
        }
    });
    Effect::new(|_| focus_heading("results-title"));
    let cards = response
        .experiments
        .iter()
        .cloned()
        .map(|e| view! { <ExperimentCard summary=e/> })
        .collect_view();
    view! {
        <section class="results" aria-labelledby="results-title" data-testid="run-results">
            <h2 id="results-title" tabindex="-1">"Results " <StatusBadge status=response.status/></h2>
            <p data-testid="run-message">
                {response.message.clone()} " · dataset " <strong>{response.dataset_name.clone()}</strong>
                {response.dataset_version.map(|v| format!(" v{v}"))} ", "
                {records_line(response.records_run, response.dataset_size)} " · project " {response.project_name.clone()}
            </p>
            <div class="actions">
                {compare.map(|href| view! {
                    <A href=href attr:class="button primary" attr:data-testid="comparison-link">
                        "Compare these experiments"
                    </A>
                })}
                {download.map(|href| view! {
                    <a class="button" href=href download=filename data-testid="download-json">
                        "Download JSON"
                    </a>
                })}
            </div>
            {sequential}
            <div class="experiment-cards">{cards}</div>
        </section>
    }
}

/// One experiment of a run.
#[component]
fn ExperimentCard(summary: ExperimentSummary) -> impl IntoView {
    let href = summary.experiment_url.as_deref().map_or_else(
        || format!("/experiments/{}", summary.experiment_id),
        local_path,
    );
    let records = format!(
        "{} records: {} ok, {} failed",
        summary.total_records, summary.successful_records, summary.failed_records
    );
    let usage = summary.usage.as_ref().map(usage_line);
    let judge = summary
        .usage
        .as_ref()
        .and_then(|u| u.judge.as_ref())
        .map(judge_line);
    let metrics = match summary.metrics {
        Some(m) => view! { <MetricCards metrics=m/> }.into_any(),
        None => view! {
            <ul class="metrics">
                <li class="metric" data-testid="metric-overall_accuracy">
                    <span class="metric-name">"overall accuracy"</span>
                    <span class="metric-value" data-testid="metric-value">{pct(summary.overall_accuracy)}</span>
                </li>
                <li class="metric" data-testid="metric-success_rate">
                    <span class="metric-name">"success rate"</span>
                    <span class="metric-value" data-testid="metric-value">{pct(summary.success_rate)}</span>
                </li>
            </ul>
        }
        .into_any(),
    };
    view! {
        <article class="card" data-testid="experiment-result">
            <h3>
                <A href=href attr:data-testid="experiment-link">{summary.experiment_name.clone()}</A>
                " " <StatusBadge status=summary.status/>
            </h3>
            <p class="muted">
                {summary.model.clone()} " · temperature " {summary.temperature} " · " {records}
                {(summary.repetitions > 1).then(|| format!(" · {} repetitions", summary.repetitions))}
                {(summary.label_issues > 0).then(|| format!(" · {} labels break an identity", summary.label_issues))}
            </p>
            {usage.map(|u| view! { <p class="muted small" data-testid="usage">{u}</p> })}
            {judge.map(|j| view! { <p class="muted small" data-testid="judge-usage">{j}</p> })}
            {summary.error.map(|e| view! { <p class="error-text">{e}</p> })}
            {metrics}
        </article>
    }
}

/// An experiment's cost, tokens, latency and cache hits in one line (the extraction's only).
pub fn usage_line(u: &shared::UsageSummary) -> String {
    format!(
        "Cost {} · tokens {} in / {} out{} · latency p50 {} / p95 {}{}",
        usd(u.cost_usd),
        u.input_tokens,
        u.output_tokens,
        if u.thinking_tokens > 0 {
            format!(" / {} thinking", u.thinking_tokens)
        } else {
            String::new()
        },
        millis(u.p50_latency_ms),
        millis(u.p95_latency_ms),
        if u.cached_records > 0 {
            format!(" · {} cached", u.cached_records)
        } else {
            String::new()
        },
    )
}

/// The LLM judge's calls in one line, apart from the extraction's.
pub fn judge_line(j: &shared::JudgeUsage) -> String {
    format!(
        "Judge {}: {} calls · cost {} · tokens {} in / {} out{}{}",
        j.model,
        j.calls,
        usd(j.cost_usd),
        j.input_tokens,
        j.output_tokens,
        if j.thinking_tokens > 0 {
            format!(" / {} thinking", j.thinking_tokens)
        } else {
            String::new()
        },
        if j.cached > 0 {
            format!(" · {} cached", j.cached)
        } else {
            String::new()
        },
    )
}

/// The download's name, as the original page named it: `experiment_results_{dataset}.json`
/// (characters a file name should not hold become `_`).
pub fn results_filename(dataset: &str) -> String {
    let safe: String = dataset
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("experiment_results_{safe}.json")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_download_is_named_as_the_original_named_it() {
        assert_eq!(
            super::results_filename("vote-extraction-bangbamru-1-10"),
            "experiment_results_vote-extraction-bangbamru-1-10.json"
        );
        assert_eq!(
            super::results_filename("a/b c"),
            "experiment_results_a_b_c.json"
        );
    }
}
