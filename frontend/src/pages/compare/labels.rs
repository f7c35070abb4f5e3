//! What the compare page calls each experiment: its name, and when names repeat, enough to
//! tell them apart (short id, creation time, dataset version).

use shared::ExperimentListItem;

use crate::format::when;

/// One label per experiment, in order. Names that appear once stay as they are; a repeated
/// name gets " · 1a2b3c4d · 2026-11-27 06:15 · v2" (the id's first 8 characters, the minute
/// it was created, its dataset version).
pub fn labels(items: &[&ExperimentListItem]) -> Vec<String> {
    items
        .iter()
        .map(|e| {
            let twins = items
                .iter()
                .filter(|o| o.experiment_name == e.experiment_name)
                .count();
            if twins > 1 {
                format!("{} · {}", e.experiment_name, details(e))
            } else {
                e.experiment_name.clone()
            }
        })
        .collect()
}

/// "1a2b3c4d · 2026-11-27 06:15 · v2".
pub fn details(e: &ExperimentListItem) -> String {
    let short: String = e.experiment_id.chars().take(8).collect();
    let created = when(&e.created_at);
    let minute = created.get(..16).unwrap_or(&created);
    format!("{short} · {minute} · v{}", e.dataset_version)
}

/// The ids with `baseline` moved to the front (A), the others kept in order.
pub fn with_baseline(ids: &[String], baseline: &str) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().filter(|i| *i == baseline).cloned().collect();
    out.extend(ids.iter().filter(|i| *i != baseline).cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ExperimentStatus;

    fn item(id: &str, name: &str, created: &str, version: u32) -> ExperimentListItem {
        ExperimentListItem {
            experiment_id: id.into(),
            experiment_name: name.into(),
            run_id: "r".into(),
            project_name: "p".into(),
            dataset_name: "d".into(),
            dataset_version: version,
            model: "m".into(),
            temperature: 0.0,
            status: ExperimentStatus::Success,
            created_at: created.into(),
            finished_at: None,
            total_records: 1,
            failed_records: 0,
            overall_accuracy: None,
            success_rate: None,
            avg_ballot_accuracy: None,
        }
    }

    #[test]
    fn repeated_names_get_id_time_and_version() {
        let a = item("0123456789ab", "flash t=0", "2026-11-27T06:15:02.123Z", 1);
        let b = item("fedcba987654", "flash t=0", "2026-11-28T09:00:00Z", 2);
        let c = item("c", "pro", "2026-11-28T09:00:00Z", 2);
        assert_eq!(
            labels(&[&a, &b, &c]),
            [
                "flash t=0 · 01234567 · 2026-11-27 06:15 · v1",
                "flash t=0 · fedcba98 · 2026-11-28 09:00 · v2",
                "pro",
            ]
        );
    }

    #[test]
    fn the_baseline_moves_to_the_front() {
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(with_baseline(&ids, "c"), ["c", "a", "b"]);
        assert_eq!(with_baseline(&ids, "a"), ["a", "b", "c"]);
        assert_eq!(with_baseline(&ids, "zzz"), ["a", "b", "c"]);
    }
}
