//! An experiment's per-record results: scores, flags, errors, latency and tokens, and each
//! record's output against its expected value with the differing fields highlighted.

use leptos::prelude::*;
use shared::{ExperimentMetrics, FieldCheck, RecordResult, ScoreValue, LLM_JUDGE_EVALUATOR};

use crate::components::flags::Flags;
use crate::components::metric_cards::label_of;
use crate::components::record_input::{RecordInput, Source};
use crate::format::{cell, encode, metric_label, millis, pct};

/// One evaluator column: the score's name and its header.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub evaluator: String,
    pub label: String,
}

/// The evaluator columns: the evaluators the experiment's metrics summarise, in their
/// order, then any other score the records carry (experiments stored before metrics
/// named their evaluator).
pub fn columns(metrics: Option<&ExperimentMetrics>, records: &[RecordResult]) -> Vec<Column> {
    let mut cols: Vec<Column> = metrics
        .map(|m| {
            m.estimates
                .iter()
                .filter_map(|(name, e)| {
                    Some(Column {
                        evaluator: e.evaluator.clone()?,
                        label: label_of(name, e),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    for r in records {
        for s in &r.scores.scores {
            if !cols.iter().any(|c| c.evaluator == s.name) {
                cols.push(Column {
                    evaluator: s.name.clone(),
                    label: metric_label(&s.name),
                });
            }
        }
    }
    cols
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

fn value_text(v: ScoreValue) -> String {
    match v {
        ScoreValue::Bool(b) => mark(b).into(),
        ScoreValue::Number(n) => pct(n),
    }
}

fn tokens(r: &RecordResult) -> String {
    let show = |v: Option<u64>| v.map_or_else(|| "–".into(), |v| v.to_string());
    let mut t = format!(
        "{} in / {} out",
        show(r.input_tokens),
        show(r.output_tokens)
    );
    if let Some(th) = r.thinking_tokens {
        t.push_str(&format!(" / {th} thinking"));
    }
    t
}

/// Rows of the table: one summary row and one detail row per record result.
#[component]
pub fn RecordTable(
    /// One page of results.
    records: Vec<RecordResult>,
    /// The evaluator columns (see [`columns`]).
    columns: Vec<Column>,
    /// The dataset version the trials read (their input is shown from it).
    source: Source,
    /// The record whose detail starts open (a `#record-id` link).
    open: Option<String>,
) -> impl IntoView {
    let heads = columns
        .iter()
        .map(|c| view! { <th scope="col" data-testid=format!("column-{}", c.evaluator)>{c.label.clone()}</th> })
        .collect_view();
    let bodies = records
        .into_iter()
        .map(|r| {
            let start_open = open.as_deref() == Some(r.record_id.as_str());
            view! { <RecordRows record=r columns=columns.clone() source=source.clone() start_open=start_open/> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="records" data-testid="records-table">
                <caption class="sr-only">"Per-record results; open a record's detail to see each field"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Record"</th>
                        <th scope="col">"Overall"</th>
                        {heads}
                        <th scope="col">"Label flags"</th>
                        <th scope="col">"Latency"</th>
                        <th scope="col">"Tokens"</th>
                    </tr>
                </thead>
                {bodies}
            </table>
        </div>
    }
}

#[component]
fn RecordRows(
    record: RecordResult,
    columns: Vec<Column>,
    source: Source,
    start_open: bool,
) -> impl IntoView {
    // The input is fetched when the detail is first opened.
    let opened = RwSignal::new(start_open);
    let input_id = record.record_id.clone();
    let s = record.scores.clone();
    let checks: Vec<(String, FieldCheck)> = s
        .scores
        .iter()
        .flat_map(|sc| sc.details.iter().map(move |d| (sc.name.clone(), d.clone())))
        .collect();
    let differing = checks.iter().filter(|(_, c)| !c.ok).count();
    let evaluators = s
        .scores
        .iter()
        .map(|sc| {
            let title = sc.explanation.clone().unwrap_or_default();
            view! { <li title=title>{sc.name.clone()} ": " <strong>{value_text(sc.value)}</strong></li> }
        })
        .collect_view();
    let (diff, same): (Vec<_>, Vec<_>) = checks.into_iter().partition(|(_, c)| !c.ok);
    let same_count = same.len();
    let diff_table = (!diff.is_empty()).then(|| view! { <ChecksTable checks=diff/> });
    let same_table = (same_count > 0).then(|| {
        view! {
            <details class="nested">
                <summary>{format!("{same_count} equal field(s)")}</summary>
                <ChecksTable checks=same/>
            </details>
        }
    });
    let label = if record.repetition > 0 {
        format!("{} (rep {})", record.record_id, record.repetition + 1)
    } else {
        record.record_id.clone()
    };
    let arith = s.arithmetic_flags.clone();
    let judge = judge_view(&record);
    // Record, Overall, the evaluators, Label flags, Latency, Tokens.
    let colspan = (columns.len() + 5).to_string();
    let cells = columns
        .iter()
        .map(|c| {
            let (text, class) = match s.get(&c.evaluator).map(|x| x.value) {
                Some(v @ ScoreValue::Number(_)) => (value_text(v), "num"),
                Some(v) => (value_text(v), ""),
                // Absent: the experiment ran before this evaluator existed, or an LLM
                // judge gave no score (its reason is in the detail row).
                None => ("–".to_string(), ""),
            };
            view! { <td class=class>{text}</td> }
        })
        .collect_view();
    let summary = format!("Field detail: {differing} differing field(s)");
    view! {
        <tbody data-testid="record">
            <tr class:failed=record.error.is_some()>
                <th scope="row">{label} " "
                    <a class="anchor" href=format!("#{}", encode(&record.record_id)) title="Link to this record"
                        aria-label=format!("Link to record {}", record.record_id)>"#"</a>
                </th>
                <td class="num">{pct(s.overall)}</td>
                {cells}
                <td>{record.label_flags.len()}</td>
                <td class="num">{millis(record.latency_ms)}</td>
                <td>{tokens(&record)}</td>
            </tr>
            <tr class="detail-row">
                <td colspan=colspan>
                    {record.error.clone().map(|e| view! { <p class="error-text" data-testid="record-error">"Error: " {e}</p> })}
                    {judge}
                    <details open=start_open on:toggle=move |_| opened.set(true)>
                        <summary>{summary}</summary>
                        <div class="side-by-side-input">
                            <div>{move || opened.get().then(|| view! { <RecordInput source=source.clone() record_id=input_id.clone()/> })}</div>
                            <div>
                                <ul class="inline-list">{evaluators}</ul>
                                {diff_table}
                                {same_table}
                            </div>
                        </div>
                        <h4>"Arithmetic flags of the output"</h4>
                        <Flags flags=arith testid="output-flags"/>
                        <h4>"Label flags (the expected value breaks an identity)"</h4>
                        <Flags flags=record.label_flags.clone() testid="label-flags"/>
                        {record.raw_output.clone().filter(|_| record.output.is_none()).map(|raw| view! {
                            <h4>"Raw output"</h4>
                            <pre class="raw">{raw}</pre>
                        })}
                    </details>
                </td>
            </tr>
        </tbody>
    }
}

/// The LLM judge's verdict on a record (its score and reasoning), or why it gave none; nothing
/// when no judge ran.
fn judge_view(record: &RecordResult) -> Option<AnyView> {
    let cost = record.judge_usage.as_ref().map(|u| {
        let show = |v: Option<u64>| v.map_or_else(|| "–".into(), |v| v.to_string());
        format!(
            "Judge call: {} in / {} out tokens{}",
            show(u.input_tokens),
            show(u.output_tokens),
            if u.cached { " (cached)" } else { "" }
        )
    });
    if let Some(score) = record.scores.get(LLM_JUDGE_EVALUATOR) {
        let value = value_text(score.value);
        let reasoning = score.explanation.clone().unwrap_or_default();
        return Some(
            view! {
                <section class="judge" data-testid="judge-reasoning">
                    <h4>"LLM judge: " <strong>{value}</strong></h4>
                    <p class="pre-line">{reasoning}</p>
                    {cost.map(|c| view! { <p class="muted small">{c}</p> })}
                </section>
            }
            .into_any(),
        );
    }
    let unscored = record
        .scores
        .unscored
        .iter()
        .find(|u| u.name == LLM_JUDGE_EVALUATOR)?;
    let reason = unscored.reason.clone();
    Some(
        view! {
            <section class="judge" data-testid="judge-unscored">
                <h4>"LLM judge: no score"</h4>
                <p class="error-text">{reason}</p>
                {cost.map(|c| view! { <p class="muted small">{c}</p> })}
            </section>
        }
        .into_any(),
    )
}

/// Field checks as a table: expected against output, differing rows highlighted.
#[component]
fn ChecksTable(checks: Vec<(String, FieldCheck)>) -> impl IntoView {
    let rows = checks
        .into_iter()
        .map(|(evaluator, c)| {
            let status = if c.ok { "equal" } else { "differs" };
            view! {
                <tr class:diff=!c.ok data-testid=if c.ok { "field-ok" } else { "field-diff" }>
                    <td>{evaluator}</td>
                    <th scope="row"><code>{c.field}</code></th>
                    <td>{cell(&c.expected)}</td>
                    <td>{cell(&c.actual)}</td>
                    <td><span class="sr-only">{status}</span><span aria-hidden="true">{mark(c.ok)}</span> {c.note}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="checks">
            <thead>
                <tr>
                    <th scope="col">"Evaluator"</th>
                    <th scope="col">"Field"</th>
                    <th scope="col">"Expected"</th>
                    <th scope="col">"Output"</th>
                    <th scope="col">"Equal"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
