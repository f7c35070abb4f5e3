//! Successful calls against wiremock servers: the request shape, usage, images (the cache is
//! in `tests_cache.rs`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use shared::{ModelConfig, RecordInput};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::*;
use crate::providers::images::ImagePolicy;
use crate::providers::prompt::response_schema;

pub(super) const FIXTURE_OK: &str =
    include_str!("../../../tests/fixtures/openai-chat-json-schema-ok.json");
pub(super) const FIXTURE_IMAGE_OK: &str =
    include_str!("../../../tests/fixtures/openai-chat-ok.json");

/// A schema-shaped answer, as a strict-mode model returns it.
pub(super) const REPORTS: &str = r#"{"reports":[{"form_info":{"form_type":"Constituency","date":null,"province":"นนทบุรี","district":null,"sub_district":null,"constituency_number":"3","polling_station_number":"12"},"voter_statistics":{"eligible_voters":812,"voters_present":540},"ballot_statistics":{"ballots_allocated":820,"ballots_used":540,"good_ballots":521,"bad_ballots":11,"no_vote_ballots":8,"ballots_remaining":280},"vote_results":[{"number":1,"candidate_name":"สมชาย ใจดี","party_name":"ก","vote_count":300,"vote_count_text":"สามร้อย"},{"number":2,"candidate_name":"สมหญิง รักไทย","party_name":"ข","vote_count":221,"vote_count_text":"สองร้อยยี่สิบเอ็ด"}]}]}"#;

pub(super) fn spec() -> ModelSpec {
    serde_json::from_value(json!({
        "name": "gpt-test", "provider": "openai", "model_id": "gpt-4o-2024-08-06",
        "input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0,
    }))
    .unwrap()
}

pub(super) fn policy() -> CallPolicy {
    CallPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(1),
        timeout: Duration::from_secs(5),
    }
}

pub(super) fn provider_with(
    server: &MockServer,
    spec: ModelSpec,
    key: Option<&str>,
    ctx: HttpContext,
) -> OpenAiProvider {
    OpenAiProvider::new(
        spec,
        key.map(Secret::new),
        format!("{}/v1/", server.uri()),
        ctx,
    )
    .with_policy(policy())
}

pub(super) fn provider(server: &MockServer) -> OpenAiProvider {
    provider_with(server, spec(), Some("sk-test"), HttpContext::offline())
}

pub(super) fn input() -> RecordInput {
    RecordInput {
        text: Some("ส.ส. 5/18 หน่วยเลือกตั้งที่ 12 ...".into()),
        ..Default::default()
    }
}

pub(super) fn config() -> ModelConfig {
    ModelConfig::new("gpt-test", 0.0, None)
}

/// The recorded 200 with `content` and `usage` replaced.
pub(super) fn ok_body(content: Value, usage: Option<Value>) -> Value {
    let mut v: Value = serde_json::from_str(FIXTURE_OK).unwrap();
    v["choices"][0]["message"]["content"] = content;
    match usage {
        Some(u) => v["usage"] = u,
        None => {
            v.as_object_mut().unwrap().remove("usage");
        }
    }
    v
}

pub(super) fn ok() -> ResponseTemplate {
    let v: Value = serde_json::from_str(FIXTURE_OK).unwrap();
    ResponseTemplate::new(200).set_body_json(ok_body(json!(REPORTS), Some(v["usage"].clone())))
}

pub(super) async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r: &Request| r.body_json().unwrap())
        .collect()
}

#[tokio::test]
async fn structured_response_and_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(&server);
    assert_eq!(p.kind(), "openai");
    let mut cfg = config();
    cfg.max_output_tokens = Some(2000);
    let c = p
        .complete(&input(), &cfg, CallOptions::default())
        .await
        .unwrap();
    assert_eq!(c.text, REPORTS);
    assert_eq!(
        (c.input_tokens, c.output_tokens, c.thinking_tokens),
        (Some(100), Some(15), Some(0))
    );
    assert!((c.cost_usd.unwrap() - spec().cost(100, 15, 0)).abs() < 1e-12);
    assert_eq!(c.finish_reason.as_deref(), Some("stop"));
    assert_eq!(c.model_version.as_deref(), Some("gpt-4o-2024-08-06"));
    assert!(!c.cached && c.retries == 0);
    let set = crate::report::parse_output(&c.text).unwrap();
    assert_eq!(set.0[0].ballot_statistics.good_ballots, Some(521));

    let body = &bodies(&server).await[0];
    assert_eq!(body["model"], "gpt-4o-2024-08-06");
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["max_tokens"], 2000, "non-OpenAI hosts get max_tokens");
    assert!(body.get("max_completion_tokens").is_none());
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": EXTRACTION_PROMPT})
    );
    assert_eq!(body["messages"][1]["role"], "user");
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("หน่วยเลือกตั้งที่ 12"),
        "plain string without images"
    );
    let rf = &body["response_format"];
    assert_eq!(rf["type"], "json_schema");
    assert_eq!(rf["json_schema"]["name"], "vote_reports");
    assert_eq!(rf["json_schema"]["strict"], true);
    assert_eq!(&rf["json_schema"]["schema"], response_schema());
}

#[tokio::test]
async fn reasoning_tokens_are_split_from_output() {
    let server = MockServer::start().await;
    let usage = json!({"prompt_tokens": 1200, "completion_tokens": 238, "total_tokens": 1438,
        "completion_tokens_details": {"reasoning_tokens": 192}});
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(ok_body(json!(REPORTS), Some(usage))),
        )
        .mount(&server)
        .await;
    let c = provider(&server)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (c.input_tokens, c.output_tokens, c.thinking_tokens),
        (Some(1200), Some(46), Some(192))
    );
    assert!((c.cost_usd.unwrap() - spec().cost(1200, 46, 192)).abs() < 1e-12);
}

