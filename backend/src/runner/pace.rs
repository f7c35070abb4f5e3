//! Keeping a run's experiments in step: a sequential run compares configs record by record,
//! so none may run far ahead of the records every config has finished, and all stop taking
//! records the moment the verdict is decided.

use tokio::sync::watch;

/// How far experiments may go in the run's record order, shared by all of them.
#[derive(Debug)]
pub struct Pace {
    state: watch::Sender<PaceState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PaceState {
    /// Records at order positions below this may start.
    allowed: usize,
    /// No more records may start.
    closed: bool,
}

/// What an experiment may do with the record at one order position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Start it.
    Start,
    /// Wait for the others (see [`Pace::watch`]).
    Wait,
    /// Take no more records.
    Stop,
}

impl Pace {
    /// A pace letting the first `allowed` records start.
    pub fn new(allowed: usize) -> Self {
        Pace {
            state: watch::Sender::new(PaceState {
                allowed,
                closed: false,
            }),
        }
    }

    /// Lets records below `allowed` start (never takes back what was allowed).
    pub fn allow(&self, allowed: usize) {
        self.state.send_if_modified(|s| {
            let grow = allowed > s.allowed;
            s.allowed = s.allowed.max(allowed);
            grow
        });
    }

    /// Stops every experiment taking records (trials already started finish).
    pub fn close(&self) {
        self.state
            .send_if_modified(|s| !std::mem::replace(&mut s.closed, true));
    }

    /// Whether [`Pace::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.state.borrow().closed
    }

    /// What the record at `order` may do now.
    pub fn admit(&self, order: usize) -> Admission {
        let s = *self.state.borrow();
        if s.closed {
            Admission::Stop
        } else if order < s.allowed {
            Admission::Start
        } else {
            Admission::Wait
        }
    }

    /// A watcher of this pace's changes.
    pub fn watch(&self) -> PaceWatch {
        PaceWatch(self.state.subscribe())
    }
}

/// Wakes an experiment waiting for its turn.
#[derive(Debug)]
pub struct PaceWatch(watch::Receiver<PaceState>);

impl PaceWatch {
    /// Resolves at the pace's next change (at once if it changed since the last call);
    /// never, once the pace is gone.
    pub async fn changed(&mut self) {
        if self.0.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_start_within_the_allowance_until_closed() {
        let pace = Pace::new(2);
        let mut watch = pace.watch();
        assert_eq!(pace.admit(1), Admission::Start);
        assert_eq!(pace.admit(2), Admission::Wait);
        pace.allow(1); // never shrinks
        assert_eq!(pace.admit(1), Admission::Start);
        pace.allow(5);
        watch.changed().await;
        assert_eq!(pace.admit(4), Admission::Start);
        pace.close();
        watch.changed().await;
        assert_eq!(pace.admit(0), Admission::Stop);
        assert!(pace.is_closed());
    }
}
