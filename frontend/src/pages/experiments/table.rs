//! The history table: sortable headings, each run's experiments under one heading (with
//! "Compare this run") when the order keeps runs together, a tick box per experiment for the
//! compare selection.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::ExperimentListItem;

use crate::components::live_run::LiveRun;
use crate::components::status::StatusBadge;
use crate::format::{count, encode, opt_pct, when};

/// The table of one page of the history.
#[component]
pub fn HistoryTable(
    items: Vec<ExperimentListItem>,
    selected: RwSignal<Vec<(String, String)>>,
    /// The order ("" is newest); a heading's button changes it.
    sort: RwSignal<String>,
    /// The page's first item (back to 0 when the order changes).
    offset: RwSignal<u64>,
    /// Called when a listed running experiment's run ends.
    on_end: Callback<()>,
) -> impl IntoView {
    let by_run = matches!(sort.get_untracked().as_str(), "" | "newest" | "oldest");
    let mut groups: Vec<Vec<ExperimentListItem>> = Vec::new();
    for e in items {
        match groups.last_mut() {
            Some(g) if by_run && g[0].run_id == e.run_id => g.push(e),
            _ => groups.push(vec![e]),
        }
    }
    let bodies = groups
        .into_iter()
        .map(|g| {
            let heading = (by_run).then(|| run_heading(&g));
            let rows = g
                .into_iter()
                .map(|e| view! { <HistoryRow e=e selected=selected on_end=on_end/> })
                .collect_view();
            view! { <tbody class="run-group" data-testid="run-group">{heading}{rows}</tbody> }
        })
        .collect_view();
    // (heading, order when first clicked, the other order).
    let heading = move |label: &'static str, first: &'static str, second: Option<&'static str>| {
        let is = move |v: &str| {
            let s = sort.get();
            s == v || (s.is_empty() && v == "newest")
        };
        let aria = move || {
            if is(first) {
                if first == "worst" || first == "oldest" || first == "name" || first == "model" {
                    "ascending"
                } else {
                    "descending"
                }
            } else if second.is_some_and(is) {
                if second == Some("worst") || second == Some("oldest") {
                    "ascending"
                } else {
                    "descending"
                }
            } else {
                "none"
            }
        };
        let click = move |_| {
            let next = match second {
                Some(other) if is(first) => other,
                _ => first,
            };
            offset.set(0);
            sort.set(next.to_string());
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort" data-testid=format!("sort-{first}") on:click=click>
                    {label}
                    <span aria-hidden="true">{move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
                </button>
            </th>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="cards-on-phone history" data-testid="experiments-table">
                <caption class="sr-only">"Experiment history"</caption>
                <thead>
                    <tr>
                        {heading("Experiment", "name", None)}
                        {heading("Model", "model", None)}
                        <th scope="col">"Dataset"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"Status"</th>
                        {heading("Overall", "best", Some("worst"))}
                        <th scope="col">"Success"</th>
                        <th scope="col">"Records"</th>
                        {heading("Created", "newest", Some("oldest"))}
                    </tr>
                </thead>
                {bodies}
            </table>
        </div>
    }
}

/// "Run 1a2b3c4d · 3 experiments · Compare this run" above a run's experiments.
fn run_heading(group: &[ExperimentListItem]) -> impl IntoView {
    let short: String = group[0].run_id.chars().take(8).collect();
    let n = group.len();
    let ids: Vec<String> = group.iter().map(|e| encode(&e.experiment_id)).collect();
    let compare = (n >= 2).then(|| {
        view! {
            " · " <A href=format!("/compare?ids={}", ids.join(",")) attr:data-testid="compare-run">"Compare this run"</A>
        }
    });
    let what = if n == 1 {
        "1 experiment".to_string()
    } else {
        format!("{n} experiments")
    };
    view! {
        <tr class="run-heading">
            <th scope="colgroup" colspan="9" class="wide">
                "Run " <code>{short}</code> " · " {what} {compare}
            </th>
        </tr>
    }
}

#[component]
fn HistoryRow(
    e: ExperimentListItem,
    selected: RwSignal<Vec<(String, String)>>,
    on_end: Callback<()>,
) -> impl IntoView {
    let id = e.experiment_id.clone();
    let id2 = id.clone();
    let dataset = format!("{} v{}", e.dataset_name, e.dataset_version);
    // A tick restored from the URL learns its dataset here.
    {
        let (id, dataset) = (id.clone(), dataset.clone());
        selected.update_untracked(|s| {
            for entry in s.iter_mut().filter(|(x, d)| *x == id && d.is_empty()) {
                entry.1 = dataset.clone();
            }
        });
    }
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
                " " <A href=format!("/experiments/{}", encode(&e.experiment_id))>{e.experiment_name}</A></td>
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
}
