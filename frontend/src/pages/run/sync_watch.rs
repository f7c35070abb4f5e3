//! A sync run that turns out long shows the progress an async run shows: while the request
//! waits for its answer, the run it started is found among the runs going on and followed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;

use super::RunState;
use crate::api::{self, HistoryQuery};
use crate::dom::sleep;

/// How long a sync run may take before its progress is shown, and how often it is asked.
const WATCH_MS: i32 = 1000;

/// The runs going on now (asked before a sync request, to tell which run it starts).
pub async fn active_runs() -> Vec<String> {
    let q = HistoryQuery {
        active: true,
        limit: 100,
        ..Default::default()
    };
    let mut ids: Vec<String> = api::experiments_quietly(&q)
        .await
        .map(|p| p.items.into_iter().map(|e| e.run_id).collect())
        .unwrap_or_default();
    ids.dedup();
    ids
}

/// Shows the progress of the run a sync request started (the active run not in `before`)
/// for as long as the request waits (`st.busy`).
pub async fn watch(before: Vec<String>, st: RunState, alive: Arc<AtomicBool>) {
    let mut run: Option<String> = None;
    loop {
        sleep(WATCH_MS).await;
        if !alive.load(Ordering::Relaxed) || !st.busy.get_untracked() {
            return;
        }
        if run.is_none() {
            run = active_runs()
                .await
                .into_iter()
                .find(|r| !before.contains(r));
        }
        let Some(id) = run.as_deref() else { continue };
        if let Ok(t) = api::task_quietly(id).await {
            if alive.load(Ordering::Relaxed) && st.busy.get_untracked() {
                st.task.set(Some(t));
            }
        }
    }
}
