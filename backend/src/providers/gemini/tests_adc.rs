//! Application Default Credentials against local servers: a gcloud user login (refresh-token
//! grant), the metadata server (its header, expiry and refresh), the search order, and
//! credentials that cannot be used.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::tests::{config, input, ok, REPORT};
use super::tests_vertex::{token_ok, url_pairs, vertex, VERTEX_PATH};
use super::*;

const METADATA_TOKEN: &str = "/computeMetadata/v1/instance/service-accounts/default/token";

fn user_file(token_uri: &str) -> String {
    json!({"type": "authorized_user", "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "csecret", "refresh_token": "1//refresh", "quota_project_id": "quota-proj",
        "token_uri": token_uri})
    .to_string()
}

/// An environment made of `vars` only.
fn env_of(vars: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

#[tokio::test]
async fn a_gcloud_user_login_refreshes_its_token_and_bills_its_quota_project() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_ok("ya29.user-token", 3599))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(VERTEX_PATH))
        .and(header("authorization", "Bearer ya29.user-token"))
        .and(header("x-goog-user-project", "quota-proj"))
        .respond_with(ok())
        .expect(2)
        .mount(&server)
        .await;
    // gcloud's well-known file under HOME, found without GOOGLE_APPLICATION_CREDENTIALS.
    let home = tempfile::tempdir().unwrap();
    let gcloud = home.path().join(".config/gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    std::fs::write(
        gcloud.join("application_default_credentials.json"),
        user_file(&format!("{}/token", server.uri())),
    )
    .unwrap();
    let env = env_of(vec![("HOME", home.path().display().to_string())]);
    let found = find_credentials(&env, false, &reqwest::Client::new())
        .unwrap()
        .expect("found");
    assert_eq!(found.project.as_deref(), Some("quota-proj"));
    assert!(found.origin.contains("authorized_user"), "{}", found.origin);
    let p = vertex(&server, found.tokens);
    for _ in 0..2 {
        let c = p
            .complete(
                &input(),
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
    let grant = requests.iter().find(|r| r.url.path() == "/token").unwrap();
    let mut form = url_pairs(&grant.body);
    form.sort();
    assert_eq!(
        form,
        [
            ("client_id", "cid.apps.googleusercontent.com"),
            ("client_secret", "csecret"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "1//refresh"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
}

#[tokio::test]
async fn the_metadata_server_gives_the_project_and_tokens_refreshed_on_expiry() {
    let server = MockServer::start().await;
    let flavored = |body: &str| {
        ResponseTemplate::new(200)
            .insert_header("Metadata-Flavor", "Google")
            .set_body_string(body)
    };
    Mock::given(method("GET"))
        .and(path("/computeMetadata/v1/project/project-id"))
        .and(header("Metadata-Flavor", "Google"))
        .respond_with(flavored("meta-proj"))
        .expect(1)
        .mount(&server)
        .await;
    // Tokens that expire in a second: each call after that fetches a new one.
    Mock::given(method("GET"))
        .and(path(METADATA_TOKEN))
        .and(header("Metadata-Flavor", "Google"))
        .respond_with(token_ok("ya29.meta", 1).insert_header("Metadata-Flavor", "Google"))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(VERTEX_PATH))
        .and(header("authorization", "Bearer ya29.meta"))
        .respond_with(ok())
        .expect(3)
        .mount(&server)
        .await;
    let host = server.address().to_string();
    let env = env_of(vec![("GCE_METADATA_HOST", host)]);
    let found = find_credentials(&env, false, &reqwest::Client::new())
        .unwrap()
        .expect("the metadata server answered");
    assert_eq!(found.project.as_deref(), Some("meta-proj"));
    let p = vertex(&server, found.tokens);
    for wait in [0, 0, 700] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        p.complete(
            &input(),
            &config(),
            CallOptions {
                use_cache: false,
                ..CallOptions::default()
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn something_else_listening_where_the_metadata_server_would_be_is_not_taken_for_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("meta-proj"))
        .mount(&server)
        .await;
    let env = env_of(vec![("GCE_METADATA_HOST", server.address().to_string())]);
    assert!(find_credentials(&env, false, &reqwest::Client::new())
        .unwrap()
        .is_none());
    // Nothing set and no reason to probe: nothing found, at once.
    let started = std::time::Instant::now();
    assert!(find_credentials(&|_| None, false, &reqwest::Client::new())
        .unwrap()
        .is_none());
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn credentials_that_cannot_be_used_say_why_and_which_file() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let check = |body: &str, want: &str| {
        let file = dir.path().join("creds.json");
        std::fs::write(&file, body).unwrap();
        let env = env_of(vec![(
            "GOOGLE_APPLICATION_CREDENTIALS",
            file.display().to_string(),
        )]);
        let err = find_credentials(&env, false, &client).err().expect(want);
        assert!(err.0.contains(want), "{err}");
        assert!(err.0.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{err}");
        assert!(!err.0.contains("topsecret"), "{err}");
    };
    check(
        r#"{"type": "external_account", "audience": "x", "credential_source": {"file": "topsecret"}}"#,
        "\"external_account\" are not supported",
    );
    check(r#"{"client_id": "x"}"#, "(none) are not supported");
    check("not json topsecret", "is not a credentials file");
    check(
        r#"{"type": "authorized_user", "client_id": "x", "client_secret": "topsecret"}"#,
        "missing field `refresh_token`",
    );
    let env = env_of(vec![(
        "GOOGLE_APPLICATION_CREDENTIALS",
        "/nonexistent/creds.json".into(),
    )]);
    assert!(find_credentials(&env, false, &client)
        .err()
        .unwrap()
        .0
        .contains("cannot read /nonexistent/creds.json"));
}
