//! Failures against a wiremock server: retries, fatal errors, unusable answers, the
//! response_format downgrade, and keys that must not leak (the classification rules on
//! their own are tested in `classify.rs`).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::tests::{bodies, config, input, ok, ok_body, provider, REPORTS};
use super::*;

fn error(status: u16, message: &str, kind: &str, param: Value, code: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        json!({"error": {"message": message, "type": kind, "param": param, "code": code}}),
    )
}

async fn call(server: &MockServer) -> Result<Completion, ProviderError> {
    provider(server)
        .complete(&input(), &config(), CallOptions::default())
        .await
}

#[tokio::test]
async fn rate_limit_waits_for_the_prose_hint_then_succeeds() {
    let server = MockServer::start().await;
    let msg = "Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): \
               Limit 3, Used 3, Requested 1. Please try again in 0.2s. Visit \
               https://platform.openai.com/account/rate-limits to learn more.";
    Mock::given(path("/v1/chat/completions"))
        .respond_with(error(
            429,
            msg,
            "requests",
            Value::Null,
            json!("rate_limit_exceeded"),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let start = Instant::now();
    let c = call(&server).await.unwrap();
    assert_eq!(c.retries, 1);
    assert!(
        start.elapsed() >= Duration::from_millis(190),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    let server = MockServer::start().await;
    let msg = "You exceeded your current quota, please check your plan and billing details.";
    Mock::given(path("/v1/chat/completions"))
        .respond_with(error(
            429,
            msg,
            "insufficient_quota",
            Value::Null,
            json!("insufficient_quota"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&server).await.unwrap_err();
    assert!(err.dooms_later_calls(), "{err}");
    let err = err.to_string();
    assert!(
        err.contains("HTTP 429 insufficient_quota: You exceeded"),
        "{err}"
    );
}

#[tokio::test]
async fn server_error_then_success() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(error(
            500,
            "The server had an error",
            "server_error",
            Value::Null,
            Value::Null,
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(call(&server).await.unwrap().retries, 1);
}

#[tokio::test]
async fn timeouts_give_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok().set_delay(Duration::from_secs(2)))
        .expect(3)
        .mount(&server)
        .await;
    let p = provider(&server).with_policy(CallPolicy {
        timeout: Duration::from_millis(100),
        ..super::tests::policy()
    });
    let err = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProviderError::Call(m) if m.contains("timed out") && m.contains("3 attempts")),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_body_is_a_call_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"choices\": [ {\"message\": "))
        // A malformed answer is the model's fault, not the network's: asked once, not retried.
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&server).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Call(m) if m.contains("malformed chat completion response")),
        "{err}"
    );
}

#[tokio::test]
async fn unusable_answers_are_errors_that_still_cost() {
    let cases = [
        (
            "length",
            json!("{\"reports\": [{\"form_in"),
            Value::Null,
            "truncated (finish_reason length after 15 completion tokens)",
        ),
        (
            "stop",
            Value::Null,
            json!("I'm sorry, I can't help with that."),
            "model refused: I'm sorry",
        ),
        ("content_filter", Value::Null, Value::Null, "content filter"),
        ("stop", json!("  "), Value::Null, "empty response"),
    ];
    for (finish, content, refusal, expected) in cases {
        let server = MockServer::start().await;
        let mut body = ok_body(
            content,
            Some(json!({"prompt_tokens": 100, "completion_tokens": 15})),
        );
        body["choices"][0]["finish_reason"] = json!(finish);
        body["choices"][0]["message"]["refusal"] = refusal;
        Mock::given(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let err = call(&server).await.unwrap_err();
        let ProviderError::Unusable { message, usage } = &err else {
            panic!("{finish}: {err:?}");
        };
        assert!(message.contains(expected), "{finish}: {message}");
        // 100 in at 2.5 and 15 out at 10 dollars per million tokens.
        assert_eq!(
            (usage.input_tokens, usage.output_tokens),
            (Some(100), Some(15))
        );
        let cost = usage.cost_usd.unwrap();
        assert!(
            (cost - (100.0 * 2.5 + 15.0 * 10.0) / 1e6).abs() < 1e-12,
            "{cost}"
        );
    }
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let server = MockServer::start().await;
    let msg = "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.";
    Mock::given(path("/v1/chat/completions"))
        .respond_with(error(
            401,
            msg,
            "invalid_request_error",
            Value::Null,
            json!("invalid_api_key"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&server).await.unwrap_err();
    assert!(err.dooms_later_calls(), "{err}");
    let err = err.to_string();
    assert!(
        err.starts_with("HTTP 401 invalid_api_key: Incorrect API key"),
        "{err}"
    );
}

#[tokio::test]
async fn unsupported_json_schema_downgrades_once_and_remembers() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_schema"}}),
        ))
        .respond_with(error(
            400,
            "response_format 'json_schema' is not supported by this model",
            "invalid_request_error",
            json!("response_format"),
            Value::Null,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    let p = provider(&server);
    let first = p
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
    assert_eq!((first.text.as_str(), first.retries), (REPORTS, 1));
    assert_eq!(p.response_format(), ResponseFormat::JsonObject);
    let second = p
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
    assert_eq!(second.retries, 0);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2]["response_format"], json!({"type": "json_object"}));
}

#[tokio::test]
async fn json_object_rejected_too_means_no_response_format() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .and(body_partial_json(json!({"response_format": {}})))
        .respond_with(error(
            400,
            "'response_format.type' must be 'json_schema' or 'text'",
            "invalid_request_error",
            Value::Null,
            Value::Null,
        ))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(&server);
    let c = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(c.retries, 2);
    assert_eq!(p.response_format(), ResponseFormat::Omitted);
    assert!(bodies(&server).await[2].get("response_format").is_none());
}

#[tokio::test]
async fn a_key_echoed_in_an_error_is_redacted() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(
                "proxy says: bad credentials live-0123456789abcdef for this route",
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let p = super::tests::provider_with(
        &server,
        super::tests::spec(),
        Some("live-0123456789abcdef"),
        HttpContext::offline(),
    );
    let err = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains("0123456789abcdef"), "{err}");
    assert!(err.contains("bad credentials [redacted]"), "{err}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_key() {
    let elsewhere = testkit::must_not_be_called().await;
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&server).await.unwrap_err().to_string();
    assert!(err.contains("307"), "{err}");
}
