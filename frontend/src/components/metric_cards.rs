//! Metric cards: each summary metric with its 95% interval.

use leptos::prelude::*;
use shared::{ExperimentMetrics, MetricEstimate};

use crate::format::{metric_label, pct};

/// The metrics of an experiment in display order, by API name.
pub fn metric_list(m: &ExperimentMetrics) -> Vec<(&'static str, &MetricEstimate)> {
    vec![
        ("overall_accuracy", &m.overall_accuracy),
        ("success_rate", &m.success_rate),
        ("avg_ballot_accuracy", &m.avg_ballot_accuracy),
        ("exact_form_match_rate", &m.exact_form_match_rate),
        ("avg_vote_results_quality", &m.avg_vote_results_quality),
        (
            "avg_voter_statistics_accuracy",
            &m.avg_voter_statistics_accuracy,
        ),
        (
            "arithmetic_consistency_rate",
            &m.arithmetic_consistency_rate,
        ),
    ]
}

/// One card per metric: value, interval, n and method.
#[component]
pub fn MetricCards(
    /// The experiment's metrics.
    metrics: ExperimentMetrics,
) -> impl IntoView {
    let cards = metric_list(&metrics)
        .into_iter()
        .map(|(name, m)| {
            let label = metric_label(name);
            let ci = format!("95% CI {}–{}", pct(m.ci_low), pct(m.ci_high));
            let detail = format!("n = {} · {}", m.n, m.method);
            view! {
                <li class="metric" data-testid=format!("metric-{name}")>
                    <span class="metric-name">{label}</span>
                    <span class="metric-value" data-testid="metric-value">{pct(m.value)}</span>
                    <span class="metric-ci" data-testid="metric-ci">{ci}</span>
                    <span class="metric-n">{detail}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="metrics">{cards}</ul> }
}
