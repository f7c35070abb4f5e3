//! Previous / next paging.

use leptos::prelude::*;

use crate::format::count;

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
            format!(
                "{}–{} of {}",
                count(o + 1),
                count((o + limit).min(t)),
                count(t)
            )
        }
    };
    let pages = move || total.get().div_ceil(limit.max(1));
    let jump = move |ev: leptos::ev::Event| {
        let wanted: u64 = event_target_value(&ev).trim().parse().unwrap_or(1);
        let page = wanted.clamp(1, pages().max(1));
        offset.set((page - 1) * limit);
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
            {move || (pages() > 2).then(|| view! {
                <label class="page-jump">
                    "Page "
                    <input type="number" inputmode="numeric" min="1" max=pages() data-testid="page-jump"
                        prop:value=move || (offset.get() / limit.max(1) + 1).to_string() on:change=jump/>
                    " of " {count(pages())}
                </label>
            })}
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
