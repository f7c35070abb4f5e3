//! A `stop_when_decided` run's monitor: it pairs the configs' values record by record in
//! the run's (seeded, shuffled) order, feeds each comparison of a config with the first one
//! an always-valid confidence sequence ([`crate::stats::sequential`]), keeps the
//! experiments within a window of the records all of them finished, and closes the run's
//! pace once every comparison is decided. What it reports is built in `report.rs`;
//! `start.rs` makes a run's monitor.

mod report;
mod start;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use shared::{SequencePoint, SequentialDecision, SequentialState, StopWhenDecided};

use super::live::RunProgress;
use crate::eval::ComparedMetric;
use crate::runner::{Pace, RecordSource, Shuffled};
use crate::stats::sequential::{ConfidenceSequence, Decision};
use crate::store::ExperimentRow;

/// The method, as reported.
pub const METHOD: &str = "empirical_bernstein_confidence_sequence";
/// How often the live progress gets the sequences (they also go out when decided).
const PUBLISH_EVERY: Duration = Duration::from_millis(250);

/// Watches a sequential run's comparisons as its trials finish.
pub struct Monitor {
    pub pace: Arc<Pace>,
    pub metric: ComparedMetric,
    records: Arc<Shuffled>,
    /// How far past the paired prefix an experiment may run.
    window: usize,
    option: StopWhenDecided,
    /// Each config's experiment (id, name), in run order.
    experiments: Vec<(String, String)>,
    seed: u64,
    state: Mutex<State>,
    progress: Arc<tokio::sync::watch::Sender<RunProgress>>,
}

struct State {
    /// Values of records not yet paired, by dataset position: one slot per config.
    pending: HashMap<usize, Vec<Option<f64>>>,
    /// Order positions every config has finished (the paired prefix).
    prefix: usize,
    /// Values received per config (to tell an experiment that stopped early).
    received: Vec<u64>,
    /// Sum of each config's paired values.
    sums: Vec<f64>,
    tracked: Vec<Tracked>,
    state: SequentialState,
    published: Option<Instant>,
}

struct Tracked {
    sequence: ConfidenceSequence,
    decision: SequentialDecision,
    decided_at: Option<u64>,
    trace: Vec<SequencePoint>,
}

impl Monitor {
    /// A monitor of `experiments` (the first is A) reading `records`, each comparison at
    /// `option.alpha ÷ comparisons`.
    pub fn new(
        option: &StopWhenDecided,
        seed: u64,
        records: Arc<Shuffled>,
        experiments: &[ExperimentRow],
        jobs: usize,
        progress: Arc<tokio::sync::watch::Sender<RunProgress>>,
    ) -> Result<Self, super::ServiceError> {
        let metric = ComparedMetric::find(&option.metric, "stop_when_decided.metric")
            .map_err(|e| super::ServiceError::Validation(vec![e]))?;
        let configs = experiments.len();
        let comparisons = configs.saturating_sub(1).max(1);
        let alpha = option.alpha / comparisons as f64;
        let window = 2 * jobs.max(1);
        Ok(Monitor {
            pace: Arc::new(Pace::new(window)),
            metric,
            records,
            window,
            option: option.clone(),
            experiments: experiments
                .iter()
                .map(|e| (e.id.clone(), e.name.clone()))
                .collect(),
            seed,
            state: Mutex::new(State {
                pending: HashMap::new(),
                prefix: 0,
                received: vec![0; configs],
                sums: vec![0.0; configs],
                tracked: (1..configs)
                    .map(|_| Tracked {
                        sequence: ConfidenceSequence::new(alpha),
                        decision: SequentialDecision::Undecided,
                        decided_at: None,
                        trace: Vec::new(),
                    })
                    .collect(),
                state: SequentialState::Running,
                published: None,
            }),
            progress,
        })
    }

    /// The run's records, in the order the monitor pairs them.
    pub fn records(&self) -> Arc<dyn RecordSource> {
        self.records.clone()
    }

    /// Config `config`'s value on the record at dataset `position`: pairs what it can and
    /// moves the pace on, or closes it when every comparison is decided.
    pub fn record(&self, config: usize, position: usize, value: f64) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let configs = s.received.len();
        if config >= configs {
            return;
        }
        s.received[config] += 1;
        s.pending
            .entry(position)
            .or_insert_with(|| vec![None; configs])[config] = Some(value);
        let before = s.prefix;
        while s.prefix < self.records.len() {
            let at = self.records.position(s.prefix);
            let Some(values) = s.pending.get(&at) else {
                break;
            };
            let Some(values) = values.iter().copied().collect::<Option<Vec<f64>>>() else {
                break;
            };
            s.pending.remove(&at);
            s.prefix += 1;
            self.pair(&mut s, &values);
        }
        if s.prefix == before {
            return;
        }
        if s.state == SequentialState::Running
            && s.tracked
                .iter()
                .all(|t| t.decision != SequentialDecision::Undecided)
        {
            s.state = SequentialState::Decided;
            self.pace.close();
        } else {
            self.pace.allow(s.prefix + self.window);
        }
        let due = s.published.is_none_or(|t| t.elapsed() >= PUBLISH_EVERY);
        if due || s.state == SequentialState::Decided {
            s.published = Some(Instant::now());
            let live = self.snapshot(&s);
            self.progress.send_modify(|p| p.sequential = Some(live));
        }
    }

    fn pair(&self, s: &mut State, values: &[f64]) {
        for (sum, v) in s.sums.iter_mut().zip(values) {
            *sum += v;
        }
        let n = s.prefix as u64;
        let margin = self.option.min_difference;
        for (t, &b) in s.tracked.iter_mut().zip(&values[1..]) {
            t.sequence.push(values[0] - b);
            if t.decision == SequentialDecision::Undecided {
                t.decision = match t.sequence.decision(margin) {
                    Decision::Undecided => SequentialDecision::Undecided,
                    Decision::ABetter => SequentialDecision::ABetter,
                    Decision::BBetter => SequentialDecision::BBetter,
                    Decision::Equivalent => SequentialDecision::Equivalent,
                };
                if t.decision != SequentialDecision::Undecided {
                    t.decided_at = Some(n);
                }
            }
            if n <= 50
                || n >= next_traced(t.trace.last().map_or(0, |p| p.n))
                || t.decided_at == Some(n)
            {
                t.trace.push(point(&t.sequence));
            }
        }
    }

    /// An experiment stopped taking records: when it did so before the end while the
    /// others wait on it (a failure that dooms every call, a cancel), nothing more can be
    /// paired, so the others stop too.
    pub fn experiment_ended(&self, config: usize) {
        let s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let short = s
            .received
            .get(config)
            .is_some_and(|&r| (r as usize) < self.records.len());
        if short && !self.pace.is_closed() {
            drop(s);
            self.stop();
        }
    }

    /// Nothing more can be paired (an experiment failed, the run failed): every experiment
    /// stops taking records and the live view says the run stopped before a decision.
    pub fn stop(&self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.state == SequentialState::Running {
            s.state = SequentialState::Stopped;
        }
        self.pace.close();
        let live = self.snapshot(&s);
        self.progress.send_modify(|p| p.sequential = Some(live));
    }
}

/// The next record count worth a point on the chart after `n` (about 4% apart).
fn next_traced(n: u64) -> u64 {
    (n + 1).max(n + n / 25)
}

fn point(cs: &ConfidenceSequence) -> SequencePoint {
    let (low, high) = cs.bounds();
    SequencePoint {
        n: cs.n(),
        difference: cs.mean(),
        low,
        high,
    }
}
