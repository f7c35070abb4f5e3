//! The site header.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, HistoryQuery};
use crate::auth::{stored_key, Auth};
use crate::theme::ThemeToggle;

/// How often the header asks whether runs are going on.
const RUNS_POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// "2 running": the experiments queued or running, wherever the user is; links to them (with
/// their progress and Cancel) on the Experiments page. Nothing when none are.
#[component]
fn RunsIndicator() -> impl IntoView {
    let auth = Auth::get();
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), RUNS_POLL) {
        on_cleanup(move || handle.clear());
    }
    let active = LocalResource::new(move || {
        auth.track();
        tick.track();
        async move {
            // Without a key the pages ask for one; the header does not ask again.
            if stored_key().is_none() {
                return 0;
            }
            let q = HistoryQuery {
                active: true,
                limit: 1,
                ..Default::default()
            };
            api::experiments_quietly(&q).await.map_or(0, |p| p.total)
        }
    });
    move || {
        let n = active.get().unwrap_or(0);
        (n > 0).then(|| {
            view! {
                <A href="/experiments?active=1" attr:class="runs" attr:data-testid="runs-indicator">
                    <span class="pulse" aria-hidden="true"></span>
                    <span>{n}<span class="long">" running"</span></span>
                </A>
            }
        })
    }
}

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
                    <li><A href="/" exact=true><span class="long">"Run experiments"</span><span class="short">"Run"</span></A></li>
                    <li><A href="/experiments">"Experiments"</A></li>
                    <li><A href="/datasets">"Datasets"</A></li>
                </ul>
            </nav>
            <RunsIndicator/>
            <ThemeToggle/>
            <button
                type="button"
                class="link"
                data-testid="change-api-key"
                on:click=move |_| auth.prompt.set(true)
            >
                <span class="long">"API key"</span><span class="short">"Key"</span>
            </button>
        </header>
    }
}
