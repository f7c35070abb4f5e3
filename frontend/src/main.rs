//! tallylab web app. The full single-page app arrives with the web issue; this crate already
//! builds against the shared API types.

use leptos::prelude::*;

/// The application root.
#[component]
fn App() -> impl IntoView {
    let preset = shared::ModelConfig::new("rules-v1", 0.0, Some("baseline"));
    view! {
        <main>
            <h1>"tallylab"</h1>
            <p>"Default experiment: " {preset.experiment_name()}</p>
        </main>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
