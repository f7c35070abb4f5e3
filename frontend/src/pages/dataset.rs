//! Dataset (`/datasets/:name`): versions, records with their label audit, and label
//! correction into a new version.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use shared::{DatasetRecordView, DatasetVersionCreated};

use crate::api;
use crate::auth::Auth;
use crate::components::datadog::PushToDatadog;
use crate::components::flags::Flags;
use crate::components::image_check::ImageCheckPanel;
use crate::components::label_editor::LabelEditor;
use crate::components::pager::Pager;
use crate::components::status::{ErrorView, Loading};
use crate::format::when;

const PAGE: u64 = 20;

/// The dataset page.
#[component]
pub fn DatasetPage() -> impl IntoView {
    let auth = Auth::get();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    Effect::new(move |_| crate::dom::set_title(&format!("Dataset {}", name.get())));
    // The version, page, filter and search live in the URL
    // (`?version=2&issues=0&q=…&offset=20`): a view can be linked and survives a reload.
    let query = use_query_map();
    let initial = |key: &str| query.with_untracked(|q| q.get(key)).unwrap_or_default();
    // None = latest.
    let version = RwSignal::new(initial("version").parse::<u32>().ok());
    let offset = RwSignal::new(initial("offset").parse::<u64>().unwrap_or(0));
    let editing = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0u32);
    let detail = LocalResource::new(move || {
        auth.track();
        reload.track();
        let name = name.get();
        async move { api::dataset(&name).await }
    });
    // Records with label issues first: the filter is on as soon as the version shown has
    // any (until the user turns it off).
    let issues_only = RwSignal::new(match initial("issues").as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    });
    let search = RwSignal::new(initial("q"));
    let applied_search = RwSignal::new(initial("q"));
    // Replaced, not pushed; not on the first run (it would overwrite the previous page).
    let navigate = use_navigate();
    Effect::new(move |ran: Option<()>| {
        let mut parts = Vec::new();
        if let Some(v) = version.get() {
            parts.push(format!("version={v}"));
        }
        if let Some(i) = issues_only.get() {
            parts.push(format!("issues={}", u8::from(i)));
        }
        if !applied_search.get().is_empty() {
            parts.push(format!(
                "q={}",
                crate::format::encode(&applied_search.get())
            ));
        }
        if offset.get() > 0 {
            parts.push(format!("offset={}", offset.get()));
        }
        if ran.is_none() {
            return;
        }
        let url = format!(
            "/datasets/{}?{}",
            crate::format::encode(&name.get_untracked()),
            parts.join("&")
        );
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&url, options);
    });
    let issues_in_version = Memo::new(move |_| match detail.get() {
        Some(Ok(d)) => {
            let shown = version.get().unwrap_or(d.info.latest_version);
            d.versions
                .iter()
                .find(|v| v.version == shown)
                .map_or(0, |v| v.label_issues)
        }
        _ => 0,
    });
    let only_issues =
        Signal::derive(move || issues_only.get().unwrap_or(issues_in_version.get() > 0));
    let records = LocalResource::new(move || {
        auth.track();
        reload.track();
        let (name, version, offset) = (name.get(), version.get(), offset.get());
        let only = api::DatasetRecordsFilter {
            issues: only_issues.get(),
            search: applied_search.get(),
        };
        // Before the versions are read the default of the filter is unknown: wait for them.
        let ready = issues_only.get().is_some() || detail.get().is_some();
        async move {
            if !ready {
                return Ok(shared::Page {
                    items: Vec::new(),
                    total: 0,
                    offset: 0,
                    limit: PAGE,
                });
            }
            api::dataset_records(&name, version, &only, offset, PAGE).await
        }
    });
    let total = Signal::derive(move || match records.get() {
        Some(Ok(p)) => p.total,
        _ => 0,
    });
    let notice = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |c: DatasetVersionCreated| {
        notice.set(Some(format!(
            "Label saved: {} is now at version {} ({}).",
            c.name, c.version.version, c.version.note
        )));
        editing.set(None);
        version.set(Some(c.version.version));
        reload.update(|r| *r += 1);
    });
    let versions = move || match detail.get() {
        None => view! { <Loading what="versions"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(d)) => {
            let latest = d.info.latest_version;
            let rows = d
                .versions
                .into_iter()
                .rev()
                .map(|v| {
                    let n = v.version;
                    let current = move || version.get().unwrap_or(latest) == n;
                    view! {
                        <tr class:current=current data-testid="version-row">
                            <th scope="row">"v" {n}</th>
                            <td class="num">{crate::format::count(v.record_count)}</td>
                            <td class="num">{crate::format::count(v.label_issues)}</td>
                            <td>{v.note}</td>
                            <td class="nowrap">{when(&v.created_at)}</td>
                            <td>
                                <button type="button" class="link" aria-pressed=move || current().to_string()
                                    on:click=move |_| { offset.set(0); version.set(Some(n)); }>
                                    {move || if current() { "Showing" } else { "Show records" }}
                                </button>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p class="lead">{d.info.description.clone()}</p>
                <div class="table-wrap">
                    <table data-testid="versions-table">
                        <caption>"Versions"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Version"</th><th scope="col">"Records"</th>
                                <th scope="col">"Label issues"</th><th scope="col">"Note"</th>
                                <th scope="col">"Created"</th><th scope="col"><span class="sr-only">"Action"</span></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <h1>"Dataset " <code>{move || name.get()}</code></h1>
        {move || notice.get().map(|n| view! { <p class="success" role="status" data-testid="label-saved">{n}</p> })}
        {versions}
        <PushToDatadog name=name.into() version=version.into()/>
        <ImageCheckPanel name=name version=version reload=reload/>
        <section aria-labelledby="ds-records-title">
            <h2 id="ds-records-title">
                "Records of " {move || version.get().map_or_else(|| "the latest version".into(), |v| format!("v{v}"))}
            </h2>
            <form class="filters" role="search" aria-label="Filter records"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    offset.set(0);
                    applied_search.set(search.get_untracked());
                }>
                <div class="check">
                    <input id="only-issues" type="checkbox" data-testid="only-label-issues"
                        prop:checked=move || only_issues.get()
                        on:change=move |ev| { offset.set(0); issues_only.set(Some(event_target_checked(&ev))); }/>
                    <label for="only-issues">
                        "Only records with label issues (" {move || issues_in_version.get()} ")"
                    </label>
                </div>
                <div class="field">
                    <label for="record-search">"Record id contains"</label>
                    <input id="record-search" type="search" data-testid="dataset-record-search" bind:value=search/>
                </div>
                <button type="submit" data-testid="dataset-record-search-apply">"Search"</button>
            </form>
            {move || match records.get() {
                None => view! { <Loading what="records"/> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! {
                    <p class="empty" data-testid="no-dataset-records">"No record matches."</p>
                }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
                Some(Ok(p)) => p
                    .items
                    .into_iter()
                    .map(|r| view! { <RecordCard record=r dataset=name.get_untracked() version=version.get_untracked() editing=editing on_saved=on_saved/> })
                    .collect_view()
                    .into_any(),
            }}
            <Pager offset=offset limit=PAGE total=total label="Record pages"/>
        </section>
    }
}

#[component]
fn RecordCard(
    record: DatasetRecordView,
    dataset: String,
    version: Option<u32>,
    editing: RwSignal<Option<String>>,
    on_saved: Callback<DatasetVersionCreated>,
) -> impl IntoView {
    let r = record.record;
    let id = r.id.clone();
    let id2 = id.clone();
    let is_editing = Signal::derive(move || editing.with(|e| e.as_deref() == Some(id.as_str())));
    let forms: Vec<String> = r
        .expected_output
        .0
        .iter()
        .map(|f| {
            f.form_info
                .form_type
                .map_or("?", |t| t.as_str())
                .to_string()
        })
        .collect();
    let review = r.metadata.get("review").map(|v| {
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("?").to_string();
        let from = v
            .get("from_version")
            .and_then(|x| x.as_u64())
            .map_or_else(String::new, |n| format!(", from v{n}"));
        format!(
            "Label reviewed by {} on {}{from}",
            field("reviewed_by"),
            when(&field("reviewed_at"))
        )
    });
    let text = r.input.text.clone().unwrap_or_default();
    let expected_json = serde_json::to_string_pretty(&r.expected_output).unwrap_or_default();
    let flagged = !record.label_flags.is_empty();
    let (expected, rid) = (r.expected_output.clone(), r.id.clone());
    view! {
        <article class="card record-card" class:flagged=flagged data-testid="dataset-record">
            <h3>{r.id.clone()} {r.input.form_set_name.clone().map(|n| format!(" · {n}"))}</h3>
            <p class="muted">"Forms: " {forms.join(", ")} " · input text " {crate::format::count(text.chars().count() as u64)} " characters"</p>
            {review.map(|rv| view! { <p class="muted small" data-testid="review">{rv}</p> })}
            <div>"Label audit: " <Flags flags=record.label_flags testid="label-flags"/></div>
            <details>
                <summary>"Input text and expected output"</summary>
                <pre class="raw">{text}</pre>
                <pre class="raw">{expected_json}</pre>
            </details>
            <button type="button" data-testid="edit-label" aria-expanded=move || is_editing.get().to_string()
                on:click=move |_| editing.update(|e| {
                    *e = if e.as_deref() == Some(id2.as_str()) { None } else { Some(id2.clone()) }
                })>
                {move || if is_editing.get() { "Close editor" } else { "Correct label" }}
            </button>
            <Show when=move || is_editing.get()>
                <LabelEditor dataset=dataset.clone() record_id=rid.clone() base_version=version
                    expected=expected.clone() on_saved=on_saved/>
            </Show>
        </article>
    }
}
