//! Failures: retries, fatal errors, unusable answers, the response_format downgrade, and
//! the classification rules on their own.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::classify::{
    classify, describe, parse_go_duration, rejects_response_format, try_again_hint,
};
use super::tests::{bodies, config, input, ok, ok_body, provider, REPORTS};
use super::*;

const FIXTURE_429: &str = include_str!("../../../tests/fixtures/openai-error-429.json");
const FIXTURE_400: &str = include_str!("../../../tests/fixtures/openai-error-400.json");

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
    let err = call(&server).await.unwrap_err().to_string();
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
    let err = call(&server).await.unwrap_err().to_string();
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
        .complete(&input(), &config(), CallOptions { use_cache: false })
        .await
        .unwrap();
    assert_eq!((first.text.as_str(), first.retries), (REPORTS, 1));
    assert_eq!(p.response_format(), ResponseFormat::JsonObject);
    let second = p
        .complete(&input(), &config(), CallOptions { use_cache: false })
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

#[test]
fn classification_rules() {
    let h = HeaderMap::new();
    let retry_after = |d: Disposition| match d {
        Disposition::Retry {
            after,
            rate_limited,
            ..
        } => Some((after, rate_limited)),
        Disposition::Fatal(_) => None,
    };
    assert_eq!(
        retry_after(classify(429, &h, FIXTURE_429)),
        Some((Some(Duration::from_millis(1574)), true))
    );
    for s in [408, 409, 500, 502, 503, 504] {
        assert!(retry_after(classify(s, &h, "")).is_some(), "{s}");
    }
    for s in [400, 401, 403, 404, 422] {
        assert!(retry_after(classify(s, &h, "")).is_none(), "{s}");
    }
    let quota = r#"{"error":{"message":"out of credit","type":"insufficient_quota","param":null,
        "code":"credit_balance_exhausted"}}"#;
    assert!(retry_after(classify(429, &h, quota)).is_none());
    let mut h = HeaderMap::new();
    h.insert("x-should-retry", "false".parse().unwrap());
    assert!(retry_after(classify(503, &h, "")).is_none());
    h.insert("x-should-retry", "true".parse().unwrap());
    h.insert("retry-after-ms", "250".parse().unwrap());
    assert_eq!(
        retry_after(classify(400, &h, FIXTURE_429)),
        Some((Some(Duration::from_millis(250)), false))
    );
    assert_eq!(
        describe(400, FIXTURE_400),
        "HTTP 400 invalid_request_error (param web_search_options): Web search options not supported with this model."
    );
    // llama.cpp: numeric code; Ollama: error as a string; plain text bodies.
    let llama = r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#;
    assert_eq!(
        describe(503, llama),
        "HTTP 503 unavailable_error: Loading model"
    );
    let ollama = r#"{"error":"model \"x\" not found, try pulling it first"}"#;
    assert_eq!(
        describe(404, ollama),
        "HTTP 404: model \"x\" not found, try pulling it first"
    );
    assert_eq!(describe(502, "Bad Gateway"), "HTTP 502: Bad Gateway");
}

#[test]
fn response_format_rejections_are_recognised() {
    let by_param = r#"{"error":{"message":"Invalid parameter","type":"invalid_request_error",
        "param":"response_format","code":null}}"#;
    assert!(rejects_response_format(400, by_param));
    assert!(rejects_response_format(400, "json_schema is not supported"));
    assert!(!rejects_response_format(400, FIXTURE_400));
    assert!(!rejects_response_format(500, "response_format"));
    let bad_schema = r#"{"error":{"param":"response_format",
        "message":"Invalid schema for response_format 'vote_reports': additionalProperties"}}"#;
    assert!(super::classify::ApiError::parse(bad_schema).is_some());
    assert!(
        !rejects_response_format(400, bad_schema),
        "our schema bug must surface"
    );
}

#[test]
fn wait_hints_and_go_durations() {
    assert_eq!(
        try_again_hint("Please try again in 1.574s. Visit …"),
        Some(Duration::from_millis(1574))
    );
    assert_eq!(
        try_again_hint("Please try again in 20ms."),
        Some(Duration::from_millis(20))
    );
    assert_eq!(
        try_again_hint("Please try again in 1m30s."),
        Some(Duration::from_secs(90))
    );
    assert_eq!(try_again_hint("Please try again later."), None);
    assert_eq!(
        parse_go_duration("1h4m48s"),
        Some(Duration::from_secs(3888))
    );
    assert_eq!(parse_go_duration("12ms"), Some(Duration::from_millis(12)));
    assert_eq!(
        parse_go_duration("99999999999999999999999h"),
        Some(crate::providers::http::MAX_SERVER_WAIT),
        "saturates instead of panicking"
    );
    for bad in ["", "20", "s", "1.2.3s", "5d"] {
        assert_eq!(parse_go_duration(bad), None, "{bad}");
    }
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
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
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
