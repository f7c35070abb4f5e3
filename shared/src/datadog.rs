//! Datadog sites: the `site` a request or `DD_SITE` names, and the hosts it stands for.
//!
//! Only the sites Datadog runs are accepted: the site chooses where tallylab sends the
//! Datadog keys, so a request must never be able to name a host of its own.

use std::fmt;

/// A Datadog site (region) that hosts LLM Observability experiments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatadogSite {
    /// US1, `datadoghq.com`.
    Us1,
    /// US3, `us3.datadoghq.com`.
    Us3,
    /// US5, `us5.datadoghq.com`.
    Us5,
    /// EU1, `datadoghq.eu`.
    Eu1,
    /// AP1, `ap1.datadoghq.com`.
    Ap1,
    /// AP2, `ap2.datadoghq.com`.
    Ap2,
}

impl DatadogSite {
    /// Every site, in Datadog's own order.
    pub const ALL: [DatadogSite; 6] = [
        DatadogSite::Us1,
        DatadogSite::Us3,
        DatadogSite::Us5,
        DatadogSite::Eu1,
        DatadogSite::Ap1,
        DatadogSite::Ap2,
    ];

    /// The site's domain, as `DD_SITE` spells it.
    pub fn domain(self) -> &'static str {
        match self {
            DatadogSite::Us1 => "datadoghq.com",
            DatadogSite::Us3 => "us3.datadoghq.com",
            DatadogSite::Us5 => "us5.datadoghq.com",
            DatadogSite::Eu1 => "datadoghq.eu",
            DatadogSite::Ap1 => "ap1.datadoghq.com",
            DatadogSite::Ap2 => "ap2.datadoghq.com",
        }
    }

    /// Reads a site as users write it: the domain (any case, surrounding spaces, a trailing
    /// dot, or a leading `https://`/`app.`/`api.` forgiven) or the region name (`US1`,
    /// `eu1`…). `None` for anything else.
    pub fn parse(text: &str) -> Option<DatadogSite> {
        let t = text.trim().trim_end_matches('/').trim_end_matches('.');
        let t = t.to_ascii_lowercase();
        let t = t.strip_prefix("https://").unwrap_or(&t);
        let t = t
            .strip_prefix("app.")
            .or_else(|| t.strip_prefix("api."))
            .unwrap_or(t);
        DatadogSite::ALL
            .into_iter()
            .find(|s| s.domain() == t || s.region().eq_ignore_ascii_case(t))
    }

    /// The region's short name (US1, EU1…).
    pub fn region(self) -> &'static str {
        match self {
            DatadogSite::Us1 => "US1",
            DatadogSite::Us3 => "US3",
            DatadogSite::Us5 => "US5",
            DatadogSite::Eu1 => "EU1",
            DatadogSite::Ap1 => "AP1",
            DatadogSite::Ap2 => "AP2",
        }
    }

    /// Where the API lives: `https://api.<site>`.
    pub fn api_origin(self) -> String {
        format!("https://api.{}", self.domain())
    }

    /// Where the web app lives. Datadog's rule: the two-label sites (US1, EU1) put the app
    /// on `app.<site>`; the others serve it on the site's own name.
    pub fn ui_origin(self) -> String {
        match self {
            DatadogSite::Us1 | DatadogSite::Eu1 => format!("https://app.{}", self.domain()),
            _ => format!("https://{}", self.domain()),
        }
    }

    /// Datadog's page of an experiment.
    pub fn experiment_url(self, experiment_id: &str) -> String {
        format!("{}/llm/experiments/{experiment_id}", self.ui_origin())
    }

    /// Datadog's page of a dataset.
    pub fn dataset_url(self, dataset_id: &str) -> String {
        format!("{}/llm/datasets/{dataset_id}", self.ui_origin())
    }

    /// The sites' domains, for messages that list what is accepted.
    pub fn listed() -> String {
        DatadogSite::ALL.map(DatadogSite::domain).join(", ")
    }
}

