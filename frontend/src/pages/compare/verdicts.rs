//! The paired verdicts of A against one B, each with its plain-language reason.

use leptos::prelude::*;
use shared::{ComparisonPair, Verdict};

use crate::format::{count, metric_label, pct, points};

fn verdict_text(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::ABetter => ("A better", "badge-success"),
        Verdict::BBetter => ("B better", "badge-success"),
        Verdict::NotDistinguishable => ("not distinguishable", "badge-neutral"),
    }
}

/// A against B: one row per metric, or the reason there are none.
#[component]
pub fn PairVerdicts(
    pair: ComparisonPair,
    /// A's label.
    a: String,
    /// B's label.
    b: String,
) -> impl IntoView {
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
                (Some(lo), Some(hi)) => format!("{} [{}, {}]", points(c.difference), points(lo), points(hi)),
                _ => points(c.difference),
            };
            let label = if c.label.is_empty() { metric_label(&c.metric) } else { c.label.clone() };
            // What a "not distinguishable" verdict could still settle, and with how many records.
            let follow_up = c.follow_up.map(|f| view! {
                <p class="follow-up" data-testid="follow-up">{f.summary}</p>
            });
            view! {
                <tr data-testid="verdict">
                    <th scope="row" class="wide" data-label="Metric">{label}</th>
                    <td class="num" data-label="n">{count(c.n as u64)}</td>
                    <td class="num" data-label="A">{pct(c.a)}</td>
                    <td class="num" data-label="B">{pct(c.b)}</td>
                    <td class="num" data-label="A − B">{diff}</td>
                    <td class="num" data-label="p">{c.p_value.map_or_else(|| "–".into(), |p| format!("{p:.3}"))}</td>
                    <td data-label="Verdict"><span class=format!("badge {class}") data-testid="verdict-word">{word}</span></td>
                    <td class="explain wide" data-label="Why">
                        <span data-testid="verdict-explanation">{c.explanation}</span><br/><span class="muted small">{c.method}</span>
                        {follow_up}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"A = " {a} " vs B = " {b}</h3>
        <div class="table-wrap">
            <table class="cards-on-phone" data-testid="verdicts-table">
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
