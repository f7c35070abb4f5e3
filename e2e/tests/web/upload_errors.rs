//! Upload errors land on the field they are about: a JSON error or a bad record in the pasted
//! text is shown under Records (which takes focus), not under the file input.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::App;

#[tokio::test]
async fn a_json_error_in_pasted_records_is_shown_under_records() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/datasets").await;
    fill(c, &tid("input-name"), "broken").await;
    for body in [
        r#"[{"id": "a", "input": {"text": "x"},"#,
        r#"[{"id": "a"}]"#,
    ] {
        fill(c, &tid("upload-body"), body).await;
        click(c, &tid("upload-submit")).await;
        let shown = until("an error under Records", WAIT, || async {
            let t = text(c, &tid("error-body")).await;
            (!t.is_empty()).then_some(t)
        })
        .await;
        assert!(
            shown.contains("records") || shown.contains("file"),
            "{body}: {shown}"
        );
        let placed = js(
            c,
            "const field = document.getElementById('f-body').closest('.field'); \
             return field.contains(document.querySelector('[data-testid=\"error-body\"] li')) \
                 && field.classList.contains('invalid') \
                 && document.activeElement.id === 'f-body';",
            vec![],
        )
        .await;
        assert_eq!(placed, serde_json::json!(true), "{body}: {shown}");
        assert_eq!(
            text(c, &tid("upload-errors")).await,
            "",
            "nothing under the file input"
        );
    }
    screenshot(c, "datasets-02-upload-error").await;
    browser.close().await;
}
