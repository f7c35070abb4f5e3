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
    /// Why the run failed, once it has: shown even while the store cannot be written.
    pub error: Option<String>,
    /// When the run failed, if it has (RFC 3339, as stored).
    pub finished_at: Option<String>,
    /// A `stop_when_decided` run's confidence sequences so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequential: Option<shared::SequentialResult>,
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
    /// Fired when this replica leaves the run to another (it shuts down, or another
    /// replica took the run's lease): the run stops where it is, unfinished, for the
    /// next owner to resume. `cancel` is its child.
    pub leave: CancellationToken,
    pub progress: Arc<watch::Sender<RunProgress>>,
}

type Map = Arc<Mutex<Slots>>;

/// Runs in flight, and slots reserved for runs being stored.
#[derive(Default)]
struct Slots {
    runs: HashMap<String, LiveRun>,
    reserved: usize,
}

/// Registry of runs in flight.
#[derive(Default)]
pub struct LiveRuns {
    live: Map,
}

/// A place among the active runs, held while a run is validated and stored; registering
/// the run takes it over, dropping it frees it.
pub struct Slot {
    live: Map,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut s) = self.live.lock() {
            s.reserved = s.reserved.saturating_sub(1);
        }
    }
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
        if let Ok(mut s) = self.live.lock() {
            s.runs.remove(&self.id);
        }
    }
}

impl LiveRuns {
    /// Reserves a place for one more run, unless `max` runs are already in flight or
    /// being stored.
    pub fn reserve(&self, max: usize) -> Option<Slot> {
        let mut s = self.live.lock().ok()?;
        if s.runs.len() + s.reserved >= max {
            return None;
        }
        s.reserved += 1;
        Some(Slot {
            live: self.live.clone(),
        })
    }

    /// Registers a run until the guard is dropped.
    pub fn register(&self, id: &str, leave: CancellationToken, progress: RunProgress) -> LiveGuard {
        let (tx, _) = watch::channel(progress);
        let run = LiveRun {
            cancel: leave.child_token(),
            leave,
            progress: Arc::new(tx),
        };
        if let Ok(mut s) = self.live.lock() {
            s.runs.insert(id.to_string(), run.clone());
        }
        LiveGuard {
            live: self.live.clone(),
            id: id.to_string(),
            run,
        }
    }

    /// The ids of the runs in flight.
    pub fn ids(&self) -> Vec<String> {
        self.live
            .lock()
            .map(|s| s.runs.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The live run, if it is in flight.
    pub fn get(&self, id: &str) -> Option<LiveRun> {
        self.live.lock().ok().and_then(|s| s.runs.get(id).cloned())
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
            error: None,
            finished_at: None,
            sequential: None,
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = runs.register("t", CancellationToken::new(), progress);
            assert!(runs.get("t").is_some());
            panic!("boom");
        }));
        assert!(result.is_err());
        assert!(runs.get("t").is_none());
        assert!(runs.reserve(1).is_some(), "no run is left in flight");
    }

    #[test]
    fn slots_bound_the_runs_in_flight() {
        let runs = LiveRuns::default();
        let a = runs.reserve(2).expect("first");
        let _b = runs.reserve(2).expect("second");
        assert!(runs.reserve(2).is_none(), "two reserved of two");
        drop(a);
        assert!(runs.reserve(2).is_some(), "a dropped slot frees its place");
    }
}
