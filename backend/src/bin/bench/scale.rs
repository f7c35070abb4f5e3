//! The scale benchmark: the real release server as a child process, a load model on
//! loopback, N generated records uploaded through the API and run in one sync run of two
//! configs (`jobs` 32 each); figures read from /proc and the clock.
//!
//! The load model is set by `BENCH_LATENCY_MS` (default 50), `BENCH_JITTER_MS` (0),
//! `BENCH_ERROR_RATE` and `BENCH_RATE_LIMITED` (shares of 500s and 429s, default 0) and
//! `BENCH_WIRE` (`openai`, the default, or `gemini`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use tallylab::dataset::generate::{generate, GeneratorConfig};

use crate::load_model::{Behaviour, LoadModel};

use crate::server::{show_storage, Server, KEY};
/// Concurrent calls per experiment.
const JOBS: u64 = 32;

/// A setting of the load model from the environment.
fn setting(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn behaviour() -> Behaviour {
    Behaviour {
        latency: Duration::from_secs_f64(setting("BENCH_LATENCY_MS", 50.0) / 1000.0),
        jitter: Duration::from_secs_f64(setting("BENCH_JITTER_MS", 0.0) / 1000.0),
        error_rate: setting("BENCH_ERROR_RATE", 0.0),
        rate_limited: setting("BENCH_RATE_LIMITED", 0.0),
    }
}

fn gemini_wire() -> bool {
    std::env::var("BENCH_WIRE").is_ok_and(|w| w == "gemini")
}

/// One row of the table.
struct Row {
    n: usize,
    upload_secs: f64,
    rss_after_upload: u64,
    /// Peak RSS while the upload was parsed and stored.
    upload_peak_rss: u64,
    wall_secs: f64,
    ideal_secs: f64,
    cpu_ms_per_trial: f64,
    /// Peak RSS during the run (the high-water mark is reset after the upload).
    peak_rss: u64,
    /// RSS a second after the run and the reads: what the server keeps when idle.
    rss_idle_after: u64,
    data_dir: u64,
    records_page_p50_ms: f64,
    records_page_p95_ms: f64,
    compare_ms: f64,
    /// The same comparison read again (stored).
    compare_again_ms: f64,
    /// API load on the finished experiments.
    load: Vec<crate::api_load::Load>,
}

/// Runs the benchmark for each N and prints the table.
pub async fn run(sizes: &[usize]) -> anyhow::Result<()> {
    let server_binary = std::env::current_exe()?.with_file_name("tallylab");
    anyhow::ensure!(
        server_binary.exists(),
        "{} is missing: build it (make bench does)",
        server_binary.display()
    );
    println!();
    let b = behaviour();
    println!(
        "scale: release server, load model ({} wire) at {} ms (+0-{} ms) a call, {:.1} % 500s, \
         {:.1} % 429s, 2 configs x jobs {JOBS}, one sync run",
        if gemini_wire() { "Gemini" } else { "OpenAI" },
        b.latency.as_millis(),
        b.jitter.as_millis(),
        b.error_rate * 100.0,
        b.rate_limited * 100.0,
    );
    println!(
        "{:>8} | {:>9} | {:>26} | {:>12} | {:>17} | {:>9} | {:>9} | {:>9} | {:>17} | {:>18}",
        "records",
        "upload",
        "wall vs ideal",
        "CPU/trial",
        "upload peak/after",
        "run peak",
        "idle RSS",
        "data dir",
        "page p50/p95",
        "compare 1st/2nd"
    );
    for &n in sizes {
        let row = one(&server_binary, n).await?;
        println!(
            "{:>8} | {:>7.1} s | {:>7.2} s vs {:>6.2} s {:>4.2}x | {:>9.3} ms | {:>6}/{:>5} MB | {:>6} MB | {:>6} MB | {:>6} MB | {:>6.1}/{:>6.1} ms | {:>7.1}/{:>6.1} ms",
            row.n,
            row.upload_secs,
            row.wall_secs,
            row.ideal_secs,
            row.wall_secs / row.ideal_secs,
            row.cpu_ms_per_trial,
            row.upload_peak_rss >> 20,
            row.rss_after_upload >> 20,
            row.peak_rss >> 20,
            row.rss_idle_after >> 20,
            row.data_dir >> 20,
            row.records_page_p50_ms,
            row.records_page_p95_ms,
            row.compare_ms,
            row.compare_again_ms,
        );
        println!(
            "         API load, {} connections: {}",
            crate::api_load::CONNECTIONS,
            row.load
                .iter()
                .map(|l| format!(
                    "{} p50 {:.1} / p99 {:.1} ms, {:.0}/s{}",
                    l.name,
                    l.p50_ms,
                    l.p99_ms,
                    l.per_second,
                    if l.failures > 0 {
                        format!(" ({} of {} failed)", l.failures, l.requests)
                    } else {
                        String::new()
                    }
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(())
}

async fn one(server_binary: &Path, n: usize) -> anyhow::Result<Row> {
    let records: Vec<_> = generate(&GeneratorConfig {
        seed: 7,
        records: n,
        ..Default::default()
    })
    .collect();
    let behaviour = behaviour();
    let model = LoadModel::start(&records, behaviour)?;
    let dir = std::env::temp_dir().join(format!("tallylab-scale-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("models.json"),
        model.models_file(&["load-a", "load-b"], &["load-gemini-a", "load-gemini-b"]),
    )?;
    let mut server = Server::start(server_binary, &dir).await?;
    let client = reqwest::Client::new();

    let body: String = records
        .iter()
        .map(|r| serde_json::to_string(r).map(|s| s + "\n"))
        .collect::<Result<_, _>>()?;
    drop(records);
    let t = Instant::now();
    let r = server
        .post(&client, "/api/v1/datasets/scale/versions", body)
        .await?;
    anyhow::ensure!(r.0 == 201, "upload answered {}: {}", r.0, r.1);
    let upload_secs = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after_upload = server.memory("VmRSS:")?;
    let upload_peak_rss = server.memory("VmHWM:")?;
    server.reset_peak()?;

    let cpu_before = server.cpu_seconds()?;
    let (a, b) = if gemini_wire() {
        ("load-gemini-a", "load-gemini-b")
    } else {
        ("load-a", "load-b")
    };
    // BENCH_USE_CACHE=false runs without the response cache (its writes are part of the
    // default run's cost).
    let use_cache = std::env::var("BENCH_USE_CACHE").map_or(true, |v| v != "false");
    let run = format!(
        r#"{{"dataset_name": "scale", "jobs": {JOBS}, "use_cache": {use_cache}, "model_configs": [
        {{"model": "{a}", "name_suffix": "a"}}, {{"model": "{b}", "name_suffix": "b"}}]}}"#
    );
    let t = Instant::now();
    let (status, response) = server.post(&client, "/api/v1/experiments/run", run).await?;
    let wall_secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(status == 200, "run answered {status}: {response}");
    let trials = 2 * n as u64;
    anyhow::ensure!(
        model.calls() >= trials,
        "the model saw {} calls for {trials} trials",
        model.calls()
    );
    let cpu = server.cpu_seconds()? - cpu_before;
    let peak_rss = server.memory("VmHWM:")?;

    let ids: Vec<String> = response["experiments"]
        .as_array()
        .context("experiments")?
        .iter()
        .filter_map(|e| e["experiment_id"].as_str().map(str::to_string))
        .collect();
    let mut pages = Vec::new();
    for i in 0..20u64 {
        let offset = (i * 7919) % n.max(1) as u64;
        let filter = match i % 3 {
            0 => "",
            1 => "&errors_only=true",
            _ => "&field=PartyList.vote_results%5B%5D.vote_count",
        };
        let path = format!(
            "/api/v1/experiments/{}/records?limit=50&offset={offset}{filter}",
            ids[0]
        );
        let t = Instant::now();
        server.get(&client, &path).await?;
        pages.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    pages.sort_by(f64::total_cmp);
    let t = Instant::now();
    server
        .get(&client, &format!("/api/v1/compare?ids={}", ids.join(",")))
        .await?;
    let compare_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Finished experiments' comparison is stored: the second read is what users see after
    // the first (and what a run's own comparison link gets once the run has warmed it).
    let t = Instant::now();
    server
        .get(&client, &format!("/api/v1/compare?ids={}", ids.join(",")))
        .await?;
    let compare_again_ms = t.elapsed().as_secs_f64() * 1000.0;
    let load = crate::api_load::measure(
        &server.base,
        KEY,
        &[
            ("health", "/health".into()),
            ("history", "/api/v1/experiments?limit=20".into()),
            ("one experiment", format!("/api/v1/experiments/{}", ids[0])),
            (
                "records page",
                format!(
                    "/api/v1/experiments/{}/records?limit=50&offset={}",
                    ids[0],
                    n / 2
                ),
            ),
        ],
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle_after = server.memory("VmRSS:")?;

    let data_dir = server.storage_bytes(&dir).await?;
    if server.on_postgres() {
        eprintln!("  (PostgreSQL: server CPU excludes the database's own processes)");
    }
    server.stop();
    model.stop().await;
    let wal = std::fs::metadata(dir.join("tallylab.db-wal")).map_or(0, |m| m.len());
    if std::env::var_os("BENCH_SHOW_STORAGE").is_some() {
        eprintln!(
            "  data dir {} MB, of which WAL {} MB",
            data_dir >> 20,
            wal >> 20
        );
        show_storage(&dir.join("tallylab.db"));
    }
    // BENCH_KEEP_DIR=1 keeps the data dir for profiling reads of it afterwards.
    if std::env::var_os("BENCH_KEEP_DIR").is_some() {
        eprintln!("  data dir kept: {}", dir.display());
    } else {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(Row {
        n,
        upload_secs,
        rss_after_upload,
        upload_peak_rss,
        wall_secs,
        ideal_secs: n as f64 * behaviour.latency.as_secs_f64() / JOBS as f64,
        cpu_ms_per_trial: cpu * 1000.0 / trials as f64,
        peak_rss,
        rss_idle_after,
        data_dir,
        records_page_p50_ms: pages[pages.len() / 2],
        records_page_p95_ms: pages[pages.len() * 95 / 100],
        compare_ms,
        compare_again_ms,
        load,
    })
}
