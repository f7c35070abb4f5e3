//! What a trial read: its record's input text and images (fetched with the key when the
//! record's detail is opened), each image zoomable, beside the field-by-field comparison.

use leptos::prelude::*;

use crate::api;
use crate::components::status::ErrorView;
use crate::format::encode;

/// Which dataset version the page's trials read.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub dataset: String,
    pub version: u32,
}

/// The input of record `record_id`.
#[component]
pub fn RecordInput(source: Source, record_id: String) -> impl IntoView {
    let (dataset, version) = (source.dataset.clone(), source.version);
    let id = record_id.clone();
    let record = LocalResource::new(move || {
        let (dataset, id) = (dataset.clone(), id.clone());
        async move { api::dataset_record(&dataset, version, &id).await }
    });
    move || match record.get() {
        None => view! { <p class="muted">"Loading the input…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(view)) => {
            let input = view.record.input;
            let shown = input.image_paths.len() + input.inline_images.len();
            let images = (0..shown)
                .map(|i| {
                    let path = format!(
                        "/datasets/{}/records/{}/images/{i}?version={}",
                        encode(&source.dataset),
                        encode(&record_id),
                        source.version
                    );
                    view! { <RecordImage path=path label=format!("Image {} of {}", i + 1, record_id)/> }
                })
                .collect_view();
            let remote = (!input.image_urls.is_empty()).then(|| {
                view! { <p class="muted small">{format!("{} remote image(s), not shown here: ", input.image_urls.len())} {input.image_urls.join(", ")}</p> }
            });
            let text = input.text.unwrap_or_default();
            let none = (text.is_empty() && shown == 0)
                .then(|| view! { <p class="muted">"The record has no text or local image."</p> });
            view! {
                <div class="record-input" data-testid="record-input">
                    <h4>"Input"</h4>
                    {none}
                    <div class="images">{images}</div>
                    {remote}
                    {(!text.is_empty()).then(|| view! { <pre class="raw input-text" data-testid="record-input-text">{text}</pre> })}
                </div>
            }
            .into_any()
        }
    }
}

/// One image, fetched with the key; a click zooms it to full width and back.
#[component]
fn RecordImage(path: String, label: String) -> impl IntoView {
    let zoomed = RwSignal::new(false);
    let url = LocalResource::new(move || {
        let path = path.clone();
        async move { api::download(&path).await.map(|(url, _)| url) }
    });
    on_cleanup(move || {
        if let Some(Ok(u)) = url.get_untracked() {
            crate::dom::revoke_url(&u);
        }
    });
    move || match url.get() {
        None => view! { <span class="muted">"Loading the image…"</span> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(u)) => {
            let label = label.clone();
            view! {
                <button type="button" class="image-button" class:zoomed=move || zoomed.get()
                    aria-pressed=move || zoomed.get().to_string()
                    aria-label=format!("{label} (click to {})", if zoomed.get_untracked() { "shrink" } else { "zoom" })
                    data-testid="record-image" on:click=move |_| zoomed.update(|z| *z = !*z)>
                    <img src=u alt=label.clone()/>
                </button>
            }
            .into_any()
        }
    }
}
