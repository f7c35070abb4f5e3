//! `tallylab dataset …`: generate, list and audit datasets.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use shared::DatasetRecord;

use crate::dataset::{builtin, generate, stream};
use crate::eval::audit_label;

/// Dataset commands.
#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Write a generated dataset as JSON Lines (one record per line).
    Generate {
        /// Number of records.
        #[arg(long, default_value_t = 100)]
        records: usize,
        #[command(flatten)]
        gen: GenArgs,
        /// Output file; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check every label against the form's arithmetic identities.
    Audit {
        #[command(flatten)]
        source: SourceArgs,
    },
}

/// Noise applied to generated OCR text.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Noise {
    None,
    Light,
    Realistic,
    Heavy,
}

impl From<Noise> for generate::NoiseLevel {
    fn from(n: Noise) -> Self {
        match n {
            Noise::None => generate::NoiseLevel::None,
            Noise::Light => generate::NoiseLevel::Light,
            Noise::Realistic => generate::NoiseLevel::Realistic,
            Noise::Heavy => generate::NoiseLevel::Heavy,
        }
    }
}

/// Generator settings.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Generator seed: the same seed gives the same records.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// OCR noise level.
    #[arg(long, value_enum, default_value_t = Noise::Realistic)]
    pub noise: Noise,
}

/// Where records come from: the bundled dataset, a file, or the generator.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// A dataset by name: offline, the bundled one (the default); with --server, any of
    /// the server's.
    #[arg(long)]
    pub dataset: Option<String>,
    /// A dataset file (JSON array, JSON Lines, or the original project's format).
    #[arg(long, conflicts_with = "generate")]
    pub dataset_file: Option<PathBuf>,
    /// Generate this many records instead of reading a dataset.
    #[arg(long)]
    pub generate: Option<usize>,
    #[command(flatten)]
    pub gen: GenArgs,
}

impl SourceArgs {
    /// The records as a source the runner reads a page at a time (generated ones are made
    /// as they are read), with a display name.
    pub fn records(&self) -> anyhow::Result<(String, super::source::Records)> {
        if let Some((name, config)) = self.generator() {
            return Ok((name, super::source::Records::Generated(config)));
        }
        let (name, records) = self.load()?;
        Ok((name, super::source::Records::Loaded(records)))
    }

    /// The generator `--generate` asks for, with a display name.
    fn generator(&self) -> Option<(String, generate::GeneratorConfig)> {
        let n = self.generate?;
        let config = generate::GeneratorConfig {
            seed: self.gen.seed,
            records: n,
            noise: self.gen.noise.into(),
            ..generate::GeneratorConfig::default()
        };
        Some((format!("generated-{n}-seed{}", self.gen.seed), config))
    }

    /// The records and a display name for them.
    pub fn load(&self) -> anyhow::Result<(String, Vec<DatasetRecord>)> {
        if let Some(path) = &self.dataset_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let records = stream::parse_dataset(&text)
                .with_context(|| format!("{} is not a valid dataset", path.display()))?;
            return Ok((path.display().to_string(), records));
        }
        if let Some((name, config)) = self.generator() {
            return Ok((name, generate::generate(&config).collect()));
        }
        let name = self.dataset_name();
        if name == builtin::BUILTIN_DATASET_NAME {
            return Ok((name.to_string(), builtin::builtin_dataset()));
        }
        anyhow::bail!(
            "Failed to load dataset \"{name}\": offline runs know only \"{}\" (use --dataset-file, --generate, or --server for a server's datasets)",
            builtin::BUILTIN_DATASET_NAME
        )
    }

    /// The dataset named by `--dataset`, the bundled one when absent.
    pub fn dataset_name(&self) -> &str {
        self.dataset
            .as_deref()
            .unwrap_or(builtin::BUILTIN_DATASET_NAME)
    }
}

/// Runs a dataset command.
pub fn run(cmd: DatasetCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DatasetCommand::Generate { records, gen, out } => {
            let config = generate::GeneratorConfig {
                seed: gen.seed,
                records,
                noise: gen.noise.into(),
                ..generate::GeneratorConfig::default()
            };
            let mut sink: Box<dyn Write> = match &out {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .with_context(|| format!("cannot create {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            for record in generate::generate(&config) {
                serde_json::to_writer(&mut sink, &record)?;
                sink.write_all(b"\n")?;
            }
            sink.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        DatasetCommand::Audit { source } => {
            let (name, records) = source.load()?;
            let mut flagged = 0;
            for r in &records {
                let flags = audit_label(&r.expected_output);
                if !flags.is_empty() {
                    flagged += 1;
                    for f in flags {
                        println!("{}\t{}\t{}\t{}", r.id, f.form, f.identity, f.message);
                    }
                }
            }
            println!(
                "{name}: {flagged} of {} labels break an arithmetic identity",
                records.len()
            );
            Ok(if flagged == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
    }
}
