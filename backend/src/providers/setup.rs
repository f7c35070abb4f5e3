//! Building the model registry from configuration: built-in specs, `MODELS_FILE`, and the
//! keys and endpoints in the environment. A model whose provider is not configured is
//! listed as unavailable with the reason.

use std::sync::Arc;

use super::gemini::{find_credentials, GeminiAuth, GeminiProvider, TokenSource};
use super::openai::OpenAiProvider;
use super::spec::{builtin_specs, merge_models_file, ModelSpec, ProviderKind};
use super::{HttpContext, Registry};
use crate::config::{Secret, Settings};

/// Default OpenAI endpoint.
pub const OPENAI_DEFAULT_BASE: &str = "https://api.openai.com/v1";

/// The registry for these settings. `env` reads per-model key variables (`api_key_env`).
pub fn build_registry(
    settings: &Settings,
    ctx: &HttpContext,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Registry> {
    let p = &settings.providers;
    let mut specs = builtin_specs();
    if let Some(path) = &p.models_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read MODELS_FILE {}: {e}", path.display()))?;
        specs = merge_models_file(specs, &text).map_err(anyhow::Error::msg)?;
    }
    let vertex_tokens = vertex_tokens(settings, ctx, env);
    let mut registry = Registry::builtin();
    for spec in specs {
        registry.add_spec(spec.clone());
        let own_key = spec.api_key_env.as_deref().and_then(env).map(Secret::new);
        // The global keys (and Vertex tokens) go only to the vendor's host or the
        // operator's *_BASE_URL override; a model with a base_url of its own gets only the
        // key its api_key_env names.
        let custom_base = spec.base_url.is_some();
        match spec.provider {
            ProviderKind::Builtin => {}
            ProviderKind::Gemini if custom_base && own_key.is_none() => registry.register_unavailable(
                &spec.name,
                "gemini",
                "a model with its own base_url needs its own key (api_key_env): GEMINI_API_KEY goes only to Google",
            ),
            ProviderKind::Vertex if custom_base => registry.register_unavailable(
                &spec.name,
                "vertex",
                "Vertex AI credentials go only to Google's endpoint (or VERTEX_AI_BASE_URL), not to a model's own base_url",
            ),
            ProviderKind::Gemini => match (own_key.or_else(|| p.gemini_api_key.clone()), &vertex_tokens) {
                (Some(key), _) => {
                    let base = spec.base_url.clone().or_else(|| p.gemini_base_url.clone());
                    let provider = GeminiProvider::new(spec.clone(), GeminiAuth::ApiKey(key), base, ctx.clone());
                    registry.register(&spec.name, Arc::new(provider));
                }
                (None, Vertex::Ready(project, tokens)) => register_vertex(&mut registry, &spec, settings, project, tokens, ctx),
                (None, Vertex::Unusable(reason)) => registry.register_unavailable(
                    &spec.name,
                    "gemini",
                    &format!("GEMINI_API_KEY not set, and {reason}"),
                ),
                (None, Vertex::Absent) => registry.register_unavailable(
                    &spec.name,
                    "gemini",
                    "GEMINI_API_KEY not set (or Google credentials for Vertex AI)",
                ),
            },
            ProviderKind::Vertex => match &vertex_tokens {
                Vertex::Ready(project, tokens) => register_vertex(&mut registry, &spec, settings, project, tokens, ctx),
                Vertex::Unusable(reason) => registry.register_unavailable(&spec.name, "vertex", reason),
                Vertex::Absent => registry.register_unavailable(
                    &spec.name,
                    "vertex",
                    "no Google credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials or a metadata server",
                ),
            },
            ProviderKind::Openai => {
                let base = spec
                    .base_url
                    .clone()
                    .or_else(|| p.openai_base_url.clone())
                    .unwrap_or_else(|| OPENAI_DEFAULT_BASE.into());
                let key = if custom_base {
                    own_key
                } else {
                    own_key.or_else(|| p.openai_api_key.clone())
                };
                if key.is_none() && base.contains("api.openai.com") {
                    registry.register_unavailable(&spec.name, "openai", "OPENAI_API_KEY not set");
                } else {
                    let provider = OpenAiProvider::new(spec.clone(), key, base, ctx.clone());
                    registry.register(&spec.name, Arc::new(provider));
                }
            }
        }
    }
    Ok(registry)
}

fn register_vertex(
    registry: &mut Registry,
    spec: &ModelSpec,
    settings: &Settings,
    project: &str,
    tokens: &Arc<dyn TokenSource>,
    ctx: &HttpContext,
) {
    let auth = GeminiAuth::Vertex {
        project: project.to_string(),
        location: settings.vertex_ai_location.clone(),
        tokens: tokens.clone(),
    };
    let base = spec
        .base_url
        .clone()
        .or_else(|| settings.providers.vertex_base_url.clone());
    registry.register(
        &spec.name,
        Arc::new(GeminiProvider::new(spec.clone(), auth, base, ctx.clone())),
    );
}

/// Whether Vertex AI can be called, and if not, why.
enum Vertex {
    /// The project and its token source.
    Ready(String, Arc<dyn TokenSource>),
    /// Credentials were found and cannot be used (or no project is named): the reason.
    Unusable(String),
    /// No credentials anywhere.
    Absent,
}

