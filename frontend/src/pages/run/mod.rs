//! Run experiments (`/`): settings, model configs, presets, sync and async runs with live
//! progress and cancel, and the results.

mod presets;
mod preview;
mod settings;
mod state;
mod stop_settings;
mod sync_watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{CostEstimate, ExperimentRunRequest, ExperimentRunResponse, TaskStatus};

use self::presets::Presets;
use self::preview::{RequestPreview, WillRun};
use self::settings::{DatasetSettings, ExperimentSettings, JudgeSettings, LlmObsSettings};
use self::state::RunForm;
use self::stop_settings::StopSettings;
use crate::api::{self, ApiError};
use crate::auth::Auth;
use crate::components::estimate::{usd, EstimateView};
use crate::components::fields::{ErrorSummary, FieldErrors};
use crate::components::model_editor::ModelEditor;
use crate::components::planner::Planner;
use crate::components::progress::{is_finished, TaskProgress};
use crate::components::run_results::RunResults;
use crate::components::status::ErrorView;
use crate::dom::{focus, sleep};
use crate::format::field_id;

/// The bundled dataset, chosen first when present.
const DEFAULT_DATASET: &str = "vote-extraction-bangbamru-1-10";
/// Polling interval of an async task.
const POLL_MS: i32 = 300;

/// What the page shows under the form.
#[derive(Debug, Clone, Copy)]
struct RunState {
    busy: RwSignal<bool>,
    result: RwSignal<Option<ExperimentRunResponse>>,
    task: RwSignal<Option<TaskStatus>>,
    failure: RwSignal<Option<ApiError>>,
    cancelling: RwSignal<bool>,
    estimate: RwSignal<Option<CostEstimate>>,
    /// How progress arrives: "stream" (server-sent events) or "polling".
    live: RwSignal<&'static str>,
}

/// Shows a run's status (and its results once it is finished); true when it is.
fn show_status(st: RunState, t: TaskStatus) -> bool {
    let finished = is_finished(t.status);
    let result = t.result.clone();
    st.task.set(Some(t));
    if finished {
        st.result.set(result);
    }
    finished
}

/// Follows an async run: its event stream read through fetch (progress as it happens), and
/// polling when the stream cannot be read or ends early.
async fn follow(id: String, st: RunState, alive: Arc<AtomicBool>) {
    // The first status carries what events do not (the request, when it started).
    match api::task(&id).await {
        Ok(t) => {
            if show_status(st, t) {
                return;
            }
        }
        Err(e) if matches!(e, ApiError::Unauthorized(_)) => {
            st.failure.set(Some(e));
            return;
        }
        Err(_) => {}
    }
    if st.task.get_untracked().is_some() {
        st.live.set("stream");
        let streamed = api::events::follow(&id, |event| match event {
            api::events::RunEvent::Progress(p) => {
                if alive.load(Ordering::Relaxed) {
                    st.task.update(|t| {
                        if let Some(current) = t.take() {
                            *t = Some((*p).apply(current));
                        }
                    });
                }
            }
            api::events::RunEvent::Done(t) => {
                show_status(st, *t);
            }
        })
        .await;
        if matches!(streamed, Ok(true)) {
            return;
        }
    }
    st.live.set("polling");
    poll(id, st, alive).await;
}

async fn poll(id: String, st: RunState, alive: Arc<AtomicBool>) {
    let mut misses = 0;
    while alive.load(Ordering::Relaxed) {
        match api::task(&id).await {
            Ok(t) => {
                misses = 0;
                if show_status(st, t) {
                    return;
                }
            }
            Err(e) if misses >= 3 || matches!(e, ApiError::Unauthorized(_)) => {
                st.failure.set(Some(e));
                return;
            }
            Err(_) => misses += 1,
        }
        sleep(POLL_MS).await;
    }
}

