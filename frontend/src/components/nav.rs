//! The site header.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::Auth;

/// Header with the app's sections; the current one is marked `aria-current="page"`.
#[component]
pub fn Nav() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"tallylab"</A>
            <nav aria-label="Sections">
                <ul>
                    <li><A href="/" exact=true>"Run experiments"</A></li>
                    <li><A href="/experiments">"Experiments"</A></li>
                    <li><A href="/datasets">"Datasets"</A></li>
                </ul>
            </nav>
            <button
                type="button"
                class="link"
                data-testid="change-api-key"
                on:click=move |_| auth.prompt.set(true)
            >
                "API key"
            </button>
        </header>
    }
}
