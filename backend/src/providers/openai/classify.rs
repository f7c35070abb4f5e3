//! What to do with a non-2xx answer of an OpenAI-compatible server, following the official
//! SDK's rule: honour `x-should-retry`; else retry 408, 409, 429 and 5xx; wait for
//! `retry-after-ms` / `retry-after`, else for the prose hint "Please try again in 1.574s".
//! Out-of-credit 429s (`insufficient_quota`, `credit_balance_exhausted`) and other 4xx are
//! fatal, named by the error's code/type/param and message.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::providers::http::{retry_after_header, short, Disposition};

/// 429 codes that mean "out of money", not "too fast": retrying cannot help.
const QUOTA_CODES: &[&str] = &["insufficient_quota", "credit_balance_exhausted"];

/// The fields of an error body, read leniently: OpenAI's `{"error": {message, type, param,
/// code}}`, Ollama's older `{"error": "text"}`, vLLM's top-level `{message, type, code}`,
/// FastAPI's `{"detail": …}`; `code` may be a string or (llama.cpp) a number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ApiError {
    pub message: Option<String>,
    pub kind: Option<String>,
    pub param: Option<String>,
    pub code: Option<String>,
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::String(_) => None,
        other => Some(other.to_string()),
    }
}

impl ApiError {
    /// Reads an error body; `None` when it is not JSON or has no recognisable error.
    pub fn parse(body: &str) -> Option<ApiError> {
        let v: Value = serde_json::from_str(body).ok()?;
        let obj = match v.get("error") {
            Some(Value::String(s)) => {
                return Some(ApiError {
                    message: Some(s.clone()),
                    ..Default::default()
                })
            }
            Some(e @ Value::Object(_)) => e,
            _ if v.get("message").is_some() || v.get("detail").is_some() => &v,
            _ => return None,
        };
        Some(ApiError {
            message: text_of(obj.get("message")).or_else(|| text_of(obj.get("detail"))),
            kind: text_of(obj.get("type")),
            param: text_of(obj.get("param")),
            code: text_of(obj.get("code")),
        })
    }

    /// "invalid_api_key", "invalid_request_error (param response_format)", …
    fn label(&self) -> String {
        // A numeric code (llama.cpp repeats the status there) says less than the type.
        let code = self
            .code
            .clone()
            .filter(|c| !c.chars().all(|ch| ch.is_ascii_digit()));
        let mut s = code.or_else(|| self.kind.clone()).unwrap_or_default();
        if let Some(p) = &self.param {
            s.push_str(&format!(" (param {p})"));
        }
        s
    }
}

/// A one-line description of an error answer: "HTTP 401 invalid_api_key: Incorrect API key…".
pub(super) fn describe(status: u16, body: &str) -> String {
    match ApiError::parse(body) {
        Some(e) => {
            let label = e.label();
            let message = e.message.as_deref().map_or_else(|| short(body), short);
            if label.is_empty() {
                format!("HTTP {status}: {message}")
            } else {
                format!("HTTP {status} {}: {message}", label.trim())
            }
        }
        None => format!("HTTP {status}: {}", short(body)),
    }
}

/// True when a 400/422 says the server does not take the `response_format` that was sent
/// (no `json_schema` support, no `json_object` support). A schema the server found invalid
/// ("Invalid schema for response_format …") is our bug, not missing support: not matched.
pub(super) fn rejects_response_format(status: u16, body: &str) -> bool {
    if !matches!(status, 400 | 422) {
        return false;
    }
    let (message, param) = match ApiError::parse(body) {
        Some(e) => (e.message.unwrap_or_default(), e.param.unwrap_or_default()),
        None => (body.to_string(), String::new()),
    };
    let m = message.to_ascii_lowercase();
    if m.contains("invalid schema") {
        return false;
    }
    let mentions = |s: &str| {
        ["response_format", "json_schema", "json_object"]
            .iter()
            .any(|w| s.contains(w))
    };
    mentions(&m) || mentions(&param.to_ascii_lowercase())
}

/// Classifies a non-2xx answer.
pub(super) fn classify(status: u16, headers: &HeaderMap, body: &str) -> Disposition {
    let err = ApiError::parse(body).unwrap_or_default();
    let what = describe(status, body);
    if status == 429
        && err
            .code
            .as_deref()
            .is_some_and(|c| QUOTA_CODES.contains(&c))
    {
        return Disposition::Refused(what);
    }
    let should_retry = headers
        .get("x-should-retry")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().eq_ignore_ascii_case("true"));
    let retry = should_retry.unwrap_or(matches!(status, 408 | 409 | 429) || status >= 500);
    if !retry {
        return Disposition::Fatal(what);
    }
    let after =
        retry_after_header(headers).or_else(|| err.message.as_deref().and_then(try_again_hint));
    Disposition::Retry {
        after,
        rate_limited: status == 429,
        reason: what,
    }
}

/// The wait in "… Please try again in 1.574s. …" (also "in 20ms", "in 1m30s").
pub(super) fn try_again_hint(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in ")? + "try again in ".len();
    let word: String = lower[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == 'µ')
        .collect();
    parse_go_duration(word.trim_end_matches('.'))
}

/// Parses a Go-style duration such as "1.574s", "20ms", "1m30s" or "1h4m48s".
pub(super) fn parse_go_duration(s: &str) -> Option<Duration> {
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    crate::providers::http::server_wait(total)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use super::*;

    const FIXTURE_429: &str = include_str!("../../../tests/fixtures/openai-error-429.json");
    const FIXTURE_400: &str = include_str!("../../../tests/fixtures/openai-error-400.json");

    #[test]
    fn classification_rules() {
        let h = HeaderMap::new();
        let retry_after = |d: Disposition| match d {
            Disposition::Retry {
                after,
                rate_limited,
                ..
            } => Some((after, rate_limited)),
            Disposition::Fatal(_) | Disposition::Refused(_) => None,
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
        let llama =
            r#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#;
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
        assert!(ApiError::parse(bad_schema).is_some());
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
}
