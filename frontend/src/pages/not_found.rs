//! Unknown paths.

use leptos::prelude::*;
use leptos_router::components::A;

/// The page for a path the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    crate::dom::set_title("Not found");
    view! {
        <section data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <A href="/">"Run experiments"</A> " instead?"</p>
        </section>
    }
}
