//! What the form will do, before it does it: "Will run N experiments on S records", and the
//! request as JSON and as a curl command to copy (the key shown as `$API_KEY`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::DatasetDetail;

use super::state::RunForm;
use crate::api::ApiError;
use crate::form::{curl_command, request_json, will_run};

/// "Will run 2 experiments on 10 records."
#[component]
pub fn WillRun(
    form: RunForm,
    /// `GET /datasets/{name}` of the chosen dataset.
    detail: LocalResource<Result<Option<DatasetDetail>, ApiError>>,
) -> impl IntoView {
    let line = move || {
        let records = match detail.get() {
            Some(Ok(Some(d))) => {
                let wanted = form
                    .dataset_version
                    .get()
                    .parse::<u32>()
                    .unwrap_or(d.info.latest_version);
                d.versions
                    .iter()
                    .find(|v| v.version == wanted)
                    .map(|v| v.record_count)
            }
            _ => None,
        };
        let sample = form.sample_size.get().trim().parse::<u32>().ok();
        let line = will_run(form.rows.get().len(), sample, records);
        if form.stop_enabled.get() {
            line + " It stops early once every comparison is decided."
        } else {
            line
        }
    };
    view! { <p class="will-run" role="status" data-testid="will-run">{line}</p> }
}

/// The request the form would send, refreshed as it is edited (`edits` counts input
/// events in the form).
#[component]
pub fn RequestPreview(form: RunForm, edits: ReadSignal<u32>) -> impl IntoView {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let copied = RwSignal::new(false);
    let request = Memo::new(move |_| {
        edits.track();
        form.rows.track();
        form.sample_size.track();
        form.dataset_name.track();
        form.dataset_version.track();
        form.site.track();
        form.raise_errors.track();
        form.agentless_enabled.track();
        form.draft().to_request().map_err(|e| e.len())
    });
    let body = move || match request.get() {
        Ok(req) => {
            let json = request_json(&req);
            let curl = curl_command(&origin, &req);
            let to_copy = curl.clone();
            let copy = move |_| {
                let text = to_copy.clone();
                spawn_local(async move {
                    if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
                        let done =
                            wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text));
                        copied.set(done.await.is_ok());
                    }
                });
            };
            view! {
                <h3>"JSON"</h3>
                <pre class="code" data-testid="preview-json">{json}</pre>
                <h3>"curl"</h3>
                <pre class="code" data-testid="preview-curl">{curl}</pre>
                <button type="button" data-testid="copy-curl" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy curl command" }}
                </button>
            }
            .into_any()
        }
        Err(n) => view! {
            <p class="muted" data-testid="preview-invalid">
                {format!("Fix {n} field{} to see the request.", if n == 1 { "" } else { "s" })}
            </p>
        }
        .into_any(),
    };
    view! {
        <details class="preview" data-testid="request-preview">
            <summary>"Request preview (JSON and curl)"</summary>
            {body}
        </details>
    }
}
