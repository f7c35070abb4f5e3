//! Developer API tests against a wiremock server speaking the recorded wire format.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::*;
use crate::providers::prompt::{response_schema, EXTRACTION_PROMPT};
use crate::providers::spec::builtin_specs;

pub(super) const GEN_PATH: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

/// A vote report as the model returns it (a JSON string in `text`).
pub(super) const REPORT: &str = r#"{"reports": [{"form_info": {"form_type": "Constituency", "date": null,
 "province": "สงขลา", "district": null, "sub_district": null, "constituency_number": "3",
 "polling_station_number": "7"}, "voter_statistics": {"eligible_voters": 812, "voters_present": 640},
 "ballot_statistics": {"ballots_allocated": null, "ballots_used": 640, "good_ballots": 610,
 "bad_ballots": 20, "no_vote_ballots": 10, "ballots_remaining": null},
 "vote_results": [{"number": 1, "candidate_name": "นายก", "party_name": "พรรคข", "vote_count": 610,
 "vote_count_text": "หกร้อยสิบ"}]}]}"#;

pub(super) fn fixture(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    std::fs::read_to_string(format!("{dir}{name}")).unwrap()
}

pub(super) fn spec() -> ModelSpec {
    builtin_specs()
        .into_iter()
        .find(|s| s.name == "gemini-2.5-flash")
        .unwrap()
}

/// Millisecond retries, so tests never sleep for seconds.
pub(super) fn fast() -> CallPolicy {
    CallPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

pub(super) fn provider(server: &MockServer) -> GeminiProvider {
    GeminiProvider::new(
        spec(),
        GeminiAuth::ApiKey(Secret::new("test-key")),
        Some(server.uri()),
        HttpContext::offline(),
    )
    .with_policy(fast())
}

pub(super) fn input() -> RecordInput {
    RecordInput {
        text: Some("ส.ส. 5/18 หน่วยเลือกตั้งที่ 7".into()),
        ..Default::default()
    }
}

pub(super) fn config() -> ModelConfig {
    ModelConfig::new("gemini-2.5-flash", 0.0, None)
}

/// A 200 body shaped like vertex-generate-json-ok.json with `text` and usage.
pub(super) fn ok_body(text: &str, finish: &str) -> Value {
    json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": finish, "index": 0}],
        "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 300, "totalTokenCount": 1500},
        "modelVersion": "gemini-2.5-flash", "responseId": "abc"
    })
}

pub(super) fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(ok_body(REPORT, "STOP"))
}

