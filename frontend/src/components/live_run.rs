//! A running experiment's progress and Cancel, wherever it is listed: it follows its run
//! (the task) until the run ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::TaskStatus;

use crate::api::{self, ApiError};

/// How often a listed running experiment asks for its progress.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// "123 / 1,000 · Cancel" for one experiment of a run; calls `on_end` once the run ends.
#[component]
pub fn LiveRun(
    /// The run (task) the experiment belongs to.
    run_id: String,
    experiment_id: String,
    /// The experiment's name (Cancel says which run it stops).
    experiment_name: String,
    /// Called when the run has ended (the list reads the final state).
    on_end: Callback<()>,
) -> impl IntoView {
    let status = RwSignal::new(None::<TaskStatus>);
    let cancelling = RwSignal::new(false);
    // Polls answer after an await: by then the row may be gone (a list refetched, a page
    // left), and nothing of it may be touched. Ended: the run finished or the key was
    // refused, so polling stops.
    let alive = Arc::new(AtomicBool::new(true));
    let ended = Arc::new(AtomicBool::new(false));
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }
    let poll = {
        let (run_id, alive) = (run_id.clone(), alive.clone());
        move || {
            if ended.load(Ordering::Relaxed) {
                return;
            }
            let (run_id, alive, ended) = (run_id.clone(), alive.clone(), ended.clone());
            spawn_local(async move {
                let answer = api::task_quietly(&run_id).await;
                if !alive.load(Ordering::Relaxed) || ended.load(Ordering::Relaxed) {
                    return;
                }
                match answer {
                    Ok(t) => {
                        let done = t.status.is_terminal();
                        status.set(Some(t));
                        if done {
                            ended.store(true, Ordering::Relaxed);
                            on_end.run(());
                        }
                    }
                    Err(ApiError::Unauthorized(_)) => ended.store(true, Ordering::Relaxed),
                    Err(_) => {}
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
    let cancel = {
        let alive = alive.clone();
        move |_| {
            let (run_id, alive) = (run_id.clone(), alive.clone());
            cancelling.set(true);
            spawn_local(async move {
                let answer = api::cancel_task(&run_id).await;
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                if let Ok(t) = answer {
                    status.set(Some(t));
                }
                cancelling.set(false);
            });
        }
    };
    let label = format!("Cancel the run of {experiment_name}");
    view! {
        <span class="live-run" data-testid="live-run">
            <span class="muted" data-testid="live-progress">{move || progress().unwrap_or_else(|| "…".into())}</span>
            " "
            <button type="button" class="link danger" data-testid="row-cancel" aria-label=label
                disabled=move || cancelling.get() on:click=cancel>
                {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
            </button>
        </span>
    }
}
