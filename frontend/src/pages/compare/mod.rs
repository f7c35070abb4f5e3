//! Compare (`/compare?ids=a,b`): the baseline (A, the first id) and its swap, metrics with
//! intervals as a chart, paired verdicts with their explanation, per-field accuracy with
//! A − B, and the records the experiments disagree on, each opening to expected vs outputs.

mod disagreements;
mod labels;
mod per_field;
mod verdicts;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{ComparisonResponse, ExperimentListItem};

use crate::api;
use crate::auth::Auth;
use crate::components::ci_chart::CiChart;
use crate::components::metric_cards::label_of;
use crate::components::sequence_chart::SequentialView;
use crate::components::status::{ErrorView, Loading};
use crate::format::{count, encode, estimate, opt_pct};

use disagreements::Disagreements;
use labels::{details, labels, with_baseline};
use per_field::PerField;
use verdicts::PairVerdicts;

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

#[component]
fn Comparison(data: ComparisonResponse) -> impl IntoView {
    let items: Vec<&ExperimentListItem> = data.experiments.iter().map(|e| &e.item).collect();
    let names = labels(&items);
    let ids: Vec<String> = items.iter().map(|e| e.experiment_id.clone()).collect();
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
    let experiments = items
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(i, (e, name))| {
            let (e, name) = ((*e).clone(), name.clone());
            let role = if i == 0 { "A (baseline)".to_string() } else if items.len() == 2 { "B".into() } else { format!("B{i}") };
            view! {
                <li data-testid="compared-experiment">
                    <strong>{role} ": "</strong>
                    <A href=format!("/experiments/{}", encode(&e.experiment_id))>{name}</A>
                    " — " {e.model.clone()} " @ " {e.temperature} ", " {count(e.total_records)} " records of "
                    {e.dataset_name.clone()} " v" {e.dataset_version} ", overall " {opt_pct(e.overall_accuracy)}
                    <span class="muted small">" (" {details(&e)} ")"</span>
                </li>
            }
        })
        .collect_view();
    // Per-field accuracy of experiments on different records says nothing about which model
    // reads a field better: no winner or difference is shown then.
    let paired = data.warnings.is_empty() && data.paired_records > 0;
    let warnings = data
        .warnings
        .iter()
        .map(|w| view! { <li>{w.clone()}</li> })
        .collect_view();
    let warned = !data.warnings.is_empty();
    let name_of = |id: &str| {
        ids.iter()
            .position(|x| x == id)
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_else(|| id.to_string())
    };
    let pairs = data
        .pairs
        .into_iter()
        .map(|p| {
            let (a, b) = (name_of(&p.a), name_of(&p.b));
            view! { <PairVerdicts pair=p a=a b=b/> }
        })
        .collect_view();
    let sequential = data.sequential.map(|s| {
        view! {
            <section aria-labelledby="sequential-title" class="compare-sequential" data-testid="compare-sequential">
                <h2 id="sequential-title">"Stopped when decided"</h2>
                <p class="muted small">
                    "These experiments come from one run set to stop when its verdicts were decided. "
                    "Its confidence sequences below stay valid however early it stopped; the paired "
                    "verdicts further down are fixed-size tests of the records it ran."
                </p>
                <SequentialView result=s/>
            </section>
        }
    });
    view! {
        <BaselinePicker ids=ids.clone() names=names.clone()/>
        <ul class="plain" data-testid="compared-experiments">{experiments}</ul>
        {warned.then(|| view! { <ul class="warning-box" role="note" data-testid="compare-warnings">{warnings}</ul> })}
        <p class="muted">{count(data.paired_records)} " records paired by record and form type."</p>
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
        {sequential}
        <section aria-labelledby="verdicts-title">
            <h2 id="verdicts-title">"Paired verdicts"</h2>
            {pairs}
        </section>
        <PerField rows=data.per_field names=names.clone() paired=paired/>
        <Disagreements items=data.disagreements names=names ids=ids/>
    }
}

/// Which experiment is A (the baseline every other is compared with), and a swap for two.
/// Changing it is a new address (Back returns to the previous baseline).
#[component]
fn BaselinePicker(ids: Vec<String>, names: Vec<String>) -> impl IntoView {
    let navigate = use_navigate();
    let go = {
        let ids = ids.clone();
        move |baseline: &str| {
            let order: Vec<String> = with_baseline(&ids, baseline)
                .iter()
                .map(|i| encode(i))
                .collect();
            navigate(
                &format!("/compare?ids={}", order.join(",")),
                Default::default(),
            );
        }
    };
    let options = ids
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(i, (id, name))| view! { <option value=id.clone() selected=i == 0>{name.clone()}</option> })
        .collect_view();
    let swap = (ids.len() == 2).then(|| {
        let go = go.clone();
        let other = ids[1].clone();
        view! {
            <button type="button" class="secondary" data-testid="swap-baseline" on:click=move |_| go(&other)>
                "Swap A and B"
            </button>
        }
    });
    view! {
        <div class="baseline-bar">
            <label>
                "Baseline (A) "
                <select data-testid="baseline" on:change=move |ev| go(&event_target_value(&ev))>{options}</select>
            </label>
            {swap}
        </div>
    }
}
