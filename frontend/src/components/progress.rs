//! Live progress of an async run.

use leptos::prelude::*;
use shared::{RunStatus, TaskStatus};

use crate::components::estimate::usd;
use crate::components::sequence_chart::{named, SequentialView};
use crate::components::status::StatusBadge;
use crate::format::count as grouped;

/// Whether a task status is final.
pub fn is_finished(status: RunStatus) -> bool {
    status.is_terminal()
}

/// Seconds as "1 h 02 min", "3 min 05 s" or "42 s".
pub fn duration(seconds: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

/// What a run's progress says: what the count counts ("246 records × 10 repetitions × 2
/// configs = 4,920 trials"), how far it is, and, while it runs, its rate and time left;
/// a cancelled run says how far it got and that its results are partial.
pub fn describe(t: &TaskStatus, elapsed_seconds: f64) -> String {
    let repetitions = u64::from(t.request.repetitions.unwrap_or(1).max(1));
    let configs = (t.experiments.len() as u64).max(1);
    let records = t.total / (repetitions * configs).max(1);
    let mut what = format!("{} records", grouped(records));
    if repetitions > 1 {
        what.push_str(&format!(" × {repetitions} repetitions"));
    }
    if configs > 1 {
        what.push_str(&format!(" × {configs} configs"));
    }
    if repetitions > 1 || configs > 1 {
        what.push_str(&format!(" = {} trials", grouped(t.total)));
    }
    let (done, total) = (grouped(t.done), grouped(t.total));
    let line = match t.status {
        RunStatus::Cancelled => {
            format!("Cancelled after {done} of {total} trials ({what}); partial results below.")
        }
        s if s.is_terminal() => {
            format!(
                "{done} of {total} trials ({what}) in {}.",
                duration(elapsed_seconds)
            )
        }
        _ if t.done == 0 || elapsed_seconds <= 0.0 => {
            format!(
                "{done} of {total} trials ({what}) · {} elapsed",
                duration(elapsed_seconds)
            )
        }
        _ => {
            #[allow(clippy::cast_precision_loss)]
            let rate = t.done as f64 / elapsed_seconds;
            #[allow(clippy::cast_precision_loss)]
            let left = t.total.saturating_sub(t.done) as f64 / rate;
            format!(
                "{done} of {total} trials ({what}) · {} elapsed · {rate:.1} trials/s · about {} left",
                duration(elapsed_seconds),
                duration(left)
            )
        }
    };
    line + &usage_so_far(t) + stopped_early(t)
}

/// " Stopped early: every comparison was decided." for a `stop_when_decided` run that
/// stopped before its last record (its bar never reaches the end).
fn stopped_early(t: &TaskStatus) -> &'static str {
    let sequences = t
        .result
        .as_ref()
        .and_then(|r| r.sequential.as_ref())
        .or(t.sequential.as_ref());
    match sequences {
        Some(s) if t.status.is_terminal() && s.state == shared::SequentialState::Decided => {
            " Stopped early: every comparison was decided."
        }
        _ => "",
    }
}

/// " · 12,345 tokens · $0.01 so far" (or "in all" once finished); "" when nothing was
/// used (the offline model).
fn usage_so_far(t: &TaskStatus) -> String {
    let tokens: u64 = t.experiments.iter().map(|e| e.tokens).sum();
    let cost: f64 = t.experiments.iter().map(|e| e.cost_usd).sum();
    if tokens == 0 && cost == 0.0 {
        return String::new();
    }
    let when = if t.status.is_terminal() {
        "in all"
    } else {
        "so far"
    };
    format!(" · {} tokens · {} {when}", grouped(tokens), usd(cost))
}

/// Seconds from `from` to `to` (RFC 3339 times; `to` None = now), as the browser reads them.
fn seconds_between(from: &str, to: Option<&str>) -> f64 {
    let start = js_sys::Date::parse(from);
    let end = to.map_or_else(js_sys::Date::now, js_sys::Date::parse);
    let s = (end - start) / 1000.0;
    if s.is_finite() {
        s
    } else {
        0.0
    }
}

