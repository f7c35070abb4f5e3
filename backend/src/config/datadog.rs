//! Datadog LLM Observability settings: which site, which keys, and where the API is.

use shared::DatadogSite;

use super::{ConfigError, Secret};

/// Datadog LLM Observability settings. Export is on when both keys are set.
#[derive(Debug, Clone)]
pub struct DatadogSettings {
    /// `DD_API_KEY`.
    pub api_key: Option<Secret>,
    /// `DD_APP_KEY` (Datadog's own SDKs also read `DD_APPLICATION_KEY`).
    pub app_key: Option<Secret>,
    /// `DD_SITE`, datadoghq.com by default; a request's `site` overrides it for its run.
    pub site: DatadogSite,
    /// `DD_LLMOBS_OVERRIDE_ORIGIN`: replaces the API origin for every site (a proxy, or a
    /// test's local server), as in Datadog's SDK.
    pub override_origin: Option<String>,
    pub env: String,
    pub service: String,
    /// `DD_LLMOBS_COMPARISON_URL`: the comparison link of a run's response, with `{ui}`,
    /// `{dataset_id}`, `{project_name}`, `{project_id}` and `{experiment_ids}` filled in.
    /// Datadog documents no comparison page; the default is the experiments list filtered
    /// to the dataset, as in the original's response.
    pub comparison_url: String,
}

/// The comparison link unless `DD_LLMOBS_COMPARISON_URL` says otherwise.
pub const DEFAULT_COMPARISON_URL: &str =
    "{ui}/llm/experiments?dataset={dataset_id}&project={project_name}";

impl DatadogSettings {
    /// Reads the `DD_*` settings; an unknown site or an origin that is not an http(s) URL
    /// is an error at start-up rather than a surprise at the first export.
    pub(super) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let site = match get("DD_SITE") {
            Some(s) => DatadogSite::parse(&s).ok_or_else(|| ConfigError {
                name: "DD_SITE",
                message: format!(
                    "\"{s}\" is not a Datadog site (expected one of {})",
                    DatadogSite::listed()
                ),
            })?,
            None => DatadogSite::Us1,
        };
        let override_origin = match get("DD_LLMOBS_OVERRIDE_ORIGIN") {
            Some(o) => Some(origin(&o)?),
            None => None,
        };
        Ok(DatadogSettings {
            api_key: get("DD_API_KEY").map(Secret::new),
            app_key: get("DD_APP_KEY")
                .or_else(|| get("DD_APPLICATION_KEY"))
                .map(Secret::new),
            site,
            override_origin,
            env: get("DD_ENV").unwrap_or_else(|| "development".into()),
            service: get("DD_SERVICE").unwrap_or_else(|| "vote-extractor".into()),
            comparison_url: match get("DD_LLMOBS_COMPARISON_URL") {
                Some(t) if t.starts_with("{ui}/") || t.starts_with("https://") => t,
                Some(t) => {
                    return Err(ConfigError {
                        name: "DD_LLMOBS_COMPARISON_URL",
                        message: format!("\"{t}\" must start with {{ui}}/ or https://"),
                    })
                }
                None => DEFAULT_COMPARISON_URL.into(),
            },
        })
    }

    /// No keys, the default site: Datadog is not used.
    pub fn off() -> Self {
        DatadogSettings::from_lookup(|_| None).expect("no settings are valid settings")
    }

    /// True when both keys are set: every LLM Observability call needs the two.
    pub fn configured(&self) -> bool {
        self.api_key.is_some() && self.app_key.is_some()
    }

    /// Where the API calls for `site` go: the override when one is set, else the site's host.
    pub fn api_origin(&self, site: DatadogSite) -> String {
        self.override_origin
            .clone()
            .unwrap_or_else(|| site.api_origin())
    }
}

/// An http(s) origin without a trailing slash.
fn origin(text: &str) -> Result<String, ConfigError> {
    let err = |why: &str| ConfigError {
        name: "DD_LLMOBS_OVERRIDE_ORIGIN",
        message: format!("\"{text}\" {why}"),
    };
    let url = reqwest::Url::parse(text).map_err(|_| err("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(err("is not an http(s) URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(err("must not carry credentials or a query"));
    }
    Ok(text.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<DatadogSettings, ConfigError> {
        DatadogSettings::from_lookup(|k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_string())
        })
    }

    #[test]
    fn both_keys_turn_it_on() {
        assert!(!read(&[]).expect("ok").configured());
        assert!(!read(&[("DD_API_KEY", "a")]).expect("ok").configured());
        assert!(!read(&[("DD_APP_KEY", "b")]).expect("ok").configured());
        assert!(read(&[("DD_API_KEY", "a"), ("DD_APPLICATION_KEY", "b")])
            .expect("ok")
            .configured());
    }

    #[test]
    fn the_site_chooses_the_api_unless_an_origin_overrides_it() {
        let s = read(&[("DD_SITE", "datadoghq.eu")]).expect("ok");
        assert_eq!(s.site, DatadogSite::Eu1);
        assert_eq!(s.api_origin(s.site), "https://api.datadoghq.eu");
        assert_eq!(
            s.api_origin(DatadogSite::Ap1),
            "https://api.ap1.datadoghq.com"
        );
        let s = read(&[("DD_LLMOBS_OVERRIDE_ORIGIN", "http://127.0.0.1:9/")]).expect("ok");
        assert_eq!(s.api_origin(DatadogSite::Us5), "http://127.0.0.1:9");
    }

    #[test]
    fn a_bad_site_or_origin_stops_start_up_with_its_name() {
        let e = read(&[("DD_SITE", "example.com")]).unwrap_err();
        assert_eq!(e.name, "DD_SITE");
        assert!(e.message.contains("us3.datadoghq.com"), "{}", e.message);
        for o in [
            "ftp://x",
            "not a url",
            "http://user:pw@host",
            "http://h/?q=1",
        ] {
            let e = read(&[("DD_LLMOBS_OVERRIDE_ORIGIN", o)]).unwrap_err();
            assert_eq!(e.name, "DD_LLMOBS_OVERRIDE_ORIGIN", "{o}");
        }
        let e = read(&[("DD_LLMOBS_COMPARISON_URL", "javascript:alert(1)")]).unwrap_err();
        assert_eq!(e.name, "DD_LLMOBS_COMPARISON_URL");
        let s = read(&[("DD_LLMOBS_COMPARISON_URL", "{ui}/llm/x?d={dataset_id}")]).expect("ok");
        assert_eq!(s.comparison_url, "{ui}/llm/x?d={dataset_id}");
    }
}
