//! Previous / next paging.

use leptos::prelude::*;

/// "Showing a–b of n" with previous and next buttons that move `offset` by `limit`.
#[component]
pub fn Pager(
    /// First item shown.
    offset: RwSignal<u64>,
    /// Items per page.
    limit: u64,
    /// Total items (tracked).
    #[prop(into)]
    total: Signal<u64>,
    /// Accessible name, e.g. "Records pages".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let range = move || {
        let (o, t) = (offset.get(), total.get());
        if t == 0 {
            "nothing to show".to_string()
        } else {
            format!("{}–{} of {}", o + 1, (o + limit).min(t), t)
        }
    };
    view! {
        <nav class="pager" aria-label=label>
            <button
                type="button"
                data-testid="page-prev"
                disabled=move || offset.get() == 0
                on:click=move |_| offset.update(|o| *o = o.saturating_sub(limit))
            >
                "← Previous"
            </button>
            <span aria-live="polite">{range}</span>
            <button
                type="button"
                data-testid="page-next"
                disabled=move || { offset.get() + limit >= total.get() }
                on:click=move |_| offset.update(|o| *o += limit)
            >
                "Next →"
            </button>
        </nav>
    }
}
