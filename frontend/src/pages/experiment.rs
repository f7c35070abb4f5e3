//! Experiment (`/experiments/:id`): summary, metrics with intervals, per-field accuracy and
//! the paginated records.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use shared::{ExperimentDetail, FieldAccuracy};

use crate::api::{self, RecordsQuery};
use crate::auth::Auth;
use crate::components::datadog::DatadogExportFact;
use crate::components::downloads::Downloads;
use crate::components::live_run::LiveRun;
use crate::components::metric_cards::MetricCards;
use crate::components::pager::Pager;
use crate::components::record_filters::RecordFilters;
use crate::components::record_input::Source;
use crate::components::record_table::{columns, RecordTable};
use crate::components::run_results::{judge_line, usage_line};
use crate::components::status::{ErrorView, Loading, StatusBadge};
use crate::format::{count, encode, pct, when};

const PAGE: u64 = 20;

/// The experiment page. Its record filters, order and page live in the URL
/// (`?sort=worst&differs=1&field=…&q=…&offset=40`), so a view can be linked and survives a
/// reload.
#[component]
pub fn ExperimentPage() -> impl IntoView {
    let auth = Auth::get();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let initial = |key: &str| query.with_untracked(|q| q.get(key)).unwrap_or_default();
    let offset = RwSignal::new(initial("offset").parse::<u64>().unwrap_or(0));
    let errors_only = RwSignal::new(initial("errors") == "1");
    let differs = RwSignal::new(initial("differs") == "1");
    let field = RwSignal::new(initial("field"));
    // `#record-id` links to one record: it becomes the search (unless the URL has one), and
    // the record opens.
    let linked = StoredValue::new(crate::dom::location_hash());
    let search = RwSignal::new({
        let q = initial("q");
        if q.is_empty() {
            crate::dom::location_hash()
        } else {
            q
        }
    });
    let sort = RwSignal::new({
        let s = initial("sort");
        if s.is_empty() {
            "worst".to_string()
        } else {
            s
        }
    });
    // The URL follows the controls (replaced, not pushed: Back leaves the page). Not on the
    // first run: the page's own entry may not be in the history yet, and replacing then
    // would overwrite the page the user came from.
    let navigate = use_navigate();
    Effect::new(move |ran: Option<()>| {
        let mut parts = vec![format!("sort={}", encode(&sort.get()))];
        if differs.get() {
            parts.push("differs=1".into());
        }
        if errors_only.get() {
            parts.push("errors=1".into());
        }
        if !field.get().is_empty() {
            parts.push(format!("field={}", encode(&field.get())));
        }
        if !search.get().is_empty() {
            parts.push(format!("q={}", encode(&search.get())));
        }
        if offset.get() > 0 {
            parts.push(format!("offset={}", offset.get()));
        }
        if ran.is_none() {
            return;
        }
        let url = format!(
            "/experiments/{}?{}",
            encode(&id.get_untracked()),
            parts.join("&")
        );
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let detail = LocalResource::new(move || {
        auth.track();
        let id = id.get();
        async move { api::experiment(&id).await }
    });
    Effect::new(move |_| match detail.get() {
        Some(Ok(d)) => crate::dom::set_title(&d.item.experiment_name),
        _ => crate::dom::set_title("Experiment"),
    });
    let records = LocalResource::new(move || {
        auth.track();
        let id = id.get();
        let q = RecordsQuery {
            offset: offset.get(),
            limit: PAGE,
            errors_only: errors_only.get(),
            differs: differs.get(),
            field: field.get(),
            record_id: search.get().trim().to_string(),
            sort: sort.get(),
            record_index: None,
        };
        async move { api::experiment_records(&id, &q).await }
    });
    // While the experiment runs, its page follows it: summary and records every 2 s (a
    // refused key stops it: the detail is then an error, not running).
    let running =
        Memo::new(move |_| matches!(detail.get(), Some(Ok(d)) if !d.item.status.is_terminal()));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if running.get_untracked() {
                detail.refetch();
                records.refetch();
            }
        },
        std::time::Duration::from_secs(2),
    ) {
        on_cleanup(move || handle.clear());
    }
    // Once it ends, the records are read once more (the last poll may predate the last
    // trials).
    Effect::new(move |was: Option<bool>| {
        let now = running.get();
        if was == Some(true) && !now {
            records.refetch();
        }
        now
    });
    // Progress and Cancel, kept across the refetches (drawn again only if the run changes).
    let live = Memo::new(move |_| match detail.get() {
        Some(Ok(d)) if !d.item.status.is_terminal() => Some((
            d.item.run_id.clone(),
            d.item.experiment_id.clone(),
            d.item.experiment_name.clone(),
        )),
        _ => None,
    });
    let fields = Signal::derive(move || match detail.get() {
        Some(Ok(d)) => d
            .metrics
            .map(|m| worst_first(m.per_field))
            .unwrap_or_default(),
        _ => Vec::new(),
    });
    let scores = Signal::derive(move || match detail.get() {
        Some(Ok(d)) => d
            .metrics
            .map(|m| {
                m.estimates
                    .iter()
                    .filter_map(|(_, e)| e.evaluator.clone().map(|ev| (ev, e.label.clone())))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    });
    let total = Signal::derive(move || match records.get() {
        Some(Ok(p)) => p.total,
        _ => 0,
    });
    view! {
        {move || match detail.get() {
            None => view! { <Loading what="the experiment"/> }.into_any(),
            Some(Err(e)) => view! { <h1>"Experiment"</h1> <ErrorView error=e/> }.into_any(),
            Some(Ok(d)) => view! { <Summary detail=d on_field=Callback::new(move |f: String| {
                offset.set(0);
                field.set(f);
                crate::dom::focus_heading("records-title");
            })/> }.into_any(),
        }}
        {move || live.get().map(|(run_id, experiment_id, experiment_name)| view! {
            <LiveRun run_id experiment_id experiment_name on_end=Callback::new(|()| ())/>
        })}
        <section aria-labelledby="records-title">
            <h2 id="records-title" tabindex="-1">"Records"</h2>
            <RecordFilters sort=sort differs=differs errors_only=errors_only field=field
                search=search offset=offset fields=fields scores=scores/>
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
                    let source = match detail.get() {
                        Some(Ok(d)) => Source { dataset: d.item.dataset_name, version: d.item.dataset_version },
                        _ => Source { dataset: String::new(), version: 0 },
                    };
                    let open = Some(linked.get_value()).filter(|l| !l.is_empty());
                    view! { <RecordTable records=p.items columns=columns source=source open=open/> }.into_any()
                }
            }}
            <Pager offset=offset limit=PAGE total=total label="Record pages"/>
        </section>
    }
}

