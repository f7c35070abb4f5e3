//! Every status the API reports, as enums serialised as lower-case strings.
//!
//! Words used throughout (the README's glossary says the same):
//! - a **run** is one request to `run` or `run-async`: one experiment per model config. The
//!   original contract calls an async run a *task*, so its id is `task_id` on the wire and
//!   its status is served under `/tasks/`;
//! - an **experiment** is one model config over the dataset's records;
//! - a **trial** is one record × one repetition of an experiment (with `repetitions` 1, a
//!   trial is a record).

/// Declares a unit-only enum with its wire strings, `as_str` and `FromStr`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        // The wire strings are the snake_case variant names (checked by the tests below);
        // `rename_all` rather than a rename per variant so utoipa documents them too.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire string, e.g. "running".
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_string()
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        concat!("unknown ", stringify!($name), " \"{}\""),
                        other
                    )),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// Where a run is in its life. `completed`, `failed` and `cancelled` are terminal.
    RunStatus {
        /// Stored and waiting to start (async runs between the 202 and their first trial).
        Queued => "queued",
        /// Its experiments are running.
        Running => "running",
        /// Every experiment ended (each experiment's own status says how it went).
        Completed => "completed",
        /// The run could not go on: a storage error or a crash; `error` says which.
        Failed => "failed",
        /// Stopped by a cancel request; finished trials are kept.
        Cancelled => "cancelled",
    }
}

impl RunStatus {
    /// True once the run can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunStatus::Completed | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

wire_enum! {
    /// Where an experiment is in its life; `success`, `failed` and `cancelled` are terminal
    /// (the original contract's experiment statuses are `success` and `failed`).
    ExperimentStatus {
        /// Stored; its run has not started it yet.
        Queued => "queued",
        /// Trials are running.
        Running => "running",
        /// Every trial ran (with `raise_errors` off, some may have failed; see
        /// `failed_records`).
        Success => "success",
        /// The model is unavailable, a trial failed under `raise_errors` (the error is the
        /// first one), or the run failed.
        Failed => "failed",
        /// Its run was cancelled before every trial ran.
        Cancelled => "cancelled",
    }
}

impl ExperimentStatus {
    /// True once the experiment can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ExperimentStatus::Success | ExperimentStatus::Failed | ExperimentStatus::Cancelled
        )
    }
}

wire_enum! {
    /// How one trial (a record × repetition) ended.
    RecordStatus {
        /// The model's output parsed into a vote report and was scored.
        Ok => "ok",
        /// The model answered, but its output is not a vote report.
        InvalidOutput => "invalid_output",
        /// The call failed: transport, HTTP error, quota, or an empty or blocked answer.
        CallFailed => "call_failed",
        /// The trial panicked; the error holds the panic message.
        Crashed => "crashed",
    }
}

wire_enum! {
    /// How a run was started.
    RunMode {
        /// `POST /api/v1/experiments/run`: the response waits for the result.
        Sync => "sync",
        /// `POST /api/v1/experiments/run-async`: 202 at once, then poll the task.
        Async => "async",
    }
}

wire_enum! {
    /// How a run's experiments went, in the run response (the original contract's field).
    RunOutcome {
        /// Every experiment succeeded.
        Success => "success",
        /// Some experiments succeeded, some did not.
        Partial => "partial",
        /// No experiment succeeded.
        Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip_through_serde_and_from_str() {
        for s in RunStatus::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<RunStatus>(&json).unwrap(), *s);
            assert_eq!(s.as_str().parse::<RunStatus>().unwrap(), *s);
        }
        fn same<T: serde::Serialize + Copy + std::fmt::Display>(all: &[T]) {
            for v in all {
                assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{v}\""));
            }
        }
        same(RunStatus::ALL);
        same(ExperimentStatus::ALL);
        same(RecordStatus::ALL);
        same(RunMode::ALL);
        same(RunOutcome::ALL);
        same(crate::error::ErrorKind::ALL);
        for s in RecordStatus::ALL {
            assert_eq!(s.as_str().parse::<RecordStatus>().unwrap(), *s);
        }
        assert_eq!(
            serde_json::to_string(&RecordStatus::InvalidOutput).unwrap(),
            "\"invalid_output\""
        );
        assert!("done".parse::<RunStatus>().is_err());
    }

    #[test]
    fn terminal_statuses() {
        let terminal: Vec<_> = RunStatus::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(terminal, ["completed", "failed", "cancelled"]);
        assert!(!ExperimentStatus::Running.is_terminal());
    }
}
