//! Loading, error and status indicators.

use leptos::prelude::*;

use crate::api::ApiError;

/// A polite loading line.
#[component]
pub fn Loading(
    /// What is loading, e.g. "experiments".
    #[prop(into)]
    what: String,
) -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">"Loading " {what} "…"</p> }
}

/// An error box with what happened and what to do about it.
#[component]
pub fn ErrorView(
    /// The failure to show.
    error: ApiError,
) -> impl IntoView {
    let hint = match &error {
        ApiError::Unauthorized(_) => "Enter the server's API key in the dialog, then try again.",
        ApiError::Network(_) => "Is the tallylab server running and reachable?",
        ApiError::Invalid { .. } => "Correct the highlighted fields and try again.",
        ApiError::Server { status: 404, .. } => "It may have been removed, or the link is wrong.",
        ApiError::Server { .. } | ApiError::Decode(_) => {
            "The server could not complete the request; its log has the detail."
        }
    };
    view! {
        <div class="error-box" role="alert" data-testid="error">
            <strong>"Something went wrong. "</strong>
            <span>{error.to_string()}</span>
            <p class="hint">{hint}</p>
        </div>
    }
}

/// A status word as a coloured badge ("success", "failed", "running", …).
#[component]
pub fn StatusBadge(
    /// The status text.
    #[prop(into)]
    status: String,
) -> impl IntoView {
    let class = format!("badge badge-{}", status.to_lowercase());
    view! { <span class=class>{status}</span> }
}
