//! Remote images: only from allow-listed origins, over a client that follows no redirect
//! and connects only to addresses the [`GuardedResolver`] accepts, read no further than the
//! size limit.

use std::net::IpAddr;
use std::time::Duration;

use super::address::{forbidden, GuardedResolver};
use super::bad;
use crate::providers::ProviderError;

/// One `IMAGE_URL_ALLOWLIST` entry: `host` or `.suffix` (https on its default port), or an
/// origin with scheme and port such as `http://10.0.0.5:8080` (exactly that origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin {
    scheme: String,
    host: String,
    /// `.example.org` allows the host and its subdomains.
    subdomains: bool,
    port: u16,
}

impl AllowedOrigin {
    /// Parses one entry; `None` for an entry that is not a host or an origin.
    pub fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim().to_ascii_lowercase();
        let (scheme, rest) = match entry.split_once("://") {
            Some((s, r)) if s == "https" || s == "http" => (s.to_string(), r.to_string()),
            Some(_) => return None,
            None => ("https".to_string(), entry),
        };
        let rest = rest.trim_end_matches('/');
        let default_port = if scheme == "https" { 443 } else { 80 };
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => default_port,
                None => return None,
            };
            (host.to_string(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().ok()?),
                None => (rest.to_string(), default_port),
            }
        };
        let (host, subdomains) = match host.strip_prefix('.') {
            Some(h) => (h.to_string(), true),
            None => (host, false),
        };
        (!host.is_empty() && !host.contains('/')).then_some(AllowedOrigin {
            scheme,
            host,
            subdomains,
            port,
        })
    }

    fn admits(&self, url: &reqwest::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        // IP hosts compare as addresses ("::ffff:127.0.0.1" is written "::ffff:7f00:1").
        let same_ip = match (host.parse::<IpAddr>(), self.host.parse::<IpAddr>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let host_ok = same_ip
            || host == self.host
            || (self.subdomains && host.ends_with(&format!(".{}", self.host)));
        host_ok && url.scheme() == self.scheme && url.port_or_known_default() == Some(self.port)
    }
}

/// Whether `url` may be fetched under `allowlist` (before any address check).
pub fn admitted(allowlist: &[AllowedOrigin], url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| allowlist.iter().any(|o| o.admits(&u)))
}

/// The client of image fetches: no redirects, guarded name resolution, bounded time.
pub fn client(allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(std::sync::Arc::new(GuardedResolver { allow_private }))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// An error and its causes, innermost last ("client error (Connect): … resolves to …").
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        parts.push(s.to_string());
        next = s.source();
    }
    parts.dedup();
    parts.join(": ")
}

/// Fetches one image of at most `max_bytes`.
pub async fn fetch(
    client: &reqwest::Client,
    allowlist: &[AllowedOrigin],
    allow_private: bool,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, ProviderError> {
    if !admitted(allowlist, url) {
        return Err(bad(format!(
            "{url}: not an allowed image origin (IMAGE_URL_ALLOWLIST; https on its default port unless an entry names another)"
        )));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(format!("{url}: {e}")))?;
    // IP literals never reach the resolver: judge them here.
    if let Some(ip) = parsed
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
    {
        if let Some(reason) = forbidden(ip, allow_private) {
            return Err(bad(format!("{url}: {ip} is a {reason} address")));
        }
    }
    let mut resp = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| bad(format!("cannot fetch image {url}: {}", causes(&e))))?;
    let status = resp.status();
    if status.is_redirection() {
        return Err(bad(format!(
            "{url}: the image server answered a redirect (HTTP {}); redirects are not followed",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        return Err(bad(format!(
            "{url}: image fetch answered HTTP {}",
            status.as_u16()
        )));
    }
    if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Err(bad(format!(
            "{url}: the image is {} bytes, over the limit of {max_bytes}",
            resp.content_length().unwrap_or(0)
        )));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| bad(format!("{url}: image fetch: {}", e.without_url())))?
    {
        if bytes.len() + chunk.len() > max_bytes {
            return Err(bad(format!(
                "{url}: the image is over the limit of {max_bytes} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(entries: &[&str]) -> Vec<AllowedOrigin> {
        entries
            .iter()
            .map(|e| AllowedOrigin::parse(e).expect(e))
            .collect()
    }

    #[test]
    fn origins_match_host_scheme_and_port() {
        let list = allow(&[
            "ect.go.th",
            ".storage.example",
            "http://10.0.0.5:8080",
            "http://[::ffff:10.0.0.6]:81",
        ]);
        for ok in [
            "https://ect.go.th/a.jpg",
            "https://ect.go.th:443/a.jpg",
            "https://b.storage.example/a.jpg",
            "https://storage.example/a.jpg",
            "http://10.0.0.5:8080/x.png",
            "http://[::ffff:a00:6]:81/x.png",
        ] {
            assert!(admitted(&list, ok), "{ok}");
        }
        for refused in [
            "http://ect.go.th/a.jpg",
            "https://ect.go.th:8443/a.jpg",
            "https://evil.ect.go.th.attacker.io/a.jpg",
            "https://xstorage.example/a.jpg",
            "http://10.0.0.5/x.png",
            "https://10.0.0.5:8080/x.png",
            "http://169.254.169.254/latest",
            "file:///etc/passwd",
            "gopher://ect.go.th/",
            "not a url",
        ] {
            assert!(!admitted(&list, refused), "{refused}");
        }
        assert!(AllowedOrigin::parse("ftp://x").is_none());
        assert!(AllowedOrigin::parse("http://x:notaport").is_none());
    }
}
