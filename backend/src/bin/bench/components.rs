//! Component benchmarks: generator, rules-v1, evaluators, runner overhead with an instant
//! model, and SQLite commit throughput, each on `n` records.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use futures::future::BoxFuture;
use shared::{DatasetRecord, ModelConfig, RecordInput};
use shared::{ExperimentStatus, RunMode, RunStatus};
use tallylab::dataset::generate::{generate, GeneratorConfig};
use tallylab::outcome::RecordOutcome;
use tallylab::providers::{CallOptions, Completion, Provider, ProviderError};
use tallylab::runner::{run_experiment, ExperimentPlan};
use tallylab::store::{
    DatasetStore, ExperimentRow, ExperimentStore, RunRow, RunStore, SqliteStore,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A model that answers instantly with a fixed body: measures the runner's own overhead.
struct Instant0(String);

impl Provider for Instant0 {
    fn kind(&self) -> &'static str {
        "bench"
    }
    fn complete<'a>(
        &'a self,
        _: &'a RecordInput,
        _: &'a ModelConfig,
        _: CallOptions,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            Ok(Completion {
                text: self.0.clone(),
                ..Default::default()
            })
        })
    }
}

fn rate(n: usize, secs: f64) -> String {
    format!("{n} in {secs:.2} s = {:.0}/s", n as f64 / secs.max(1e-9))
}

async fn run_through(
    provider: Arc<dyn Provider>,
    records: Arc<[DatasetRecord]>,
    jobs: usize,
) -> (Vec<RecordOutcome>, f64) {
    let plan = ExperimentPlan {
        config: ModelConfig::new("bench", 0.0, None),
        jobs,
        raise_errors: false,
        repetitions: 1,
        options: CallOptions::default(),
        judge: None,
        pace: None,
    };
    let (tx, mut rx) = mpsc::channel(1024);
    let collect = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(o) = rx.recv().await {
            v.push(o);
        }
        v
    });
    let t = Instant::now();
    run_experiment(
        provider,
        tallylab::runner::in_memory(records.to_vec()),
        &plan,
        &HashSet::new(),
        tx,
        CancellationToken::new(),
    )
    .await;
    let out = collect.await.unwrap_or_default();
    (out, t.elapsed().as_secs_f64())
}

