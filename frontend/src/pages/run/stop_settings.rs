//! "Stop when decided": the run takes its records in a random order, every config in step,
//! and stops once each config is surely better, worse or equivalent to the first.

use leptos::prelude::*;

use super::state::RunForm;
use crate::components::fields::{FieldErrors, FieldMessage, TextField};
use crate::components::planner::MetricField;

/// The option's checkbox and, when ticked, its metric, margin and alpha.
#[component]
pub fn StopSettings(form: RunForm, errors: FieldErrors) -> impl IntoView {
    let invalid = move || errors.message("stop_when_decided").is_some();
    view! {
        <fieldset class="group" data-testid="stop-settings">
            <legend>"Stop when decided"</legend>
            <div class="check">
                <input
                    id="f-stop_when_decided"
                    type="checkbox"
                    data-testid="input-stop_when_decided"
                    aria-describedby="f-stop_when_decided-hint"
                    aria-invalid=move || if invalid() { "true" } else { "false" }
                    bind:checked=form.stop_enabled
                />
                <label for="f-stop_when_decided">"Stop as soon as the verdict is decided"</label>
            </div>
            <p class="hint muted small" id="f-stop_when_decided-hint">
                "Records run in a random order, every config in step; after each one a confidence "
                "sequence compares every config with the first, and the run stops once each is better, "
                "worse or equivalent within the smallest difference. Needs two or more configs and "
                "repetitions 1."
            </p>
            <FieldMessage errors=errors path="stop_when_decided"/>
            <Show when=move || form.stop_enabled.get()>
                <div class="grid">
                    <MetricField label="Metric decided on" path="stop_when_decided.metric"
                        value=form.stop_metric errors=errors/>
                    <TextField label="Smallest difference (points)" path="stop_when_decided.min_difference"
                        value=form.stop_min_difference errors=errors kind="number" step="any"
                        hint="Configs surely within ± this many points are equivalent"/>
                    <TextField label="Error rate α (0.001–0.2)" path="stop_when_decided.alpha"
                        value=form.stop_alpha errors=errors kind="number" step="any"
                        hint="Chance of any wrong verdict, over every comparison"/>
                </div>
            </Show>
        </fieldset>
    }
}