impl fmt::Display for DatadogSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.domain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's table, site by site.
    #[test]
    fn every_site_has_its_hosts() {
        let table = [
            (
                "datadoghq.com",
                "https://api.datadoghq.com",
                "https://app.datadoghq.com",
            ),
            (
                "us3.datadoghq.com",
                "https://api.us3.datadoghq.com",
                "https://us3.datadoghq.com",
            ),
            (
                "us5.datadoghq.com",
                "https://api.us5.datadoghq.com",
                "https://us5.datadoghq.com",
            ),
            (
                "datadoghq.eu",
                "https://api.datadoghq.eu",
                "https://app.datadoghq.eu",
            ),
            (
                "ap1.datadoghq.com",
                "https://api.ap1.datadoghq.com",
                "https://ap1.datadoghq.com",
            ),
            (
                "ap2.datadoghq.com",
                "https://api.ap2.datadoghq.com",
                "https://ap2.datadoghq.com",
            ),
        ];
        assert_eq!(table.len(), DatadogSite::ALL.len());
        for (domain, api, ui) in table {
            let site = DatadogSite::parse(domain).expect(domain);
            assert_eq!(site.domain(), domain);
            assert_eq!(site.api_origin(), api);
            assert_eq!(site.ui_origin(), ui);
            assert_eq!(
                site.experiment_url("e1"),
                format!("{ui}/llm/experiments/e1")
            );
            assert_eq!(site.dataset_url("d1"), format!("{ui}/llm/datasets/d1"));
        }
    }

    #[test]
    fn sites_are_read_as_users_write_them() {
        for (text, site) in [
            (" DatadogHQ.com ", DatadogSite::Us1),
            ("https://app.datadoghq.eu/", DatadogSite::Eu1),
            ("api.us5.datadoghq.com", DatadogSite::Us5),
            ("eu1", DatadogSite::Eu1),
            ("AP2", DatadogSite::Ap2),
            ("us3.datadoghq.com.", DatadogSite::Us3),
        ] {
            assert_eq!(DatadogSite::parse(text), Some(site), "{text}");
        }
    }

    /// A site picks where the keys go: nothing but Datadog's own hosts.
    #[test]
    fn other_hosts_are_not_sites() {
        for text in [
            "",
            "example.com",
            "datadoghq.com.evil.test",
            "evil.test/datadoghq.com",
            "127.0.0.1",
            "ddog-gov.com",
            "datadoghq.com:8080",
            "user@datadoghq.com",
        ] {
            assert_eq!(DatadogSite::parse(text), None, "{text}");
        }
    }
}

crate::status::wire_enum! {
    /// Where an experiment's export to Datadog is.
    ExportState {
        /// Waiting to be sent, being sent, or waiting to retry after a failure.
        Pending => "pending",
        /// Every trial, the summary and the final status are in Datadog.
        Done => "done",
        /// Datadog refused it (not a passing outage); retry it from the API.
        Failed => "failed",
    }
}

/// An experiment's export to Datadog LLM Observability.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatadogExport {
    pub state: ExportState,
    /// Trials Datadog has acknowledged.
    pub sent_trials: u64,
    /// Failed attempts since the last success.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Datadog's experiment id, once created.
    pub datadog_experiment_id: Option<String>,
    /// Datadog's page of the experiment, once created.
    pub experiment_url: Option<String>,
    /// Datadog's page of the experiment's dataset, once known.
    pub dataset_url: Option<String>,
}

/// The Datadog export outbox, as health reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportBacklog {
    /// Experiments whose export is not finished.
    pub pending: u64,
    /// Experiments whose export Datadog refused.
    pub failed: u64,
    /// Trials stored but not yet acknowledged by Datadog.
    pub unsent_trials: u64,
}

/// Body of `POST /api/v1/datasets/{name}/datadog`: which version to push, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatadogPushRequest {
    /// The local version (default: the newest). A whole number written as `3.0` is 3, as
    /// JSON Schema's `integer` says.
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub version: Option<u32>,
    /// The Datadog project (default "vote-extraction-project").
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub project_name: Option<String>,
    /// The Datadog site (default `DD_SITE`'s).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::api::site_schema))]
    pub site: Option<String>,
}

/// Answer of a dataset push: the local version and the Datadog version it now is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatadogDatasetPushed {
    pub name: String,
    pub version: u32,
    pub datadog_dataset_id: String,
    pub datadog_version: u32,
    /// Datadog's page of the dataset.
    pub dataset_url: String,
}

/// A key a request carries for its own run: read, never written back (not serialised, not
/// shown by `Debug`).
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct RequestKey(String);

impl RequestKey {
    /// The key itself; call only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RequestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestKey(***)")
    }
}
