//! Live runs: their cancel tokens and progress, shared with the task status and event
//! stream endpoints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use shared::ExperimentProgress;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Progress of a run, as the event stream sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunProgress {
    pub task_id: String,
    pub status: String,
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

/// Registry of runs in flight.
#[derive(Default)]
pub struct TaskManager {
    live: Mutex<HashMap<String, LiveRun>>,
}

impl TaskManager {
    /// Registers a run; the returned handle updates its progress.
    pub fn register(&self, id: &str, cancel: CancellationToken, progress: RunProgress) -> LiveRun {
        let (tx, _) = watch::channel(progress);
        let live = LiveRun {
            cancel,
            progress: Arc::new(tx),
        };
        if let Ok(mut map) = self.live.lock() {
            map.insert(id.to_string(), live.clone());
        }
        live
    }

    /// The live run, if it is in flight.
    pub fn get(&self, id: &str) -> Option<LiveRun> {
        self.live.lock().ok().and_then(|m| m.get(id).cloned())
    }

    /// Forgets a finished run.
    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.live.lock() {
            map.remove(id);
        }
    }
}
