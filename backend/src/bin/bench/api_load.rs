//! API load: 64 concurrent keep-alive connections hammer one read endpoint each in turn for
//! a fixed time; latency percentiles (p50, p99) and throughput are printed per endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Concurrent connections.
pub const CONNECTIONS: usize = 64;
/// How long each endpoint is loaded.
const SECONDS: f64 = 3.0;

/// One endpoint's figures.
pub struct Load {
    pub name: &'static str,
    pub requests: usize,
    pub failures: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub per_second: f64,
}

/// Loads each `(name, path)` in turn through `base` with the API key.
pub async fn measure(
    base: &str,
    key: &str,
    endpoints: &[(&'static str, String)],
) -> anyhow::Result<Vec<Load>> {
    let mut out = Vec::new();
    for (name, path) in endpoints {
        out.push(one(base, key, name, path).await?);
    }
    Ok(out)
}

async fn one(base: &str, key: &str, name: &'static str, path: &str) -> anyhow::Result<Load> {
    let url = Arc::new(format!("{base}{path}"));
    let key = Arc::new(key.to_string());
    let deadline = Instant::now() + Duration::from_secs_f64(SECONDS);
    let started = Instant::now();
    let mut workers = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        // One client per worker: its own keep-alive connection.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()?;
        let (url, key) = (url.clone(), key.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match client
                    .get(url.as_str())
                    .header("X-API-Key", key.as_str())
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                failures += usize::from(!ok);
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for w in workers {
        let (l, f) = w.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i]
    };
    Ok(Load {
        name,
        requests: latencies.len(),
        failures,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        per_second: latencies.len() as f64 / elapsed,
    })
}
