//! The Dockerfile, the compose file and `.env.example`, checked statically (the build
//! machines have no Docker engine), and the image's health check probe run for real.

use std::process::Command;

use yaml_rust2::Yaml;

use crate::support::{free_port, text, workspace, yaml, Server};

/// The variables a text refers to as `${NAME…}`.
fn referenced_variables(text: &str) -> std::collections::BTreeSet<String> {
    text.split("${")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// The variables `.env.example` lists.
fn listed_variables() -> std::collections::BTreeSet<String> {
    std::fs::read_to_string(workspace().join(".env.example"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[test]
fn compose_serves_the_embedded_default_without_an_api_key() {
    let source = std::fs::read_to_string(workspace().join("docker-compose.yml")).unwrap();
    assert!(
        !source.contains(":?"),
        "no variable is required: compose starts with no .env at all"
    );
    let doc = yaml("docker-compose.yml");
    let app = &doc["services"]["tallylab"];
    let dockerfile = text_or(&app["build"]["dockerfile"], "Dockerfile");
    assert!(workspace().join(dockerfile).is_file(), "{dockerfile}");
    let ports: Vec<&str> = app["ports"].as_vec().unwrap().iter().map(text).collect();
    assert!(ports.iter().any(|p| p.ends_with(":8000")), "{ports:?}");
    let volumes: Vec<&str> = app["volumes"].as_vec().unwrap().iter().map(text).collect();
    assert!(volumes.contains(&"tallylab-data:/data"), "{volumes:?}");
    assert!(
        !doc["volumes"]["tallylab-data"].is_badvalue(),
        "the named volume is declared"
    );
    let env = app["environment"].as_hash().expect("environment as a map");
    let value = |k: &str| {
        env.get(&Yaml::String(k.into()))
            .map(|v| text(v).to_string())
            .unwrap_or_else(|| panic!("compose sets {k}"))
    };
    assert_eq!(
        value("API_KEY"),
        "${API_KEY:-}",
        "an unset key is generated, not refused"
    );
    assert_eq!(value("DATA_DIR"), "/data");
    for k in [
        "PUBLIC_BASE_URL",
        "GEMINI_API_KEY",
        "GOOGLE_CLOUD_PROJECT",
        "VERTEX_AI_LOCATION",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "OPENAI_API_KEY",
        "DD_API_KEY",
        "DD_APP_KEY",
        "DD_SITE",
    ] {
        value(k);
    }
    // Vertex credentials are an opt-in override: read-only, never created on the host.
    let vertex = yaml("docker-compose.vertex.yml");
    let mount = &vertex["services"]["tallylab"]["volumes"][0];
    assert_eq!(text(&mount["target"]), "/gcloud");
    assert_eq!(mount["read_only"].as_bool(), Some(true));
    assert_eq!(mount["bind"]["create_host_path"].as_bool(), Some(false));
    assert_eq!(
        text(&vertex["services"]["tallylab"]["environment"]["CLOUDSDK_CONFIG"]),
        "/gcloud"
    );
    let check: Vec<&str> = app["healthcheck"]["test"]
        .as_vec()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert_eq!(check, ["CMD", "tallylab", "probe"]);
    // Every variable compose reads is documented in .env.example.
    let listed = listed_variables();
    let missing: Vec<_> = referenced_variables(&source)
        .into_iter()
        .filter(|v| !listed.contains(v))
        .collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
}

/// `y` with YAML merge keys (`<<: *anchor`) applied, as compose reads it.
fn merged(y: &Yaml) -> yaml_rust2::yaml::Hash {
    let mut out = yaml_rust2::yaml::Hash::new();
    let Some(map) = y.as_hash() else {
        return out;
    };
    if let Some(base) = map.get(&Yaml::String("<<".into())) {
        out = merged(base);
    }
    for (k, v) in map {
        if k.as_str() != Some("<<") {
            let v = if v.as_hash().is_some() {
                Yaml::Hash(merged(v))
            } else {
                v.clone()
            };
            out.insert(k.clone(), v);
        }
    }
    out
}

#[test]
fn the_postgres_profile_runs_two_replicas_on_a_healthy_postgresql() {
    let doc = yaml("docker-compose.yml");
    let services = &doc["services"];
    let profile = |s: &Yaml| -> Vec<String> {
        s["profiles"]
            .as_vec()
            .map(|v| v.iter().map(|p| text(p).to_string()).collect())
            .unwrap_or_default()
    };
    assert!(
        profile(&services["tallylab"]).is_empty(),
        "the default starts without a profile"
    );
    let db = &services["postgres"];
    assert_eq!(profile(db), ["postgres"]);
    assert!(text(&db["image"]).starts_with("postgres:"));
    let check: Vec<&str> = db["healthcheck"]["test"]
        .as_vec()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert!(check.contains(&"pg_isready"), "{check:?}");
    let mut ids = Vec::new();
    let mut ports = Vec::new();
    for name in ["replica-a", "replica-b"] {
        let replica = Yaml::Hash(merged(&services[name]));
        assert_eq!(profile(&replica), ["postgres"], "{name}");
        let env = &replica["environment"];
        let url = text(&env["DATABASE_URL"]);
        assert!(
            url.starts_with("postgres://") && url.contains("@postgres:5432/"),
            "{url}"
        );
        assert_eq!(text(&env["API_KEY"]), "${API_KEY:-}", "{name}");
        assert_eq!(text(&env["DATA_DIR"]), "/data");
        ids.push(text(&env["REPLICA_ID"]).to_string());
        ports.push(text(&replica["ports"][0]).to_string());
        // One data volume: the key one replica generates is the other's.
        assert_eq!(
            text(&replica["volumes"][0]),
            "replicas-data:/data",
            "{name}"
        );
        let after = &replica["depends_on"];
        assert!(
            after["postgres"]["condition"].as_str() == Some("service_healthy")
                || after["replica-a"]["condition"].as_str() == Some("service_healthy"),
            "{name} waits for what it needs"
        );
        let probe: Vec<&str> = replica["healthcheck"]["test"]
            .as_vec()
            .unwrap()
            .iter()
            .map(text)
            .collect();
        assert_eq!(probe, ["CMD", "tallylab", "probe"]);
    }
    assert_ne!(ids[0], ids[1], "each replica has its own id in the leases");
    assert_ne!(ports[0], ports[1]);
    for volume in ["postgres-data", "replicas-data"] {
        assert!(
            !doc["volumes"][volume].is_badvalue(),
            "{volume} is declared"
        );
    }
}

fn text_or<'a>(y: &'a Yaml, default: &'a str) -> &'a str {
    y.as_str().unwrap_or(default)
}

#[test]
fn env_example_lists_every_variable_the_server_reads() {
    let listed = listed_variables();
    for source in ["backend/src/config.rs", "backend/src/config/datadog.rs"] {
        let code = std::fs::read_to_string(workspace().join(source)).unwrap();
        // Settings are read as get("NAME") (or a helper taking the name first).
        for part in code.split('"').skip(1).step_by(2) {
            let is_name = part.len() > 2
                && part
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && part.contains('_');
            if is_name {
                assert!(
                    listed.contains(part),
                    ".env.example lacks {part} (read in {source})"
                );
            }
        }
    }
}

#[test]
fn the_image_is_multi_stage_non_root_with_the_web_app_and_a_health_check() {
    let dockerfile = std::fs::read_to_string(workspace().join("Dockerfile")).unwrap();
    let stages: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(
        stages.len(),
        2,
        "a build stage and a slim runtime: {stages:?}"
    );
    assert!(stages[1].contains("-slim"), "{stages:?}");
    let runtime = &dockerfile[dockerfile.rfind("\nFROM ").unwrap()..];
    assert!(
        dockerfile.contains("make frontend"),
        "the build stage bundles the web app"
    );
    assert!(runtime.contains("COPY --from=build /out/web /app/web"));
    assert!(runtime.contains("STATIC_DIR=/app/web"));
    let user = runtime
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER in the runtime stage");
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "{user}"
    );
    assert!(runtime.contains("HEALTHCHECK") && runtime.contains("\"tallylab\", \"probe\""));
    assert!(runtime.contains("EXPOSE 8000"));
    assert!(runtime.trim_end().ends_with(r#"CMD ["tallylab", "serve"]"#));
    assert!(
        !runtime.contains("curl"),
        "the health check is the binary's own probe: no curl in the image"
    );
    let ignore = std::fs::read_to_string(workspace().join(".dockerignore")).unwrap();
    for kept_out in ["target/", "data/", ".env"] {
        assert!(
            ignore.lines().any(|l| l == kept_out),
            ".dockerignore keeps out {kept_out}"
        );
    }
}

#[test]
fn the_probe_passes_on_a_ready_server_and_fails_without_one() {
    let server = Server::start();
    let ok = Command::new(e2e::tallylab_bin())
        .args(["probe", &format!("{}/ready", server.url)])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    drop(server);
    let port = free_port();
    let down = Command::new(e2e::tallylab_bin())
        .arg("probe")
        .env("PORT", port.to_string())
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
}