/// Per-field accuracy, the fields most often wrong first.
fn worst_first(mut fields: Vec<FieldAccuracy>) -> Vec<FieldAccuracy> {
    fields.sort_by(|a, b| {
        a.accuracy
            .total_cmp(&b.accuracy)
            .then((b.total - b.correct).cmp(&(a.total - a.correct)))
            .then_with(|| a.field.cmp(&b.field))
    });
    fields
}

#[component]
fn Summary(
    detail: ExperimentDetail,
    /// Shows the records that got a field wrong.
    on_field: Callback<String>,
) -> impl IntoView {
    let e = detail.item;
    let meta = if detail.config.metadata.is_empty() {
        None
    } else {
        serde_json::to_string(&detail.config.metadata).ok()
    };
    let per_field = detail
        .metrics
        .as_ref()
        .map(|m| worst_first(m.per_field.clone()))
        .unwrap_or_default();
    view! {
        <h1 data-testid="experiment-title">{e.experiment_name.clone()} " " <StatusBadge status=e.status/></h1>
        <dl class="facts" data-testid="experiment-facts">
            <div><dt>"Model"</dt><dd>{e.model.clone()} " @ temperature " {e.temperature}</dd></div>
            <div><dt>"Dataset"</dt><dd><A href=format!("/datasets/{}", e.dataset_name)>{e.dataset_name.clone()}</A> " v" {e.dataset_version}</dd></div>
            <div><dt>"Project"</dt><dd>{e.project_name.clone()}</dd></div>
            <div><dt>"Records"</dt><dd>{count(e.total_records)} " (" {count(e.failed_records)} " failed)"</dd></div>
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
            {detail.datadog_export.clone().map(|x| view! {
                <DatadogExportFact experiment_id=e.experiment_id.clone() export=x/>
            })}
        </dl>
        {e.status.is_terminal().then(|| view! { <Downloads experiment_id=e.experiment_id.clone()/> })}
        {detail.error.map(|err| view! { <p class="error-box" role="alert">{err}</p> })}
        <section aria-labelledby="metrics-title">
            <h2 id="metrics-title">"Metrics with 95% intervals"</h2>
            {match detail.metrics {
                Some(m) => view! { <MetricCards metrics=m/> }.into_any(),
                None => view! { <p class="muted">"No metrics yet (the experiment has not finished)."</p> }.into_any(),
            }}
        </section>
        <FieldAccuracyTable fields=per_field on_field=on_field/>
    }
}

/// Per-field accuracy as a table with bars, worst first; a field with errors links to the
/// records that got it wrong.
#[component]
fn FieldAccuracyTable(fields: Vec<FieldAccuracy>, on_field: Callback<String>) -> impl IntoView {
    if fields.is_empty() {
        return ().into_any();
    }
    let rows = fields
        .into_iter()
        .map(|f| {
            let width = format!("width: {:.1}%", f.accuracy * 100.0);
            let wrong = f.total - f.correct;
            let name = f.field.clone();
            let label = format!("{wrong} records got {} wrong: show them", f.field);
            let errors = if wrong == 0 {
                view! { <span class="muted">"0"</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="link" data-testid="field-errors" aria-label=label
                        title="Show the records that got this field wrong"
                        on:click=move |_| on_field.run(name.clone())>{wrong}</button>
                }
                .into_any()
            };
            view! {
                <tr>
                    <th scope="row"><code>{f.field}</code></th>
                    <td class="num">{errors}</td>
                    <td class="num">{count(f.correct as u64)} " / " {count(f.total as u64)}</td>
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
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Wrong"</th><th scope="col">"Correct"</th><th scope="col">"Accuracy"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
