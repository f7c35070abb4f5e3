//! Per-field accuracy side by side, with A − B for each other experiment; sortable by field
//! or by any difference (click a column heading).

use leptos::prelude::*;
use shared::FieldRow;

use crate::format::{count, pct, points};

/// What the rows are ordered by: the field name, or the difference A − (experiment `j`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum SortKey {
    Field,
    Difference(usize),
}

/// The per-field table.
#[component]
pub fn PerField(
    rows: Vec<FieldRow>,
    /// Experiment labels, A first.
    names: Vec<String>,
    /// Mark the best value of each row and show differences (only when the experiments ran
    /// the same records: otherwise a difference says nothing about the models).
    paired: bool,
) -> impl IntoView {
    let others = if paired {
        names.len().saturating_sub(1)
    } else {
        0
    };
    // Worst regression of B against A first: the largest A − B is where B lost most.
    let sort = RwSignal::new(if others > 0 {
        (SortKey::Difference(1), true)
    } else {
        (SortKey::Field, false)
    });
    let rows = StoredValue::new(rows);
    let heading = move |key: SortKey, text: String| {
        let aria = move || match sort.get() {
            (k, true) if k == key => "descending",
            (k, false) if k == key => "ascending",
            _ => "none",
        };
        let testid = match key {
            SortKey::Field => "sort-field".to_string(),
            SortKey::Difference(j) => format!("sort-diff-{j}"),
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort" data-testid=testid
                    on:click=move |_| sort.update(|(k, desc)| {
                        if *k == key { *desc = !*desc } else { *k = key; *desc = key != SortKey::Field }
                    })>
                    {text}
                    <span aria-hidden="true">{move || match sort.get() {
                        (k, true) if k == key => " ▼",
                        (k, false) if k == key => " ▲",
                        _ => "",
                    }}</span>
                </button>
            </th>
        }
    };
    let value_heads = names
        .iter()
        .map(|n| view! { <th scope="col">{n.clone()}</th> })
        .collect_view();
    let diff_heads = (1..=others)
        .map(|j| {
            let text = if others == 1 {
                "A − B".to_string()
            } else {
                format!("A − {}", names[j])
            };
            heading(SortKey::Difference(j), text)
        })
        .collect_view();
    let body = move || {
        let (key, desc) = sort.get();
        let mut rows = rows.get_value();
        match key {
            SortKey::Field => rows.sort_by(|a, b| a.field.cmp(&b.field)),
            SortKey::Difference(j) => rows.sort_by(|a, b| {
                // Rows without a difference go last whichever the direction.
                match (difference(a, j), difference(b, j)) {
                    (Some(x), Some(y)) if desc => y.total_cmp(&x),
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => a.field.cmp(&b.field),
                }
            }),
        }
        if key == SortKey::Field && desc {
            rows.reverse();
        }
        rows.into_iter()
            .map(|r| view! { <FieldLine row=r others=others paired=paired/> })
            .collect_view()
    };
    view! {
        <section aria-labelledby="per-field-title">
            <h2 id="per-field-title">"Per-field accuracy"</h2>
            <div class="table-wrap">
                <table data-testid="compare-per-field">
                    <thead><tr>{heading(SortKey::Field, "Field".into())}{value_heads}{diff_heads}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}

/// A − (experiment `j`) on this field, when both measured it.
fn difference(row: &FieldRow, j: usize) -> Option<f64> {
    let a = row.accuracy.first()?.as_ref()?.accuracy;
    let b = row.accuracy.get(j)?.as_ref()?.accuracy;
    Some(a - b)
}

#[component]
fn FieldLine(row: FieldRow, others: usize, paired: bool) -> impl IntoView {
    let values: Vec<f64> = row.accuracy.iter().flatten().map(|a| a.accuracy).collect();
    let best = values.iter().copied().fold(f64::MIN, f64::max);
    // Bold the best only where the experiments differ.
    let differ = paired && values.iter().any(|v| (v - best).abs() > 1e-12);
    let diffs = (1..=others)
        .map(|j| {
            let d = difference(&row, j);
            let class = match d {
                Some(x) if x > 1e-12 => "num worse",
                Some(x) if x < -1e-12 => "num better",
                _ => "num",
            };
            view! { <td class=class data-testid="field-diff">{d.map_or_else(|| "–".into(), points)}</td> }
        })
        .collect_view();
    let cells = row
        .accuracy
        .into_iter()
        .map(|a| match a {
            Some(a) => {
                let top = differ && (a.accuracy - best).abs() < 1e-12;
                view! { <td class="num" class:best=top>{pct(a.accuracy)} " (" {count(a.correct as u64)} "/" {count(a.total as u64)} ")"</td> }.into_any()
            }
            None => view! { <td>"–"</td> }.into_any(),
        })
        .collect_view();
    view! { <tr data-testid="field-row"><th scope="row"><code>{row.field}</code></th>{cells}{diffs}</tr> }
}
