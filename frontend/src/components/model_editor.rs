//! The model configuration editor: add, remove and edit configs; unavailable models are
//! listed disabled with their reason.

use std::cell::Cell;

use leptos::prelude::*;
use shared::{ModelAvailability, ModelConfig};

use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::form::{added_config, ConfigDraft};
use crate::format::field_id;

thread_local! {
    static NEXT_KEY: Cell<u32> = const { Cell::new(0) };
}

/// One editor row: the typed values as signals, with a stable key for the list.
#[derive(Debug, Clone, Copy)]
pub struct ConfigRow {
    pub key: u32,
    pub model: RwSignal<String>,
    pub temperature: RwSignal<String>,
    pub name_suffix: RwSignal<String>,
    pub metadata: RwSignal<String>,
    /// Fields the editor does not show, kept from the preset or default.
    pub base: StoredValue<ModelConfig>,
}

impl ConfigRow {
    /// A row holding `draft`.
    pub fn new(draft: ConfigDraft) -> Self {
        let key = NEXT_KEY.with(|k| {
            let v = k.get();
            k.set(v + 1);
            v
        });
        ConfigRow {
            key,
            model: RwSignal::new(draft.model),
            temperature: RwSignal::new(draft.temperature),
            name_suffix: RwSignal::new(draft.name_suffix),
            metadata: RwSignal::new(draft.metadata),
            base: StoredValue::new(draft.base),
        }
    }

    /// The row's current text (untracked).
    pub fn draft(&self) -> ConfigDraft {
        ConfigDraft {
            model: self.model.get_untracked(),
            temperature: self.temperature.get_untracked(),
            name_suffix: self.name_suffix.get_untracked(),
            metadata: self.metadata.get_untracked(),
            base: self.base.get_value(),
        }
    }
}

/// Live check of a metadata text: None when empty or a JSON object, else the problem.
fn metadata_problem(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => None,
        Ok(_) => Some("must be a JSON object".into()),
        Err(e) => Some(format!("not valid JSON: {e}")),
    }
}

/// The list of configs with add and remove.
#[component]
pub fn ModelEditor(
    /// The rows being edited.
    rows: RwSignal<Vec<ConfigRow>>,
    /// Models known to the server.
    models: Signal<Vec<ModelAvailability>>,
    /// The run form's errors.
    errors: FieldErrors,
) -> impl IntoView {
    let add = move |_| {
        rows.update(|r| {
            let drafts: Vec<ConfigDraft> = r.iter().map(ConfigRow::draft).collect();
            r.push(ConfigRow::new(added_config(&drafts)));
        })
    };
    view! {
        <fieldset class="group" data-testid="model-editor">
            <legend>"Model configurations"</legend>
            <FieldMessage errors=errors path="model_configs"/>
            <For each=move || rows.get() key=|r| r.key let:row>
                <ConfigEditor row=row rows=rows models=models errors=errors/>
            </For>
            <button type="button" id="add-config" data-testid="add-config" on:click=add>
                "+ Add model configuration"
            </button>
        </fieldset>
    }
}

