//! The command line: `tallylab serve`, `tallylab experiment run`, `tallylab dataset …`.

mod dataset;
mod experiment;
mod print;

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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run experiments offline, with no server.
    #[command(subcommand)]
    Experiment(experiment::ExperimentCommand),
    /// Generate, inspect and audit datasets.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Experiment(cmd) => experiment::run(cmd),
        Command::Dataset(cmd) => dataset::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
