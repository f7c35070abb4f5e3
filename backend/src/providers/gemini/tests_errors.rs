//! Gemini error handling and the response cache, against local wiremock servers.

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::tests::*;
use super::*;

/// Mounts one response that must be requested exactly `times` times; returns the error.
async fn fails_with(status: u16, body: &str, times: u64) -> ProviderError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(times)
        .mount(&server)
        .await;
    provider(&server)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn malformed_body_is_fatal() {
    let err = fails_with(200, "<html>proxy error</html>", 1).await;
    assert!(
        matches!(&err, ProviderError::Call(m) if m.starts_with("malformed response body")),
        "{err}"
    );
}

#[tokio::test]
async fn max_tokens_is_a_truncation_error_and_not_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(ok_body(&REPORT[..80], "MAX_TOKENS")),
        )
        .expect(2)
        .mount(&server)
        .await;
    let p = provider(&server);
    for _ in 0..2 {
        let err = p
            .complete(&input(), &config(), CallOptions::default())
            .await
            .unwrap_err();
        let msg = err.to_string();
        // Truncated, but billed: the tokens and their cost come with the error.
        let ProviderError::Unusable { usage, .. } = &err else {
            panic!("{msg}");
        };
        assert_eq!(usage.output_tokens, Some(300), "{msg}");
        assert!(usage.cost_usd.is_some_and(|c| c > 0.0), "{usage:?}");
        assert!(
            msg.contains("finishReason MAX_TOKENS after 300 output tokens")
                && msg.contains("max_output_tokens"),
            "{msg}"
        );
    }
}

#[tokio::test]
async fn blocked_prompt_names_the_reason() {
    let err = fails_with(200, &fixture("vertex-prompt-blocked.json"), 1).await;
    assert!(
        matches!(&err, ProviderError::Unusable { message, .. } if message == "prompt blocked: SAFETY"),
        "{err:?}"
    );
}

#[tokio::test]
async fn permission_denied_is_not_retried() {
    let err = fails_with(403, &fixture("vertex-error-403-iam.json"), 1)
        .await
        .to_string();
    assert!(
        err.starts_with(
            "HTTP 403 PERMISSION_DENIED: Permission 'aiplatform.endpoints.predict' denied"
        ),
        "{err}"
    );
    assert!(err.contains("not retried"), "{err}");
}

#[tokio::test]
async fn daily_quota_is_not_retried() {
    let body = fixture("gemini-error-429.json").replace("PerMinute", "PerDay");
    let err = fails_with(429, &body, 1).await;
    assert!(err.dooms_later_calls(), "{err}");
    let err = err.to_string();
    assert!(
        err.starts_with("daily quota exhausted: HTTP 429 RESOURCE_EXHAUSTED"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_api_key_is_fatal_with_the_api_message() {
    let err = fails_with(400, &fixture("gemini-error-400-api-key.json"), 1).await;
    assert!(err.dooms_later_calls(), "{err}");
    let err = err.to_string();
    assert!(
        err.starts_with(
            "HTTP 400 INVALID_ARGUMENT: API key not valid. Please pass a valid API key."
        ),
        "{err}"
    );
    assert!(!err.contains("test-key"));
}

#[tokio::test]
async fn identical_calls_hit_the_cache_unless_bypassed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    let p = provider(&server);
    let live = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    let hit = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert!(hit.cached && !live.cached);
    assert_eq!(
        (hit.cost_usd, hit.retries, hit.text.as_str()),
        (Some(0.0), 0, REPORT)
    );
    assert_eq!(
        (hit.input_tokens, hit.output_tokens),
        (live.input_tokens, live.output_tokens)
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "second call came from the cache"
    );
    let bypass = p
        .complete(
            &input(),
            &config(),
            CallOptions {
                use_cache: false,
                ..CallOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(!bypass.cached);
}

#[tokio::test]
async fn vertex_bare_429_backs_off() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_string(fixture("vertex-error-429.json")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        provider(&server)
            .complete(&input(), &config(), CallOptions::default())
            .await
            .unwrap()
            .retries,
        1
    );
}
