//! Secrets echoed back in provider error text (`Incorrect API key provided: sk-…`, a token
//! in a proxy's error page) are redacted before the text is logged or stored.

use std::sync::OnceLock;

use regex::Regex;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Shapes of well-known keys and tokens: OpenAI (`sk-…`), Google API keys (`AIza…`),
/// Google OAuth access tokens (`ya29.…`), and any bearer credential.
fn patterns() -> &'static Regex {
    static PATTERNS: OnceLock<Regex> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        Regex::new(
            r"sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|ya29\.[0-9A-Za-z_\-\.]{10,}|(?i:bearer)\s+[A-Za-z0-9_\-\.=]{12,}",
        )
        .expect("valid pattern")
    })
}

/// `text` with every occurrence of a known secret (at least 8 characters) and every
/// key-shaped token replaced by [`REDACTED`].
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().map(|s| s.trim()).filter(|s| s.len() >= 8) {
        out = out.replace(s, REDACTED);
    }
    patterns().replace_all(&out, REDACTED).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_keys_and_tokens_are_redacted() {
        let text = "Incorrect API key provided: sk-proj-Abc123_def456. Also AIzaSyA1234567890abcdefghijklmn \
                    and Authorization: Bearer ya29.a0AfB_byC123456789 and my-own-secret-value.";
        let clean = redact(text, &["my-own-secret-value", "short"]);
        for leaked in [
            "Abc123_def456",
            "AIzaSyA",
            "a0AfB_byC",
            "my-own-secret-value",
        ] {
            assert!(!clean.contains(leaked), "{leaked} in {clean}");
        }
        assert!(
            clean.contains("Incorrect API key provided: [redacted]"),
            "{clean}"
        );
        assert_eq!(
            redact("HTTP 500: upstream timeout", &[]),
            "HTTP 500: upstream timeout"
        );
        assert_eq!(
            redact("a short key", &["short"]),
            "a short key",
            "too short to match safely"
        );
    }
}
