//! One retry loop for every HTTP provider: exponential backoff with jitter on 408, 429, 5xx
//! and connection errors; the server's own wait (Gemini's RetryInfo.retryDelay, OpenAI's
//! retry-after-ms, Retry-After) honoured; fatal errors (a daily quota, insufficient_quota,
//! 4xx) not retried; a per-call timeout; the shared rate budget slowed down on 429.

use std::time::Duration;

use rand::Rng;
use reqwest::header::HeaderMap;

use super::budget::RateBudget;
use super::ProviderError;

/// How calls are retried.
#[derive(Debug, Clone)]
pub struct CallPolicy {
    /// Attempts in all (first call included).
    pub max_attempts: u32,
    /// First backoff; doubles each retry.
    pub base_delay: Duration,
    /// Longest single wait.
    pub max_delay: Duration,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

impl Default for CallPolicy {
    fn default() -> Self {
        // Google's SDK defaults: 5 attempts, 1 s × 2^n with jitter, capped at 60 s.
        CallPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(120),
        }
    }
}

/// What to do with a failed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Try again, after the server's wait when it gave one.
    Retry {
        after: Option<Duration>,
        rate_limited: bool,
        reason: String,
    },
    /// Give up: the error will not go away by retrying.
    Fatal(String),
    /// Give up, and every later call of this configuration will fail the same way:
    /// credentials refused, permission denied, a daily or billing quota exhausted.
    Refused(String),
}

/// A successful response: status 2xx and its body.
#[derive(Debug, Clone)]
pub struct Success {
    pub body: String,
    /// Retries made before it.
    pub retries: u32,
}

/// Default classification by status, used when a provider has nothing more specific.
pub fn classify_status(status: u16, headers: &HeaderMap, body: &str) -> Disposition {
    match status {
        408 | 429 | 500 | 502 | 503 | 504 => Disposition::Retry {
            after: retry_after_header(headers),
            rate_limited: status == 429,
            reason: format!("HTTP {status}: {}", short(body)),
        },
        _ => Disposition::Fatal(format!("HTTP {status}: {}", short(body))),
    }
}

/// Longest wait a server may ask for; any retry is capped lower still by the policy's
/// `max_delay`.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(86_400);

/// A wait the server asked for, in seconds, as a Duration: NaN and negatives give `None`,
/// anything huge (`1e20`, `inf`) saturates at [`MAX_SERVER_WAIT`]. Upstream numbers never
/// panic the conversion.
pub fn server_wait(seconds: f64) -> Option<Duration> {
    if seconds.is_nan() || seconds < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(
        seconds.min(MAX_SERVER_WAIT.as_secs_f64()),
    ))
}

/// Reads `retry-after-ms`, then `Retry-After` in seconds.
pub fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return server_wait(ms / 1000.0);
    }
    get("retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(server_wait)
}

/// Parses a protobuf Duration string such as "58s" or "45.837906927s".
pub fn parse_proto_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    server_wait(secs)
}

/// The first 300 characters of a body, for error messages.
pub fn short(body: &str) -> String {
    let t: String = body.trim().chars().take(300).collect();
    if t.is_empty() {
        "(empty body)".into()
    } else {
        t
    }
}

/// Sends a request built by `build` until it succeeds, fails fatally, or attempts run out.
/// `classify` decides on non-2xx responses; `estimated_tokens` is charged to the budget.
pub async fn send_with_retries<B, C>(
    policy: &CallPolicy,
    budget: &RateBudget,
    estimated_tokens: u64,
    build: B,
    classify: C,
) -> Result<Success, ProviderError>
where
    B: Fn() -> reqwest::RequestBuilder,
    C: Fn(u16, &HeaderMap, &str) -> Disposition,
{
    let mut retries = 0;
    loop {
        budget.acquire(estimated_tokens).await;
        let attempt = build().timeout(policy.timeout).send().await;
        let disposition = match attempt {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let body = match resp.text().await {
                    Ok(b) => b,
                    Err(e) => {
                        let d = Disposition::Retry {
                            after: None,
                            rate_limited: false,
                            reason: format!("reading body: {e}"),
                        };
                        if let Some(r) = next(policy, &mut retries, d, budget).await? {
                            return Err(r);
                        }
                        continue;
                    }
                };
                if (200..300).contains(&status) {
                    budget.on_success();
                    return Ok(Success { body, retries });
                }
                match classify(status, &headers, &body) {
                    Disposition::Fatal(m) if matches!(status, 401 | 403) => Disposition::Refused(m),
                    d => d,
                }
            }
            Err(e) if e.is_timeout() => Disposition::Retry {
                after: None,
                rate_limited: false,
                reason: format!("timed out after {:?}", policy.timeout),
            },
            Err(e) => Disposition::Retry {
                after: None,
                rate_limited: false,
                reason: format!("connection error: {}", without_url(&e)),
            },
        };
        if let Some(err) = next(policy, &mut retries, disposition, budget).await? {
            return Err(err);
        }
    }
}

