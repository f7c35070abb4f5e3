//! Runs in flight: their cancel tokens and live progress, read by the task status and the
//! event stream. An entry lives exactly as long as its [`LiveGuard`]: whatever way a run
//! ends (success, error, panic), its entry is removed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use shared::{ExperimentProgress, RunStatus};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Progress of a run, as the event stream sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunProgress {
    pub task_id: String,
    pub status: RunStatus,
    /// Trials finished (records × repetitions) over every experiment.
    pub done: u64,
    pub total: u64,
    pub experiments: Vec<ExperimentProgress>,
}

impl RunProgress {
    /// Recomputes the run totals from the experiments.
    pub fn refresh_totals(&mut self) {
        self.done = self.experiments.iter().map(|e| e.done).sum();
        self.total = self.experiments.iter().map(|e| e.total).sum();
    }
}

/// A run in flight.
#[derive(Clone)]
pub struct LiveRun {
    pub cancel: CancellationToken,
    pub progress: Arc<watch::Sender<RunProgress>>,
}

type Map = Arc<Mutex<HashMap<String, LiveRun>>>;

/// Registry of runs in flight.
#[derive(Default)]
pub struct LiveRuns {
    live: Map,
}

/// Keeps a run registered; dropping it removes the entry.
pub struct LiveGuard {
    live: Map,
    id: String,
    /// The registered run.
    pub run: LiveRun,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.live.lock() {
            map.remove(&self.id);
        }
    }
}

impl LiveRuns {
    /// Registers a run until the guard is dropped.
    pub fn register(
        &self,
        id: &str,
        cancel: CancellationToken,
        progress: RunProgress,
    ) -> LiveGuard {
        let (tx, _) = watch::channel(progress);
        let run = LiveRun {
            cancel,
            progress: Arc::new(tx),
        };
        if let Ok(mut map) = self.live.lock() {
            map.insert(id.to_string(), run.clone());
        }
        LiveGuard {
            live: self.live.clone(),
            id: id.to_string(),
            run,
        }
    }

    /// The live run, if it is in flight.
    pub fn get(&self, id: &str) -> Option<LiveRun> {
        self.live.lock().ok().and_then(|m| m.get(id).cloned())
    }

    /// How many runs are in flight.
    pub fn count(&self) -> usize {
        self.live.lock().map_or(0, |m| m.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_goes_with_its_guard_even_on_panic() {
        let runs = LiveRuns::default();
        let progress = RunProgress {
            task_id: "t".into(),
            status: RunStatus::Running,
            done: 0,
            total: 0,
            experiments: Vec::new(),
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = runs.register("t", CancellationToken::new(), progress);
            assert!(runs.get("t").is_some());
            panic!("boom");
        }));
        assert!(result.is_err());
        assert!(runs.get("t").is_none());
        assert_eq!(runs.count(), 0);
    }
}
