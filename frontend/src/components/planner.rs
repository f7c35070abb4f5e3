//! The sample-size planner: how many records a paired comparison of the run form's first
//! two configs needs to tell a difference, and what that costs
//! (`POST /api/v1/experiments/plan`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ExperimentRunRequest, MetricKind, SamplePlan};

use crate::api::{self, ApiError};
use crate::components::estimate::usd;
use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::components::status::ErrorView;
use crate::dom::focus;
use crate::format::{count, field_id, pct};
use crate::plan_form::{split_run_errors, PlanDraft, COMPARABLE_METRICS};

/// The fields the planner shows (a server error at any other is shown as a box).
const OWN_FIELDS: [&str; 4] = ["metric", "min_difference", "baseline", "power"];

/// A select of the metrics a comparison can be planned or decided on, bound to `value`.
#[component]
pub fn MetricField(
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Field path (also gives the select's id).
    #[prop(into)]
    path: String,
    /// The metric's name.
    value: RwSignal<String>,
    /// The form's errors.
    errors: FieldErrors,
) -> impl IntoView {
    let options = COMPARABLE_METRICS
        .iter()
        .map(|&(name, label)| {
            view! { <option value=name prop:selected=move || value.get() == name>{label}</option> }
        })
        .collect_view();
    let id = field_id(&path);
    let testid = format!("input-{path}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                {options}
            </select>
            <FieldMessage errors=errors path=path/>
        </div>
    }
}

/// The planner panel: its inputs, Plan, and the plan or its errors.
#[component]
pub fn Planner(
    /// The run form's request, or None after it showed its own errors.
    run: Callback<(), Option<ExperimentRunRequest>>,
    /// The run form's errors: the server's `run.…` errors go there.
    run_errors: FieldErrors,
    /// Changes of the run form: a plan of a form changed since is dropped.
    #[prop(into)]
    changes: Signal<u32>,
) -> impl IntoView {
    let d = PlanDraft::default();
    let metric = RwSignal::new(d.metric);
    let min_difference = RwSignal::new(d.min_difference);
    let baseline = RwSignal::new(d.baseline);
    let power = RwSignal::new(d.power);
    let errors = FieldErrors::new();
    let plan = RwSignal::new(None::<SamplePlan>);
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    Effect::new(move |ran: Option<()>| {
        changes.track();
        if ran.is_some() {
            plan.set(None);
        }
    });
    let show_errors = move |errs: Vec<shared::FieldError>| {
        if let Some(first) = errs.first() {
            focus(&field_id(&first.field));
        }
        errors.set(errs);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        plan.set(None);
        errors.set(Vec::new());
        let Some(run_request) = run.run(()) else {
            return;
        };
        let draft = PlanDraft {
            metric: metric.get_untracked(),
            min_difference: min_difference.get_untracked(),
            baseline: baseline.get_untracked(),
            power: power.get_untracked(),
        };
        let req = match draft.to_request(run_request) {
            Ok(req) => req,
            Err(errs) => return show_errors(errs),
        };
        busy.set(true);
        let asked_at = changes.get_untracked();
        spawn_local(async move {
            match api::plan(&req).await {
                Ok(p) if changes.get_untracked() == asked_at => plan.set(Some(p)),
                Ok(_) => {}
                Err(e) => {
                    let (run, own) = split_run_errors(e.field_errors());
                    if !run.is_empty() {
                        run_errors.set(run);
                    }
                    let placed = e.field_errors().iter().all(|f| {
                        f.field.starts_with("run.") || OWN_FIELDS.contains(&f.field.as_str())
                    });
                    show_errors(own);
                    if !(placed && matches!(e, ApiError::Invalid { .. })) {
                        failure.set(Some(e));
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card planner" id="planner" aria-labelledby="planner-title" data-testid="planner">
            <h2 id="planner-title">"Plan the sample size"</h2>
            <p class="muted small">
                "How many records a paired comparison of the first two configs above needs to tell a "
                "difference, and what they cost: uses the form's dataset, sample and configs."
            </p>
            <form novalidate on:submit=submit>
                <div class="grid">
                    <MetricField label="Metric" path="metric" value=metric errors=errors/>
                    <TextField label="Smallest difference (points)" path="min_difference" value=min_difference
                        errors=errors kind="number" step="any" hint="3 = 3 percentage points"/>
                    <TextField label="Baseline (%)" path="baseline" value=baseline errors=errors kind="number"
                        step="any" placeholder="e.g. 90" hint="The first config's expected value"/>
                    <TextField label="Power (%)" path="power" value=power errors=errors kind="number" step="any"
                        hint="Chance of finding a true difference"/>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="plan-button" disabled=move || busy.get()>"Plan"</button>
                    <Show when=move || busy.get()>
                        <span class="loading" role="status">"Planning…"</span>
                    </Show>
                </div>
            </form>
            {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
            {move || plan.get().map(|p| view! { <PlanView plan=p/> })}
        </section>
    }
}

/// A plan: its sentence, its numbers and what it assumed.
#[component]
fn PlanView(plan: SamplePlan) -> impl IntoView {
    let needed = plan.records_needed.map_or_else(
        || "cannot be told (the difference leaves 0–100%)".to_string(),
        count,
    );
    let enough = plan.records_needed.map(|n| n <= plan.records_available);
    let spread = match (plan.kind, plan.discordance, plan.sd_difference) {
        (MetricKind::Binary, Some(psi), _) => Some(("Discordance (A ≠ B)", pct(psi))),
        (_, _, Some(sd)) => Some(("SD of differences", format!("{:.1} pts", sd * 100.0))),
        _ => None,
    };
    view! {
        <div class="plan" data-testid="plan">
            <p id="plan-summary" class="plan-summary" role="status" data-testid="plan-summary">{plan.summary}</p>
            <dl class="facts">
                <div>
                    <dt>"Records needed per config"</dt>
                    <dd data-testid="plan-records-needed">{needed}</dd>
                </div>
                <div>
                    <dt>"Records in the sample"</dt>
                    <dd data-testid="plan-records-available">
                        {count(plan.records_available)}
                        {enough.map(|ok| if ok { " (enough)" } else { " (too few)" })}
                    </dd>
                </div>
                <div><dt>"Estimated cost"</dt><dd data-testid="plan-cost">{usd(plan.estimated_cost_usd)}</dd></div>
                <div><dt>"Cost per record (every config)"</dt><dd>{usd(plan.cost_per_record_usd)}</dd></div>
                <div><dt>"Baseline"</dt><dd>{pct(plan.baseline)}</dd></div>
                {spread.map(|(what, v)| view! { <div><dt>{what}</dt><dd>{v}</dd></div> })}
                <div>
                    <dt>"Power · α"</dt>
                    <dd>{format!("{:.0}% · {}", plan.power * 100.0, plan.alpha)}</dd>
                </div>
            </dl>
            <p class="muted small plan-assumptions" data-testid="plan-assumptions">"Assumptions: " {plan.assumptions}</p>
            <details>
                <summary>"Method"</summary>
                <p class="small">{plan.method}</p>
            </details>
        </div>
    }
}
