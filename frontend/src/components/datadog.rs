//! Datadog LLM Observability in the web app: an experiment's export (state, link, why it
//! waits, a retry button) and a dataset version's push button.

use leptos::prelude::*;
use shared::{DatadogDatasetPushed, DatadogExport, ExportState};

use crate::api;
use crate::components::status::ErrorView;

/// What an export's state says to a reader.
fn state_line(e: &DatadogExport) -> String {
    match e.state {
        ExportState::Done => format!("exported ({} trials)", e.sent_trials),
        ExportState::Pending if e.last_error.is_some() => format!(
            "pending: {} trials sent, retrying after {} failed attempts",
            e.sent_trials, e.attempts
        ),
        ExportState::Pending => format!("exporting: {} trials sent", e.sent_trials),
        ExportState::Failed => "failed: Datadog refused it".into(),
    }
}

/// The facts row of an experiment's Datadog export, with a retry button when it waits or
/// failed.
#[component]
pub fn DatadogExportFact(experiment_id: String, export: DatadogExport) -> impl IntoView {
    let shown = RwSignal::new(export);
    let failure = RwSignal::new(None::<api::ApiError>);
    let busy = RwSignal::new(false);
    let retry = move |_| {
        let id = experiment_id.clone();
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match api::retry_export(&id).await {
                Ok(e) => shown.set(e),
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div>
            <dt>"Datadog"</dt>
            <dd data-testid="datadog-export">
                <span data-testid="datadog-export-state">{move || state_line(&shown.get())}</span>
                {move || shown.get().experiment_url.map(|url| view! {
                    " · " <a href=url target="_blank" rel="noopener noreferrer" data-testid="datadog-link">"open in Datadog"</a>
                })}
                {move || shown.get().last_error.map(|err| view! {
                    <p class="muted" data-testid="datadog-export-error">{err}</p>
                })}
                {move || (shown.get().state != ExportState::Done).then(|| view! {
                    <button type="button" data-testid="datadog-retry" disabled=move || busy.get() on:click=retry.clone()>
                        "Retry export now"
                    </button>
                })}
                {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
            </dd>
        </div>
    }
}

/// "Push to Datadog" for a dataset version, with where it went.
#[component]
pub fn PushToDatadog(
    name: Signal<String>,
    /// The version shown (None: the newest).
    version: Signal<Option<u32>>,
) -> impl IntoView {
    let pushed = RwSignal::new(None::<DatadogDatasetPushed>);
    let failure = RwSignal::new(None::<api::ApiError>);
    let busy = RwSignal::new(false);
    let push = move |_| {
        let (name, version) = (name.get_untracked(), version.get_untracked());
        busy.set(true);
        failure.set(None);
        pushed.set(None);
        leptos::task::spawn_local(async move {
            match api::push_to_datadog(&name, version).await {
                Ok(p) => pushed.set(Some(p)),
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="actions">
            <button type="button" data-testid="push-to-datadog" disabled=move || busy.get() on:click=push>
                "Push this version to Datadog"
            </button>
            {move || busy.get().then(|| view! { <span class="muted" role="status">"Pushing…"</span> })}
            {move || pushed.get().map(|p| view! {
                <p class="success" role="status" data-testid="pushed-to-datadog">
                    "Version " {p.version} " is Datadog's version " {p.datadog_version} ". "
                    <a href=p.dataset_url target="_blank" rel="noopener noreferrer">"Open in Datadog"</a>
                </p>
            })}
        </div>
        {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
    }
}
