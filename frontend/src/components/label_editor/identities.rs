//! The label's identities as the editor re-checks them: each with what it computes.

use leptos::prelude::*;
use shared::LabelAudit;

/// The live list: broken ones first, then those that hold, then those that cannot be
/// checked; the row identities (one per vote row) folded when they all hold.
#[component]
pub fn Identities(audit: RwSignal<Option<LabelAudit>>) -> impl IntoView {
    move || {
        let Some(a) = audit.get() else {
            return view! { <p class="muted">"Checking the identities…"</p> }.into_any();
        };
        let mut checks = a.checks;
        checks.sort_by_key(|c| match c.holds {
            Some(false) => 0,
            Some(true) => 1,
            None => 2,
        });
        let (rows, forms): (Vec<_>, Vec<_>) = checks
            .into_iter()
            .partition(|c| c.identity == "I4" && c.holds == Some(true));
        let line = |c: shared::IdentityCheck| {
            let (mark, class) = match c.holds {
                Some(true) => ("✓", "ok"),
                Some(false) => ("✗", "wrong"),
                None => ("–", "muted"),
            };
            view! {
                <li class=class data-testid="identity-check" data-holds=c.holds.map_or("unknown", |h| if h { "yes" } else { "no" })>
                    <span aria-hidden="true">{mark} " "</span>
                    <strong>{c.form} " " {c.identity}</strong> ": " {c.statement}
                </li>
            }
        };
        let held_rows = rows.len();
        let rows_view = (held_rows > 0).then(|| {
            let items = rows.into_iter().map(line).collect_view();
            view! {
                <li>
                    <details>
                        <summary>{format!("✓ {held_rows} vote rows: digits = words")}</summary>
                        <ul class="identities">{items}</ul>
                    </details>
                </li>
            }
        });
        let summary = if a.broken == 0 {
            "Every checkable identity holds.".to_string()
        } else {
            format!("{} identities broken.", a.broken)
        };
        view! {
            <div class="identities-box" aria-live="polite">
                <h4>"Identities " <span class="muted small" data-testid="identities-summary">{summary}</span></h4>
                <ul class="identities">{forms.into_iter().map(line).collect_view()}{rows_view}</ul>
            </div>
        }
        .into_any()
    }
}
