//! The records the experiments disagree on; each opens to expected vs each experiment's
//! output for the fields that differ, fetched when opened, with a link to each trial.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{Disagreement, FieldCheck, RecordResult};

use crate::api::{self, RecordsQuery};
use crate::components::status::ErrorView;
use crate::format::{cell, count, encode, opt_pct};

/// The disagreements table.
#[component]
pub fn Disagreements(
    items: Vec<Disagreement>,
    /// Experiment labels, A first.
    names: Vec<String>,
    /// Experiment ids, in the same order.
    ids: Vec<String>,
) -> impl IntoView {
    let total = items.len();
    let heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let width = names.len() + 3;
    let body = items
        .into_iter()
        .map(|d| view! { <DisagreementRows d=d ids=ids.clone() names=names.clone() width=width/> })
        .collect_view();
    view! {
        <section aria-labelledby="disagree-title">
            <h2 id="disagree-title">"Records they disagree on (" {count(total as u64)} ")"</h2>
            {if total == 0 {
                view! { <p class="muted">"The experiments scored every paired record alike."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table data-testid="disagreements-table">
                            <thead><tr><th scope="col"><span class="sr-only">"Open"</span></th><th scope="col">"Record"</th>{heads}<th scope="col">"Fields that differ"</th></tr></thead>
                            {body}
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn DisagreementRows(
    d: Disagreement,
    ids: Vec<String>,
    names: Vec<String>,
    width: usize,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let cells = d
        .overall
        .iter()
        .map(|o| view! { <td class="num">{opt_pct(*o)}</td> })
        .collect_view();
    let fields = d.fields.clone();
    let record_id = d.record_id.clone();
    let label = format!("Show expected and each output for {}", d.record_id);
    view! {
        <tbody>
            <tr data-testid="disagreement">
                <td>
                    <button type="button" class="link" data-testid="expand-disagreement"
                        aria-expanded=move || open.get().to_string() aria-label=label
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {move || if open.get() { "▾" } else { "▸" }}
                    </button>
                </td>
                <th scope="row">{d.record_id.clone()}</th>
                {cells}
                <td>{d.fields.join(", ")}</td>
            </tr>
            {move || open.get().then(|| view! {
                <tr class="expansion">
                    <td colspan=width>
                        <SideBySide index=d.record_index record_id=record_id.clone() fields=fields.clone() ids=ids.clone() names=names.clone()/>
                    </td>
                </tr>
            })}
        </tbody>
    }
}

/// Expected vs each experiment's output on the differing fields of one record.
#[component]
fn SideBySide(
    index: u64,
    record_id: String,
    fields: Vec<String>,
    ids: Vec<String>,
    names: Vec<String>,
) -> impl IntoView {
    let ids_for_fetch = ids.clone();
    let trials = LocalResource::new(move || {
        let ids = ids_for_fetch.clone();
        async move {
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                let q = RecordsQuery {
                    limit: 1,
                    sort: "record".into(),
                    record_index: Some(index),
                    ..Default::default()
                };
                out.push(
                    api::experiment_records(id, &q)
                        .await?
                        .items
                        .into_iter()
                        .next(),
                );
            }
            Ok::<_, api::ApiError>(out)
        }
    });
    move || {
        match trials.get() {
        None => view! { <p class="muted">"Loading the trials…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(trials)) => {
            view! { <FieldsSideBySide trials=trials record_id=record_id.clone() fields=fields.clone() ids=ids.clone() names=names.clone()/> }.into_any()
        }
    }
    }
}

#[component]
fn FieldsSideBySide(
    trials: Vec<Option<RecordResult>>,
    record_id: String,
    fields: Vec<String>,
    ids: Vec<String>,
    names: Vec<String>,
) -> impl IntoView {
    let checks: Vec<Vec<FieldCheck>> = trials
        .iter()
        .map(|t| {
            t.as_ref()
                .map(|t| {
                    t.scores
                        .scores
                        .iter()
                        .flat_map(|s| s.details.iter().cloned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let rows = fields
        .into_iter()
        .map(|field| {
            let found: Vec<Option<&FieldCheck>> =
                checks.iter().map(|c| c.iter().find(|x| x.field == field)).collect();
            let expected = found.iter().flatten().next().map_or_else(|| "–".to_string(), |c| cell(&c.expected));
            let outputs = found
                .iter()
                .zip(&trials)
                .map(|(c, t)| match (c, t) {
                    (Some(c), _) => view! {
                        <td class=if c.ok { "ok" } else { "wrong" }>
                            {cell(&c.actual)} " " <span class="muted small">{if c.ok { "✓ right" } else { "✗ wrong" }}</span>
                        </td>
                    }.into_any(),
                    (None, Some(t)) if t.error.is_some() => view! { <td class="wrong">"call failed"</td> }.into_any(),
                    _ => view! { <td class="muted">"not run"</td> }.into_any(),
                })
                .collect_view();
            view! { <tr data-testid="side-by-side-field"><th scope="row"><code>{field}</code></th><td>{expected}</td>{outputs}</tr> }
        })
        .collect_view();
    let links = ids
        .iter()
        .zip(&names)
        .map(|(id, name)| {
            let href = format!(
                "/experiments/{}?sort=record&q={}",
                encode(id),
                encode(&record_id)
            );
            view! { <li><A href=href>{format!("{record_id} in {name}")}</A></li> }
        })
        .collect_view();
    view! {
        <table class="side-by-side" data-testid="side-by-side">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Expected"</th>{heads}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <ul class="plain inline-links">{links}</ul>
    }
}
