//! Compare (`/compare?ids=a,b`): metrics with intervals as a chart, paired verdicts with
//! their explanation, per-field accuracy and the records the experiments disagree on.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::{
    ComparisonPair, ComparisonResponse, Disagreement, ExperimentDetail, FieldRow, Verdict,
};

use crate::api;
use crate::auth::Auth;
use crate::components::ci_chart::CiChart;
use crate::components::metric_cards::label_of;
use crate::components::status::{ErrorView, Loading};
use crate::format::{estimate, metric_label, opt_pct, pct};

/// The comparison page.
#[component]
pub fn ComparePage() -> impl IntoView {
    crate::dom::set_title("Compare experiments");
    let auth = Auth::get();
    let query = use_query_map();
    let ids = Memo::new(move |_| {
        query
            .read()
            .get("ids")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let data = LocalResource::new(move || {
        auth.track();
        let ids = ids.get();
        async move { api::compare(&ids).await }
    });
    view! {
        <h1>"Compare experiments"</h1>
        {move || {
            if ids.with(Vec::is_empty) {
                return view! {
                    <p class="empty">"Choose experiments to compare on the " <A href="/experiments">"Experiments"</A> " page."</p>
                }.into_any();
            }
            match data.get() {
                None => view! { <Loading what="the comparison"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
                Some(Ok(c)) => view! { <Comparison data=c/> }.into_any(),
            }
        }}
    }
}

fn short_names(exps: &[ExperimentDetail]) -> Vec<String> {
    exps.iter()
        .map(|e| e.item.experiment_name.clone())
        .collect()
}

#[component]
fn Comparison(data: ComparisonResponse) -> impl IntoView {
    let names = short_names(&data.experiments);
    // Every metric any experiment has, in the order they list them; (name, label).
    let mut metrics: Vec<(String, String)> = Vec::new();
    for m in data.experiments.iter().filter_map(|e| e.metrics.as_ref()) {
        for (name, e) in &m.estimates {
            if !metrics.iter().any(|(n, _)| n == name) {
                metrics.push((name.clone(), label_of(name, e)));
            }
        }
    }
    let rows: Vec<_> = metrics
        .iter()
        .map(|(name, label)| {
            let values = data
                .experiments
                .iter()
                .map(|e| e.metrics.as_ref().and_then(|m| m.get(name).cloned()))
                .collect::<Vec<_>>();
            (label.clone(), values)
        })
        .collect();
    let table_rows = rows
        .iter()
        .map(|(metric, values)| {
            let cells = values
                .iter()
                .map(|v| view! { <td>{v.as_ref().map_or_else(|| "–".into(), estimate)}</td> })
                .collect_view();
            view! { <tr><th scope="row">{metric.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    let heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let experiments = data
        .experiments
        .iter()
        .map(|e| {
            let e = e.item.clone();
            view! {
                <li data-testid="compared-experiment">
                    <A href=format!("/experiments/{}", e.experiment_id)>{e.experiment_name}</A>
                    " — " {e.model} " @ " {e.temperature} ", " {e.total_records} " records, overall "
                    {opt_pct(e.overall_accuracy)}
                </li>
            }
        })
        .collect_view();
    // Per-field accuracy of experiments on different records says nothing about which model
    // reads a field better: no winner is marked then.
    let same_records = data.warnings.is_empty() && data.paired_records > 0;
    let warnings = data
        .warnings
        .iter()
        .map(|w| view! { <li>{w.clone()}</li> })
        .collect_view();
    let warned = !data.warnings.is_empty();
    let pairs = data
        .pairs
        .into_iter()
        .map(|p| view! { <PairVerdicts pair=p names=names.clone() ids=data.experiments.iter().map(|e| e.item.experiment_id.clone()).collect()/> })
        .collect_view();
    view! {
        <ul class="plain" data-testid="compared-experiments">{experiments}</ul>
        {warned.then(|| view! { <ul class="warning-box" role="note" data-testid="compare-warnings">{warnings}</ul> })}
        <p class="muted">{data.paired_records} " records paired by record and form type."</p>
        <section aria-labelledby="chart-title">
            <h2 id="chart-title">"Metrics with 95% confidence intervals"</h2>
            <CiChart names=names.clone() rows=rows.clone()/>
            <details>
                <summary>"The same as a table"</summary>
                <div class="table-wrap">
                    <table data-testid="metrics-table">
                        <thead><tr><th scope="col">"Metric"</th>{heads}</tr></thead>
                        <tbody>{table_rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
        <section aria-labelledby="verdicts-title">
            <h2 id="verdicts-title">"Paired verdicts"</h2>
            {pairs}
        </section>
        <PerField rows=data.per_field names=names.clone() mark_best=same_records/>
        <Disagreements items=data.disagreements names=names/>
    }
}

fn verdict_text(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::ABetter => ("A better", "badge-success"),
        Verdict::BBetter => ("B better", "badge-success"),
        Verdict::NotDistinguishable => ("not distinguishable", "badge-neutral"),
    }
}

#[component]
fn PairVerdicts(pair: ComparisonPair, names: Vec<String>, ids: Vec<String>) -> impl IntoView {
    let name = |id: &str| {
        ids.iter()
            .position(|x| x == id)
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_else(|| id.to_string())
    };
    let (a, b) = (name(&pair.a), name(&pair.b));
    if pair.comparisons.is_empty() {
        let reason = pair
            .reason
            .unwrap_or_else(|| "No metric could be paired.".into());
        return view! {
            <h3>"A = " {a} " vs B = " {b}</h3>
            <p class="muted" data-testid="no-verdicts">"— " {reason}</p>
        }
        .into_any();
    }
    let rows = pair
        .comparisons
        .into_iter()
        .map(|c| {
            let (word, class) = verdict_text(c.verdict);
            let diff = match (c.ci_low, c.ci_high) {
                (Some(lo), Some(hi)) => format!("{:+.1} pts [{:+.1}, {:+.1}]", c.difference * 100.0, lo * 100.0, hi * 100.0),
                _ => format!("{:+.1} pts", c.difference * 100.0),
            };
            view! {
                <tr data-testid="verdict">
                    <th scope="row">{if c.label.is_empty() { metric_label(&c.metric) } else { c.label.clone() }}</th>
                    <td class="num">{c.n}</td>
                    <td class="num">{pct(c.a)}</td>
                    <td class="num">{pct(c.b)}</td>
                    <td class="num">{diff}</td>
                    <td class="num">{c.p_value.map_or_else(|| "–".into(), |p| format!("{p:.3}"))}</td>
                    <td><span class=format!("badge {class}") data-testid="verdict-word">{word}</span></td>
                    <td class="explain" data-testid="verdict-explanation">{c.explanation}<br/><span class="muted small">{c.method}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"A = " {a} " vs B = " {b}</h3>
        <div class="table-wrap">
            <table data-testid="verdicts-table">
                <thead>
                    <tr>
                        <th scope="col">"Metric"</th><th scope="col">"n"</th><th scope="col">"A"</th>
                        <th scope="col">"B"</th><th scope="col">"A − B"</th><th scope="col">"p"</th>
                        <th scope="col">"Verdict"</th><th scope="col">"Why"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn PerField(
    rows: Vec<FieldRow>,
    names: Vec<String>,
    /// Mark the best value of each row (only when the experiments ran the same records).
    mark_best: bool,
) -> impl IntoView {
    let heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|r| {
            let values: Vec<f64> = r.accuracy.iter().flatten().map(|a| a.accuracy).collect();
            let best = values.iter().copied().fold(f64::MIN, f64::max);
            // Bold the best only where the experiments differ.
            let differ = mark_best && values.iter().any(|v| (v - best).abs() > 1e-12);
            let cells = r
                .accuracy
                .into_iter()
                .map(|a| match a {
                    Some(a) => {
                        let top = differ && (a.accuracy - best).abs() < 1e-12;
                        view! { <td class="num" class:best=top>{pct(a.accuracy)} " (" {a.correct} "/" {a.total} ")"</td> }.into_any()
                    }
                    None => view! { <td>"–"</td> }.into_any(),
                })
                .collect_view();
            view! { <tr><th scope="row"><code>{r.field}</code></th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="per-field-title">
            <h2 id="per-field-title">"Per-field accuracy"</h2>
            <div class="table-wrap">
                <table data-testid="compare-per-field">
                    <thead><tr><th scope="col">"Field"</th>{heads}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Disagreements(items: Vec<Disagreement>, names: Vec<String>) -> impl IntoView {
    let count = items.len();
    let heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let body = items
        .into_iter()
        .map(|d| {
            let cells = d
                .overall
                .into_iter()
                .map(|o| view! { <td class="num">{opt_pct(o)}</td> })
                .collect_view();
            view! {
                <tr data-testid="disagreement">
                    <th scope="row">{d.record_id}</th>
                    {cells}
                    <td>{d.fields.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="disagree-title">
            <h2 id="disagree-title">"Records they disagree on (" {count} ")"</h2>
            {if count == 0 {
                view! { <p class="muted">"The experiments scored every paired record alike."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table data-testid="disagreements-table">
                            <thead><tr><th scope="col">"Record"</th>{heads}<th scope="col">"Fields that differ"</th></tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
