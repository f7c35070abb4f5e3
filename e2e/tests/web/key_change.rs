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

/// Waits until the key prompt is gone.
async fn prompt_closes(c: &fantoccini::Client) {
    until("the prompt closes", WAIT, || async {
        all(c, &tid("api-key-prompt"))
            .await
            .is_empty()
            .then_some(())
    })
    .await;
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
    prompt_closes(c).await;

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

/// The `data-testid` (or the id) of the focused element.
async fn focused(c: &fantoccini::Client) -> String {
    js(
        c,
        "const a = document.activeElement; \
         return (a && (a.dataset.testid || a.id || a.tagName)) || '';",
        vec![],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Sends a key to whatever has focus.
async fn press(c: &fantoccini::Client, key: &str) {
    c.active_element()
        .await
        .expect("active element")
        .send_keys(key)
        .await
        .expect("send keys");
}

#[tokio::test]
async fn the_key_dialog_keeps_focus_and_gives_it_back() {
    const TAB: &str = "\u{E004}";
    const SHIFT_TAB: &str = "\u{E008}\u{E004}";
    const ESCAPE: &str = "\u{E00C}";
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    open_logged_in(&app, c, "/").await;
    find(c, &tid("preset-offline-baseline")).await;
    click(c, &tid("change-api-key")).await;
    find(c, &tid("api-key-prompt")).await;
    assert_eq!(focused(c).await, "api-key-input");
    let inside = js(
        c,
        "return Array.from(document.querySelectorAll('[data-testid=\"api-key-prompt\"] input, \
         [data-testid=\"api-key-prompt\"] button')).length;",
        vec![],
    )
    .await
    .as_u64()
    .unwrap();
    // Around the dialog twice each way: focus never reaches the page behind.
    for key in [TAB, SHIFT_TAB] {
        for _ in 0..(2 * inside + 1) {
            press(c, key).await;
            let in_dialog = js(
                c,
                "return !!document.activeElement.closest('[data-testid=\"api-key-prompt\"]');",
                vec![],
            )
            .await;
            assert_eq!(
                in_dialog,
                serde_json::json!(true),
                "focus left on {}",
                focused(c).await
            );
        }
    }
    press(c, ESCAPE).await;
    prompt_closes(c).await;
    assert_eq!(
        focused(c).await,
        "change-api-key",
        "focus returns to the trigger"
    );
    browser.close().await;
}

/// A wrong stored key asks once: closed, the prompt stays closed while the header keeps
/// polling for running experiments in the background.
#[tokio::test]
async fn background_polls_do_not_reopen_the_key_prompt() {
    let app = App::start();
    let browser = Browser::start().await;
    let c = browser.client();
    c.goto(&app.url("/not-a-page")).await.unwrap();
    js(
        c,
        "localStorage.setItem('tallylab.apiKey', 'wrong-key');",
        vec![],
    )
    .await;
    c.goto(&app.url("/datasets")).await.unwrap();
    find(c, &tid("api-key-prompt")).await;
    click(c, &tid("api-key-cancel")).await;
    prompt_closes(c).await;
    // Two of the header's polls (every 3 s) go by.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    assert!(
        all(c, &tid("api-key-prompt")).await.is_empty(),
        "the prompt came back by itself"
    );
    browser.close().await;
}
