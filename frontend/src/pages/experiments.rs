//! Experiments (`/experiments`): the history with filters, paging and a compare selection.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use shared::ExperimentListItem;

use crate::api::{self, HistoryQuery};
use crate::auth::Auth;
use crate::components::live_run::LiveRun;
use crate::components::pager::Pager;
use crate::components::status::{ErrorView, Loading, StatusBadge};
use crate::format::{count, encode, opt_pct, when};

const PAGE: u64 = 25;

/// The history page.
#[component]
pub fn ExperimentsPage() -> impl IntoView {
    crate::dom::set_title("Experiments");
    let auth = Auth::get();
    let project = RwSignal::new(String::new());
    let dataset = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    // `?active=1` (the header's "N running" link) starts with only the running ones.
    let query = use_query_map();
    let active = RwSignal::new(query.with_untracked(|q| q.get("active")).as_deref() == Some("1"));
    // The filters applied (the inputs apply on submit, not on each keystroke).
    let applied = RwSignal::new(HistoryQuery {
        active: active.get_untracked(),
        ..Default::default()
    });
    let offset = RwSignal::new(0u64);
    // Ticked experiments: (id, "dataset vN").
    let selected = RwSignal::new(Vec::<(String, String)>::new());
    let page = LocalResource::new(move || {
        auth.track();
        let q = HistoryQuery {
            offset: offset.get(),
            limit: PAGE,
            ..applied.get()
        };
        async move { api::experiments(&q).await }
    });
    let total = Signal::derive(move || match page.get() {
        Some(Ok(p)) => p.total,
        _ => 0,
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        offset.set(0);
        applied.set(HistoryQuery {
            project: project.get_untracked(),
            dataset: dataset.get_untracked(),
            model: model.get_untracked(),
            active: active.get_untracked(),
            ..Default::default()
        });
    };
    let on_end = Callback::new(move |()| page.refetch());
    // The header's "N running" link while already here changes only the query.
    Effect::new(move |_| {
        let wanted = query.with(|q| q.get("active")).as_deref() == Some("1");
        if wanted != active.get_untracked() {
            active.set(wanted);
            offset.set(0);
            applied.update(|q| q.active = wanted);
        }
    });
    let compare_href = move || {
        let ids: Vec<String> = selected.get().iter().map(|(i, _)| encode(i)).collect();
        format!("/compare?ids={}", ids.join(","))
    };
    view! {
        <h1>"Experiments"</h1>
        <form class="filters" role="search" aria-label="Filter experiments" on:submit=apply>
            <div class="field">
                <label for="filter-project">"Project"</label>
                <input id="filter-project" data-testid="filter-project" bind:value=project/>
            </div>
            <div class="field">
                <label for="filter-dataset">"Dataset"</label>
                <input id="filter-dataset" data-testid="filter-dataset" bind:value=dataset/>
            </div>
            <div class="field">
                <label for="filter-model">"Model"</label>
                <input id="filter-model" data-testid="filter-model" bind:value=model/>
            </div>
            <div class="check">
                <input id="filter-active" type="checkbox" data-testid="filter-active" bind:checked=active/>
                <label for="filter-active">"Only running"</label>
            </div>
            <button type="submit" class="primary" data-testid="filter-apply">"Filter"</button>
        </form>
        <div class="actions">
            <Show when=move || { selected.with(|s| s.len() >= 2) }
                fallback=|| view! { <span class="muted">"Tick two or more experiments to compare them."</span> }>
                <A href=compare_href attr:class="button primary" attr:data-testid="compare-selected">
                    {move || format!("Compare {} selected", selected.with(Vec::len))}
                </A>
            </Show>
            {move || selection_warning(&selected.get()).map(|w| view! {
                <p class="warning" role="note" data-testid="selection-warning">{w}</p>
            })}
        </div>
        {move || match page.get() {
            None => view! { <Loading what="experiments"/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
            Some(Ok(p)) if p.items.is_empty() => view! {
                <p class="empty" data-testid="no-experiments">"No experiments match. Run one from the " <A href="/">"Run experiments"</A> " page."</p>
            }.into_any(),
            Some(Ok(p)) => view! { <HistoryTable items=p.items selected=selected on_end=on_end/> }.into_any(),
        }}
        <Pager offset=offset limit=PAGE total=total label="Experiment pages"/>
    }
}

/// A warning when the ticked experiments ran on more than one dataset or dataset version.
fn selection_warning(selected: &[(String, String)]) -> Option<String> {
    let mut datasets: Vec<&str> = selected.iter().map(|(_, d)| d.as_str()).collect();
    datasets.sort_unstable();
    datasets.dedup();
    (datasets.len() > 1).then(|| {
        format!(
            "These experiments ran on different datasets or versions ({}): only records of the \
             same id pair, and a difference may come from the labels, not the models.",
            datasets.join(", ")
        )
    })
}

#[component]
fn HistoryTable(
    items: Vec<ExperimentListItem>,
    selected: RwSignal<Vec<(String, String)>>,
    /// Called when a listed running experiment's run ends.
    on_end: Callback<()>,
) -> impl IntoView {
    let rows = items
        .into_iter()
        .map(|e| {
            let id = e.experiment_id.clone();
            let id2 = id.clone();
            let dataset = format!("{} v{}", e.dataset_name, e.dataset_version);
            let checked = move || selected.with(|s| s.iter().any(|(x, _)| *x == id));
            let toggle = move |_| {
                selected.update(|s| match s.iter().position(|(x, _)| *x == id2) {
                    Some(i) => {
                        s.remove(i);
                    }
                    None => s.push((id2.clone(), dataset.clone())),
                })
            };
            let label = format!("Select {} for comparison", e.experiment_name);
            let live = (!e.status.is_terminal()).then(|| {
                view! {
                    " " <LiveRun run_id=e.run_id.clone() experiment_id=e.experiment_id.clone()
                        experiment_name=e.experiment_name.clone() on_end=on_end/>
                }
            });
            view! {
                <tr data-testid="experiment-row">
                    <td class="wide select-cell"><input type="checkbox" aria-label=label prop:checked=checked on:change=toggle/>
                        <A href=format!("/experiments/{}", e.experiment_id)>{e.experiment_name}</A></td>
                    <td data-label="Model">{e.model} " @ " {e.temperature}</td>
                    <td data-label="Dataset">{e.dataset_name} " v" {e.dataset_version}</td>
                    <td data-label="Project">{e.project_name}</td>
                    <td data-label="Status">
                        <StatusBadge status=e.status/>
                        {live}
                    </td>
                    <td class="num" data-label="Overall">{opt_pct(e.overall_accuracy)}</td>
                    <td class="num" data-label="Success">{opt_pct(e.success_rate)}</td>
                    <td class="num" data-label="Records">{count(e.total_records)} {(e.failed_records > 0).then(|| format!(" ({} failed)", count(e.failed_records)))}</td>
                    <td class="nowrap" data-label="Created">{when(&e.created_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="cards-on-phone" data-testid="experiments-table">
                <caption class="sr-only">"Experiment history, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Experiment " <span class="muted small">"(tick to compare)"</span></th>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Dataset"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Overall"</th>
                        <th scope="col">"Success"</th>
                        <th scope="col">"Records"</th>
                        <th scope="col">"Created"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
