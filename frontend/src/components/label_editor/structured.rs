//! The label as form fields: each form's ballot counts and its vote rows, bound to the draft;
//! and the list of what the draft changes from the stored label.

use leptos::prelude::*;
use shared::{BallotStatistics, ReportSet};

/// The id of a draft field's input: `{prefix}-{form}-{field}` (rows: `row-{i}-count`).
pub fn input_id(prefix: &str, form: usize, field: &str) -> String {
    format!("{prefix}-{form}-{field}")
}

fn number(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

fn shown(v: Option<u64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// Every form of the draft as inputs.
#[component]
pub fn StructuredLabel(
    draft: RwSignal<ReportSet>,
    prefix: String,
    /// The forms whose vote rows are shown open (a row identity is broken there).
    open_rows: RwSignal<Vec<usize>>,
) -> impl IntoView {
    let forms = draft.with_untracked(|d| d.0.len());
    (0..forms)
        .map(|f| {
            let title = draft.with_untracked(|d| {
                d.0[f].form_info.form_type.map_or("Form".to_string(), |t| t.as_str().to_string())
            });
            let stats = BallotStatistics::default()
                .fields()
                .into_iter()
                .map(|(name, _)| {
                    let id = input_id(&prefix, f, name);
                    let value = move || {
                        draft.with(|d| {
                            d.0.get(f)
                                .and_then(|r| r.ballot_statistics.fields().into_iter().find(|(n, _)| *n == name))
                                .and_then(|(_, v)| v)
                        })
                    };
                    view! {
                        <div class="field">
                            <label for=id.clone()>{name.replace('_', " ")}</label>
                            <input id=id.clone() type="number" min="0" inputmode="numeric" data-testid=format!("label-{f}-{name}")
                                prop:value=move || shown(value())
                                on:input=move |ev| {
                                    let v = number(&event_target_value(&ev));
                                    draft.update(|d| if let Some(r) = d.0.get_mut(f) { r.ballot_statistics.set(name, v); });
                                }/>
                        </div>
                    }
                })
                .collect_view();
            let rows = draft.with_untracked(|d| d.0[f].vote_results.len());
            let row_inputs = (0..rows)
                .map(|i| {
                    let number_label = draft.with_untracked(|d| {
                        let r = &d.0[f].vote_results[i];
                        let who = r.party_name.clone().or_else(|| r.candidate_name.clone()).unwrap_or_default();
                        format!("{} {who}", r.number.map_or("?".into(), |n| n.to_string()))
                    });
                    let count_id = input_id(&prefix, f, &format!("row-{i}-count"));
                    let count = move || draft.with(|d| d.0.get(f).and_then(|r| r.vote_results.get(i)).and_then(|r| r.vote_count));
                    let words = move || {
                        draft.with(|d| d.0.get(f).and_then(|r| r.vote_results.get(i)).and_then(|r| r.vote_count_text.clone()))
                            .unwrap_or_default()
                    };
                    view! {
                        <tr>
                            <th scope="row">{number_label.clone()}</th>
                            <td><input id=count_id type="number" min="0" inputmode="numeric" aria-label=format!("Votes of {number_label}")
                                prop:value=move || shown(count())
                                on:input=move |ev| {
                                    let v = number(&event_target_value(&ev));
                                    draft.update(|d| if let Some(r) = d.0.get_mut(f).and_then(|r| r.vote_results.get_mut(i)) { r.vote_count = v; });
                                }/></td>
                            <td><input type="text" aria-label=format!("Votes of {number_label} in words")
                                prop:value=words
                                on:input=move |ev| {
                                    let t = event_target_value(&ev);
                                    draft.update(|d| if let Some(r) = d.0.get_mut(f).and_then(|r| r.vote_results.get_mut(i)) {
                                        r.vote_count_text = Some(t).filter(|t| !t.trim().is_empty());
                                    });
                                }/></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="group">
                    <legend>{title}</legend>
                    <div class="grid">{stats}</div>
                    <details prop:open=move || open_rows.with(|o| o.contains(&f))>
                        <summary>{format!("Vote rows ({rows})")}</summary>
                        <div class="table-wrap">
                            <table class="rows-editor">
                                <thead><tr><th scope="col">"No."</th><th scope="col">"Votes"</th><th scope="col">"In words"</th></tr></thead>
                                <tbody>{row_inputs}</tbody>
                            </table>
                        </div>
                    </details>
                </fieldset>
            }
        })
        .collect_view()
}

/// "Constituency ballots_used: 439 → 460", one line per changed count.
pub fn changes(before: &ReportSet, after: &ReportSet) -> Vec<String> {
    let mut out = Vec::new();
    for (b, a) in before.0.iter().zip(&after.0) {
        let form = a.form_info.form_type.map_or("Form", |t| t.as_str());
        for ((name, old), (_, new)) in b
            .ballot_statistics
            .fields()
            .into_iter()
            .zip(a.ballot_statistics.fields())
        {
            if old != new {
                out.push(format!("{form} {name}: {} → {}", text(old), text(new)));
            }
        }
        for (i, (rb, ra)) in b.vote_results.iter().zip(&a.vote_results).enumerate() {
            let row = ra
                .number
                .map_or_else(|| format!("#{}", i + 1), |n| n.to_string());
            if rb.vote_count != ra.vote_count {
                out.push(format!(
                    "{form} row {row} votes: {} → {}",
                    text(rb.vote_count),
                    text(ra.vote_count)
                ));
            }
            if rb.vote_count_text != ra.vote_count_text {
                let w = |t: &Option<String>| t.clone().unwrap_or_else(|| "—".into());
                out.push(format!(
                    "{form} row {row} in words: {} → {}",
                    w(&rb.vote_count_text),
                    w(&ra.vote_count_text)
                ));
            }
        }
    }
    if before != after && out.is_empty() {
        out.push("Other fields changed (see the JSON)".into());
    }
    out
}

fn text(v: Option<u64>) -> String {
    v.map_or_else(|| "—".into(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_the_form_the_field_and_both_values() {
        let before: ReportSet = serde_json::from_str(
            r#"[{"form_info":{"form_type":"Constituency"},"ballot_statistics":{"ballots_used":439},
                 "vote_results":[{"number":1,"vote_count":81}]}]"#,
        )
        .unwrap();
        let mut after = before.clone();
        after.0[0].ballot_statistics.ballots_used = Some(460);
        after.0[0].vote_results[0].vote_count = None;
        assert_eq!(
            changes(&before, &after),
            [
                "Constituency ballots_used: 439 → 460",
                "Constituency row 1 votes: 81 → —"
            ]
        );
        assert!(changes(&before, &before).is_empty());
    }
}