/// Waits before the next attempt; returns the final error when there is none.
async fn next(
    policy: &CallPolicy,
    retries: &mut u32,
    d: Disposition,
    budget: &RateBudget,
) -> Result<Option<ProviderError>, ProviderError> {
    match d {
        Disposition::Fatal(msg) => Err(ProviderError::Call(format!("{msg} (not retried)"))),
        Disposition::Refused(msg) => Err(ProviderError::Refused(format!("{msg} (not retried)"))),
        Disposition::Retry {
            after,
            rate_limited,
            reason,
        } => {
            if *retries + 1 >= policy.max_attempts {
                return Ok(Some(ProviderError::Call(format!(
                    "{reason} (gave up after {} attempts)",
                    *retries + 1
                ))));
            }
            let backoff = policy
                .base_delay
                .saturating_mul(2u32.saturating_pow(*retries));
            let jitter = Duration::from_millis(
                rand::thread_rng().gen_range(0..=policy.base_delay.as_millis().min(1000) as u64),
            );
            let wait = after.unwrap_or(backoff + jitter).min(policy.max_delay);
            if rate_limited {
                budget.on_rate_limited(wait);
            }
            tracing::debug!(?wait, %reason, attempt = *retries + 1, "retrying model call");
            tokio::time::sleep(wait).await;
            *retries += 1;
            Ok(None)
        }
    }
}

/// A reqwest error without its URL, which may carry a key in its query string.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(url) = e.url() {
        s = s.replace(url.as_str(), "<url>");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto_durations() {
        assert_eq!(parse_proto_duration("58s"), Some(Duration::from_secs(58)));
        assert_eq!(
            parse_proto_duration("0.5s"),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_proto_duration("58"), None);
        assert_eq!(parse_proto_duration("1e20s"), Some(MAX_SERVER_WAIT));
        assert_eq!(parse_proto_duration("NaNs"), None);
        assert_eq!(parse_proto_duration("-1s"), None);
    }

    #[test]
    fn status_classification() {
        let h = HeaderMap::new();
        assert!(matches!(
            classify_status(503, &h, ""),
            Disposition::Retry {
                rate_limited: false,
                ..
            }
        ));
        assert!(matches!(
            classify_status(429, &h, ""),
            Disposition::Retry {
                rate_limited: true,
                ..
            }
        ));
        assert!(matches!(
            classify_status(403, &h, ""),
            Disposition::Fatal(_)
        ));
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert!(
            matches!(classify_status(429, &h, ""), Disposition::Retry { after: Some(d), .. } if d == Duration::from_secs(2))
        );
    }

    #[test]
    fn absurd_waits_saturate_instead_of_panicking() {
        let headers = |name: &'static str, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, reqwest::header::HeaderValue::from_static(value));
            h
        };
        for (name, value, want) in [
            ("retry-after", "1e20", Some(MAX_SERVER_WAIT)),
            ("retry-after", "inf", Some(MAX_SERVER_WAIT)),
            ("retry-after", "-5", None),
            ("retry-after", "NaN", None),
            ("retry-after-ms", "inf", Some(MAX_SERVER_WAIT)),
            ("retry-after-ms", "1e300", Some(MAX_SERVER_WAIT)),
            ("retry-after-ms", "1500", Some(Duration::from_millis(1500))),
        ] {
            assert_eq!(
                retry_after_header(&headers(name, value)),
                want,
                "{name}: {value}"
            );
        }
    }
}
