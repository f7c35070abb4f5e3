//! The response cache as an OpenAI-compatible provider uses it: a second identical call is
//! served from it (or bypassed), and each repetition is cached apart.

use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

use super::tests::{config, input, ok, provider};
use crate::providers::{CallOptions, Provider};

#[tokio::test]
async fn second_identical_call_hits_the_cache_and_can_bypass_it() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(&server);
    let first = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    let second = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert!(!first.cached && second.cached);
    assert_eq!(second.text, first.text);
    assert_eq!((second.cost_usd, second.retries), (Some(0.0), 0));
    assert_eq!(second.input_tokens, first.input_tokens);
    server.verify().await;

    let other = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(2)
        .mount(&other)
        .await;
    let p = provider(&other);
    let bypass = CallOptions {
        use_cache: false,
        ..CallOptions::default()
    };
    for _ in 0..2 {
        assert!(
            !p.complete(&input(), &config(), bypass)
                .await
                .unwrap()
                .cached
        );
    }
}

/// A repetition is a new answer, cached under its own key: repetition 1 never gets
/// repetition 0's cached answer, and asking repetition 1 again is served from the cache.
#[tokio::test]
async fn each_repetition_is_answered_anew_and_cached_apart() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    let p = provider(&server);
    let cached = |repetition: u32| {
        let p = &p;
        async move {
            let options = CallOptions {
                repetition,
                ..CallOptions::default()
            };
            p.complete(&input(), &config(), options)
                .await
                .unwrap()
                .cached
        }
    };
    assert!(!cached(0).await);
    assert!(cached(0).await);
    assert!(
        !cached(1).await,
        "repetition 1 is not repetition 0's answer"
    );
    assert!(cached(1).await);
}
