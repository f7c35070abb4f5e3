//! Links to Datadog in a run's response: an exported experiment's `experiment_url` is
//! Datadog's page once the experiment exists there, and `comparison_url` Datadog's view of
//! the dataset's experiments; the web app's pages stay as `local_url` and
//! `local_comparison_url`.

use shared::{DatadogSite, ExperimentRunResponse};

use super::datadog_status::export_view;
use super::Service;
use crate::store::ExportRow;

/// `value` percent-encoded for a URL query.
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The comparison URL `template` filled in for an export's dataset and project.
pub fn comparison_url(
    template: &str,
    site: DatadogSite,
    row: &ExportRow,
    experiment_ids: &[&str],
) -> Option<String> {
    let dataset_id = row.dataset_id.as_deref()?;
    Some(
        template
            .replace("{ui}", &site.ui_origin())
            .replace("{dataset_id}", &encoded(dataset_id))
            .replace("{project_name}", &encoded(&row.project_name))
            .replace(
                "{project_id}",
                &encoded(row.project_id.as_deref().unwrap_or("")),
            )
            .replace("{experiment_ids}", &encoded(&experiment_ids.join(","))),
    )
}

impl Service {
    /// `response` with Datadog's pages for the experiments exported so far.
    pub async fn with_datadog_links(
        &self,
        mut response: ExperimentRunResponse,
    ) -> ExperimentRunResponse {
        let mut first: Option<ExportRow> = None;
        let mut remote_ids = Vec::new();
        for e in &mut response.experiments {
            let Ok(Some(row)) = self.store.get_export(&e.experiment_id).await else {
                continue;
            };
            let view = export_view(&row, self.datadog.site);
            if let Some(url) = &view.experiment_url {
                e.local_url = e.experiment_url.replace(url.clone());
            } else {
                e.local_url.clone_from(&e.experiment_url);
            }
            if let Some(id) = &row.remote_id {
                remote_ids.push(id.clone());
            }
            e.datadog_export = Some(view);
            first.get_or_insert(row);
        }
        let Some(row) = first else {
            return response;
        };
        let site = DatadogSite::parse(&row.site).unwrap_or(self.datadog.site);
        let ids: Vec<&str> = remote_ids.iter().map(String::as_str).collect();
        if let Some(url) = comparison_url(&self.datadog.comparison_url, site, &row, &ids) {
            response.local_comparison_url = response.comparison_url.replace(url);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_comparison_link_is_the_default_and_values_are_encoded() {
        let row = ExportRow {
            experiment_id: "exp_1".into(),
            site: "datadoghq.eu".into(),
            project_name: "vote extraction".into(),
            own_key: false,
            project_id: Some("p1".into()),
            dataset_id: Some("abc123".into()),
            dataset_version: Some(1),
            remote_id: None,
            create_sent: false,
            running_sent: false,
            sent_seq: 0,
            sent_trials: 0,
            summary_sent: false,
            state: "pending".into(),
            attempts: 0,
            last_error: None,
            next_attempt_at: 0,
            lease_owner: None,
            lease_until: None,
        };
        let template = crate::config::DatadogSettings::off().comparison_url;
        assert_eq!(
            comparison_url(&template, DatadogSite::Eu1, &row, &[]).as_deref(),
            Some(
                "https://app.datadoghq.eu/llm/experiments?dataset=abc123&project=vote%20extraction"
            )
        );
        let custom = "{ui}/llm/experiments/compare?experiments={experiment_ids}";
        assert_eq!(
            comparison_url(custom, DatadogSite::Us3, &row, &["a", "b"]).as_deref(),
            Some("https://us3.datadoghq.com/llm/experiments/compare?experiments=a%2Cb")
        );
    }
}
