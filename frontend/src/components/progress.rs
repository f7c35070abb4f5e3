//! Live progress of an async run.

use leptos::prelude::*;
use shared::{RunStatus, TaskStatus};

use crate::components::status::StatusBadge;

/// Whether a task status is final.
pub fn is_finished(status: RunStatus) -> bool {
    status.is_terminal()
}

/// A progress bar (`role=progressbar`, `aria-valuenow`) over every experiment of the task,
/// one line per experiment, and a cancel button while it runs. The elements stay in place
/// while the status updates, so they can be focused and clicked during the run.
#[component]
pub fn TaskProgress(
    /// The latest status polled; nothing is shown while None.
    task: RwSignal<Option<TaskStatus>>,
    /// Cancels the task.
    on_cancel: Callback<()>,
    /// True while the cancel request is in flight.
    cancelling: Signal<bool>,
) -> impl IntoView {
    let field = move |f: fn(&TaskStatus) -> String| {
        move || task.with(|t| t.as_ref().map(f).unwrap_or_default())
    };
    let done = move || task.with(|t| t.as_ref().map_or(0, |t| t.done));
    let total = move || task.with(|t| t.as_ref().map_or(0, |t| t.total));
    let text = move || format!("{} of {} trials", done(), total());
    let width = move || {
        format!(
            "width: {:.1}%",
            done() as f64 * 100.0 / total().max(1) as f64
        )
    };
    let running = move || task.with(|t| t.as_ref().is_some_and(|t| !is_finished(t.status)));
    // A run that starts takes focus to its progress (the button that started it is disabled,
    // and focus must not drop to the page).
    Effect::new(move |shown: Option<bool>| {
        let now = task.with(Option::is_some);
        if now && shown == Some(false) {
            request_animation_frame(|| crate::dom::focus_heading("progress-title"));
        }
        now
    });
    let rows = move || {
        task.get()
            .map(|t| t.experiments)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                view! {
                    <li>
                        <span class="name">{e.experiment_name}</span>
                        " " <StatusBadge status=e.status/> " "
                        {format!("{} / {} done, {} failed", e.done, e.total, e.failed)}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || task.with(Option::is_some)>
            <section class="card" aria-labelledby="progress-title" data-testid="task-progress">
                <h2 id="progress-title" tabindex="-1">
                    "Async run " <code>{field(|t| t.task_id.clone())}</code> " "
                    <span class=move || task.with(|t| format!("badge badge-{}", t.as_ref().map_or("", |t| t.status.as_str()))) data-testid="task-status">{field(|t| t.status.to_string())}</span>
                </h2>
                <div
                    class="progress"
                    role="progressbar"
                    aria-label="Run progress"
                    aria-valuemin="0"
                    aria-valuemax=total
                    aria-valuenow=done
                    aria-valuetext=text
                    data-testid="progress"
                >
                    <div class="progress-fill" style=width></div>
                </div>
                <p class="muted" aria-live="polite" data-testid="progress-text">{text}</p>
                <ul class="plain">{rows}</ul>
                {move || task.with(|t| t.as_ref().and_then(|t| t.error.clone())).map(|e| view! { <p class="error-text" role="alert" data-testid="task-error">{e}</p> })}
                <button
                    type="button"
                    class="danger"
                    data-testid="cancel-run"
                    hidden=move || !running()
                    disabled=move || cancelling.get() || !running()
                    on:click=move |_| on_cancel.run(())
                >
                    {move || if cancelling.get() { "Cancelling…" } else { "Cancel run" }}
                </button>
            </section>
        </Show>
    }
}
