//! Tokens from the metadata server of Cloud Run, GCE and GKE: the attached service
//! account's token at `/computeMetadata/v1/instance/service-accounts/default/token`, asked
//! with `Metadata-Flavor: Google` (the server refuses requests without it, and answers with
//! it, which tells it from anything else listening there).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use async_trait::async_trait;

use super::{token_from_response, TokenCache, TokenSource, TOKEN_REQUEST_TIMEOUT};
use crate::config::Secret;
use crate::providers::ProviderError;

/// Where the metadata server is when `GCE_METADATA_HOST` does not say (its link-local
/// address: no DNS needed).
pub const DEFAULT_METADATA_HOST: &str = "169.254.169.254";
const TOKEN_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/token";
const PROJECT_PATH: &str = "/computeMetadata/v1/project/project-id";

/// Tokens of the service account attached to the machine or service.
#[derive(Debug)]
pub struct MetadataServerTokens {
    client: reqwest::Client,
    /// `host[:port]` of the metadata server.
    host: String,
    cache: TokenCache,
}

impl MetadataServerTokens {
    /// Tokens from the metadata server at `host` (`host[:port]`).
    pub fn new(host: &str, client: reqwest::Client) -> Self {
        MetadataServerTokens {
            client,
            host: host.to_string(),
            cache: TokenCache::default(),
        }
    }

    async fn fetch(&self) -> Result<super::Cached, ProviderError> {
        let fail = |m: String| ProviderError::Call(format!("vertex auth (metadata server): {m}"));
        let url = format!("http://{}{TOKEN_PATH}", self.host);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let sent = self
                .client
                .get(&url)
                .header("Metadata-Flavor", "Google")
                .timeout(TOKEN_REQUEST_TIMEOUT)
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_server_error() && attempt < 3 => {}
                Ok(r) => {
                    let status = r.status().as_u16();
                    let body = r.text().await.unwrap_or_default();
                    return token_from_response(status, &body).map_err(fail);
                }
                Err(e) if attempt < 3 => {
                    tracing::debug!(error = %e.without_url(), "metadata token request failed; retrying");
                }
                Err(e) => return Err(fail(format!("{}", e.without_url()))),
            }
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
    }
}

#[async_trait]
impl TokenSource for MetadataServerTokens {
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.cache.get(|| self.fetch()).await
    }

    fn invalidate(&self) {
        self.cache.invalidate();
    }
}

/// Whether a metadata server answers at `host` within `timeout`, and its project id.
/// A plain blocking HTTP/1.1 exchange: it runs once, while the registry is built.
pub fn probe(host: &str, timeout: Duration) -> Option<String> {
    let with_port = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let addr = with_port.to_socket_addrs().ok()?.next()?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    write!(
        stream,
        "GET {PROJECT_PATH} HTTP/1.1\r\nHost: {host}\r\nMetadata-Flavor: Google\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut answer).ok()?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let ok = lines.next()?.split_whitespace().nth(1) == Some("200");
    let flavored = lines.any(|l| {
        l.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("metadata-flavor") && value.trim() == "Google"
        })
    });
    // A chunked body is its size line, the data, then the last chunk.
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let project = if chunked {
        body.split("\r\n").nth(1).unwrap_or_default()
    } else {
        body
    }
    .trim();
    (ok && flavored && !project.is_empty()).then(|| project.to_string())
}
