//! Unit tests without a server: recorded fixtures through the parser and the classifier,
//! endpoints, redaction and the token estimate.

use std::time::Duration;

use super::tests::{fixture, ok_body, spec, REPORT};
use super::*;

#[test]
fn recorded_fixtures_parse() {
    let a = classify::parse_response(&fixture("gemini-generate-ok.json")).unwrap();
    assert!(
        a.text.contains("Mountain View")
            && a.input_tokens == Some(7)
            && a.output_tokens == Some(22)
    );
    assert_eq!(a.model_version.as_deref(), Some("gemini-2.0-flash"));
    let t = classify::parse_response(&fixture("gemini-generate-thinking-ok.json")).unwrap();
    assert_eq!(
        (t.text.as_str(), t.thinking_tokens),
        ("Mountain View", Some(24))
    );
    let v = classify::parse_response(&fixture("vertex-generate-ok.json")).unwrap();
    assert_eq!(
        (v.text.as_str(), v.thinking_tokens, v.input_tokens),
        ("Mountain View", Some(39), Some(13))
    );
    let j = classify::parse_response(&fixture("vertex-generate-json-ok.json")).unwrap();
    assert!(j.text.starts_with("[\n  {\n    \"name\": \"Fuji Dawn\"") && !j.has_usage);
    for (finish, needle) in [
        ("SAFETY", "safety"),
        ("RECITATION", "recitation"),
        ("NEW_REASON", "unexpected"),
    ] {
        let err = classify::parse_response(&ok_body(REPORT, finish).to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains(finish) && err.contains(needle), "{err}");
    }
    let empty = classify::parse_response(&ok_body("  ", "STOP").to_string()).unwrap_err();
    assert!(
        matches!(empty, ProviderError::Unusable { message, .. } if message.contains("empty answer"))
    );
    for body in [
        "null",
        "[]",
        r#"[{"candidates": []}]"#,
        r#"{"candidates": 3}"#,
        "{\"candidates\": [",
    ] {
        let err = classify::parse_response(body).unwrap_err();
        assert!(
            matches!(&err, ProviderError::Call(m) if m.starts_with("malformed response body")),
            "{body}: {err}"
        );
    }
}

#[test]
fn error_bodies_classify() {
    use crate::providers::http::Disposition;
    let h = reqwest::header::HeaderMap::new();
    let d = classify::classify_error(429, &h, &fixture("gemini-error-429.json"));
    assert!(
        matches!(d, Disposition::Retry { after: Some(a), rate_limited: true, .. } if a == Duration::from_secs(58))
    );
    let d = classify::classify_error(429, &h, &fixture("vertex-error-429.json"));
    assert!(matches!(
        d,
        Disposition::Retry {
            after: None,
            rate_limited: true,
            ..
        }
    ));
    assert!(matches!(
        classify::classify_error(503, &h, "oops"),
        Disposition::Retry {
            rate_limited: false,
            ..
        }
    ));
    assert!(
        matches!(classify::classify_error(404, &h, "{}"), Disposition::Fatal(m) if m == "HTTP 404: {}")
    );
    let wrapped = format!("[{}]", fixture("vertex-error-403-iam.json"));
    let d = classify::classify_error(403, &h, &wrapped);
    assert!(
        matches!(&d, Disposition::Fatal(m) if m.contains("PERMISSION_DENIED")),
        "{d:?}"
    );
}

#[test]
fn endpoints_and_redaction() {
    let ctx = HttpContext::offline();
    let p = GeminiProvider::new(
        spec(),
        GeminiAuth::ApiKey(Secret::new("AIzaSecret")),
        None,
        ctx.clone(),
    );
    assert_eq!(
        p.endpoint(),
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    );
    assert_eq!(p.kind(), "gemini");
    assert!(!format!("{p:?}").contains("AIzaSecret"));
    assert_eq!(vertex_host("global"), "https://aiplatform.googleapis.com");
    assert_eq!(
        vertex_host("europe-west4"),
        "https://europe-west4-aiplatform.googleapis.com"
    );
    assert_eq!(
        vertex_host("eu"),
        "https://aiplatform.eu.rep.googleapis.com"
    );
    let base = Some("http://127.0.0.1:9/".to_string());
    let p = GeminiProvider::new(spec(), GeminiAuth::ApiKey(Secret::new("k")), base, ctx);
    assert_eq!(
        p.endpoint(),
        "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent"
    );
    let images = vec![
        crate::providers::images::ImageData::Inline {
            mime_type: "image/png".into(),
            base64: String::new(),
        };
        2
    ];
    let prompt = wire::Prompt {
        system: "",
        user_text: "abc",
        images: &images,
        schema: &serde_json::Value::Null,
        temperature: 0.0,
        max_output_tokens: 400,
        thinking_budget: None,
    };
    assert!(super::call::estimate_tokens(&prompt) >= 1 + 516 + 100);
}
