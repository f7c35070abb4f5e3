//! Vertex AI tests: URL and bearer, the service-account token exchange against a local token
//! endpoint (with an RSA key generated here, never committed), token caching and 401 refresh.

use std::sync::atomic::AtomicU32;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::tests::{body_of, config, fast, fixture, input, ok, spec, REPORT};
use super::*;

pub(super) const VERTEX_PATH: &str =
    "/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent";
const EMAIL: &str = "runner@proj-1.iam.gserviceaccount.com";

/// A throwaway 2048-bit key (PKCS#8 PEM) and its public key (PKCS#1 DER), made once per run.
fn test_key() -> &'static (String, Vec<u8>) {
    static KEY: OnceLock<(String, Vec<u8>)> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        (
            pem,
            key.to_public_key()
                .to_pkcs1_der()
                .unwrap()
                .as_bytes()
                .to_vec(),
        )
    })
}

fn key_json(token_uri: &str) -> String {
    json!({
        "type": "service_account", "project_id": "proj-1", "private_key_id": "kid-123",
        "private_key": test_key().0, "client_email": EMAIL, "client_id": "1", "token_uri": token_uri,
    })
    .to_string()
}

pub(super) fn vertex(server: &MockServer, tokens: Arc<dyn TokenSource>) -> GeminiProvider {
    let auth = GeminiAuth::Vertex {
        project: "proj-1".into(),
        location: "us-central1".into(),
        tokens,
    };
    let ctx = HttpContext {
        // The record's gs:// image is in a bucket the service may read.
        images: Arc::new(crate::providers::images::ImagePolicy {
            gcs_buckets: vec!["forms".into()],
            ..Default::default()
        }),
        ..HttpContext::offline()
    };
    GeminiProvider::new(spec(), auth, Some(server.uri()), ctx).with_policy(fast())
}

pub(super) fn token_ok(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}),
    )
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn service_account_token_reaches_vertex_and_is_cached() {
    let server = MockServer::start().await;
    let token_uri = format!("{}/token", server.uri());
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer",
        ))
        .respond_with(token_ok("ya29.test-token", 3599))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(VERTEX_PATH))
        .and(header("authorization", "Bearer ya29.test-token"))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    let tokens =
        ServiceAccountTokens::from_json(&key_json(&token_uri), reqwest::Client::new()).unwrap();
    assert_eq!(
        (tokens.project_id(), tokens.client_email()),
        (Some("proj-1"), EMAIL)
    );
    let p = vertex(&server, Arc::new(tokens));
    assert_eq!(p.kind(), "vertex");
    let input = RecordInput {
        image_urls: vec!["gs://forms/unit-7.jpg".into()],
        ..input()
    };
    for _ in 0..2 {
        let c = p
            .complete(
                &input,
                &config(),
                CallOptions {
                    use_cache: false,
                    ..CallOptions::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(c.text, REPORT);
    }

    let requests = server.received_requests().await.unwrap();
    let token_req = requests.iter().find(|r| r.url.path() == "/token").unwrap();
    let form: Vec<(String, String)> = url_pairs(&token_req.body);
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let pieces: Vec<&str> = assertion.split('.').collect();
    assert_eq!(pieces.len(), 3);
    assert_eq!(
        decode(pieces[0]),
        json!({"alg": "RS256", "typ": "JWT", "kid": "kid-123"})
    );
    let claims = decode(pieces[1]);
    assert_eq!(claims["iss"], EMAIL);
    assert_eq!(claims["aud"], token_uri.as_str());
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/cloud-platform"
    );
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(exp - iat == 3600 && iat < now && now - iat < 60, "{claims}");
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &test_key().1,
    );
    let signed = format!("{}.{}", pieces[0], pieces[1]);
    public
        .verify(
            signed.as_bytes(),
            &URL_SAFE_NO_PAD.decode(pieces[2]).unwrap(),
        )
        .expect("signature verifies");

    let call = requests
        .iter()
        .find(|r| r.url.path() == VERTEX_PATH)
        .unwrap();
    let parts = &body_of(call)["contents"][0]["parts"];
    assert_eq!(
        parts[1]["fileData"],
        json!({"mimeType": "image/jpeg", "fileUri": "gs://forms/unit-7.jpg"})
    );
}

