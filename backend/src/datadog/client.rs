//! The Datadog transport: one retry loop, the contract's success rule, and errors that say
//! which call failed and why without ever carrying a key.

use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use serde_json::Value;

use crate::config::Secret;
use crate::providers::redact::redact;

/// Why a Datadog call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DatadogError {
    /// Datadog answered, with a status other than the call's success status.
    #[error("Datadog answered {status} to {call}: {detail}")]
    Status {
        status: u16,
        call: String,
        detail: String,
    },
    /// No answer: the connection failed or the call timed out.
    #[error("Datadog could not be reached for {call}: {detail}")]
    Unreachable { call: String, detail: String },
    /// An answer that does not have the contract's shape.
    #[error("Datadog's answer to {call} was not understood: {detail}")]
    Malformed { call: String, detail: String },
}

impl DatadogError {
    /// True when the same call may work later: an outage, a rate limit, a timeout.
    pub fn is_transient(&self) -> bool {
        match self {
            DatadogError::Status { status, .. } => transient_status(*status),
            DatadogError::Unreachable { .. } => true,
            DatadogError::Malformed { .. } => false,
        }
    }

    /// The HTTP status Datadog answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            DatadogError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429) || status >= 500
}

/// Whether a call may be sent again after an answer that may mean it was carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, status updates, and creates Datadog answers by name (a project, a dataset):
    /// retried on 408, 429, 5xx, timeouts and connection errors.
    Safe,
    /// A create that mints something new each time (an experiment): retried only when the
    /// connection failed before the request was sent, never after a timeout or a 5xx.
    Create,
}

/// How calls are retried and timed out.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (ddtrace: 3).
    pub attempts: u32,
    /// Upper bound of the first wait; it doubles each retry (full jitter).
    pub base_delay: Duration,
    /// Longest wait, a server's `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// A keyed client of one Datadog API origin.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    origin: String,
    api_key: Secret,
    app_key: Secret,
    policy: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("origin", &self.origin)
            .finish()
    }
}

/// One call: what is sent and how it may be retried.
pub struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'a str, String)>,
    pub body: Option<&'a Value>,
    pub idempotency: Idempotency,
    pub timeout: Duration,
    /// Statuses that mean success besides 200 (events: 202).
    pub also_ok: &'a [u16],
}

impl<'a> Call<'a> {
    /// A call with the contract's defaults: safe to retry, 10 s, success on 200 only.
    pub fn new(method: Method, path: String) -> Self {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            idempotency: Idempotency::Safe,
            timeout: Duration::from_secs(10),
            also_ok: &[],
        }
    }
}

