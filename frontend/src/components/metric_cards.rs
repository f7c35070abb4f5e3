//! Metric cards: each summary metric with its 95% interval.

use leptos::prelude::*;
use shared::ExperimentMetrics;

use crate::format::{metric_label, pct};

/// How a metric is shown: its label, or (for experiments stored before labels) its name
/// made readable.
pub fn label_of(name: &str, estimate: &shared::MetricEstimate) -> String {
    if estimate.label.is_empty() {
        metric_label(name)
    } else {
        estimate.label.clone()
    }
}

/// One card per metric: value, interval, n and method.
#[component]
pub fn MetricCards(
    /// The experiment's metrics.
    metrics: ExperimentMetrics,
) -> impl IntoView {
    let cards = metrics
        .estimates
        .into_iter()
        .map(|(name, m)| {
            let label = label_of(&name, &m);
            let ci = format!("95% CI {}–{}", pct(m.ci_low), pct(m.ci_high));
            let detail = format!("n = {} · {}", crate::format::count(m.n as u64), m.method);
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
