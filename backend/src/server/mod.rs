//! The HTTP server: settings → store → providers → service → Actix app on a bound port.

mod access_log;
mod headers;
mod nul_guard;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::error::ApiError;
use crate::api::state::AppState;
use crate::api::{self, ApiDoc};
use crate::config::{Secret, Settings};
use crate::dataset::builtin;
use crate::providers::budget::Budgets;
use crate::providers::images::ImagePolicy;
use crate::providers::setup::build_registry;
use crate::providers::HttpContext;
use crate::service::cache::StoreCache;
use crate::service::Service;
use crate::store::{PgStore, SqliteStore, Store, StoreError};

/// A bound, not yet running server.
pub struct Application {
    pub port: u16,
    pub state: web::Data<AppState>,
    server: Server,
}

/// Where the API key came from, for the start-up message.
pub enum KeySource {
    Env,
    Generated(std::path::PathBuf),
    Stored(std::path::PathBuf),
}

impl Application {
    /// Opens the store, installs the bundled dataset, resumes unfinished runs and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<(Self, KeySource)> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create DATA_DIR {}", settings.data_dir.display()))?;
        // The key and the database live here: only the server's user may enter.
        restrict(&settings.data_dir, 0o700)?;
        let (api_key, source) = resolve_api_key(&settings)?;
        let store = open_store(settings.database_url.expose()).await?;
        let images = ImagePolicy::from_settings(&settings.providers);
        let ctx = HttpContext {
            client: crate::providers::provider_client(),
            // The store-backed cache is wired here: providers know only the cache trait.
            cache: Arc::new(StoreCache::new(store.clone())),
            images: Arc::new(images.clone()),
            budgets: Arc::new(Budgets::default()),
        };
        let registry = build_registry(&settings, &ctx, &|k| std::env::var(k).ok())?;
        let listener = TcpListener::bind((settings.bind_address.as_str(), settings.port))
            .with_context(|| format!("cannot bind {}:{}", settings.bind_address, settings.port))?;
        let port = listener.local_addr()?.port();
        let mut settings = settings;
        if settings.port == 0 {
            settings.public_base_url = settings.public_base_url.replace(":0", &format!(":{port}"));
        }
        let service = Arc::new(
            Service::new(
                store,
                Arc::new(registry),
                images,
                settings.public_base_url.clone(),
                settings.limits,
            )
            .with_datadog(settings.datadog.clone())
            .with_replica(crate::service::leases::Replica::named(
                settings.replica_id.clone(),
                &settings.data_dir,
                std::time::Duration::from_secs(settings.run_lease_seconds),
            )),
        );
        service.start_exporter();
        let resumed = service
            .take_over()
            .await
            .map_err(|e| anyhow::anyhow!("cannot resume unfinished runs: {e}"))?;
        if resumed > 0 {
            tracing::info!(resumed, "resumed unfinished runs");
        }
        service.start_leases();
        let state = web::Data::new(AppState {
            service,
            api_key,
            settings: Arc::new(settings),
            budgets: ctx.budgets.clone(),
        });
        let server = build_server(listener, state.clone())?;
        Ok((
            Application {
                port,
                state,
                server,
            },
            source,
        ))
    }

    /// Serves until the process is stopped; running runs stop without being cancelled, so
    /// the next start resumes them.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.state.service.shut_down();
        result
    }
}

/// Opens the database `url` names (SQLite or PostgreSQL) with its migrations run, and
/// installs the bundled dataset when it is not there.
async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if crate::store::is_postgres(url) {
        let store = PgStore::open(url)
            .await
            .context("cannot open the PostgreSQL database")?;
        let lock = store.start_up_lock().await?;
        let removed = store.remove_incomplete().await?;
        if removed > 0 {
            tracing::warn!(removed, "removed dataset versions a crash left incomplete");
        }
        install_bundled_dataset(&store).await?;
        lock.release().await?;
        return Ok(Arc::new(store));
    }
    let store = SqliteStore::open(url)
        .await
        .context("cannot open the database")?;
    if let Some(file) = sqlite_file(url) {
        // SQLite gives -wal and -shm files it creates later the database file's mode.
        for suffix in ["", "-wal", "-shm"] {
            let f = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if f.exists() {
                restrict(&f, 0o600)?;
            }
        }
    }
    install_bundled_dataset(&store).await?;
    Ok(Arc::new(store))
}

