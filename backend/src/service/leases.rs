//! Several replicas on one database share the async runs: a replica claims a run with a
//! lease it renews while it runs it; a replica that dies stops renewing, and once its
//! lease lapses another replica claims the run and resumes it from the trials stored
//! (each trial is stored once: its key is unique). A replica that finds its lease taken
//! leaves the run at once, unfinished and unrecorded; a cancel asked of a replica that
//! does not run a run reaches the one that does at its next renewal.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::runs::PreparedRun;
use super::{Service, ServiceResult};

/// Who this replica is and how long its leases last.
#[derive(Debug, Clone)]
pub struct Replica {
    /// The name written in the leases.
    pub id: String,
    pub lease: Duration,
}

impl Default for Replica {
    fn default() -> Self {
        Replica {
            id: "local".into(),
            lease: Duration::from_secs(30),
        }
    }
}

impl Replica {
    /// `id`, else the host name with `data_dir` (stable across restarts of one replica).
    pub fn named(id: Option<String>, data_dir: &std::path::Path, lease: Duration) -> Self {
        let id = id.unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|_| "host".into());
            let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
            format!("{host}:{}", dir.display())
        });
        Replica { id, lease }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Service {
    fn lease_until(&self) -> i64 {
        now_ms() + i64::try_from(self.replica.lease.as_millis()).unwrap_or(i64::MAX / 2)
    }

    fn leased(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.leased
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims the async runs no replica holds (this one's own after a restart at once,
    /// others' once their lease lapsed) and resumes them here; answers how many.
    pub async fn take_over(self: &Arc<Self>) -> ServiceResult<usize> {
        let claimed = self
            .store
            .claim_runs(&self.replica.id, None, now_ms(), self.lease_until())
            .await?;
        let mut resumed = 0;
        for run in claimed {
            // Running here already (or just submitted here and about to run).
            if self.live.get(&run.id).is_some() || !self.leased().insert(run.id.clone()) {
                continue;
            }
            let experiments = match self.store.run_experiments(&run.id).await {
                Ok(e) => e,
                Err(e) => {
                    self.leased().remove(&run.id);
                    return Err(e.into());
                }
            };
            tracing::info!(run_id = %run.id, replica = %self.replica.id, "resuming an unfinished run");
            // Accepted before: resumed whatever the limit, and counted in it.
            drop(self.spawn(PreparedRun { run, experiments }, None));
            resumed += 1;
        }
        Ok(resumed)
    }

    /// Claims a new async run for this replica; false when another replica claimed it
    /// first (it runs it then).
    pub(super) async fn claim_new_run(&self, run_id: &str) -> ServiceResult<bool> {
        let claimed = self
            .store
            .claim_runs(&self.replica.id, Some(run_id), now_ms(), self.lease_until())
            .await?;
        // When the take-over loop claimed it in the meantime, it runs it already.
        Ok(!claimed.is_empty() && self.leased().insert(run_id.to_string()))
    }

    /// Gives a run's lease back (the run stops here unfinished): the next owner claims it
    /// at once instead of waiting for the lease to lapse.
    pub(super) async fn release_lease(&self, run_id: &str) {
        if self.leased().remove(run_id) {
            if let Err(e) = self.store.release_lease(&self.replica.id, run_id).await {
                tracing::warn!(error = %e, "cannot give a run's lease back; it lapses instead");
            }
        }
    }

    /// Forgets the lease of a run that ended.
    pub(super) fn forget_lease(&self, run_id: &str) {
        self.leased().remove(run_id);
    }

    /// Renews the leases of the runs running here: a run whose lease another replica took
    /// is left at once; a cancel asked elsewhere cancels it.
    async fn renew_leases(&self) {
        let ids: Vec<String> = self.leased().iter().cloned().collect();
        for id in ids {
            let Some(live) = self.live.get(&id) else {
                continue;
            };
            match self
                .store
                .renew_lease(&self.replica.id, &id, self.lease_until())
                .await
            {
                Ok(Some(false)) => {}
                Ok(Some(true)) => {
                    tracing::info!(run_id = %id, "cancel asked of another replica");
                    live.cancel.cancel();
                }
                Ok(None) => {
                    tracing::warn!(run_id = %id, "another replica took the run over; leaving it");
                    self.leased().remove(&id);
                    live.leave.cancel();
                }
                // The store may be back before the lease lapses: try again next time.
                Err(e) => tracing::warn!(run_id = %id, error = %e, "cannot renew a run's lease"),
            }
        }
    }

    /// Renews this replica's leases and takes over lapsed runs, every third of a lease,
    /// until the server shuts down.
    pub fn start_leases(self: &Arc<Self>) {
        let service = self.clone();
        let every = self.replica.lease / 3;
        self.runtime.spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = service.shutdown.cancelled() => return,
                }
                service.renew_leases().await;
                if let Err(e) = service.take_over().await {
                    tracing::warn!(error = %e, "cannot look for runs to take over");
                }
            }
        });
    }
}