impl Client {
    /// A client of `origin` (`https://api.<site>` or an override) with both keys.
    pub fn new(origin: &str, api_key: Secret, app_key: Secret, policy: RetryPolicy) -> Self {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            origin: origin.trim_end_matches('/').to_string(),
            api_key,
            app_key,
            policy,
        }
    }

    /// The API origin calls go to.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Sends `call` until it succeeds, fails for good, or attempts run out; the answer's
    /// JSON (`Null` for an empty body).
    pub async fn send(&self, call: Call<'_>) -> Result<Value, DatadogError> {
        let name = format!("{} {}", call.method, call.path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (error, retry_after) = match self.once(&call, &name).await {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            let retry = match (&error, call.idempotency) {
                (Attempt::NotSent(_), _) => true,
                (_, Idempotency::Create) => false,
                (Attempt::Failed(e), Idempotency::Safe) => e.is_transient(),
                (Attempt::TimedOut(_), Idempotency::Safe) => true,
            };
            let error = error.into_error();
            if !retry || attempt >= self.policy.attempts {
                return Err(error);
            }
            let ceiling = self
                .policy
                .base_delay
                .saturating_mul(2u32.saturating_pow(attempt - 1));
            let jitter = rand::thread_rng().gen_range(0..=ceiling.as_millis() as u64);
            let wait = retry_after
                .unwrap_or(Duration::from_millis(jitter))
                .min(self.policy.max_delay);
            tracing::debug!(%error, ?wait, attempt, "retrying a Datadog call");
            tokio::time::sleep(wait).await;
        }
    }

    async fn once(
        &self,
        call: &Call<'_>,
        name: &str,
    ) -> Result<Value, (Attempt, Option<Duration>)> {
        let mut request = self
            .http
            .request(call.method.clone(), format!("{}{}", self.origin, call.path))
            .timeout(call.timeout)
            .header("DD-API-KEY", self.api_key.expose())
            .header("DD-APPLICATION-KEY", self.app_key.expose())
            // ddtrace sends it on every call, GET included.
            .header("Content-Type", "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = call.body {
            request = request.body(body.to_string());
        }
        let unreachable = |detail: String| DatadogError::Unreachable {
            call: name.to_string(),
            detail,
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_connect() => {
                return Err((Attempt::NotSent(unreachable(self.clean(&e))), None))
            }
            Err(e) => return Err((Attempt::TimedOut(unreachable(self.clean(&e))), None)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Err((Attempt::TimedOut(unreachable(self.clean(&e))), None)),
        };
        if status != 200 && !call.also_ok.contains(&status) {
            // Redacted before it is cut: a key across the cut would keep its start.
            let detail = error_detail(&self.redacted(&text));
            let e = DatadogError::Status {
                status,
                call: name.to_string(),
                detail,
            };
            return Err((Attempt::Failed(e), retry_after));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| {
            let e = DatadogError::Malformed {
                call: name.to_string(),
                detail: format!("not JSON: {e}"),
            };
            (Attempt::Failed(e), None)
        })
    }

    /// A transport error's text without its URL or a key.
    fn clean(&self, e: &reqwest::Error) -> String {
        let mut s = e.to_string();
        if let Some(url) = e.url() {
            s = s.replace(url.as_str(), "<url>");
        }
        self.redacted(&s)
    }

    fn redacted(&self, text: &str) -> String {
        redact(text, &[self.api_key.expose(), self.app_key.expose()])
    }
}

/// How one attempt failed, which decides whether it may be repeated.
enum Attempt {
    /// The connection failed: the request never reached Datadog.
    NotSent(DatadogError),
    /// Sent, but no answer came back in time: it may have been carried out.
    TimedOut(DatadogError),
    /// Datadog answered with an error, or with something unreadable.
    Failed(DatadogError),
}

impl Attempt {
    fn into_error(self) -> DatadogError {
        match self {
            Attempt::NotSent(e) | Attempt::TimedOut(e) | Attempt::Failed(e) => e,
        }
    }
}

/// The JSON:API `errors` of an error body (`title: detail; …`), or the start of the body.
fn error_detail(body: &str) -> String {
    let listed = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let errors = v.get("errors")?.as_array()?;
        let parts: Vec<String> = errors
            .iter()
            .filter_map(|e| match e {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => {
                    let field = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
                    let text = [field("title"), field("detail")]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(": ");
                    (!text.is_empty()).then_some(text)
                }
                _ => None,
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    });
    let text = listed.unwrap_or_else(|| body.trim().to_string());
    let mut short: String = text.chars().take(300).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    if short.is_empty() {
        "(empty body)".into()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_api_errors_are_read_and_long_bodies_cut() {
        assert_eq!(
            error_detail(r#"{"errors":[{"title":"Forbidden","detail":"bad app key"}]}"#),
            "Forbidden: bad app key"
        );
        assert_eq!(error_detail(r#"{"errors":["Not found"]}"#), "Not found");
        assert_eq!(error_detail(""), "(empty body)");
        let long = "x".repeat(1000);
        assert_eq!(error_detail(&long).chars().count(), 301);
    }

    #[test]
    fn outages_and_rate_limits_are_transient_refusals_are_not() {
        for s in [408, 429, 500, 502, 503] {
            assert!(transient_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422] {
            assert!(!transient_status(s), "{s}");
        }
    }
}
