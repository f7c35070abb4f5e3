//! Correcting one record's label: edit the expected output as JSON, say who reviewed it,
//! and save it as a new dataset version.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{DatasetVersionCreated, FieldError, LabelCorrection, ReportSet};

use crate::api::{self, ApiError};
use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::components::status::ErrorView;

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
    let text = RwSignal::new(serde_json::to_string_pretty(&expected).unwrap_or_default());
    let reviewed_by = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = FieldErrors::new();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<u32>);
    let prefix = format!("label-{record_id}");
    let text_id = format!("{prefix}-expected");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errs = Vec::new();
        let parsed = serde_json::from_str::<ReportSet>(&text.get_untracked());
        if let Err(e) = &parsed {
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
        let (Ok(expected_output), false) = (parsed, errors.any()) else {
            return;
        };
        let body = LabelCorrection {
            expected_output,
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
    view! {
        <form class="label-editor" on:submit=submit novalidate data-testid="label-editor">
            <div class="field" class:invalid=move || errors.message("expected_output").is_some()>
                <label for=text_id.clone()>"Expected output (JSON)"</label>
                <textarea id=text_id rows="12" spellcheck="false" data-testid="label-json"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <FieldMessage errors=errors path="expected_output"/>
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
