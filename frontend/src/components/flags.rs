//! Arithmetic identity flags (I1–I4) of an output or a label.

use leptos::prelude::*;
use shared::ArithmeticFlag;

/// The flags as a compact list, or "none".
#[component]
pub fn Flags(
    /// The flags to show.
    flags: Vec<ArithmeticFlag>,
    /// `data-testid` of the list.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    if flags.is_empty() {
        return view! { <span class="muted" data-testid=testid>"none"</span> }.into_any();
    }
    view! {
        <ul class="flags" data-testid=testid>
            {flags
                .into_iter()
                .map(|f| {
                    view! {
                        <li>
                            <span class="flag-id">{f.identity}</span>
                            " " {f.form} ": " {f.message}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
