//! Datasets (`/datasets`): the list and the upload of a new version.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::{DatasetVersionCreated, FieldError};

use crate::api::{self, ApiError};
use crate::auth::Auth;
use crate::components::fields::{FieldErrors, TextField};
use crate::components::status::{ErrorView, Loading};
use crate::dom::read_file;
use crate::format::{encode, when};

/// The datasets page.
#[component]
pub fn DatasetsPage() -> impl IntoView {
    crate::dom::set_title("Datasets");
    let auth = Auth::get();
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        auth.track();
        reload.track();
        api::datasets()
    });
    let table = move || match list.get() {
        None => view! { <Loading what="datasets"/> }.into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(items)) => {
            let rows = items
                .into_iter()
                .map(|d| {
                    view! {
                        <tr data-testid="dataset-row">
                            <th scope="row"><A href=format!("/datasets/{}", encode(&d.name))>{d.name}</A></th>
                            <td>{d.description}</td>
                            <td class="num">"v" {d.latest_version}</td>
                            <td class="num">{d.record_count}</td>
                            <td class="nowrap">{when(&d.created_at)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table data-testid="datasets-table">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th><th scope="col">"Description"</th>
                                <th scope="col">"Latest"</th><th scope="col">"Records"</th><th scope="col">"Created"</th>
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
        <h1>"Datasets"</h1>
        {table}
        <Upload on_done=Callback::new(move |()| reload.update(|r| *r += 1))/>
    }
}

/// Upload form: paste the records or choose a file; the raw text goes to the server, which
/// validates every record.
#[component]
fn Upload(on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let errors = FieldErrors::new();
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<DatasetVersionCreated>);
    let failure = RwSignal::new(None::<ApiError>);
    let file: NodeRef<html::Input> = NodeRef::new();
    let choose = move |_| {
        let Some(input) = file.get() else { return };
        spawn_local(async move {
            match read_file(&input).await {
                Ok((file_name, text)) => {
                    if name.get_untracked().is_empty() {
                        let stem = file_name.split('.').next().unwrap_or_default().to_string();
                        name.set(stem);
                    }
                    body.set(text);
                }
                Err(e) => errors.set(vec![FieldError {
                    field: "body".into(),
                    message: e,
                }]),
            }
        });
    };
    // The server names what it read "file" (the text, pasted or chosen) and its records
    // "records[i]…": both are about the Records field, and are shown under it.
    let about_records =
        |field: &str| field == "body" || field == "file" || field.starts_with("records");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, text) = (name.get_untracked(), body.get_untracked());
        let mut errs = Vec::new();
        if n.trim().is_empty() {
            errs.push(FieldError {
                field: "name".into(),
                message: "must not be empty".into(),
            });
        }
        if text.trim().is_empty() {
            errs.push(FieldError {
                field: "body".into(),
                message: "paste records or choose a file".into(),
            });
        }
        errors.set(errs);
        if errors.any() {
            return;
        }
        busy.set(true);
        failure.set(None);
        created.set(None);
        spawn_local(async move {
            match api::upload_version(n.trim(), text).await {
                Ok(c) => {
                    created.set(Some(c));
                    on_done.run(());
                }
                Err(e) => {
                    errors.set(e.field_errors());
                    failure.set(Some(e));
                    // Focus where the problem is (a problem with no field keeps focus put).
                    let (on_name, on_records) = errors.0.with_untracked(|v| {
                        (
                            v.iter().any(|e| e.field == "name"),
                            v.iter().any(|e| about_records(&e.field)),
                        )
                    });
                    if on_records {
                        crate::dom::focus("f-body");
                    } else if on_name {
                        crate::dom::focus("f-name");
                    }
                }
            }
            busy.set(false);
        });
    };
    let records_errors = move || {
        errors
            .0
            .get()
            .into_iter()
            .filter(|e| about_records(&e.field))
            .map(|e| {
                let at = (e.field != "body").then(|| view! { <code>{e.field}</code> ": " });
                view! { <li>{at}{e.message}</li> }
            })
            .collect_view()
    };
    let records_invalid = move || errors.0.with(|v| v.iter().any(|e| about_records(&e.field)));
    let other_errors = move || {
        errors
            .0
            .get()
            .into_iter()
            .filter(|e| e.field != "name" && !about_records(&e.field))
            .map(|e| view! { <li><code>{e.field}</code> ": " {e.message}</li> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="upload-title">
            <h2 id="upload-title">"Upload a version"</h2>
            <p class="muted">
                "A JSON array of records, JSON Lines, or the original project's {metadata, records} file. "
                "Uploading to an existing name adds a version."
            </p>
            <form on:submit=submit novalidate data-testid="upload-form">
                <TextField label="Dataset name" path="name" value=name errors=errors
                    hint="Letters, digits, '-', '_' or '.'"/>
                <div class="field" class:invalid=records_invalid>
                    <label for="f-body">"Records"</label>
                    <textarea id="f-body" rows="8" spellcheck="false" data-testid="upload-body"
                        aria-invalid=move || if records_invalid() { "true" } else { "false" }
                        aria-describedby="f-body-error"
                        prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    <ul class="field-error" id="f-body-error" data-testid="error-body">{records_errors}</ul>
                </div>
                <div class="field">
                    <label for="upload-file">"…or choose a file"</label>
                    <input id="upload-file" type="file" accept=".json,.jsonl,.txt,application/json" node_ref=file on:change=choose/>
                </div>
                <ul class="field-error" data-testid="upload-errors">{other_errors}</ul>
                <button type="submit" class="primary" data-testid="upload-submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Uploading…" } else { "Upload" }}
                </button>
            </form>
            {move || failure.get().map(|e| view! { <ErrorView error=e/> })}
            {move || created.get().map(|c| {
                let href = format!("/datasets/{}", encode(&c.name));
                view! {
                    <p class="success" role="status" data-testid="upload-result">
                        "Created " <A href=href>{c.name.clone()} " v" {c.version.version}</A> " with "
                        {c.version.record_count} " records; " {c.label_audit.len()} " labels break an identity."
                    </p>
                }
            })}
        </section>
    }
}
