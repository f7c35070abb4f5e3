//! Changing the API key mid-session: a wrong key brings the prompt back, the right one
//! resumes, and nothing the page built before (a preset's config rows) stops working.

use crate::browser::{screenshot, Browser};
use crate::steps::*;
use crate::world::{App, KEY};

/// Enters `key` in the open prompt and saves it.
async fn enter_key(c: &fantoccini::Client, key: &str) {
    fill(c, &tid("api-key-input"), key).await;
    click(c, &tid("api-key-save")).await;
}

#[tokio::test]
async fn a_wrong_then_right_key_after_a_preset_keeps_the_app_alive() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    click(c, &tid("preset-offline-baseline")).await;
    assert_eq!(at_least(c, &tid("config-row"), 2).await.len(), 2);

    click(c, &tid("change-api-key")).await;
    enter_key(c, "wrong-key").await;
    // The refetch is refused: the prompt comes back.
    find(c, &tid("api-key-prompt")).await;
    enter_key(c, KEY).await;
    until("the prompt closes", WAIT, || async {
        all(c, &tid("api-key-prompt"))
            .await
            .is_empty()
            .then_some(())
    })
    .await;

    // The preset's rows still answer: add one, and the preview follows.
    click(c, &tid("add-config")).await;
    assert_eq!(at_least(c, &tid("config-row"), 3).await.len(), 3);
    fill(c, &tid("input-model_configs[0].name_suffix"), "renamed").await;
    let fatal = all(c, ".fatal").await;
    assert!(fatal.is_empty(), "the app stopped: {:?}", {
        let mut t = Vec::new();
        for f in fatal {
            t.push(f.text().await.unwrap_or_default());
        }
        t
    });
    screenshot(c, "key-change-01-after-right-key").await;
    browser.close().await;
}
