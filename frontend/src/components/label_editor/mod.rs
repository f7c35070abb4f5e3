//! Correcting one record's label: the forms' counts as fields (or the whole label as JSON),
//! the form's identities re-checked live as they are edited, the change listed before it is
//! saved as a new dataset version with who reviewed it. Opens on the first broken identity's
//! field.

mod identities;
mod structured;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{DatasetVersionCreated, FieldError, LabelAudit, LabelCorrection, ReportSet};

use crate::api::{self, ApiError};
use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::components::status::ErrorView;

use identities::Identities;
use structured::{changes, input_id, StructuredLabel};

/// The label editor of one record.
#[component]
pub fn LabelEditor(
    /// Dataset name.
    dataset: String,
    /// Record id.
    record_id: String,
    /// The version the record was read from.
    base_version: Option<u32>,
    /// The current label.
    expected: ReportSet,
    /// Called with the new version once saved.
    on_saved: Callback<DatasetVersionCreated>,
) -> impl IntoView {
    let original = StoredValue::new(expected.clone());
    let draft = RwSignal::new(expected);
    let text = RwSignal::new(String::new());
    let json_error = RwSignal::new(None::<String>);
    // A draft set from the JSON box does not rewrite the box (the cursor would jump).
    let from_json = StoredValue::new(false);
    Effect::new(move |_| {
        let d = draft.get();
        if from_json.get_value() {
            from_json.set_value(false);
        } else {
            text.set(serde_json::to_string_pretty(&d).unwrap_or_default());
        }
    });
    let reviewed_by = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = FieldErrors::new();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<u32>);
    let prefix = format!("label-{}", crate::format::field_id(&record_id));
    let text_id = format!("{prefix}-expected");
    let open_rows = RwSignal::new(Vec::<usize>::new());
    // The live audit: asked a moment after the last edit; only the newest answer counts.
    let audit = RwSignal::new(None::<LabelAudit>);
    let asked = StoredValue::new(0u64);
    let focused = StoredValue::new(false);
    let focus_prefix = prefix.clone();
    Effect::new(move |_| {
        let d = draft.get();
        asked.update_value(|n| *n += 1);
        let mine = asked.get_value();
        let focus_prefix = focus_prefix.clone();
        spawn_local(async move {
            crate::dom::sleep(250).await;
            if asked.get_value() != mine {
                return;
            }
            if let Ok(a) = api::audit_label(&d).await {
                if asked.get_value() == mine {
                    if !focused.get_value() {
                        focused.set_value(true);
                        focus_first_broken(&a, &d, &focus_prefix, open_rows);
                    }
                    audit.set(Some(a));
                }
            }
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errs = Vec::new();
        if let Some(e) = json_error.get_untracked() {
            errs.push(FieldError {
                field: "expected_output".into(),
                message: format!("not a vote report: {e}"),
            });
        }
        if reviewed_by.get_untracked().trim().is_empty() {
            errs.push(FieldError {
                field: "reviewed_by".into(),
                message: "must not be empty".into(),
            });
        }
        errors.set(errs);
        if errors.any() {
            return;
        }
        let body = LabelCorrection {
            expected_output: draft.get_untracked(),
            reviewed_by: reviewed_by.get_untracked().trim().to_string(),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
            base_version,
        };
        let (dataset, record_id) = (dataset.clone(), record_id.clone());
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            match api::correct_label(&dataset, &record_id, &body).await {
                Ok(created) => {
                    saved.set(Some(created.version.version));
                    on_saved.run(created);
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    failure.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let changed = move || changes(&original.get_value(), &draft.get());
    view! {
        <form class="label-editor" on:submit=submit novalidate data-testid="label-editor">
            <StructuredLabel draft=draft prefix=prefix.clone() open_rows=open_rows/>
            <Identities audit=audit/>
            <details>
                <summary>"Edit as JSON"</summary>
                <div class="field" class:invalid=move || errors.message("expected_output").is_some() || json_error.get().is_some()>
                    <label for=text_id.clone()>"Expected output (JSON)"</label>
                    <textarea id=text_id rows="12" spellcheck="false" data-testid="label-json"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            let t = event_target_value(&ev);
                            match serde_json::from_str::<ReportSet>(&t) {
                                Ok(parsed) => {
                                    json_error.set(None);
                                    from_json.set_value(true);
                                    draft.set(parsed);
                                }
                                Err(e) => json_error.set(Some(e.to_string())),
                            }
                            text.set(t);
                        }></textarea>
                    {move || json_error.get().map(|e| view! { <p class="field-error" data-testid="label-json-error">"Not a vote report yet: " {e}</p> })}
                    <FieldMessage errors=errors path="expected_output"/>
                </div>
            </details>
            <div class="card changes" data-testid="label-changes" aria-live="polite">
                <h4>"What this saves"</h4>
                {move || {
                    let c = changed();
                    if c.is_empty() {
                        view! { <p class="muted">"No change yet."</p> }.into_any()
                    } else {
                        view! { <ul>{c.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
            <div class="grid">
                <TextField label="Reviewed by" path="reviewed_by" value=reviewed_by errors=errors/>
                <TextField label="Note (optional)" path="note" value=note errors=errors/>
            </div>
            <button type="submit" class="primary" data-testid="label-save" disabled=move || busy.get()>
                "Save as a new version"
            </button>
            {move || saved.get().map(|v| view! {
                <p class="success" role="status" data-testid="label-saved">"Saved as version " {v} "."</p>
            })}
            {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
        </form>
    }
}

/// Focuses the field of the first identity the label breaks (opening its vote rows for a
/// row identity).
fn focus_first_broken(
    audit: &LabelAudit,
    label: &ReportSet,
    prefix: &str,
    open_rows: RwSignal<Vec<usize>>,
) {
    let Some(broken) = audit.checks.iter().find(|c| c.holds == Some(false)) else {
        return;
    };
    let form = label
        .0
        .iter()
        .position(|r| r.form_info.form_type.map(|t| t.as_str()) == Some(broken.form.as_str()))
        .unwrap_or(0);
    let field = match broken.identity.as_str() {
        "I1" => "ballots_used".to_string(),
        "I2" => "ballots_remaining".to_string(),
        "I3" => "good_ballots".to_string(),
        _ => {
            // "row 7: …": the row numbered 7.
            let number: Option<u32> = broken
                .statement
                .strip_prefix("row ")
                .and_then(|r| r.split(':').next())
                .and_then(|n| n.parse().ok());
            let row = label.0[form]
                .vote_results
                .iter()
                .position(|r| r.number == number)
                .unwrap_or(0);
            open_rows.update(|o| o.push(form));
            format!("row-{row}-count")
        }
    };
    let id = input_id(prefix, form, &field);
    // After the rows open.
    request_animation_frame(move || crate::dom::focus(&id));
}