/// The run page.
#[component]
pub fn RunPage() -> impl IntoView {
    crate::dom::set_title("Run experiments");
    let auth = Auth::get();
    let form = RunForm::new();
    let errors = FieldErrors::new();
    let st = RunState {
        busy: RwSignal::new(false),
        result: RwSignal::new(None),
        task: RwSignal::new(None),
        failure: RwSignal::new(None),
        cancelling: RwSignal::new(false),
        estimate: RwSignal::new(None),
        live: RwSignal::new(""),
    };
    let alive = Arc::new(AtomicBool::new(true));
    let alive_on_cleanup = alive.clone();
    on_cleanup(move || alive_on_cleanup.store(false, Ordering::Relaxed));

    let models = LocalResource::new(move || {
        auth.track();
        api::models()
    });
    let presets = LocalResource::new(move || {
        auth.track();
        api::presets()
    });
    let datasets = LocalResource::new(move || {
        auth.track();
        api::datasets()
    });
    let detail = LocalResource::new(move || {
        auth.track();
        let name = form.dataset_name.get();
        async move {
            if name.is_empty() {
                Ok(None)
            } else {
                api::dataset(&name).await.map(Some)
            }
        }
    });
    // Choose the bundled dataset (or the first one) once the list arrives.
    Effect::new(move |_| {
        if let Some(Ok(list)) = datasets.get() {
            if form.dataset_name.get_untracked().is_empty() {
                let pick = list
                    .iter()
                    .find(|d| d.name == DEFAULT_DATASET)
                    .or(list.first());
                if let Some(d) = pick {
                    form.dataset_name.set(d.name.clone());
                }
            }
        }
    });
    let model_list = Signal::derive(move || match models.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    });

    // The request, or None after showing its field errors and focusing the first one.
    let validated = move || -> Option<ExperimentRunRequest> {
        st.failure.set(None);
        match form.draft().to_request() {
            Ok(req) => {
                errors.set(Vec::new());
                Some(req)
            }
            Err(errs) => {
                if let Some(first) = errs.first() {
                    focus(&field_id(&first.field));
                }
                errors.set(errs);
                None
            }
        }
    };
    let fail = move |e: ApiError| {
        errors.set(e.field_errors());
        if let Some(first) = e.field_errors().first() {
            focus(&field_id(&first.field));
        }
        st.failure.set(Some(e));
    };
    let (edits, set_edits) = signal(0u32);
    // Changes of the form, typed or not (presets, Reset, Add and Remove replace rows).
    let changes = RwSignal::new(0u32);
    // A change makes the estimate stale (it is dropped, not shown beside a form it no longer
    // describes) and re-checks errors already shown, so fixed ones go.
    Effect::new(move |ran: Option<()>| {
        edits.track();
        form.rows.track();
        if ran.is_some() {
            changes.update(|n| *n += 1);
            st.estimate.set(None);
            if errors.0.with_untracked(|e| !e.is_empty()) {
                errors.set(form.draft().to_request().err().unwrap_or_default());
            }
        }
    });
    let estimate = move |_| {
        let Some(req) = validated() else { return };
        st.estimate.set(None);
        let asked_at = changes.get_untracked();
        spawn_local(async move {
            match api::estimate(&req).await {
                // An answer for a form that changed meanwhile is not shown.
                Ok(e) if changes.get_untracked() == asked_at => st.estimate.set(Some(e)),
                Err(e) if changes.get_untracked() == asked_at => fail(e),
                _ => {}
            }
        });
    };
    let start = move |asynchronous: bool| {
        let Some(req) = validated() else { return };
        st.busy.set(true);
        st.result.set(None);
        st.task.set(None);
        let alive = alive.clone();
        spawn_local(async move {
            let outcome = if asynchronous {
                match api::run_async(&req).await {
                    Ok(accepted) => {
                        follow(accepted.task_id, st, alive).await;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            } else {
                let before = sync_watch::active_runs().await;
                spawn_local(sync_watch::watch(before, st, alive.clone()));
                let answer = api::run_sync(&req).await;
                // The answer is the result: the progress followed while waiting goes.
                st.task.set(None);
                answer.map(|r| st.result.set(Some(r)))
            };
            if let Err(e) = outcome {
                fail(e);
            }
            st.busy.set(false);
        });
    };
    let start_sync = start.clone();
    let cancel = Callback::new(move |()| {
        let Some(task) = st.task.get_untracked() else {
            return;
        };
        st.cancelling.set(true);
        spawn_local(async move {
            if let Err(e) = api::cancel_task(&task.task_id).await {
                st.failure.set(Some(e));
            }
            st.cancelling.set(false);
        });
    });

    view! {
        <h1>"Run experiments"</h1>
        <p class="lead">
            "Run one experiment per model configuration on a dataset and compare them with confidence intervals."
        </p>
        <Presets form=form errors=errors presets=presets models=model_list/>
        <form
            class="run-form"
            novalidate
            on:input=move |_| set_edits.update(|n| *n += 1)
            on:change=move |_| set_edits.update(|n| *n += 1)
            on:submit=move |ev| {
                ev.prevent_default();
                start_sync(false);
            }
        >
            <ErrorSummary errors=errors/>
            <LlmObsSettings form=form errors=errors/>
            <DatasetSettings form=form errors=errors datasets=datasets detail=detail/>
            <ExperimentSettings form=form errors=errors/>
            <ModelEditor rows=form.rows models=model_list errors=errors/>
            <StopSettings form=form errors=errors/>
            <JudgeSettings form=form errors=errors models=model_list/>
            <WillRun form=form detail=detail/>
            <RequestPreview form=form edits=edits/>
            <div class="actions sticky">
                <button type="submit" class="primary" data-testid="run-sync" disabled=move || st.busy.get()>
                    <span class="long">"Run (sync)"</span><span class="short">"Run"</span>
                </button>
                <button
                    type="button"
                    data-testid="run-async"
                    disabled=move || st.busy.get()
                    on:click=move |_| start(true)
                >
                    <span class="long">"Run (async)"</span><span class="short">"Async"</span>
                </button>
                <button type="button" class="link" data-testid="estimate-cost" on:click=estimate>
                    <span class="long">"Estimate cost"</span><span class="short">"Estimate"</span>
                </button>
                {move || st.estimate.get().map(|e| view! {
                    <span class="estimate-total" data-testid="estimate-inline">{usd(e.total_cost_usd)}</span>
                })}
                <Show when=move || st.busy.get() && st.task.get().is_none()>
                    <span class="loading" role="status" data-testid="running">"Running…"</span>
                </Show>
            </div>
        </form>
        <Planner run=Callback::new(move |()| validated()) run_errors=errors changes=changes/>
        {move || st.failure.get().map(|e| view! { <ErrorView error=e/> })}
        {move || st.estimate.get().map(|e| view! { <EstimateView estimate=e/> })}
        <div data-live=move || st.live.get() data-testid="live">
            <TaskProgress task=st.task on_cancel=cancel cancelling=st.cancelling.into()/>
        </div>
        {move || st.result.get().map(|r| view! { <RunResults response=r/> })}
    }
}
