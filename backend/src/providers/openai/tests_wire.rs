//! The request body's bytes: the shape the chat API takes, in canonical key order.

use serde_json::{json, Value};

use super::wire::{request_body, MaxTokensField, RequestParts, ResponseFormat, SCHEMA_NAME};
use crate::providers::prompt::{response_schema, EXTRACTION_PROMPT};

fn body(format: ResponseFormat, field: MaxTokensField, images: &[(String, String)]) -> Vec<u8> {
    request_body(&RequestParts {
        model: "m",
        system: EXTRACTION_PROMPT,
        schema_name: SCHEMA_NAME,
        schema: response_schema(),
        temperature: 0.5,
        max_output_tokens: Some(900),
        max_tokens_field: field,
        format,
        user_text: "อ่าน \"form\"\n",
        images,
    })
    .unwrap()
}

/// Cache keys hash these bytes; earlier versions built the body as a `Value`, whose keys
/// serialise sorted. Re-serialising through `Value` must change nothing.
#[test]
fn the_bytes_are_those_of_a_value_body_so_cache_keys_stay_valid() {
    let images = [("image/png".to_string(), "AAAA".to_string())];
    for format in [
        ResponseFormat::JsonSchema,
        ResponseFormat::JsonObject,
        ResponseFormat::Omitted,
    ] {
        for field in [
            MaxTokensField::MaxTokens,
            MaxTokensField::MaxCompletionTokens,
        ] {
            for imgs in [&images[..], &[]] {
                let bytes = body(format, field, imgs);
                let value: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(serde_json::to_vec(&value).unwrap(), bytes);
            }
        }
    }
}

#[test]
fn the_body_carries_every_part() {
    let images = [("image/png".to_string(), "AAAA".to_string())];
    let sent: Value = serde_json::from_slice(&body(
        ResponseFormat::JsonSchema,
        MaxTokensField::MaxCompletionTokens,
        &images,
    ))
    .unwrap();
    assert_eq!(
        sent,
        json!({
            "model": "m",
            "temperature": 0.5,
            "max_completion_tokens": 900,
            "messages": [
                {"role": "system", "content": EXTRACTION_PROMPT},
                {"role": "user", "content": [
                    {"type": "text", "text": "อ่าน \"form\"\n"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                ]},
            ],
            "response_format": {"type": "json_schema", "json_schema": {
                "name": SCHEMA_NAME, "strict": true, "schema": response_schema(),
            }},
        })
    );
    let plain: Value = serde_json::from_slice(&body(
        ResponseFormat::JsonObject,
        MaxTokensField::MaxTokens,
        &[],
    ))
    .unwrap();
    assert_eq!(plain["messages"][1]["content"], "อ่าน \"form\"\n");
    assert_eq!(plain["max_tokens"], 900);
    assert!(plain.get("max_completion_tokens").is_none());
    assert_eq!(plain["response_format"], json!({"type": "json_object"}));
    let bare: Value = serde_json::from_slice(&body(
        ResponseFormat::Omitted,
        MaxTokensField::MaxTokens,
        &[],
    ))
    .unwrap();
    assert!(bare.get("response_format").is_none());
}

/// A prompt other than extraction (an LLM judge's) goes out with its own system message and
/// schema, through the same cache.
#[tokio::test]
async fn a_structured_call_sends_its_own_prompt_and_schema_and_is_cached() {
    use wiremock::{matchers::path, Mock, MockServer, ResponseTemplate};

    use super::tests::{ok_body, provider};
    use crate::providers::{CallOptions, Provider, StructuredCall};

    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body(
            json!(r#"{"score": 0.75, "reasoning": "one count differs"}"#),
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(&server);
    let schema = json!({"type": "object", "properties": {"score": {"type": "number"},
        "reasoning": {"type": "string"}}, "required": ["score", "reasoning"], "additionalProperties": false});
    let call = StructuredCall {
        system: "You grade extractions.",
        user: "expected … output …",
        schema_name: "judgement",
        schema: &schema,
        temperature: 0.0,
        max_output_tokens: Some(500),
        options: CallOptions::default(),
    };
    let first = p.complete_structured(&call).await.unwrap();
    assert_eq!(
        first.text,
        r#"{"score": 0.75, "reasoning": "one count differs"}"#
    );
    let again = p.complete_structured(&call).await.unwrap();
    assert!(again.cached && !first.cached);
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent["messages"][0],
        json!({"role": "system", "content": "You grade extractions."})
    );
    assert_eq!(sent["messages"][1]["content"], "expected … output …");
    assert_eq!(sent["response_format"]["json_schema"]["name"], "judgement");
    assert_eq!(sent["response_format"]["json_schema"]["schema"], schema);
    assert_eq!(sent["max_tokens"], 500);
}
