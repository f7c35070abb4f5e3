//! The quick presets (the original page's, with their exact configs) and Reset.

use leptos::prelude::*;
use shared::{ModelAvailability, Preset};

use super::state::RunForm;
use crate::api::ApiError;
use crate::components::fields::FieldErrors;
use crate::components::status::ErrorView;

/// Why a model cannot run here, when it cannot (unknown models count once the list is in).
fn cannot_run(models: &[ModelAvailability], model: &str) -> Option<String> {
    match models.iter().find(|m| m.name == model) {
        Some(m) if m.available => None,
        Some(m) => Some(m.reason.clone().unwrap_or_else(|| "not configured".into())),
        None if models.is_empty() => None,
        None => Some("not known to this server".into()),
    }
}

/// The quick presets and a reset. A preset whose models cannot run here says so on its
/// button; once applied, one notice names them and offers the offline model instead.
#[component]
pub fn Presets(
    form: RunForm,
    errors: FieldErrors,
    /// `GET /presets`.
    presets: LocalResource<Result<Vec<Preset>, ApiError>>,
    /// `GET /models`.
    models: Signal<Vec<ModelAvailability>>,
) -> impl IntoView {
    // The form's models that cannot run here, each with why.
    let blocked = move || {
        let list = models.get();
        let mut out: Vec<(String, String)> = Vec::new();
        for row in form.rows.get() {
            let model = row.model.get();
            if let Some(why) = cannot_run(&list, &model) {
                if !out.iter().any(|(m, _)| *m == model) {
                    out.push((model, why));
                }
            }
        }
        out
    };
    let use_offline = move |_| {
        let list = models.get_untracked();
        for row in form.rows.get_untracked() {
            if cannot_run(&list, &row.model.get_untracked()).is_some() {
                row.model.set(crate::form::default_config().model);
            }
        }
        // The form changed outside its inputs: what depends on it (the estimate) follows.
        form.rows.update(|_| ());
    };
    let notice = move || {
        let blocked = blocked();
        (!blocked.is_empty()).then(|| {
            let names: Vec<String> = blocked
                .iter()
                .map(|(m, why)| format!("{m} ({why})"))
                .collect();
            view! {
                <p class="warning" role="note" data-testid="preset-needs-keys">
                    "Cannot run here: " {names.join(", ")} ". "
                    <button type="button" class="link" data-testid="use-offline" on:click=use_offline>
                        "Use the offline model rules-v1 instead"
                    </button>
                </p>
            }
        })
    };
    let buttons = move || {
        match presets.get() {
        None => view! { <span class="muted">"Loading presets…"</span> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(list)) => list
            .into_iter()
            .map(|p| {
                let list = models.get();
                let missing: Vec<String> = p
                    .model_configs
                    .iter()
                    .filter_map(|c| cannot_run(&list, &c.model).map(|why| format!("{}: {why}", c.model)))
                    .collect();
                let title = if missing.is_empty() {
                    p.description.clone()
                } else {
                    format!("{} — cannot run here: {}", p.description, missing.join("; "))
                };
                let testid = format!("preset-{}", p.id);
                let name = p.name.clone();
                let needs = (!missing.is_empty())
                    .then(|| view! { <span class="small" data-testid="preset-needs">" (needs a key)"</span> });
                view! {
                    <button
                        type="button"
                        title=title
                        data-testid=testid
                        on:click=move |_| {
                            form.apply(&p);
                            errors.set(Vec::new());
                        }
                    >
                        {name}
                        {needs}
                    </button>
                }
            })
            .collect_view()
            .into_any(),
    }
    };
    view! {
        <section class="group presets" aria-labelledby="presets-title">
            <h2 id="presets-title">"Quick presets"</h2>
            <div class="actions">
                {buttons}
                <button
                    type="button"
                    class="link"
                    data-testid="reset"
                    on:click=move |_| {
                        form.reset();
                        errors.set(Vec::new());
                    }
                >
                    "Reset"
                </button>
            </div>
            {notice}
        </section>
    }
}
