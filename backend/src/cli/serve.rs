//! `tallylab serve`: the long-running server.

use std::process::ExitCode;

use crate::config::Settings;
use crate::server::{Application, KeySource};

/// Starts the server with settings from the environment, `.env` and `CONFIG_FILE`.
pub fn run() -> anyhow::Result<ExitCode> {
    let settings = Settings::from_env()?;
    super::init_logging_server(settings.log_json);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (app, source) = Application::build(settings).await?;
        let url = app.state.settings.public_base_url.clone();
        println!("tallylab is serving on {url}  (API docs: {url}/docs)");
        match source {
            KeySource::Env => println!("API key: the value of API_KEY"),
            KeySource::Generated(p) => println!(
                "API key: generated on first start, stored in {} (mode 0600)",
                p.display()
            ),
            KeySource::Stored(p) => println!("API key: stored in {}", p.display()),
        }
        app.run_until_stopped().await?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
