//! The API key: kept in localStorage (never in a URL), asked for when the server answers 401.

use std::cell::Cell;

use leptos::html;
use leptos::prelude::*;

const STORAGE_KEY: &str = "tallylab.apiKey";

thread_local! {
    static PROMPT: Cell<Option<RwSignal<bool>>> = const { Cell::new(None) };
}

/// The stored API key, if any.
pub fn stored_key() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage
        .get_item(STORAGE_KEY)
        .ok()?
        .filter(|k| !k.is_empty())
}

fn store_key(key: &str) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        // A failed write (private mode, quota) leaves the old key; the next 401 asks again.
        let _ = storage.set_item(STORAGE_KEY, key);
    }
}

/// Opens the API-key prompt (called by the fetch layer on a 401).
pub fn request_key() {
    if let Some(prompt) = PROMPT.with(Cell::get) {
        prompt.set(true);
    }
}

/// Authentication state shared by every page.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    /// Whether the key prompt is open.
    pub prompt: RwSignal<bool>,
    /// Bumped when the key changes: resources read it so they fetch again.
    pub epoch: RwSignal<u32>,
}

impl Auth {
    /// Creates the state, provides it as context and lets the fetch layer open the prompt.
    pub fn provide() -> Auth {
        let auth = Auth {
            prompt: RwSignal::new(false),
            epoch: RwSignal::new(0),
        };
        PROMPT.with(|p| p.set(Some(auth.prompt)));
        provide_context(auth);
        auth
    }

    /// The state provided by the app root.
    pub fn get() -> Auth {
        expect_context::<Auth>()
    }

    /// Subscribes the current reactive scope to key changes.
    pub fn track(&self) {
        self.epoch.track();
    }
}

/// The element that has focus now, as an element that can take it back.
fn focused_element() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Keeps Tab and Shift+Tab inside `dialog`: from its last control to its first and back.
fn trap_tab(dialog: &web_sys::HtmlElement, ev: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let Ok(list) = dialog.query_selector_all("input, button, a[href], select, textarea") else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = focused_element();
    let inside = active
        .as_ref()
        .is_some_and(|a| controls.iter().any(|c| c == a));
    let target = match (ev.shift_key(), active) {
        (true, Some(a)) if &a == first => Some(last),
        (false, Some(a)) if &a == last => Some(first),
        _ if !inside => Some(if ev.shift_key() { last } else { first }),
        _ => None,
    };
    if let Some(t) = target {
        ev.prevent_default();
        let _ = t.focus();
    }
}

/// Modal dialog asking for the API key. While open it keeps focus inside (Tab wraps),
/// closes on Escape wherever focus is, and gives focus back to what had it before.
#[component]
pub fn KeyPrompt() -> impl IntoView {
    let auth = Auth::get();
    let value = RwSignal::new(String::new());
    let input: NodeRef<html::Input> = NodeRef::new();
    let dialog: NodeRef<html::Form> = NodeRef::new();
    // What had focus when the dialog opened (the header's button, a page control).
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |was_open: Option<bool>| {
        let open = auth.prompt.get();
        if open && was_open != Some(true) {
            opener.set_value(focused_element());
        }
        if open {
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        } else if was_open == Some(true) {
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        }
        open
    });
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if !auth.prompt.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => auth.prompt.set(false),
            "Tab" => {
                if let Some(form) = dialog.get_untracked() {
                    trap_tab(&form, &ev);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = value.get_untracked();
        if key.trim().is_empty() {
            return;
        }
        store_key(key.trim());
        value.set(String::new());
        auth.prompt.set(false);
        auth.epoch.update(|e| *e += 1);
    };
    let close = move |_| auth.prompt.set(false);
    view! {
        <Show when=move || auth.prompt.get()>
            <div class="backdrop">
                <form
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="key-title"
                    data-testid="api-key-prompt"
                    on:submit=save
                    node_ref=dialog
                >
                    <h2 id="key-title">"API key needed"</h2>
                    <p>
                        "The server rejected the request: enter its API key (the server's "
                        <code>"API_KEY"</code> ", or the key it generated in "
                        <code>"DATA_DIR/api-key"</code> "). It is kept in this browser only."
                    </p>
                    <label for="api-key-input">"API key"</label>
                    <input
                        id="api-key-input"
                        type="password"
                        autocomplete="off"
                        data-testid="api-key-input"
                        node_ref=input
                        bind:value=value
                    />
                    <div class="actions">
                        <button type="submit" class="primary" data-testid="api-key-save">
                            "Save key"
                        </button>
                        <button type="button" data-testid="api-key-cancel" on:click=close>"Cancel"</button>
                    </div>
                </form>
            </div>
        </Show>
    }
}