/// The sequences a task's progress shows: a `stop_when_decided` run's, while it goes on
/// or when its result (which shows its own) has none; named after the task's experiments.
pub fn live_sequences(t: &TaskStatus) -> Option<shared::SequentialResult> {
    let in_result = t.result.as_ref().is_some_and(|r| r.sequential.is_some());
    if in_result && is_finished(t.status) {
        return None;
    }
    let names: Vec<String> = t
        .experiments
        .iter()
        .map(|e| e.experiment_name.clone())
        .collect();
    t.sequential.clone().map(|s| named(s, &names))
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
    let text = move || {
        task.with(|t| {
            t.as_ref().map_or_else(String::new, |t| {
                describe(t, seconds_between(&t.created_at, t.finished_at.as_deref()))
            })
        })
    };
    let width = move || {
        format!(
            "width: {:.1}%",
            done() as f64 * 100.0 / total().max(1) as f64
        )
    };
    let running = move || task.with(|t| t.as_ref().is_some_and(|t| !is_finished(t.status)));
    // Drawn again only when the sequences change, not at every trial.
    let sequences = Memo::new(move |_| task.with(|t| t.as_ref().and_then(live_sequences)));
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
                {move || sequences.get().map(|s| view! {
                    <section class="live-sequences" aria-labelledby="live-sequences-title" data-testid="live-sequences">
                        <h3 id="live-sequences-title">"Stop when decided"</h3>
                        <SequentialView result=s/>
                    </section>
                })}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn task(
        status: RunStatus,
        done: u64,
        total: u64,
        repetitions: u32,
        configs: usize,
    ) -> TaskStatus {
        let mut request = shared::ExperimentRunRequest {
            repetitions: Some(repetitions),
            ..Default::default()
        };
        request.dataset_name = "d".into();
        TaskStatus {
            task_id: "t".into(),
            status,
            created_at: String::new(),
            finished_at: None,
            done,
            total,
            experiments: (0..configs)
                .map(|i| shared::ExperimentProgress {
                    experiment_id: format!("e{i}"),
                    experiment_name: format!("e{i}"),
                    status: shared::ExperimentStatus::Running,
                    done: 0,
                    total: total / configs as u64,
                    failed: 0,
                    tokens: 0,
                    cost_usd: 0.0,
                })
                .collect(),
            sequential: None,
            result: None,
            error: None,
            request,
        }
    }

    #[test]
    fn counts_say_what_they_count() {
        let t = task(RunStatus::Running, 1230, 4920, 10, 2);
        assert_eq!(
            describe(&t, 60.0),
            "1,230 of 4,920 trials (246 records × 10 repetitions × 2 configs = 4,920 trials) \
             · 1 min 00 s elapsed · 20.5 trials/s · about 3 min 00 s left"
        );
        let one = task(RunStatus::Running, 0, 10, 1, 1);
        assert_eq!(
            describe(&one, 2.0),
            "0 of 10 trials (10 records) · 2 s elapsed"
        );
    }

    #[test]
    fn tokens_and_cost_so_far_follow_the_count() {
        let mut t = task(RunStatus::Running, 5, 10, 1, 2);
        t.experiments[0].tokens = 12_000;
        t.experiments[0].cost_usd = 0.012;
        t.experiments[1].tokens = 345;
        t.experiments[1].cost_usd = 0.0003;
        assert!(
            describe(&t, 5.0).ends_with(" · 12,345 tokens · $0.01 so far"),
            "{}",
            describe(&t, 5.0)
        );
        t.status = RunStatus::Completed;
        assert!(describe(&t, 5.0).ends_with(" · 12,345 tokens · $0.01 in all"));
    }

    #[test]
    fn live_sequences_show_until_the_result_has_its_own() {
        let sequences: shared::SequentialResult = serde_json::from_value(serde_json::json!({
            "metric": "overall_accuracy", "min_difference": 0.03, "alpha": 0.05, "seed": 1,
            "method": "m", "state": "running", "records_compared": 2, "records_available": 10,
            "records_saved": 0, "cost_usd": 0.0, "cost_saved_usd": 0.0, "comparisons": [],
            "summary": "s"
        }))
        .expect("sequences");
        let mut t = task(RunStatus::Running, 4, 20, 1, 2);
        assert_eq!(live_sequences(&t), None);
        t.sequential = Some(sequences.clone());
        assert_eq!(
            live_sequences(&t),
            Some(sequences.clone()),
            "no comparison to name"
        );
        t.status = RunStatus::Completed;
        assert!(live_sequences(&t).is_some(), "no result yet: shown here");
        assert!(!describe(&t, 1.0).contains("Stopped early"), "not decided");
        t.sequential.as_mut().unwrap().state = shared::SequentialState::Decided;
        assert!(describe(&t, 1.0).ends_with(" Stopped early: every comparison was decided."));
        let mut result: shared::ExperimentRunResponse = serde_json::from_value(serde_json::json!({
            "status": "success", "message": "", "total_experiments": 2,
            "successful_experiments": 2, "failed_experiments": 0, "experiments": [],
            "dataset_name": "d", "dataset_size": 10, "project_name": "p",
            "comparison_url": null, "dataset_id": null
        }))
        .expect("response");
        result.sequential = Some(sequences);
        t.result = Some(result);
        assert_eq!(live_sequences(&t), None, "the results show them");
    }

    #[test]
    fn a_cancelled_run_says_how_far_it_got() {
        let t = task(RunStatus::Cancelled, 120, 2000, 1, 1);
        assert_eq!(
            describe(&t, 30.0),
            "Cancelled after 120 of 2,000 trials (2,000 records); partial results below."
        );
    }

    #[test]
    fn numbers_are_grouped_and_durations_read() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(95_000_000), "95,000,000");
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(185.0), "3 min 05 s");
        assert_eq!(duration(3720.0), "1 h 02 min");
    }
}
