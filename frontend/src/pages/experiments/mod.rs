//! Experiments (`/experiments`): the history with a search, project/dataset/model choices,
//! sortable columns, each run's experiments together, paging and a compare selection. The
//! filters, order and page live in the URL (`?q=…&model=…&sort=best&offset=25`).

mod table;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, HistoryQuery};
use crate::auth::Auth;
use crate::components::pager::Pager;
use crate::components::status::{ErrorView, Loading};
use crate::format::encode;

use table::HistoryTable;

const PAGE: u64 = 25;

/// The history page.
#[component]
pub fn ExperimentsPage() -> impl IntoView {
    crate::dom::set_title("Experiments");
    let auth = Auth::get();
    let query = use_query_map();
    let initial = |key: &str| query.with_untracked(|q| q.get(key)).unwrap_or_default();
    let project = RwSignal::new(initial("project"));
    let dataset = RwSignal::new(initial("dataset"));
    let model = RwSignal::new(initial("model"));
    let search = RwSignal::new(initial("q"));
    // `?active=1` (the header's "N running" link) starts with only the running ones.
    let active = RwSignal::new(initial("active") == "1");
    let sort = RwSignal::new(initial("sort"));
    let offset = RwSignal::new(initial("offset").parse::<u64>().unwrap_or(0));
    // The filters applied: the choices at once, the search box on Enter or Filter.
    let applied = RwSignal::new(HistoryQuery {
        project: project.get_untracked(),
        dataset: dataset.get_untracked(),
        model: model.get_untracked(),
        search: search.get_untracked(),
        active: active.get_untracked(),
        ..Default::default()
    });
    let apply = move || {
        offset.set(0);
        applied.set(HistoryQuery {
            project: project.get_untracked(),
            dataset: dataset.get_untracked(),
            model: model.get_untracked(),
            search: search.get_untracked().trim().to_string(),
            active: active.get_untracked(),
            ..Default::default()
        });
    };
    // Ticked experiments: (id, "dataset vN").
    // Restored from the URL (`sel=a,b`) without their datasets, which the rows fill in.
    let selected = RwSignal::new(
        initial("sel")
            .split(',')
            .filter(|i| !i.is_empty())
            .map(|i| (i.to_string(), String::new()))
            .collect::<Vec<(String, String)>>(),
    );
    let page = LocalResource::new(move || {
        auth.track();
        let q = HistoryQuery {
            offset: offset.get(),
            limit: PAGE,
            sort: sort.get(),
            ..applied.get()
        };
        async move { api::experiments(&q).await }
    });
    let facets = LocalResource::new(move || {
        auth.track();
        async move { api::experiment_facets().await.unwrap_or_default() }
    });
    let total = Signal::derive(move || match page.get() {
        Some(Ok(p)) => p.total,
        _ => 0,
    });
    let on_end = Callback::new(move |()| page.refetch());
    // The header's "N running" link while already here changes only the query.
    Effect::new(move |_| {
        let wanted = query.with(|q| q.get("active")).as_deref() == Some("1");
        if wanted != active.get_untracked() {
            active.set(wanted);
            apply();
        }
    });
    // The URL follows (replaced, not pushed; not on the first run, which would overwrite
    // the page the user came from).
    let navigate = use_navigate();
    Effect::new(move |ran: Option<()>| {
        let q = HistoryQuery {
            offset: offset.get(),
            limit: PAGE,
            sort: sort.get(),
            ..applied.get()
        };
        if ran.is_none() {
            return;
        }
        let mut parts: Vec<String> = [
            ("project", q.project),
            ("dataset", q.dataset),
            ("model", q.model),
            ("q", q.search),
            ("sort", q.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(&v)))
        .collect();
        if q.active {
            parts.push("active=1".into());
        }
        let ticked: Vec<String> = selected.with(|s| s.iter().map(|(i, _)| encode(i)).collect());
        if !ticked.is_empty() {
            parts.push(format!("sel={}", ticked.join(",")));
        }
        if q.offset > 0 {
            parts.push(format!("offset={}", q.offset));
        }
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&format!("/experiments?{}", parts.join("&")), options);
    });
    let compare_href = move || {
        let ids: Vec<String> = selected.get().iter().map(|(i, _)| encode(i)).collect();
        format!("/compare?ids={}", ids.join(","))
    };
    let choice = move |id: &'static str,
                       label: &'static str,
                       value: RwSignal<String>,
                       pick: fn(&shared::ExperimentFacets) -> Vec<String>| {
        let options = move || {
            let mut values = facets.get().map(|f| pick(&f)).unwrap_or_default();
            // A value from the URL stays choosable before (or without) the facets.
            let current = value.get();
            if !current.is_empty() && !values.contains(&current) {
                values.insert(0, current);
            }
            values
                .into_iter()
                .map(|v| view! { <option value=v.clone() selected=v == value.get_untracked()>{v.clone()}</option> })
                .collect_view()
        };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id data-testid=id prop:value=move || value.get()
                    on:change=move |ev| { value.set(event_target_value(&ev)); apply(); }>
                    <option value="">"Any"</option>
                    {options}
                </select>
            </div>
        }
    };
    view! {
        <h1>"Experiments"</h1>
        <form class="filters" role="search" aria-label="Filter experiments"
            on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); apply(); }>
            <div class="field">
                <label for="filter-search">"Search"</label>
                <input id="filter-search" type="search" data-testid="filter-search" bind:value=search
                    placeholder="name, project, dataset or model"/>
            </div>
            {choice("filter-project", "Project", project, |f| f.projects.clone())}
            {choice("filter-dataset", "Dataset", dataset, |f| f.datasets.clone())}
            {choice("filter-model", "Model", model, |f| f.models.clone())}
            <div class="check">
                <input id="filter-active" type="checkbox" data-testid="filter-active" bind:checked=active
                    on:change=move |_| apply()/>
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
            Some(Ok(p)) => view! { <HistoryTable items=p.items selected=selected sort=sort offset=offset on_end=on_end/> }.into_any(),
        }}
        <Pager offset=offset limit=PAGE total=total label="Experiment pages"/>
    }
}

/// A warning when the ticked experiments ran on more than one dataset or dataset version.
fn selection_warning(selected: &[(String, String)]) -> Option<String> {
    // A selection restored from the URL knows its datasets once its rows are shown.
    let mut datasets: Vec<&str> = selected
        .iter()
        .map(|(_, d)| d.as_str())
        .filter(|d| !d.is_empty())
        .collect();
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
