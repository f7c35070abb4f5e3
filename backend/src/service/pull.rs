//! A run's dataset when it lives in Datadog LLM Observability: found by exact name in the
//! request's project, pulled page by page into a local dataset version that carries
//! Datadog's dataset id and version, and reused while Datadog's version is unchanged.

use std::collections::HashSet;

use shared::{DatadogSite, DatasetSource, ExperimentRunRequest, FieldError};

use super::datasets::{audit_count, check_name, DiscardGuard};
use super::{Service, ServiceError, ServiceResult};
use crate::config::Secret;
use crate::datadog::{Client, DatadogError, RetryPolicy};
use crate::dataset::load::{record_from_value, MAX_RECORDS};
use crate::store::{DatadogLink, DatadogOrigin, LinkDirection, StoreError};

/// Pages one pull may read: Datadog pages hold at least one record, so a dataset of
/// [`MAX_RECORDS`] fits; a server that never stops paging is cut off here.
const MAX_PAGES: usize = MAX_RECORDS;
/// Empty pages in a row (each with a next cursor) before a listing is given up.
const MAX_EMPTY_PAGES: usize = 10;

fn upstream(e: DatadogError) -> ServiceError {
    ServiceError::Upstream(e.to_string())
}

impl Service {
    /// A Datadog client for a request's site, when both keys are set. The request's site
    /// is used when it is not the default one; otherwise `DD_SITE`'s.
    pub fn datadog_client(&self, request: &ExperimentRunRequest) -> Option<Client> {
        let site = self.datadog_site(request);
        match &request.api_key {
            Some(key) => self.datadog_client_with(site, Secret::new(key.expose())),
            None => self.datadog_client_for(site),
        }
    }

    /// The site a request's Datadog calls go to: its own when it is not the default one,
    /// else `DD_SITE`'s.
    pub fn datadog_site(&self, request: &ExperimentRunRequest) -> DatadogSite {
        match DatadogSite::parse(&request.site) {
            Some(s) if s != DatadogSite::Us1 => s,
            _ => self.datadog.site,
        }
    }

    /// A Datadog client for `site`, when both keys are set.
    pub fn datadog_client_for(&self, site: DatadogSite) -> Option<Client> {
        self.datadog_client_with(site, self.datadog.api_key.clone()?)
    }

    /// A Datadog client for `site` with API key `api_key`, when the app key is set.
    pub fn datadog_client_with(&self, site: DatadogSite, api_key: Secret) -> Option<Client> {
        let settings = &self.datadog;
        Some(Client::new(
            &settings.api_origin(site),
            api_key,
            settings.app_key.clone()?,
            RetryPolicy::default(),
        ))
    }

    /// The local version a request's records are read at: the request's own for a local
    /// dataset; for Datadog's, the local copy of the Datadog version asked for, pulled
    /// first when there is none yet.
    pub(super) async fn local_version(
        &self,
        request: &ExperimentRunRequest,
    ) -> ServiceResult<Option<u32>> {
        let name = &request.dataset_name;
        let client = self.datadog_client(request);
        let local = self.store.newest_is_pulled(name).await?;
        let pull = match (request.dataset_source.unwrap_or(DatasetSource::Auto), local) {
            (DatasetSource::Local, _) | (DatasetSource::Auto, Some(false)) => false,
            (DatasetSource::Auto, None) if client.is_none() => {
                return Err(self
                    .not_found(
                        name,
                        "Datadog is not configured (set DD_API_KEY and DD_APP_KEY to look there)",
                    )
                    .await);
            }
            // A dataset pulled earlier, with Datadog off now: its copies are what there is.
            (DatasetSource::Auto, Some(true)) if client.is_none() => false,
            (DatasetSource::Datadog, _) if client.is_none() => {
                // A valid request this server cannot serve as it is configured.
                return Err(ServiceError::Conflict(
                    "dataset_source is \"datadog\" but Datadog is not configured: set DD_API_KEY and DD_APP_KEY".into(),
                ));
            }
            _ => true,
        };
        let (true, Some(client)) = (pull, client) else {
            return Ok(request.dataset_version);
        };
        match self.pull(&client, request).await {
            Err(ServiceError::Upstream(why)) if local == Some(true) => {
                let copy = self
                    .store
                    .linked_version(
                        name,
                        LinkDirection::Pulled,
                        None,
                        None,
                        request.dataset_version,
                    )
                    .await?;
                match copy {
                    Some(v) => {
                        tracing::warn!(dataset = %name, version = v, %why,
                            "Datadog unavailable; using the copy pulled earlier");
                        Ok(Some(v))
                    }
                    None => Err(ServiceError::Upstream(why)),
                }
            }
            other => other.map(Some),
        }
    }

