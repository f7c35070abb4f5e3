//! Building the model registry from configuration: built-in specs, `MODELS_FILE`, and the
//! keys and endpoints in the environment. A model whose provider is not configured is
//! listed as unavailable with the reason.

use std::sync::Arc;

use super::gemini::{GeminiAuth, GeminiProvider, ServiceAccountTokens, TokenSource};
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
    let vertex_tokens = vertex_tokens(settings, ctx)?;
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
                (None, Some((project, tokens))) => register_vertex(&mut registry, &spec, settings, project, tokens, ctx),
                (None, None) => registry.register_unavailable(
                    &spec.name,
                    "gemini",
                    "GEMINI_API_KEY not set (or GOOGLE_CLOUD_PROJECT with credentials for Vertex AI)",
                ),
            },
            ProviderKind::Vertex => match &vertex_tokens {
                Some((project, tokens)) => register_vertex(&mut registry, &spec, settings, project, tokens, ctx),
                None => registry.register_unavailable(
                    &spec.name,
                    "vertex",
                    "GOOGLE_CLOUD_PROJECT and GOOGLE_APPLICATION_CREDENTIALS not set",
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

/// Vertex AI credentials: the project plus a token source from the key file.
fn vertex_tokens(
    settings: &Settings,
    ctx: &HttpContext,
) -> anyhow::Result<Option<(String, Arc<dyn TokenSource>)>> {
    let (Some(project), Some(file)) = (
        &settings.google_cloud_project,
        &settings.providers.google_credentials_file,
    ) else {
        return Ok(None);
    };
    let json = std::fs::read_to_string(file).map_err(|e| {
        anyhow::anyhow!(
            "cannot read GOOGLE_APPLICATION_CREDENTIALS {}: {e}",
            file.display()
        )
    })?;
    let tokens = ServiceAccountTokens::from_json(&json, ctx.client.clone()).map_err(|e| {
        anyhow::anyhow!("GOOGLE_APPLICATION_CREDENTIALS is not a usable service-account key: {e}")
    })?;
    Ok(Some((project.clone(), Arc::new(tokens))))
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
