//! The compare page as a triage tool: A − B per field, sortable; a disagreement opened to
//! expected vs A vs B with links to each trial; the baseline swapped (and Back undoing it).

use fantoccini::Locator;

use crate::browser::{screenshot, Browser};
use crate::pages::GoodAndBad;
use crate::steps::*;

#[tokio::test]
async fn compare_opens_disagreements_sorts_differences_and_swaps_the_baseline() {
    let oracles = GoodAndBad::run().await;
    let (app, path) = (&oracles.app, oracles.compare.clone());

    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(app, c, &path).await;
    let first = text(c, &tid("compared-experiment")).await;
    assert!(
        first.starts_with("A (baseline):") && first.contains("good"),
        "{first}"
    );

    // A − B, largest first by default: where B lost most is on top.
    let diffs = at_least(c, &tid("field-diff"), 2).await;
    let mut values = Vec::new();
    for d in &diffs {
        values.push(d.text().await.unwrap());
    }
    assert!(
        values[0].starts_with('+'),
        "the good model leads on the top field: {values:?}"
    );
    assert_eq!(
        attr(
            c,
            "th[aria-sort=descending] [data-testid=sort-diff-1]",
            "type"
        )
        .await
        .as_deref(),
        Some("button")
    );
    click(c, &tid("sort-diff-1")).await;
    find(c, "th[aria-sort=ascending] [data-testid=sort-diff-1]").await;
    let last_first = text(c, &tid("field-diff")).await;
    assert!(
        !last_first.starts_with('+') || values.iter().all(|v| v.starts_with('+')),
        "{last_first} {values:?}"
    );

    // A disagreement opens to expected vs A vs B on the fields that differ.
    let rows = at_least(c, &tid("disagreement"), 1).await;
    let record = rows[0]
        .find(Locator::Css("th"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    click(c, &tid("expand-disagreement")).await;
    assert_eq!(
        attr(c, &tid("expand-disagreement"), "aria-expanded")
            .await
            .as_deref(),
        Some("true")
    );
    let fields = at_least(c, &tid("side-by-side-field"), 1).await;
    let line = fields[0].text().await.unwrap();
    assert!(
        line.contains("✓ right") && line.contains("✗ wrong"),
        "A right, B wrong: {line}"
    );
    screenshot(c, "compare-04-disagreement-open").await;

    // Each trial is a link away.
    let link = format!("a[href*=\"q={}\"]", percent_encode(&record));
    click(c, &link).await;
    until("the experiment page searching the record", WAIT, || async {
        let url = c.current_url().await.ok()?;
        (url.path().starts_with("/experiments/") && url.query().is_some_and(|q| q.contains("q=")))
            .then_some(())
    })
    .await;
    find(c, &tid("experiment-title")).await;
    c.back().await.unwrap();

    // Swap: B becomes the baseline, the verdict turns round, Back restores it.
    click(c, &tid("swap-baseline")).await;
    until("the bad model as the baseline", WAIT, || async {
        let t = text(c, &tid("compared-experiment")).await;
        (t.starts_with("A (baseline):") && t.contains("bad")).then_some(())
    })
    .await;
    let overall = overall_verdict(c).await;
    assert_eq!(overall, "b better", "the good model is now B");
    screenshot(c, "compare-05-swapped").await;
    c.back().await.unwrap();
    until("the good model back as the baseline", WAIT, || async {
        let t = text(c, &tid("compared-experiment")).await;
        t.contains("good").then_some(())
    })
    .await;
    assert_eq!(overall_verdict(c).await, "a better");
    browser.close().await;
}

async fn overall_verdict(c: &fantoccini::Client) -> String {
    until("the overall accuracy verdict", WAIT, || async {
        for row in all(c, &tid("verdict")).await {
            let head = row.find(Locator::Css("th")).await.ok()?.text().await.ok()?;
            if head == "Overall accuracy" {
                let word = row
                    .find(Locator::Css("[data-testid=verdict-word]"))
                    .await
                    .ok()?
                    .text()
                    .await
                    .ok()?;
                return Some(word.to_lowercase());
            }
        }
        None
    })
    .await
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