/// Vertex AI credentials by Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`
/// as settings read it, then gcloud's file, then the metadata server). A credential problem
/// makes the Vertex models unavailable with the reason and is logged; it never stops the
/// server.
fn vertex_tokens(
    settings: &Settings,
    ctx: &HttpContext,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vertex {
    let from_settings = settings
        .providers
        .google_credentials_file
        .as_ref()
        .map(|f| f.display().to_string());
    let lookup = |k: &str| match k {
        "GOOGLE_APPLICATION_CREDENTIALS" => from_settings.clone(),
        _ => env(k),
    };
    let probe = settings.google_cloud_project.is_some();
    let found = match find_credentials(&lookup, probe, &ctx.client) {
        Ok(Some(found)) => found,
        Ok(None) => return Vertex::Absent,
        Err(e) => {
            tracing::warn!(error = %e, "Vertex AI models are unavailable");
            return Vertex::Unusable(e.to_string());
        }
    };
    match settings.google_cloud_project.clone().or(found.project) {
        Some(project) => {
            tracing::info!(credentials = %found.origin, %project, "Vertex AI credentials");
            Vertex::Ready(project, found.tokens)
        }
        None => {
            let reason = format!(
                "Vertex AI credentials from {} name no project: set GOOGLE_CLOUD_PROJECT",
                found.origin
            );
            tracing::warn!("{reason}");
            Vertex::Unusable(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        Settings::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        })
        .unwrap()
    }

    #[test]
    fn models_file_limits_reach_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.json");
        std::fs::write(
            &file,
            r#"{"models": [{"name": "gemini-2.5-flash", "requests_per_minute": 600}]}"#,
        )
        .unwrap();
        let vars = [
            ("GEMINI_API_KEY", "k"),
            ("MODELS_FILE", file.to_str().unwrap()),
        ];
        let settings = settings(&vars);
        let registry = build_registry(&settings, &HttpContext::offline(), &|_| None).unwrap();
        assert_eq!(
            registry
                .spec("gemini-2.5-flash")
                .unwrap()
                .requests_per_minute,
            Some(600)
        );
        assert!(registry.get("gemini-2.5-flash").is_ok());
        assert!(registry.get("gpt-4o-mini").is_err(), "no OPENAI_API_KEY");
    }

    /// A credentials file of a type we cannot use makes the Google models unavailable with
    /// the reason; it does not stop the server.
    #[test]
    fn unusable_google_credentials_leave_the_server_up_and_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("creds.json");
        std::fs::write(&file, r#"{"type": "external_account", "audience": "x"}"#).unwrap();
        let vars = [
            ("GOOGLE_APPLICATION_CREDENTIALS", file.to_str().unwrap()),
            ("GOOGLE_CLOUD_PROJECT", "p"),
        ];
        let registry =
            build_registry(&settings(&vars), &HttpContext::offline(), &|_| None).unwrap();
        let flash = registry
            .models()
            .into_iter()
            .find(|m| m.name == "gemini-2.5-flash")
            .unwrap();
        assert!(!flash.available);
        let reason = flash.reason.unwrap_or_default();
        assert!(reason.contains("external_account"), "{reason}");
        assert!(registry.get("rules-v1").is_ok());
    }

    #[tokio::test]
    async fn global_keys_never_go_to_a_models_own_base_url() {
        use wiremock::matchers::method;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.json");
        std::fs::write(
            &file,
            serde_json::json!({"models": [
                {"name": "local", "provider": "openai", "base_url": format!("{}/v1", server.uri()), "max_attempts": 1},
                {"name": "local-keyed", "provider": "openai", "base_url": format!("{}/v1", server.uri()),
                 "api_key_env": "LOCAL_SERVER_KEY", "max_attempts": 1},
                {"name": "gem-proxy", "provider": "gemini", "base_url": server.uri()},
                {"name": "vertex-proxy", "provider": "vertex", "base_url": server.uri()}
            ]})
            .to_string(),
        )
        .unwrap();
        let vars = [
            ("OPENAI_API_KEY", "sk-global-openai-key-123"),
            ("GEMINI_API_KEY", "AIza-global-gemini-key"),
            ("MODELS_FILE", file.to_str().unwrap()),
        ];
        let settings = settings(&vars);
        let env = |k: &str| (k == "LOCAL_SERVER_KEY").then(|| "own-local-key".to_string());
        let registry = build_registry(&settings, &HttpContext::offline(), &env).unwrap();
        let input = shared::RecordInput {
            text: Some("แบบ ส.ส. 5/18".into()),
            ..Default::default()
        };
        let config = shared::ModelConfig::new("local", 0.0, None);
        for model in ["local", "local-keyed"] {
            let p = registry.get(model).unwrap();
            let _ = p
                .complete(&input, &config, super::super::CallOptions::default())
                .await;
        }
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 2);
        assert!(
            requests[0].headers.get("authorization").is_none(),
            "no key for `local`"
        );
        assert_eq!(requests[1].headers["authorization"], "Bearer own-local-key");
        for r in &requests {
            let all = format!("{:?}", r.headers);
            assert!(!all.contains("global"), "a global key leaked: {all}");
        }
        for model in ["gem-proxy", "vertex-proxy"] {
            let err = registry.get(model).err().unwrap().to_string();
            assert!(err.contains("base_url"), "{model}: {err}");
        }
    }
}