pub(super) fn body_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn structured_answer_with_usage_cost_and_request_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GEN_PATH))
        .and(header("x-goog-api-key", "test-key"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = provider(&server)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(c.text, REPORT);
    assert!(crate::report::parse_output(&c.text).is_ok());
    assert_eq!(
        (c.input_tokens, c.output_tokens, c.thinking_tokens),
        (Some(1200), Some(300), None)
    );
    assert_eq!(c.cost_usd, Some(spec().cost(1200, 300, 0)));
    assert_eq!((c.retries, c.cached), (0, false));
    assert_eq!(c.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(c.model_version.as_deref(), Some("gemini-2.5-flash"));

    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        req.url.query(),
        None,
        "the key goes in a header, never ?key="
    );
    assert_eq!(req.headers.get("content-type").unwrap(), "application/json");
    let b = body_of(req);
    assert_eq!(
        b["systemInstruction"]["parts"][0]["text"],
        EXTRACTION_PROMPT
    );
    assert_eq!(b["contents"][0]["role"], "user");
    assert!(b["contents"][0]["parts"][0]["text"]
        .as_str()
        .unwrap()
        .contains("หน่วยเลือกตั้งที่ 7"));
    let g = &b["generationConfig"];
    assert_eq!(
        (g["temperature"].as_f64(), g["maxOutputTokens"].as_u64()),
        (Some(0.0), Some(16384))
    );
    assert_eq!(g["responseMimeType"], "application/json");
    assert_eq!(&g["responseJsonSchema"], response_schema());
    assert!(g.get("responseSchema").is_none() && g.get("thinkingConfig").is_none());
}

#[tokio::test]
async fn images_thinking_config_and_thought_parts() {
    let server = MockServer::start().await;
    let body = json!({
        "candidates": [{"content": {"role": "model", "parts": [
            {"text": "**Reading the form**\nThe totals are…", "thought": true}, {"text": REPORT}]},
            "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 2000, "candidatesTokenCount": 300, "thoughtsTokenCount": 450},
        "modelVersion": "gemini-2.5-flash"
    });
    Mock::given(method("POST"))
        .and(path(GEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
    let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, png);
    let input = RecordInput {
        inline_images: vec![shared::InlineImage {
            mime_type: "image/png".into(),
            data: data.clone(),
        }],
        ..Default::default()
    };
    let config = ModelConfig {
        thinking_budget: Some(1024),
        max_output_tokens: Some(4096),
        temperature: 0.5,
        ..config()
    };
    let c = provider(&server)
        .complete(&input, &config, CallOptions::default())
        .await
        .unwrap();
    assert_eq!(c.text, REPORT, "thought text is excluded");
    assert_eq!(c.thinking_tokens, Some(450));
    assert_eq!(c.cost_usd, Some(spec().cost(2000, 300, 450)));

    let b = body_of(&server.received_requests().await.unwrap()[0]);
    let parts = &b["contents"][0]["parts"];
    assert_eq!(
        parts[1]["inlineData"],
        json!({"mimeType": "image/png", "data": data})
    );
    let g = &b["generationConfig"];
    assert_eq!(g["thinkingConfig"], json!({"thinkingBudget": 1024}));
    assert_eq!(
        (g["maxOutputTokens"].as_u64(), g["temperature"].as_f64()),
        (Some(4096), Some(0.5))
    );
}

#[tokio::test]
async fn retry_info_delay_is_honoured_on_429() {
    let server = MockServer::start().await;
    let body = fixture("gemini-error-429.json").replace("\"58s\"", "\"0.2s\"");
    Mock::given(method("POST"))
        .and(path(GEN_PATH))
        .respond_with(ResponseTemplate::new(429).set_body_string(body))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(GEN_PATH))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    // A backoff would wait ≥ 3 s: a shorter wait shows the body's retryDelay was used.
    let policy = CallPolicy {
        base_delay: Duration::from_secs(3),
        max_delay: Duration::from_secs(10),
        ..fast()
    };
    let p = provider(&server).with_policy(policy);
    let start = Instant::now();
    let c = p
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    let waited = start.elapsed();
    assert_eq!(c.retries, 1);
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

#[tokio::test]
async fn server_error_is_retried() {
    let server = MockServer::start().await;
    let overloaded =
        r#"{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}"#;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string(overloaded))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = provider(&server)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!((c.retries, c.text.as_str()), (1, REPORT));
}

#[tokio::test]
async fn timeouts_give_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok().set_delay(Duration::from_secs(2)))
        .expect(2)
        .mount(&server)
        .await;
    let policy = CallPolicy {
        max_attempts: 2,
        timeout: Duration::from_millis(200),
        ..fast()
    };
    let err = provider(&server)
        .with_policy(policy)
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ProviderError::Call(_))
            && msg.contains("timed out")
            && msg.contains("after 2 attempts"),
        "{msg}"
    );
}

/// A prompt other than extraction (an LLM judge's): its own system instruction and schema.
#[tokio::test]
async fn a_structured_call_sends_its_own_prompt_and_schema() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(GEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_body(r#"{"score": 1, "reasoning": "all equal"}"#, "STOP")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let schema = json!({"type": "object", "properties": {"score": {"type": "number"}}});
    let call = crate::providers::StructuredCall {
        system: "You grade extractions.",
        user: "expected … output …",
        schema_name: "judgement",
        schema: &schema,
        temperature: 0.0,
        max_output_tokens: Some(300),
        options: CallOptions {
            use_cache: false,
            ..CallOptions::default()
        },
    };
    let c = provider(&server).complete_structured(&call).await.unwrap();
    assert_eq!(c.text, r#"{"score": 1, "reasoning": "all equal"}"#);
    assert_eq!(c.input_tokens, Some(1200));
    let sent = body_of(&server.received_requests().await.unwrap()[0]);
    assert_eq!(
        sent["systemInstruction"]["parts"][0]["text"],
        "You grade extractions."
    );
    assert_eq!(
        sent["contents"][0]["parts"][0]["text"],
        "expected … output …"
    );
    assert_eq!(sent["generationConfig"]["responseJsonSchema"], schema);
    assert_eq!(sent["generationConfig"]["maxOutputTokens"], 300);
}