/// Runs every component benchmark on `n` records and prints its figure.
pub async fn run(n: usize) -> anyhow::Result<()> {
    println!(
        "tallylab benchmarks — {n} records, {} cores",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );

    let t = Instant::now();
    let records: Vec<DatasetRecord> = generate(&GeneratorConfig {
        seed: 1,
        records: n,
        ..Default::default()
    })
    .collect();
    println!(
        "generator (both forms, realistic noise)   {}",
        rate(n, t.elapsed().as_secs_f64())
    );

    let texts: Vec<&str> = records
        .iter()
        .filter_map(|r| r.input.text.as_deref())
        .collect();
    let t = Instant::now();
    let ok = texts
        .iter()
        .filter(|t| tallylab::rules::extract(t).is_ok())
        .count();
    println!(
        "rules-v1 extraction (1 thread)            {} ({ok} parsed)",
        rate(texts.len(), t.elapsed().as_secs_f64())
    );

    // A hostile record: a form followed by rows up to rules-v1's input cap (about 30,000
    // rows); reading must stay linear.
    let form = records[0].input.text.clone().unwrap_or_default();
    let mut long = form.clone();
    let mut rows = 0;
    while long.len() < tallylab::rules::MAX_TEXT_BYTES - 64 {
        rows += 1;
        long.push_str(&format!("{rows} นาย ก พรรค ข 12 (สิบสอง)\n"));
    }
    let t = Instant::now();
    let parsed = tallylab::rules::extract(&long).is_ok();
    println!(
        "rules-v1 on one record of {rows} rows      {:.3} s ({} bytes, parsed {parsed})",
        t.elapsed().as_secs_f64(),
        long.len()
    );

    let t = Instant::now();
    let scored: f64 = records
        .iter()
        .map(|r| {
            tallylab::eval::evaluate_record(&r.expected_output, Ok(&r.expected_output)).overall
        })
        .sum();
    println!(
        "evaluators (the whole registry, per trial) {} (mean {:.3})",
        rate(n, t.elapsed().as_secs_f64()),
        scored / n as f64
    );

    let outputs: Vec<String> = records
        .iter()
        // As structured output answers: the reports inside an object root.
        .map(|r| serde_json::to_string(&serde_json::json!({"reports": r.expected_output})))
        .collect::<Result<_, _>>()?;
    let t = Instant::now();
    let typed = outputs
        .iter()
        .filter(|o| tallylab::report::parse_output(o).is_ok())
        .count();
    let typed_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lenient = outputs
        .iter()
        .filter(|o| tallylab::report::parse_leniently(o).is_ok())
        .count();
    println!(
        "model-output parse, typed path           {} ({typed} parsed; lenient path alone {}, {lenient} parsed)",
        rate(n, typed_secs),
        rate(n, t.elapsed().as_secs_f64()),
    );

    paired_comparisons();

    let records: Arc<[DatasetRecord]> = records.into();
    let answer = serde_json::to_string(&records[0].expected_output)?;
    let (outs, secs) = run_through(Arc::new(Instant0(answer)), records.clone(), 8).await;
    println!(
        "runner, instant model (parse+score), jobs 8 {}",
        rate(outs.len(), secs)
    );

    let (outs, secs) = run_through(
        Arc::new(tallylab::providers::RulesProvider),
        records.clone(),
        8,
    )
    .await;
    let mean = outs.iter().map(|o| o.scores.overall).sum::<f64>() / outs.len().max(1) as f64;
    println!(
        "runner, rules-v1, jobs 8                  {} (overall_accuracy {mean:.4})",
        rate(outs.len(), secs)
    );

    let dir = std::env::temp_dir().join(format!("tallylab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = SqliteStore::open(&format!("sqlite://{}", dir.join("b.db").display())).await?;
    let t = Instant::now();
    store
        .create_dataset_version("bench", "", "bench", &records, 0)
        .await?;
    let secs = t.elapsed().as_secs_f64();
    let batches = records.len().div_ceil(500).max(1);
    println!(
        "SQLite dataset version, batches of 500    {} (about {:.0} ms of write lock per batch)",
        rate(records.len(), secs),
        secs * 1000.0 / batches as f64
    );
    for id in ["bench", "bench-single"] {
        create_experiment(&store, id).await?;
    }
    let t = Instant::now();
    for chunk in outs.chunks(512) {
        store.insert_outcomes("bench", chunk).await?;
    }
    println!(
        "SQLite commit, batches of 512             {}",
        rate(outs.len(), t.elapsed().as_secs_f64())
    );
    let t = Instant::now();
    for o in outs.iter().take(2000) {
        store
            .insert_outcomes("bench-single", std::slice::from_ref(o))
            .await?;
    }
    println!(
        "SQLite commit, one record per transaction {}",
        rate(outs.len().min(2000), t.elapsed().as_secs_f64())
    );
    let stored = store.outcomes("bench").await?.len();
    anyhow::ensure!(
        stored == outs.len(),
        "stored {stored} of {} outcomes",
        outs.len()
    );
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

async fn create_experiment(store: &SqliteStore, id: &str) -> anyhow::Result<()> {
    let now = tallylab::store::timestamp();
    store
        .create_run(&RunRow {
            id: format!("run-{id}"),
            mode: RunMode::Sync,
            status: RunStatus::Running,
            request: Default::default(),
            dataset_id: "bench".into(),
            dataset_name: "bench".into(),
            dataset_version: 1,
            dataset_size: 0,
            response: None,
            error: None,
            created_at: now.clone(),
            finished_at: None,
        })
        .await?;
    store
        .create_experiment(&ExperimentRow {
            id: id.into(),
            run_id: format!("run-{id}"),
            position: 0,
            name: id.into(),
            project_name: "bench".into(),
            dataset_name: "bench".into(),
            dataset_version: 1,
            config: ModelConfig::new("bench", 0.0, None),
            prompt_version: "n/a".into(),
            jobs: 1,
            repetitions: 1,
            raise_errors: false,
            total_trials: 0,
            status: ExperimentStatus::Running,
            error: None,
            summary: None,
            created_at: now,
            finished_at: None,
        })
        .await?;
    Ok(())
}

/// One paired comparison of two 100,000-trial experiments, as the compare view computes it
/// per metric: scores of a handful of values (the usual case, resampled by value counts)
/// and scores that are all distinct (resampled one pick at a time).
fn paired_comparisons() {
    const PAIRS: usize = 100_000;
    // Deterministic and uneven: B slightly behind A on about 2 % of records.
    let a: Vec<f64> = (0..PAIRS)
        .map(|i| f64::from((i * 7919 % 13) as u8) / 12.0)
        .collect();
    let b: Vec<f64> = a
        .iter()
        .enumerate()
        .map(|(i, &x)| if i % 50 == 0 { (x - 0.25).max(0.0) } else { x })
        .collect();
    let t = Instant::now();
    let c = tallylab::stats::compare_scores("m", &a, &b, 1);
    println!(
        "paired comparison, {PAIRS} pairs, 13 values {:.0} ms (p {:?})",
        t.elapsed().as_secs_f64() * 1000.0,
        c.p_value
    );
    let a: Vec<f64> = (0..PAIRS).map(|i| (i as f64 * 0.618_034).fract()).collect();
    let b: Vec<f64> = a.iter().map(|x| x * 0.999).collect();
    let t = Instant::now();
    let c = tallylab::stats::compare_scores("m", &a, &b, 1);
    println!(
        "paired comparison, {PAIRS} distinct values {:.0} ms (p {:?})",
        t.elapsed().as_secs_f64() * 1000.0,
        c.p_value
    );
}
