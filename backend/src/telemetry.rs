//! The process's Prometheus metrics: counters and histograms the runner and the store feed
//! as they work, and gauges set from the service's state when `/metrics` is scraped. One
//! registry per process (as Prometheus clients keep it), reached through [`telemetry`].

use std::sync::OnceLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// A trial's end: `status` is ok, failed (the model or its output) or cancelled.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    pub status: String,
}

/// A model and the kind of provider serving it (gemini, vertex, openai, builtin).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ModelLabels {
    pub provider: String,
    pub model: String,
}

/// A model call's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    pub provider: String,
    pub model: String,
    /// "ok" or "error".
    pub outcome: String,
}

/// A provider kind alone.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProviderLabel {
    pub provider: String,
}

/// Every metric of the process.
pub struct Telemetry {
    registry: Registry,
    /// Trials stored, by status.
    pub trials: Family<StatusLabel, Counter>,
    /// Model calls made (answers from the cache excluded), by outcome.
    pub provider_calls: Family<CallLabels, Counter>,
    /// Retries the calls needed.
    pub provider_retries: Family<ModelLabels, Counter>,
    /// Seconds a call took, retries included.
    pub call_seconds: Family<ModelLabels, Histogram>,
    /// Answers served from the response cache.
    pub cache_hits: Family<ModelLabels, Counter>,
    /// Store operations that failed.
    pub store_errors: Counter,
    /// Set at scrape: runs by status, as stored.
    pub runs: Family<StatusLabel, Gauge>,
    /// Brought up to date at scrape: 429 answers absorbed, by provider.
    pub rate_limited: Family<ProviderLabel, Counter>,
    /// Set at scrape: trials waiting to be exported to Datadog.
    pub export_backlog: Gauge,
}

fn call_histogram() -> Histogram {
    // 10 ms to about 3 minutes: local servers answer in milliseconds, Gemini Pro in tens of
    // seconds.
    Histogram::new([
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0,
    ])
}

impl Telemetry {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("tallylab");
        let trials = Family::<StatusLabel, Counter>::default();
        registry.register("trials", "Trials stored, by status", trials.clone());
        let provider_calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "provider_calls",
            "Model calls made (cache hits excluded), by provider, model and outcome",
            provider_calls.clone(),
        );
        let provider_retries = Family::<ModelLabels, Counter>::default();
        registry.register(
            "provider_retries",
            "Retries model calls needed (429, 5xx, timeouts)",
            provider_retries.clone(),
        );
        let call_seconds =
            Family::<ModelLabels, Histogram>::new_with_constructor(call_histogram as fn() -> _);
        registry.register(
            "provider_call_seconds",
            "Seconds a model call took, retries included",
            call_seconds.clone(),
        );
        let cache_hits = Family::<ModelLabels, Counter>::default();
        registry.register(
            "cache_hits",
            "Model answers served from the response cache",
            cache_hits.clone(),
        );
        let store_errors = Counter::default();
        registry.register(
            "store_errors",
            "Store operations that failed",
            store_errors.clone(),
        );
        let runs = Family::<StatusLabel, Gauge>::default();
        registry.register("runs", "Runs by status, as stored", runs.clone());
        let rate_limited = Family::<ProviderLabel, Counter>::default();
        registry.register(
            "provider_rate_limited",
            "429 answers absorbed since the start, by provider",
            rate_limited.clone(),
        );
        let export_backlog = Gauge::default();
        registry.register(
            "datadog_export_backlog",
            "Trials waiting to be exported to Datadog",
            export_backlog.clone(),
        );
        Telemetry {
            registry,
            trials,
            provider_calls,
            provider_retries,
            call_seconds,
            cache_hits,
            store_errors,
            runs,
            rate_limited,
            export_backlog,
        }
    }

    /// The metrics in Prometheus's text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's metrics.
pub fn telemetry() -> &'static Telemetry {
    static TELEMETRY: OnceLock<Telemetry> = OnceLock::new();
    TELEMETRY.get_or_init(Telemetry::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_exposed_with_their_names_and_labels() {
        let t = telemetry();
        t.provider_calls
            .get_or_create(&CallLabels {
                provider: "openai".into(),
                model: "m".into(),
                outcome: "ok".into(),
            })
            .inc();
        t.call_seconds
            .get_or_create(&ModelLabels {
                provider: "openai".into(),
                model: "m".into(),
            })
            .observe(0.3);
        let text = t.encode();
        assert!(
            text.contains(
                r#"tallylab_provider_calls_total{provider="openai",model="m",outcome="ok"}"#
            ),
            "{text}"
        );
        assert!(
            text.contains("tallylab_provider_call_seconds_bucket"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE tallylab_store_errors counter"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
