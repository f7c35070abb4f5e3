//! Form fields whose errors appear next to them, addressed by the API's field paths
//! (`jobs`, `model_configs[0].temperature`).

use leptos::prelude::*;
use shared::FieldError;

use crate::format::{field_id, field_label};

/// The field errors of one form.
#[derive(Debug, Clone, Copy)]
pub struct FieldErrors(pub RwSignal<Vec<FieldError>>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        FieldErrors(RwSignal::new(Vec::new()))
    }

    /// The message for a field path, if it has one (tracked).
    pub fn message(&self, path: &str) -> Option<String> {
        self.0.with(|v| {
            v.iter()
                .find(|e| e.field == path)
                .map(|e| e.message.clone())
        })
    }

    /// Replaces every error.
    pub fn set(&self, errors: Vec<FieldError>) {
        self.0.set(errors);
    }

    /// Whether there are errors (tracked).
    pub fn any(&self) -> bool {
        self.0.with(|v| !v.is_empty())
    }
}

/// The message under a field, if it has one.
#[component]
pub fn FieldMessage(
    /// The form's errors.
    errors: FieldErrors,
    /// The field path.
    #[prop(into)]
    path: Signal<String>,
) -> impl IntoView {
    move || {
        let p = path.get();
        errors.message(&p).map(|m| {
            view! {
                <p class="field-error" id=format!("{}-error", field_id(&p)) data-testid=format!("error-{p}")>
                    {m}
                </p>
            }
        })
    }
}

/// A labelled text or number input bound to a signal, with its error.
#[component]
pub fn TextField(
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Field path (also gives the input's id).
    #[prop(into)]
    path: Signal<String>,
    /// The value as typed.
    value: RwSignal<String>,
    /// The form's errors.
    errors: FieldErrors,
    /// Input type, "text" by default.
    #[prop(optional, into)]
    kind: Option<String>,
    /// A hint shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Placeholder text.
    #[prop(optional, into)]
    placeholder: Option<String>,
    /// Step of a number input.
    #[prop(optional, into)]
    step: Option<String>,
) -> impl IntoView {
    let id = move || field_id(&path.get());
    let invalid = move || errors.message(&path.get()).is_some();
    let hint_id = move || format!("{}-hint", id());
    let has_hint = hint.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <input
                id=id
                type=kind.unwrap_or_else(|| "text".into())
                step=step
                placeholder=placeholder
                data-testid=move || format!("input-{}", path.get())
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=move || {
                    let mut ids = Vec::new();
                    if has_hint {
                        ids.push(hint_id());
                    }
                    if invalid() {
                        ids.push(format!("{}-error", id()));
                    }
                    ids.join(" ")
                }
                bind:value=value
            />
            <FieldMessage errors=errors path=path/>
        </div>
    }
}

/// "There is a problem" box listing every error with a link to its field.
#[component]
pub fn ErrorSummary(
    /// The form's errors.
    errors: FieldErrors,
) -> impl IntoView {
    view! {
        <Show when=move || errors.any()>
            <div class="error-box" role="alert" data-testid="error-summary">
                <strong>"Please correct these fields:"</strong>
                <ul>
                    {move || {
                        errors
                            .0
                            .get()
                            .into_iter()
                            .map(|e| {
                                let href = format!("#{}", field_id(&e.field));
                                view! {
                                    <li><a href=href>{field_label(&e.field)}</a> ": " {e.message.clone()}</li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
