//! Benchmarks that print figures (`make bench`, release build).
//!
//! `bench [RECORDS]`: component benchmarks on RECORDS records (default 20,000), then the
//! scale benchmark through the real server for each size in `BENCH_SCALE` (comma-separated,
//! default `1000,10000`; add 100000 for the national size, which takes minutes).
//! `BENCH_ONLY_SCALE=1` skips the component benchmarks. `BENCH_POSTGRES=postgres://…` runs the
//! scale benchmark's server on a new database of that PostgreSQL server (`make bench-postgres`).

mod api_load;
mod components;
mod load_model;
mod scale;
mod server;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    if std::env::var_os("BENCH_ONLY_SCALE").is_none() {
        components::run(n).await?;
    }
    let sizes: Vec<usize> = std::env::var("BENCH_SCALE")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect();
    scale::run(&sizes).await
}
