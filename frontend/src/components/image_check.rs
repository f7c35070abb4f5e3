//! Whether a dataset version's images resolve on the server, shown before anything runs.

use leptos::prelude::*;
use shared::ImageCheck;

use crate::api;
use crate::auth::Auth;
use crate::components::status::ErrorView;

/// The image check of `name` at `version` (None = latest): counts, and the paths that do
/// not resolve with why. Says nothing for a dataset without images.
#[component]
pub fn ImageCheckPanel(
    name: Memo<String>,
    version: RwSignal<Option<u32>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let auth = Auth::get();
    let check = LocalResource::new(move || {
        auth.track();
        reload.track();
        let (name, version) = (name.get(), version.get());
        async move { api::image_check(&name, version).await }
    });
    move || match check.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
        Some(Ok(c)) if c.records_with_images == 0 => ().into_any(),
        Some(Ok(c)) => view! { <Panel check=c/> }.into_any(),
    }
}

#[component]
fn Panel(check: ImageCheck) -> impl IntoView {
    let summary = summary(&check);
    let all_ok = check.unresolved == 0;
    let listed = check.problems.len() as u64;
    let more = (check.unresolved > listed)
        .then(|| format!("and {} more not listed", check.unresolved - listed));
    let rows = check
        .problems
        .into_iter()
        .map(|p| {
            view! {
                <tr data-testid="image-problem">
                    <th scope="row"><code>{p.record_id}</code></th>
                    <td><code class="wrap">{p.image}</code></td>
                    <td>{p.reason}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="images-title" data-testid="image-check">
            <h2 id="images-title">"Images"</h2>
            <p class:success=all_ok class:warning=!all_ok role="status" data-testid="image-summary">{summary}</p>
            {(!all_ok).then(|| view! {
                <div class="table-wrap">
                    <table data-testid="image-problems">
                        <caption>"Image paths that do not resolve"</caption>
                        <thead><tr><th scope="col">"Record"</th><th scope="col">"Path"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {more.map(|m| view! { <p>{m}</p> })}
            })}
        </section>
    }
}

/// "3 of 5 records with images resolve (5 local paths: 3 found, 2 not; 1 URL(s) fetched
/// when run)."
pub fn summary(c: &ImageCheck) -> String {
    let ok_records = c.records_with_images - c.records_unresolved;
    let mut parts = vec![format!("{} found", c.resolved)];
    if c.unresolved > 0 {
        parts.push(format!("{} not", c.unresolved));
    }
    let mut s = format!(
        "{ok_records} of {} records with images resolve ({} local path{}: {}",
        c.records_with_images,
        c.resolved + c.unresolved,
        if c.resolved + c.unresolved == 1 {
            ""
        } else {
            "s"
        },
        parts.join(", ")
    );
    if c.remote > 0 {
        s.push_str(&format!("; {} URL(s) fetched when run", c.remote));
    }
    if c.inline > 0 {
        s.push_str(&format!("; {} inline", c.inline));
    }
    s.push_str(").");
    if !c.image_root_set && c.resolved + c.unresolved > 0 {
        s.push_str(" The server has no IMAGE_ROOT: local image paths cannot be read.");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_records_and_paths() {
        let c = ImageCheck {
            dataset_name: "d".into(),
            version: 1,
            records: 5,
            records_with_images: 5,
            records_unresolved: 2,
            resolved: 3,
            unresolved: 2,
            remote: 1,
            inline: 0,
            image_root_set: true,
            problems: Vec::new(),
        };
        assert_eq!(
            summary(&c),
            "3 of 5 records with images resolve (5 local paths: 3 found, 2 not; 1 URL(s) fetched when run)."
        );
    }
}
