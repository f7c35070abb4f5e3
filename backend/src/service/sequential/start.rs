//! Making a sequential run's monitor: the seeded order of its records, and what its
//! experiments stored before a restart paired again.

use std::sync::Arc;

use shared::StopWhenDecided;

use super::Monitor;
use crate::runner::{RecordSource, Shuffled};
use crate::service::live::LiveRun;
use crate::service::runs::PreparedRun;
use crate::service::{Service, ServiceResult};

impl Service {
    /// The monitor of a sequential run, with what its experiments already stored (a resumed
    /// run) paired again.
    pub(in crate::service) async fn sequential_monitor(
        &self,
        p: &PreparedRun,
        option: &StopWhenDecided,
        stored: Arc<dyn RecordSource>,
        live: &LiveRun,
    ) -> ServiceResult<Arc<Monitor>> {
        // Chosen and stored when the run was; a run stored without one keeps 0.
        let seed = option.seed.unwrap_or_default();
        let records = Arc::new(Shuffled::new(stored, seed));
        let jobs = p.experiments.first().map_or(1, |e| e.jobs as usize);
        let monitor = Arc::new(Monitor::new(
            option,
            seed,
            records,
            &p.experiments,
            jobs,
            live.progress.clone(),
        )?);
        for (config, e) in p.experiments.iter().enumerate() {
            self.each_stored_trial(&e.id, |o| {
                monitor.record(config, o.record_index, monitor.metric.value_of(&o.scores));
            })
            .await?;
        }
        Ok(monitor)
    }
}
