//! `cargo bench -p e2e --bench first_heading`: how long a first visit takes to show the web
//! app's first heading, and how many bytes it transfers, in headless Chromium throttled to
//! Chrome DevTools' "Slow 4G" (and unthrottled), for the built app served two ways:
//! - **before**: the files only, compressed per request by the server's gzip middleware;
//! - **after**: with the brotli and gzip copies `make frontend` writes (tools/precompress).
//!
//! Needs the built web app (`make frontend`), Chromium and ChromeDriver (`make browser`).
//! `FIRST_HEADING_RUNS` (default 3) visits per case, each in a fresh profile (cold cache).

#[allow(dead_code)]
#[path = "../tests/web/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "../tests/web/world.rs"]
mod world;

use std::path::Path;
use std::time::{Duration, Instant};

use browser::Browser;
use world::{workspace, App};

/// Chrome DevTools' "Slow 4G" preset: 562.5 ms latency, 1.6 Mbit/s down, 750 kbit/s up
/// (each × 0.9, as DevTools applies them).
const SLOW_4G: (u32, u32, u32) = (563, 1_638_400 * 9 / 10 / 8, 768_000 * 9 / 10 / 8);

#[tokio::main]
async fn main() {
    let dist = workspace().join("frontend").join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "build the web app first: make frontend"
    );
    let before = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(&dist).expect("dist").flatten() {
        let path = entry.path();
        let copy = path.extension().is_some_and(|e| e == "br" || e == "gz");
        if path.is_file() && !copy {
            std::fs::copy(&path, before.path().join(entry.file_name())).expect("copy");
        }
    }
    let runs: usize = std::env::var("FIRST_HEADING_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    println!("first visit to /, cold cache, median of {runs} (each: ms to first <h1>, bytes transferred)");
    for (network, throttle) in [("Slow 4G", Some(SLOW_4G)), ("unthrottled", None)] {
        for (case, dir) in [
            ("before (gzip per request)", before.path()),
            ("after (precompressed)", dist.as_path()),
        ] {
            let mut samples = Vec::new();
            for _ in 0..runs {
                let sample = visit(dir, throttle).await;
                eprintln!("  {network} {case}: {} ms, {} bytes", sample.0, sample.1);
                samples.push(sample);
            }
            samples.sort_by_key(|(ms, _)| *ms);
            let (ms, bytes) = samples[samples.len() / 2];
            println!("{network:12} {case:28} {ms:>6} ms  {bytes:>9} bytes");
        }
    }
}

/// One cold visit: (milliseconds from navigation start to the first heading in the page,
/// bytes the page transferred).
async fn visit(dir: &Path, throttle: Option<(u32, u32, u32)>) -> (u64, u64) {
    let app = App::start_with(&[("STATIC_DIR", dir.as_os_str())]);
    let browser = Browser::start().await;
    if let Some((latency, down, up)) = throttle {
        browser.throttle(latency, down, up);
    }
    let c = browser.client();
    // Navigates without waiting for the load event, then watches for the heading from
    // inside the page (performance.now() counts from that navigation's start).
    c.execute(
        "setTimeout(() => { window.location.href = arguments[0]; }, 0);",
        vec![app.url("/").into()],
    )
    .await
    .expect("navigate");
    let start = Instant::now();
    let ms = loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no heading after 2 minutes"
        );
        let seen = c
            .execute(
                "return location.pathname === '/' && document.querySelector('main h1, h1') \
                 ? Math.round(performance.now()) : null;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64());
        if let Some(ms) = seen {
            break ms;
        }
        if std::env::var_os("FIRST_HEADING_DEBUG").is_some() {
            let state = c
                .execute(
                    "return location.href + ' ' + document.readyState + ' ' + performance.now();",
                    vec![],
                )
                .await;
            eprintln!("{:?} {state:?}", start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let bytes = c
        .execute(
            "const nav = performance.getEntriesByType('navigation').map(e => e.transferSize);\
             const res = performance.getEntriesByType('resource').map(e => e.transferSize);\
             return nav.concat(res).reduce((a, b) => a + b, 0);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    browser.close().await;
    drop(app);
    (ms, bytes)
}
