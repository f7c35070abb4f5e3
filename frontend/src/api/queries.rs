//! What a page asks for: the filters, order and paging of the history, of an experiment's
//! trials and of a dataset's records, as query strings.

use crate::format::encode;

/// Which of a dataset version's records a page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetRecordsFilter {
    /// Only records whose label breaks an identity.
    pub issues: bool,
    /// Only records whose id contains this.
    pub search: String,
}

/// Filters and paging of the experiment history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    pub project: String,
    pub dataset: String,
    pub model: String,
    /// Only experiments queued or running.
    pub active: bool,
    /// Name, project, dataset or model contains this.
    pub search: String,
    /// "newest" (empty: the server's default), "oldest", "best", "worst", "name", "model".
    pub sort: String,
    pub offset: u64,
    pub limit: u64,
}

impl HistoryQuery {
    /// The query string (without `?`); empty filters are left out.
    pub fn to_query(&self) -> String {
        let mut parts = vec![
            format!("offset={}", self.offset),
            format!("limit={}", self.limit.max(1)),
        ];
        for (k, v) in [
            ("project", &self.project),
            ("dataset", &self.dataset),
            ("model", &self.model),
            ("q", &self.search),
            ("sort", &self.sort),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", encode(v.trim())));
            }
        }
        if self.active {
            parts.push("active=true".into());
        }
        parts.join("&")
    }
}

/// Which records of an experiment a page shows, in which order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordsQuery {
    pub offset: u64,
    pub limit: u64,
    /// Only trials whose call or output failed.
    pub errors_only: bool,
    /// Only trials with a differing field or an error.
    pub differs: bool,
    /// Only trials that got this field wrong.
    pub field: String,
    /// Only trials whose record id contains this.
    pub record_id: String,
    /// "worst", "best" or "record".
    pub sort: String,
    /// Only the trials of the record at this position.
    pub record_index: Option<u64>,
}

/// The API's `sort` and `score` of the page's order: "worst", "best", "record", or
/// "worst:ballot_accuracy_score" (an evaluator's score, lowest first).
pub fn split_order(order: &str) -> (String, Option<String>) {
    match order.split_once(':') {
        Some((dir, score)) if !score.is_empty() => (dir.to_string(), Some(score.to_string())),
        _ => (order.to_string(), None),
    }
}

impl RecordsQuery {
    /// The query string of `GET /experiments/{id}/records`.
    pub fn query_string(&self) -> String {
        let mut q = format!(
            "offset={}&limit={}&errors_only={}&differs={}",
            self.offset, self.limit, self.errors_only, self.differs
        );
        let (sort, score) = split_order(&self.sort);
        if !sort.is_empty() {
            q.push_str(&format!("&sort={}", encode(&sort)));
        }
        if let Some(score) = score {
            q.push_str(&format!("&score={}", encode(&score)));
        }
        if !self.field.is_empty() {
            q.push_str(&format!("&field={}", encode(&self.field)));
        }
        if !self.record_id.is_empty() {
            q.push_str(&format!("&record_id={}", encode(&self.record_id)));
        }
        if let Some(i) = self.record_index {
            q.push_str(&format!("&record_index={i}"));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_by_an_evaluator_is_its_sort_and_score() {
        assert_eq!(split_order("worst"), ("worst".into(), None));
        assert_eq!(
            split_order("best:ballot_accuracy_score"),
            ("best".into(), Some("ballot_accuracy_score".into()))
        );
        let q = RecordsQuery {
            limit: 20,
            sort: "worst:exact_form_match".into(),
            ..Default::default()
        };
        assert!(q
            .query_string()
            .contains("&sort=worst&score=exact_form_match"));
    }

    #[test]
    fn history_query_leaves_empty_filters_out() {
        let q = HistoryQuery {
            dataset: "a b".into(),
            limit: 20,
            ..Default::default()
        };
        assert_eq!(q.to_query(), "offset=0&limit=20&dataset=a%20b");
    }
}
