//! A running experiment's progress and Cancel, wherever it is listed: it follows its run
//! (the task) until the run ends.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::TaskStatus;

use crate::api;

/// How often a listed running experiment asks for its progress.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// "123 / 1,000 · Cancel" for one experiment of a run; calls `on_end` once the run ends.
#[component]
pub fn LiveRun(
    /// The run (task) the experiment belongs to.
    run_id: String,
    experiment_id: String,
    /// Called when the run has ended (the list reads the final state).
    on_end: Callback<()>,
) -> impl IntoView {
    let status = RwSignal::new(None::<TaskStatus>);
    let cancelling = RwSignal::new(false);
    let ended = StoredValue::new(false);
    let poll = {
        let run_id = run_id.clone();
        move || {
            let run_id = run_id.clone();
            spawn_local(async move {
                if ended.get_value() {
                    return;
                }
                if let Ok(t) = api::task(&run_id).await {
                    let done = t.status.is_terminal();
                    status.set(Some(t));
                    if done && !ended.get_value() {
                        ended.set_value(true);
                        on_end.run(());
                    }
                }
            });
        }
    };
    poll();
    if let Ok(handle) = set_interval_with_handle(poll, POLL) {
        on_cleanup(move || handle.clear());
    }
    let progress = move || {
        status.with(|t| {
            let e = t
                .as_ref()?
                .experiments
                .iter()
                .find(|e| e.experiment_id == experiment_id)?;
            Some(format!("{} / {}", e.done, e.total))
        })
    };
    let cancel = move |_| {
        let run_id = run_id.clone();
        cancelling.set(true);
        spawn_local(async move {
            if let Ok(t) = api::cancel_task(&run_id).await {
                status.set(Some(t));
            }
            cancelling.set(false);
        });
    };
    view! {
        <span class="live-run" data-testid="live-run">
            <span class="muted" data-testid="live-progress">{move || progress().unwrap_or_else(|| "…".into())}</span>
            " "
            <button type="button" class="link danger" data-testid="row-cancel"
                disabled=move || cancelling.get() on:click=cancel>
                {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
            </button>
        </span>
    }
}
