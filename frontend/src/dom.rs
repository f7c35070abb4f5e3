//! Small browser helpers: timers, Blob URLs, file reading, and a visible message on panic.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Shows a message instead of a blank page if the app ever panics.
pub fn install_panic_message() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        web_sys::console::error_1(&text.into());
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let (Ok(div), Some(body)) = (doc.create_element("div"), doc.body()) {
            div.set_class_name("fatal");
            div.set_attribute("role", "alert").ok();
            // The detail (with the build machine's paths) is in the console, not on the page.
            div.set_text_content(Some(
                "tallylab stopped on an internal error; reload the page. The browser console has \
                 the detail.",
            ));
            body.prepend_with_node_1(&div).ok();
        }
    }));
}

/// Removes the "Loading…" text index.html shows until the app starts.
pub fn remove_boot_message() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}

/// Names the browser tab after the page: "{page} · tallylab".
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} · tallylab"));
    }
}

/// Moves focus to the element with this id, if there is one.
pub fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Moves focus to an element (made focusable by `tabindex=-1`) and scrolls it into view, so
/// new results are seen and announced.
pub fn focus_heading(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        el.scroll_into_view();
        let _ = el.focus();
    }
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// An object URL for a JSON document (revoke it with [`revoke_url`]).
pub fn json_blob_url(json: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&json.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Releases an object URL.
pub fn revoke_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// The text of the first file chosen in a file input.
pub async fn read_file(input: &web_sys::HtmlInputElement) -> Result<(String, String), String> {
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or_else(|| "no file chosen".to_string())?;
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| format!("cannot read {}: {e:?}", file.name()))?;
    let text = text
        .dyn_into::<js_sys::JsString>()
        .map_err(|_| "file is not text".to_string())?;
    Ok((file.name(), String::from(text)))
}

/// The page's `#fragment`, percent-decoded, without the `#` ("" when there is none).
pub fn location_hash() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let raw = hash.trim_start_matches('#');
    js_sys::decode_uri_component(raw)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| raw.to_string())
}
