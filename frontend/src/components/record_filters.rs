//! Order, filters and search of an experiment's records (the triage list's controls).

use leptos::prelude::*;
use shared::FieldAccuracy;

/// Order, filters and search of the records list.
#[component]
pub fn RecordFilters(
    sort: RwSignal<String>,
    differs: RwSignal<bool>,
    errors_only: RwSignal<bool>,
    field: RwSignal<String>,
    search: RwSignal<String>,
    offset: RwSignal<u64>,
    /// Fields to filter by, worst first.
    fields: Signal<Vec<FieldAccuracy>>,
    /// Evaluators the records can be ordered by: (name, label).
    scores: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let score_options = move || {
        scores
            .get()
            .into_iter()
            .flat_map(|(name, label)| {
                [("worst", "lowest"), ("best", "highest")].map(|(dir, word)| {
                    let value = format!("{dir}:{name}");
                    let v2 = value.clone();
                    view! {
                        <option value=value prop:selected=move || sort.get() == v2>
                            {format!("{label}, {word} first")}
                        </option>
                    }
                })
            })
            .collect_view()
    };
    let field_options = move || {
        fields
            .get()
            .into_iter()
            .filter(|f| f.correct < f.total)
            .map(|f| {
                let wrong = f.total - f.correct;
                let (value, name) = (f.field.clone(), f.field.clone());
                view! {
                    <option value=value prop:selected=move || field.get() == name>
                        {format!("{} ({wrong} wrong)", f.field)}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <form class="filters" role="search" aria-label="Filter records"
            on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <div class="field">
                <label for="records-sort">"Order"</label>
                <select id="records-sort" data-testid="records-sort"
                    on:change=move |ev| { offset.set(0); sort.set(event_target_value(&ev)); }>
                    <option value="worst" prop:selected=move || sort.get() == "worst">"Overall, worst first"</option>
                    <option value="best" prop:selected=move || sort.get() == "best">"Overall, best first"</option>
                    <option value="record" prop:selected=move || sort.get() == "record">"Dataset order"</option>
                    {score_options}
                </select>
            </div>
            <div class="field">
                <label for="records-field">"Got this field wrong"</label>
                <select id="records-field" data-testid="records-field"
                    on:change=move |ev| { offset.set(0); field.set(event_target_value(&ev)); }>
                    <option value="" prop:selected=move || field.get().is_empty()>"Any field"</option>
                    {field_options}
                </select>
            </div>
            <div class="field">
                <label for="records-search">"Record id contains"</label>
                <input id="records-search" type="search" data-testid="records-search"
                    prop:value=move || search.get()
                    on:change=move |ev| { offset.set(0); search.set(event_target_value(&ev)); }/>
            </div>
            <div class="check">
                <input id="records-differs" type="checkbox" data-testid="records-differs"
                    prop:checked=move || differs.get()
                    on:change=move |ev| { offset.set(0); differs.set(event_target_checked(&ev)); }/>
                <label for="records-differs">"Only records with a differing field or an error"</label>
            </div>
            <div class="check">
                <input id="errors-only" type="checkbox" data-testid="errors-only"
                    prop:checked=move || errors_only.get()
                    on:change=move |ev| { offset.set(0); errors_only.set(event_target_checked(&ev)); }/>
                <label for="errors-only">"Only call errors and unreadable outputs"</label>
            </div>
        </form>
    }
}