#[component]
fn ConfigEditor(
    row: ConfigRow,
    rows: RwSignal<Vec<ConfigRow>>,
    models: Signal<Vec<ModelAvailability>>,
    errors: FieldErrors,
) -> impl IntoView {
    let index =
        Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == row.key).unwrap_or(0)));
    let path = move |f: &'static str| move || format!("model_configs[{}].{f}", index.get());
    let model_path = Signal::derive(path("model"));
    let meta_path = Signal::derive(path("metadata"));
    let remove = move |_| {
        let at = index.get_untracked();
        rows.update(|r| r.retain(|x| x.key != row.key));
        // Focus stays in the list (not dropped to the page): the row that took this one's
        // place, else the one before it, else Add. After the list is drawn again.
        let left = rows.with_untracked(Vec::len);
        let target = match (at < left, at) {
            (true, _) => field_id(&format!("model_configs[{at}].model")),
            (false, 0) => "add-config".to_string(),
            (false, _) => field_id(&format!("model_configs[{}].model", at - 1)),
        };
        request_animation_frame(move || crate::dom::focus(&target));
    };
    let options = move || {
        let current = row.model.get();
        let known = models.with(|m| !m.is_empty());
        // (name, label, selectable)
        let mut list: Vec<(String, String, bool)> = models
            .get()
            .into_iter()
            .map(|m| {
                let label = if m.available {
                    format!("{} ({})", m.name, m.provider)
                } else {
                    let why = m.reason.unwrap_or_else(|| "not configured".into());
                    format!("{} — unavailable: {why}", m.name)
                };
                (m.name, label, m.available)
            })
            .collect();
        if !current.is_empty() && !list.iter().any(|(n, _, _)| *n == current) {
            // Until the list arrives the current model is shown as is.
            let label = if known {
                format!("{current} — unavailable: not known to this server")
            } else {
                current.clone()
            };
            list.push((current, label, !known));
        }
        list.into_iter()
            .map(|(name, label, available)| {
                let value = name.clone();
                let selected = move || row.model.get() == name;
                view! {
                    <option value=value disabled=!available prop:selected=selected>{label}</option>
                }
            })
            .collect_view()
    };
    let unavailable = move || {
        let current = row.model.get();
        models
            .get()
            .into_iter()
            .find(|m| m.name == current && !m.available)
            .map(|m| {
                format!(
                    "{} cannot run here: {}",
                    m.name,
                    m.reason.unwrap_or_default()
                )
            })
    };
    let preview = move || {
        let draft = ModelConfig::new(
            &row.model.get(),
            row.temperature.get().trim().parse().unwrap_or(0.0),
            Some(row.name_suffix.get().as_str()),
        );
        format!("Experiment name: {}", draft.experiment_name())
    };
    let meta_problem = move || metadata_problem(&row.metadata.get());
    view! {
        <div class="config-row" data-testid="config-row">
            <div class="row-head">
                <h3>{move || format!("Config {}", index.get() + 1)}</h3>
                <button
                    type="button"
                    class="link danger"
                    aria-label=move || format!("Remove config {}", index.get() + 1)
                    data-testid="remove-config"
                    on:click=remove
                >
                    "Remove"
                </button>
            </div>
            <div class="grid">
                <div class="field">
                    <label for=move || field_id(&model_path.get())>"Model"</label>
                    <select
                        id=move || field_id(&model_path.get())
                        data-testid=move || format!("input-{}", model_path.get())
                        on:change=move |ev| row.model.set(event_target_value(&ev))
                    >
                        {options}
                    </select>
                    {move || unavailable().map(|w| view! { <p class="warning">{w}</p> })}
                    <FieldMessage errors=errors path=model_path/>
                </div>
                <TextField label="Temperature (0–2)" path=Signal::derive(path("temperature"))
                    value=row.temperature errors=errors kind="number" step="0.1"/>
                <TextField label="Name suffix" path=Signal::derive(path("name_suffix"))
                    value=row.name_suffix errors=errors/>
            </div>
            <p class="muted small">{preview}</p>
            <div class="field" class:invalid=move || meta_problem().is_some()>
                <label for=move || field_id(&meta_path.get())>"Metadata (JSON object)"</label>
                <textarea
                    id=move || field_id(&meta_path.get())
                    rows="2"
                    spellcheck="false"
                    placeholder="{\"purpose\": \"baseline test\"}"
                    data-testid=move || format!("input-{}", meta_path.get())
                    aria-invalid=move || if meta_problem().is_some() { "true" } else { "false" }
                    prop:value=move || row.metadata.get()
                    on:input=move |ev| row.metadata.set(event_target_value(&ev))
                ></textarea>
                <p class="hint" class:field-error=move || meta_problem().is_some() aria-live="polite">
                    {move || meta_problem().unwrap_or_else(|| "Free-form tags, at most 16 KiB.".into())}
                </p>
                <FieldMessage errors=errors path=meta_path/>
            </div>
        </div>
    }
}
