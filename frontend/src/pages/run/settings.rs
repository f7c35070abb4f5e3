//! The original's settings groups (LLMObs, dataset, experiment) and the quick presets.

use leptos::prelude::*;
use shared::{DatadogSite, DatasetDetail, DatasetInfo, ModelAvailability};

use super::state::RunForm;
use crate::api::ApiError;
use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::components::status::ErrorView;

/// LLM Observability settings. The Datadog site is one of Datadog's own: it decides where
/// the server sends the Datadog keys, so there is no free-text entry.
#[component]
pub fn LlmObsSettings(form: RunForm, errors: FieldErrors) -> impl IntoView {
    let options = DatadogSite::ALL
        .into_iter()
        .map(|site| {
            let domain = site.domain();
            let selected = move || DatadogSite::parse(&form.site.get()) == Some(site);
            view! {
                <option value=domain prop:selected=selected>
                    {format!("{} · {domain}", site.region())}
                </option>
            }
        })
        .collect_view();
    view! {
        <fieldset class="group">
            <legend>"LLMObs settings"</legend>
            <div class="grid">
                <TextField label="ML app" path="ml_app" value=form.ml_app errors=errors/>
                <div class="field">
                    <label for="f-site-choice">"Datadog site"</label>
                    <select
                        id="f-site-choice"
                        data-testid="input-site-choice"
                        on:change=move |ev| form.site.set(event_target_value(&ev))
                    >
                        {options}
                    </select>
                    <FieldMessage errors=errors path="site"/>
                </div>
                <TextField label="Project name" path="project_name" value=form.project_name errors=errors/>
            </div>
            <div class="check">
                <input id="f-agentless_enabled" type="checkbox" bind:checked=form.agentless_enabled/>
                <label for="f-agentless_enabled">"Agentless (send to Datadog directly)"</label>
            </div>
        </fieldset>
    }
}

/// Dataset name and version, from the server's datasets.
#[component]
pub fn DatasetSettings(
    form: RunForm,
    errors: FieldErrors,
    /// `GET /datasets`.
    datasets: LocalResource<Result<Vec<DatasetInfo>, ApiError>>,
    /// `GET /datasets/{name}` of the chosen dataset.
    detail: LocalResource<Result<Option<DatasetDetail>, ApiError>>,
) -> impl IntoView {
    let names = move || {
        match datasets.get() {
        Some(Ok(list)) => list
            .into_iter()
            .map(|d| {
                let name = d.name.clone();
                let label = format!("{} ({} records, v{})", d.name, d.record_count, d.latest_version);
                view! {
                    <option value=d.name prop:selected=move || form.dataset_name.get() == name>{label}</option>
                }
            })
            .collect_view()
            .into_any(),
        _ => view! { <option value="">"(loading)"</option> }.into_any(),
    }
    };
    let versions = move || match detail.get() {
        Some(Ok(Some(d))) => {
            let latest = format!("latest (v{})", d.info.latest_version);
            let opts = d
                .versions
                .into_iter()
                .rev()
                .map(|v| {
                    let value = v.version.to_string();
                    let current = value.clone();
                    let label = format!("v{} · {} records · {}", v.version, v.record_count, v.note);
                    view! {
                        <option value=value prop:selected=move || form.dataset_version.get() == current>{label}</option>
                    }
                })
                .collect_view();
            view! {
                <option value="" prop:selected=move || form.dataset_version.get().is_empty()>{latest}</option>
                {opts}
            }
            .into_any()
        }
        _ => view! { <option value="">"latest"</option> }.into_any(),
    };
    view! {
        <fieldset class="group">
            <legend>"Dataset"</legend>
            {move || match datasets.get() {
                Some(Err(e)) => Some(view! { <ErrorView error=e/> }),
                _ => None,
            }}
            <div class="grid">
                <div class="field">
                    <label for="f-dataset_name">"Dataset"</label>
                    <select
                        id="f-dataset_name"
                        data-testid="input-dataset_name"
                        on:change=move |ev| {
                            form.dataset_name.set(event_target_value(&ev));
                            form.dataset_version.set(String::new());
                        }
                    >
                        {names}
                    </select>
                    <FieldMessage errors=errors path="dataset_name"/>
                </div>
                <div class="field">
                    <label for="f-dataset_version">"Version"</label>
                    <select
                        id="f-dataset_version"
                        data-testid="input-dataset_version"
                        on:change=move |ev| form.dataset_version.set(event_target_value(&ev))
                    >
                        {versions}
                    </select>
                    <FieldMessage errors=errors path="dataset_version"/>
                </div>
            </div>
        </fieldset>
    }
}

/// Sample size, jobs, repetitions and error handling.
#[component]
pub fn ExperimentSettings(form: RunForm, errors: FieldErrors) -> impl IntoView {
    view! {
        <fieldset class="group">
            <legend>"Experiment settings"</legend>
            <div class="grid">
                <TextField label="Sample size" path="sample_size" value=form.sample_size errors=errors
                    kind="number" placeholder="all records" hint="First N records; empty = all"/>
                <TextField label="Parallel jobs (1–64)" path="jobs" value=form.jobs errors=errors kind="number"/>
                <TextField label="Repetitions (1–20)" path="repetitions" value=form.repetitions errors=errors kind="number"/>
            </div>
            <div class="check">
                <input id="f-raise_errors" type="checkbox" bind:checked=form.raise_errors/>
                <label for="f-raise_errors">"Raise errors (an experiment with any failed record ends failed)"</label>
            </div>
        </fieldset>
    }
}

/// The optional LLM judge: off, or a model that answers structured output (the built-in
/// extractor cannot judge).
#[component]
pub fn JudgeSettings(
    form: RunForm,
    errors: FieldErrors,
    /// `GET /models`.
    models: Signal<Vec<ModelAvailability>>,
) -> impl IntoView {
    let options = move || {
        models
            .get()
            .into_iter()
            .filter(|m| m.available && m.provider != "builtin")
            .map(|m| {
                let (value, label, name) = (m.name.clone(), m.name.clone(), m.name);
                view! { <option value=value prop:selected=move || form.judge_model.get() == name>{label}</option> }
            })
            .collect_view()
    };
    let none_available = move || {
        !models
            .get()
            .iter()
            .any(|m| m.available && m.provider != "builtin")
    };
    view! {
        <fieldset class="group">
            <legend>"Evaluators"</legend>
            <div class="field">
                <label for="f-evaluators-llm_judge-model">"LLM judge (optional)"</label>
                <p class="hint" id="f-evaluators-llm_judge-model-hint">
                    "A model that scores each output against its label, 0–1 with its reasoning; its tokens and cost are reported apart. Adds the original's weighted overall accuracy."
                </p>
                <select
                    id="f-evaluators-llm_judge-model"
                    data-testid="input-judge"
                    aria-describedby="f-evaluators-llm_judge-model-hint"
                    on:change=move |ev| form.judge_model.set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || form.judge_model.get().is_empty()>"Off"</option>
                    {options}
                </select>
                {move || none_available().then(|| view! {
                    <p class="muted small">"No judge model is available: configure a Gemini or OpenAI-compatible model."</p>
                })}
                <FieldMessage errors=errors path="evaluators.llm_judge.model"/>
            </div>
        </fieldset>
    }
}
