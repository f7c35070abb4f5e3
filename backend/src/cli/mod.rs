//! The command line: `tallylab serve`, `tallylab experiment run`, `tallylab dataset …`.

mod dataset;
mod events;
mod experiment;
pub mod gates;
mod offline;
mod print;
mod remote;
mod serve;
mod source;
mod submit;
mod summary;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// tallylab: run LLM extraction experiments on Thai vote-count forms and see, with
/// evidence, which model configuration to trust.
#[derive(Debug, Parser)]
#[command(name = "tallylab", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
// Parsed once per process: the size of the experiment flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the web app (configuration from the environment and .env).
    Serve,
    /// Run experiments on a server (--server) or in this process, and gate on the results.
    #[command(subcommand)]
    Experiment(experiment::ExperimentCommand),
    /// Generate, inspect and audit datasets.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
    /// Exit 0 when a server is ready (GET /ready answers 2xx), 1 otherwise: a container's
    /// health check, with no curl in the image.
    Probe {
        /// The URL to probe; default http://127.0.0.1:$PORT/ready (PORT default 8000).
        url: Option<String>,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve => serve::run(),
        Command::Experiment(experiment::ExperimentCommand::Run(args)) => {
            init_logging(false);
            let code = match &args.server {
                Some(server) => submit::run(&args, server),
                None => offline::run(&args),
            };
            // Whatever stopped the run before its gates could be checked is exit code 2.
            Ok(code.unwrap_or_else(|e| {
                eprintln!("error: {e:#}");
                ExitCode::from(gates::EXIT_COULD_NOT_RUN)
            }))
        }
        Command::Dataset(cmd) => {
            init_logging(false);
            dataset::run(cmd)
        }
        Command::Probe { url } => probe(url),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Probes `url` (default this machine's server's /ready) once, within three seconds.
fn probe(url: Option<String>) -> anyhow::Result<ExitCode> {
    let url = url.unwrap_or_else(|| {
        let port = std::env::var("PORT").unwrap_or_else(|_| "8000".into());
        format!("http://127.0.0.1:{port}/ready")
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime.block_on(async {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3))
            .build()?
            .get(&url)
            .send()
            .await
    });
    Ok(match answer {
        Ok(r) if r.status().is_success() => ExitCode::SUCCESS,
        Ok(r) => {
            eprintln!("{url} answered {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{url}: {e}");
            ExitCode::FAILURE
        }
    })
}

/// Server logging: info by default.
pub(crate) fn init_logging_server(json: bool) {
    init_logging_at("info", json);
}

/// Command-line logging: warnings only unless `RUST_LOG` says otherwise.
pub(crate) fn init_logging(json: bool) {
    init_logging_at("warn", json);
}

/// Logs to stderr; `json` for one JSON object per line. `RUST_LOG` filters.
fn init_logging_at(default: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