#[tokio::test]
async fn ollama_style_server_without_key() {
    let server = MockServer::start().await;
    // Ollama's answer: no details objects, fp_ollama, usage present.
    let body = json!({"id": "chatcmpl-412", "object": "chat.completion", "created": 1754000000,
        "model": "qwen2.5vl:7b", "system_fingerprint": "fp_ollama",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("```json\n{REPORTS}\n```")},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 300, "total_tokens": 1200}});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let mut s = spec();
    s.model_id = Some("qwen2.5vl:7b".into());
    s.max_output_tokens = Some(4096);
    let p = provider_with(&server, s, None, HttpContext::offline());
    let c = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (c.input_tokens, c.output_tokens, c.thinking_tokens),
        (Some(900), Some(300), None)
    );
    assert_eq!(c.model_version.as_deref(), Some("qwen2.5vl:7b"));
    assert!(
        crate::report::parse_output(&c.text).is_ok(),
        "fenced JSON is parsed later"
    );
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0].headers.get("authorization").is_none());
    let sent: Value = reqs[0].body_json().unwrap();
    assert_eq!(sent["max_tokens"], 4096);
    assert_eq!(sent["temperature"], 0.0);
    assert_eq!(sent["model"], "qwen2.5vl:7b");
}

#[tokio::test]
async fn missing_usage_is_not_estimated_and_parts_are_joined() {
    let server = MockServer::start().await;
    let (a, b) = REPORTS.split_at(40);
    let content = json!([{"type": "text", "text": a}, {"type": "text", "text": b}]);
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body(content, None)))
        .mount(&server)
        .await;
    let c = provider(&server)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(c.text, REPORTS);
    assert_eq!(
        (
            c.input_tokens,
            c.output_tokens,
            c.thinking_tokens,
            c.cost_usd
        ),
        (None, None, None, None)
    );
}

#[tokio::test]
async fn spec_without_schema_support_sends_json_object() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .mount(&server)
        .await;
    let mut s = spec();
    s.json_schema = Some(false);
    let p = provider_with(&server, s, Some("k"), HttpContext::offline())
        .with_max_tokens_field(MaxTokensField::MaxCompletionTokens);
    let mut cfg = config();
    cfg.max_output_tokens = Some(512);
    cfg.temperature = 0.7;
    p.complete(&input(), &cfg, CallOptions::default())
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert_eq!(body["max_completion_tokens"], 512);
    assert_eq!(body["temperature"], 0.7);
}

#[test]
fn max_tokens_field_rule() {
    assert_eq!(
        MaxTokensField::for_base_url("https://api.openai.com/v1"),
        MaxTokensField::MaxCompletionTokens
    );
    assert_eq!(
        MaxTokensField::for_base_url("https://API.openai.com/v1/"),
        MaxTokensField::MaxCompletionTokens
    );
    for other in [
        "http://localhost:11434/v1",
        "https://api.openai.com.evil.io/v1",
        "http://127.0.0.1:8000/v1",
        "nonsense",
    ] {
        assert_eq!(
            MaxTokensField::for_base_url(other),
            MaxTokensField::MaxTokens,
            "{other}"
        );
    }
}

#[test]
fn recorded_fixtures_parse() {
    let c = wire::parse_response(FIXTURE_OK, &spec()).unwrap();
    assert_eq!(c.text, r#"{"city":"Mexico City","country":"Mexico"}"#);
    assert_eq!(
        (c.input_tokens, c.output_tokens, c.thinking_tokens),
        (Some(100), Some(15), Some(0))
    );
    let c = wire::parse_response(FIXTURE_IMAGE_OK, &spec()).unwrap();
    assert!(c.text.starts_with("The image shows"));
    assert_eq!((c.input_tokens, c.output_tokens), (Some(1117), Some(46)));
    assert_eq!(c.model_version.as_deref(), Some("gpt-5.4"));
}

#[tokio::test]
async fn images_are_sent_as_data_urls() {
    let dir = tempfile::tempdir().unwrap();
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    std::fs::write(dir.path().join("p1.png"), png).unwrap();
    let ctx = HttpContext {
        images: Arc::new(ImagePolicy {
            root: Some(dir.path().into()),
            ..Default::default()
        }),
        ..HttpContext::offline()
    };
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let p = provider_with(&server, spec(), Some("k"), ctx);
    let record = RecordInput {
        image_paths: vec!["p1.png".into()],
        ..Default::default()
    };
    p.complete(&record, &config(), CallOptions::default())
        .await
        .unwrap();
    let body = &bodies(&server).await[0];
    let content = body["messages"][1]["content"].as_array().unwrap();
    assert_eq!(content.len(), 2);
    assert_eq!(content[0]["type"], "text");
    assert!(content[0]["text"]
        .as_str()
        .unwrap()
        .contains("1 page image(s)"));
    use base64::Engine;
    let url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    assert_eq!(
        content[1],
        json!({"type": "image_url", "image_url": {"url": url}})
    );
}

#[tokio::test]
async fn empty_records_are_refused_before_any_call() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ok())
        .expect(0)
        .mount(&server)
        .await;
    let err = provider(&server)
        .complete(&RecordInput::default(), &config(), CallOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::UnsupportedInput(_)), "{err:?}");
}