    /// "Not found" listing the local datasets, plus why Datadog had none.
    async fn not_found(&self, name: &str, datadog: &str) -> ServiceError {
        match self.store.dataset_records(name, None, 0, 0).await {
            Err(StoreError::NotFound(local)) => {
                ServiceError::NotFound(format!("{local}; {datadog}"))
            }
            Err(e) => e.into(),
            Ok(_) => ServiceError::NotFound(format!("dataset \"{name}\" not found; {datadog}")),
        }
    }

    /// Pulls the request's dataset version from Datadog (or finds the copy already pulled);
    /// the local version number.
    async fn pull(&self, client: &Client, request: &ExperimentRunRequest) -> ServiceResult<u32> {
        let name = &request.dataset_name;
        let lock = self.dataset_lock(name);
        let _one_at_a_time = lock.lock().await;
        let project = client
            .project_id(&request.project_name)
            .await
            .map_err(upstream)?;
        let dataset = match client
            .find_dataset(&project, name)
            .await
            .map_err(upstream)?
        {
            Ok(d) => d,
            Err(names) => {
                let there = format!(
                    "Datadog project \"{}\" has no dataset \"{name}\" (its datasets: {})",
                    request.project_name,
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                );
                return Err(self.not_found(name, &there).await);
            }
        };
        let version = request.dataset_version.unwrap_or(dataset.current_version);
        if version > dataset.current_version {
            return Err(ServiceError::field(
                "dataset_version",
                format!(
                    "Datadog's dataset \"{name}\" is at version {}",
                    dataset.current_version
                ),
            ));
        }
        let origin = DatadogOrigin {
            dataset_id: dataset.id.clone(),
            version,
        };
        let site = self.datadog_site(request);
        let link = DatadogLink {
            site: site.domain(),
            project_id: &project,
        };
        if let Some(v) = self
            .store
            .linked_version(
                name,
                LinkDirection::Pulled,
                Some(&link),
                Some(&dataset.id),
                Some(version),
            )
            .await?
        {
            return Ok(v);
        }
        check_name(name).map_err(|_| {
            ServiceError::field(
                "dataset_name",
                "a Datadog dataset is stored locally under its name, which must be 1–200 ASCII letters, digits, '-', '_' or '.'",
            )
        })?;
        let note = format!(
            "pulled from Datadog: dataset {} version {version}",
            dataset.id
        );
        let pending = self
            .store
            .begin_version(name, &dataset.description, &note)
            .await?;
        let mut guard = DiscardGuard::new(self.store.clone(), pending.clone());
        let (mut stored, mut issues, mut cursor) = (0u64, 0u64, None::<String>);
        let (mut seen, mut empty_in_a_row) = (HashSet::new(), 0);
        for _ in 0..MAX_PAGES {
            let page = client
                .records_page(&project, &dataset.id, version, cursor.as_deref())
                .await
                .map_err(upstream)?;
            let mut records = Vec::with_capacity(page.records.len());
            for value in &page.records {
                let index = stored as usize + records.len();
                if index >= MAX_RECORDS {
                    return Err(unusable(
                        name,
                        version,
                        format!("more than {MAX_RECORDS} records"),
                    ));
                }
                let record = record_from_value(value, index)
                    .map_err(|e| unusable(name, version, e.to_string()))?;
                records.push(record);
            }
            empty_in_a_row = if records.is_empty() {
                empty_in_a_row + 1
            } else {
                0
            };
            if empty_in_a_row > MAX_EMPTY_PAGES {
                return Err(ServiceError::Upstream(format!(
                    "Datadog listed {MAX_EMPTY_PAGES} empty pages in a row of \"{name}\"'s records"
                )));
            }
            issues += audit_count(&records);
            self.store
                .append_records(&pending, stored, &records)
                .await?;
            stored += records.len() as u64;
            match page.after {
                None => {
                    self.store
                        .set_datadog_link(
                            &pending.dataset_id,
                            pending.version,
                            &link,
                            &origin,
                            LinkDirection::Pulled,
                        )
                        .await?;
                    let created = self
                        .store
                        .complete_version(&pending, stored, issues)
                        .await?;
                    guard.disarm();
                    tracing::info!(dataset = %name, datadog_version = version,
                        version = created.version, records = stored, "pulled from Datadog");
                    return Ok(created.version);
                }
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(ServiceError::Upstream(format!(
                        "Datadog repeated a page cursor while listing \"{name}\"'s records"
                    )));
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(ServiceError::Upstream(format!(
            "Datadog listed more than {MAX_PAGES} pages of \"{name}\"'s records"
        )))
    }
}

/// A Datadog dataset whose records cannot be used as they are.
fn unusable(name: &str, version: u32, why: String) -> ServiceError {
    ServiceError::Validation(vec![FieldError {
        field: "dataset_name".into(),
        message: format!("Datadog's dataset \"{name}\" version {version} cannot be used: {why}"),
    }])
}
