//! Experiment (`/experiments/:id`): summary, metrics with intervals, per-field accuracy and
//! the paginated records.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::{ExperimentDetail, FieldAccuracy};

use crate::api;
use crate::auth::Auth;
use crate::components::metric_cards::MetricCards;
use crate::components::pager::Pager;
use crate::components::record_table::{columns, RecordTable};
use crate::components::run_results::{judge_line, usage_line};
use crate::components::status::{ErrorView, Loading, StatusBadge};
use crate::format::{pct, when};

const PAGE: u64 = 20;

/// The experiment page.
#[component]
pub fn ExperimentPage() -> impl IntoView {
    let auth = Auth::get();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let offset = RwSignal::new(0u64);
    let errors_only = RwSignal::new(false);
    let detail = LocalResource::new(move || {
        auth.track();
        let id = id.get();
        async move { api::experiment(&id).await }
    });
    let records = LocalResource::new(move || {
        auth.track();
        let (id, offset, errors_only) = (id.get(), offset.get(), errors_only.get());
        async move { api::experiment_records(&id, offset, PAGE, errors_only).await }
    });
    let total = Signal::derive(move || match records.get() {
        Some(Ok(p)) => p.total,
        _ => 0,
    });
    view! {
        {move || match detail.get() {
            None => view! { <Loading what="the experiment"/> }.into_any(),
            Some(Err(e)) => view! { <h1>"Experiment"</h1> <ErrorView error=e/> }.into_any(),
            Some(Ok(d)) => view! { <Summary detail=d/> }.into_any(),
        }}
        <section aria-labelledby="records-title">
            <h2 id="records-title">"Records"</h2>
            <div class="check">
                <input
                    id="errors-only"
                    type="checkbox"
                    data-testid="errors-only"
                    prop:checked=move || errors_only.get()
                    on:change=move |ev| {
                        offset.set(0);
                        errors_only.set(event_target_checked(&ev));
                    }
                />
                <label for="errors-only">"Only failed records"</label>
            </div>
            {move || match records.get() {
                None => view! { <Loading what="records"/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! { <p class="empty">"No records."</p> }.into_any(),
                Some(Ok(p)) => {
                    let metrics = match detail.get() {
                        Some(Ok(d)) => d.metrics,
                        _ => None,
                    };
                    let columns = columns(metrics.as_ref(), &p.items);
                    view! { <RecordTable records=p.items columns=columns/> }.into_any()
                }
            }}
            <Pager offset=offset limit=PAGE total=total label="Record pages"/>
        </section>
    }
}

#[component]
fn Summary(detail: ExperimentDetail) -> impl IntoView {
    let e = detail.item;
    let meta = if detail.config.metadata.is_empty() {
        None
    } else {
        serde_json::to_string(&detail.config.metadata).ok()
    };
    let per_field = detail
        .metrics
        .as_ref()
        .map(|m| m.per_field.clone())
        .unwrap_or_default();
    view! {
        <h1 data-testid="experiment-title">{e.experiment_name.clone()} " " <StatusBadge status=e.status/></h1>
        <dl class="facts" data-testid="experiment-facts">
            <div><dt>"Model"</dt><dd>{e.model.clone()} " @ temperature " {e.temperature}</dd></div>
            <div><dt>"Dataset"</dt><dd><A href=format!("/datasets/{}", e.dataset_name)>{e.dataset_name.clone()}</A> " v" {e.dataset_version}</dd></div>
            <div><dt>"Project"</dt><dd>{e.project_name.clone()}</dd></div>
            <div><dt>"Records"</dt><dd>{e.total_records} " (" {e.failed_records} " failed)"</dd></div>
            <div><dt>"Jobs · repetitions"</dt><dd>{detail.jobs} " · " {detail.repetitions}</dd></div>
            <div><dt>"Created"</dt><dd>{when(&e.created_at)}</dd></div>
            <div><dt>"Finished"</dt><dd>{e.finished_at.as_deref().map(when).unwrap_or_else(|| "–".into())}</dd></div>
            {detail.repetition_agreement.map(|a| view! { <div><dt>"Repetition agreement"</dt><dd>{pct(a)}</dd></div> })}
            {(detail.label_issues > 0).then(|| view! {
                <div><dt>"Label issues"</dt><dd>{detail.label_issues} " labels break an identity"</dd></div>
            })}
            {meta.map(|m| view! { <div><dt>"Metadata"</dt><dd><code>{m}</code></dd></div> })}
            {detail.usage.as_ref().map(|u| view! { <div><dt>"Usage"</dt><dd data-testid="usage">{usage_line(u)}</dd></div> })}
            {detail.usage.as_ref().and_then(|u| u.judge.as_ref()).map(|j| view! {
                <div><dt>"LLM judge"</dt><dd data-testid="judge-usage">{judge_line(j)}</dd></div>
            })}
        </dl>
        {detail.error.map(|err| view! { <p class="error-box" role="alert">{err}</p> })}
        <section aria-labelledby="metrics-title">
            <h2 id="metrics-title">"Metrics with 95% intervals"</h2>
            {match detail.metrics {
                Some(m) => view! { <MetricCards metrics=m/> }.into_any(),
                None => view! { <p class="muted">"No metrics yet (the experiment has not finished)."</p> }.into_any(),
            }}
        </section>
        <FieldAccuracyTable fields=per_field/>
    }
}

/// Per-field accuracy as a table with bars.
#[component]
fn FieldAccuracyTable(fields: Vec<FieldAccuracy>) -> impl IntoView {
    if fields.is_empty() {
        return ().into_any();
    }
    let rows = fields
        .into_iter()
        .map(|f| {
            let width = format!("width: {:.1}%", f.accuracy * 100.0);
            view! {
                <tr>
                    <th scope="row"><code>{f.field}</code></th>
                    <td class="num">{f.correct} " / " {f.total}</td>
                    <td class="bar-cell">
                        <span class="bar" aria-hidden="true"><span style=width></span></span>
                        {pct(f.accuracy)}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="fields-title">
            <h2 id="fields-title">"Per-field accuracy"</h2>
            <div class="table-wrap">
                <table data-testid="per-field-table">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Correct"</th><th scope="col">"Accuracy"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