pub(super) fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body)))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn short_lived_tokens_are_refetched_and_invalidate_drops_the_cache() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_ok("t", 0))
        .expect(2)
        .mount(&server)
        .await;
    let tokens = ServiceAccountTokens::from_json(
        &key_json(&format!("{}/token", server.uri())),
        reqwest::Client::new(),
    )
    .unwrap();
    tokens.token().await.unwrap();
    tokens.token().await.unwrap(); // expired at once: fetched again

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_ok("t", 3600))
        .expect(2)
        .mount(&server)
        .await;
    let tokens = ServiceAccountTokens::from_json(
        &key_json(&format!("{}/token", server.uri())),
        reqwest::Client::new(),
    )
    .unwrap();
    tokens.token().await.unwrap();
    tokens.token().await.unwrap(); // cached
    tokens.invalidate();
    assert_eq!(tokens.token().await.unwrap().expose(), "t");
}

#[tokio::test]
async fn token_endpoint_errors_are_reported() {
    let server = MockServer::start().await;
    let grant = json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."});
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(grant))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(VERTEX_PATH))
        .respond_with(ok())
        .expect(0)
        .mount(&server)
        .await;
    let tokens = ServiceAccountTokens::from_json(
        &key_json(&format!("{}/token", server.uri())),
        reqwest::Client::new(),
    )
    .unwrap();
    let err = vertex(&server, Arc::new(tokens))
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "vertex auth: token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature."
    );
}

/// Hands out "tok-1", "tok-2", … and counts invalidations.
#[derive(Default)]
struct CountingTokens {
    issued: AtomicU32,
    invalidated: AtomicU32,
}

#[async_trait::async_trait]
impl TokenSource for CountingTokens {
    async fn token(&self) -> Result<Secret, ProviderError> {
        Ok(Secret::new(format!(
            "tok-{}",
            self.issued.fetch_add(1, Ordering::SeqCst) + 1
        )))
    }
    fn invalidate(&self) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

fn unauthenticated() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401,
        "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}))
}

#[tokio::test]
async fn a_401_refreshes_the_token_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(unauthenticated())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let tokens = Arc::new(CountingTokens::default());
    let c = vertex(&server, tokens.clone())
        .complete(&input(), &config(), CallOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (c.retries, tokens.invalidated.load(Ordering::SeqCst)),
        (1, 1)
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(unauthenticated())
        .expect(2)
        .mount(&server)
        .await;
    let err = vertex(&server, Arc::new(CountingTokens::default()))
        .complete(&input(), &config(), CallOptions::default())
        .await;
    assert!(err
        .unwrap_err()
        .to_string()
        .starts_with("HTTP 401 UNAUTHENTICATED"));
}

#[test]
fn key_files_are_checked_and_never_shown() {
    let client = reqwest::Client::new();
    let tokens =
        ServiceAccountTokens::from_json(&key_json("http://127.0.0.1:9/token"), client.clone())
            .unwrap();
    let shown = format!("{tokens:?}");
    assert!(
        shown.contains(EMAIL) && !shown.contains("PRIVATE KEY"),
        "{shown}"
    );
    let user = r#"{"type": "authorized_user", "client_id": "x", "client_secret": "s", "refresh_token": "r",
        "client_email": "e", "private_key": "p"}"#;
    assert!(ServiceAccountTokens::from_json(user, client.clone())
        .unwrap_err()
        .0
        .contains("authorized_user"));
    let bad_pem = key_json("u").replace("MII", "!!!");
    assert!(ServiceAccountTokens::from_json(&bad_pem, client.clone()).is_err());
    let err =
        ServiceAccountTokens::from_json(r#"{"private_key": "secret-material"}"#, client.clone())
            .unwrap_err();
    assert!(
        err.0.contains("missing field") && !err.0.contains("secret-material"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.json");
    std::fs::write(&file, key_json("http://127.0.0.1:9/token")).unwrap();
    assert!(
        ServiceAccountTokens::from_path_or_json(file.to_str().unwrap(), client.clone()).is_ok()
    );
    assert!(ServiceAccountTokens::from_path_or_json(&key_json("u"), client.clone()).is_ok());
    assert!(ServiceAccountTokens::from_path_or_json("/nonexistent/key.json", client).is_err());

    let auth = GeminiAuth::Vertex {
        project: "p".into(),
        location: "global".into(),
        tokens: Arc::new(tokens),
    };
    let p = GeminiProvider::new(spec(), auth, None, HttpContext::offline());
    assert_eq!(p.endpoint(), "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent");
    assert!(fixture("vertex-error-403-iam.json").contains("PERMISSION_DENIED"));
}
