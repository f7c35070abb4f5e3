//! The cost estimate of a run, before running it.

use leptos::prelude::*;
use shared::CostEstimate;

/// USD with enough decimals for cheap runs.
pub fn usd(v: f64) -> String {
    if v == 0.0 {
        "$0".into()
    } else if v < 0.01 {
        format!("${v:.4}")
    } else {
        format!("${v:.2}")
    }
}

/// The estimate as a table: one row per experiment (and its judge's) and the total.
#[component]
pub fn EstimateView(
    /// The server's estimate.
    estimate: CostEstimate,
) -> impl IntoView {
    let rows = estimate
        .experiments
        .into_iter()
        .map(|e| {
            let judge = e.judge.map(|j| {
                view! {
                    <tr data-testid="estimate-judge">
                        <th scope="row">"  LLM judge"</th>
                        <td>{j.model} {(!j.available).then_some(" (cannot judge)")}</td>
                        <td class="num">{j.calls}</td>
                        <td class="num">{j.input_tokens} " / " {j.output_tokens}</td>
                        <td class="num">{usd(j.cost_usd)}</td>
                    </tr>
                }
            });
            view! {
                <tr>
                    <th scope="row">{e.experiment_name}</th>
                    <td>{e.model} {(!e.available).then_some(" (unavailable)")}</td>
                    <td class="num">{e.calls}</td>
                    <td class="num">{e.input_tokens} " / " {e.output_tokens}</td>
                    <td class="num">{usd(e.cost_usd)}</td>
                </tr>
                {judge}
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="estimate-title" data-testid="cost-estimate">
            <h2 id="estimate-title">
                "Cost estimate: " <span data-testid="estimate-total">{usd(estimate.total_cost_usd)}</span>
            </h2>
            <p class="muted small">
                {estimate.records} " records of " {estimate.dataset_name} " v" {estimate.dataset_version} ". "
                {estimate.method}
            </p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Experiment"</th><th scope="col">"Model"</th><th scope="col">"Calls"</th>
                            <th scope="col">"Tokens in / out"</th><th scope="col">"Cost"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