async fn install_bundled_dataset(store: &dyn crate::store::DatasetStore) -> anyhow::Result<()> {
    match store.dataset_detail(builtin::BUILTIN_DATASET_NAME).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound(_)) => {
            let records = builtin::builtin_dataset();
            store
                .create_dataset_version(
                    builtin::BUILTIN_DATASET_NAME,
                    builtin::builtin_description(),
                    "bundled with tallylab",
                    &records,
                    crate::eval::label_issues(&records),
                )
                .await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn resolve_api_key(settings: &Settings) -> anyhow::Result<(Secret, KeySource)> {
    if let Some(k) = &settings.api_key {
        return Ok((k.clone(), KeySource::Env));
    }
    let path = settings.data_dir.join("api-key");
    if let Ok(k) = std::fs::read_to_string(&path) {
        if !k.trim().is_empty() {
            restrict(&path, 0o600)?;
            return Ok((Secret::new(k.trim()), KeySource::Stored(path)));
        }
    }
    let key = format!(
        "tl_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(&path, &key)?;
    Ok((Secret::new(key), KeySource::Generated(path)))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // `mode` applies only when the file is created: an existing one keeps its old mode.
    restrict(path, 0o600)?;
    f.write_all(contents.as_bytes())?;
    Ok(())
}

/// Sets `path`'s permission bits (Unix; elsewhere nothing to do).
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot restrict the permissions of {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The file of a `sqlite://` database URL.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

fn json_error(e: impl std::fmt::Display, field: &str) -> actix_web::Error {
    ApiError::BadRequest {
        message: e.to_string(),
        field: Some(field.into()),
    }
    .into()
}

fn build_server(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let limit = state.settings.max_body_bytes;
    let index = state
        .settings
        .static_dir
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("index.html")).ok());
    let csp = headers::content_security_policy(index.as_deref());
    let csp = web::Data::new(headers::Csp(
        actix_web::http::header::HeaderValue::from_str(&csp)
            .context("the Content-Security-Policy is not a valid header value")?,
    ));
    // The models that can run now: one that cannot is refused whatever the schema says.
    let model_names: Vec<String> = state.service.registry.available_names();
    let judge_names: Vec<String> = state.service.registry.judge_names();
    let server = HttpServer::new(move || {
        let (app, mut openapi) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(state.clone())
            .app_data(csp.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(web::JsonConfig::default().limit(limit))
            .app_data(web::QueryConfig::default().error_handler(|e, _| json_error(e, "query")))
            .app_data(web::PathConfig::default().error_handler(|e, _| json_error(e, "path")))
            .configure(api::routes)
            .split_for_parts();
        api::document_errors(&mut openapi);
        api::document_models(&mut openapi, &model_names, &judge_names);
        api::document_inputs(&mut openapi);
        api::document_unsigned(&mut openapi);
        let routes = web::Data::new(api::routes::RouteTable::from_openapi(&openapi));
        let app = app
            .app_data(routes)
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn(nul_guard::refuse_nul))
            .wrap(actix_web::middleware::from_fn(headers::security_headers))
            .wrap(actix_web::middleware::from_fn(access_log::access_log))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi))
            .service(web::redirect("/docs", "/docs/"));
        match api::static_files(&state) {
            Some(files) => app
                .service(
                    web::resource(api::assets::ASSET_PATTERN)
                        .route(web::get().to(api::assets::asset))
                        .route(web::head().to(api::assets::asset))
                        .default_service(web::to(api::not_found_or_spa)),
                )
                .service(files.default_handler(web::to(api::not_found_or_spa)))
                .default_service(web::to(api::not_found_or_spa)),
            None => app.default_service(web::to(api::not_found_or_spa)),
        }
    })
    // Longer than the 5 s default so pooled client connections are rarely closed under them.
    .keep_alive(std::time::Duration::from_secs(75))
    // A request's head must arrive within this (slow senders are still cut off); the 5 s
    // default answered 408 to honest clients when 128 large uploads arrived at once on a
    // busy 2-core machine.
    .client_request_timeout(std::time::Duration::from_secs(15))
    .listen(listener)?
    .shutdown_timeout(5)
    .run();
    Ok(server)
}
