//! "Download JSON" and "Download CSV" for an experiment: fetched with the key, then saved
//! by the browser under the server's file name.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::status::ErrorView;
use crate::format::encode;

/// The two export buttons of one experiment, with the error of a failed download.
#[component]
pub fn Downloads(experiment_id: String) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<api::ApiError>);
    let fetch = move |format: &'static str| {
        let path = format!(
            "/experiments/{}/export?format={format}",
            encode(&experiment_id)
        );
        move |_| {
            let path = path.clone();
            busy.set(true);
            failure.set(None);
            leptos::task::spawn_local(async move {
                match api::download(&path).await {
                    Ok((url, name)) => save(&url, &name),
                    Err(e) => failure.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <div class="actions downloads">
            <button type="button" data-testid="download-json" disabled=move || busy.get() on:click=fetch("json")>
                "Download JSON"
            </button>
            <button type="button" data-testid="download-csv" disabled=move || busy.get() on:click=fetch("csv")>
                "Download CSV"
            </button>
            {move || busy.get().then(|| view! { <span class="muted" role="status">"Preparing the file…"</span> })}
        </div>
        {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
    }
}

/// Saves an object URL under `name` (a click on a temporary download link), then frees it.
fn save(url: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(url);
        a.set_download(name);
        a.click();
    }
    // The browser has taken the file once the click's task ran.
    let url = url.to_string();
    set_timeout(
        move || crate::dom::revoke_url(&url),
        std::time::Duration::from_secs(10),
    );
}
