//! The offline run's records as the runner reads them: generated on demand (so
//! `--generate 100000` never holds 100,000 records), or a loaded file; either way the label
//! audit is taken as pages are read, once per page whichever experiment reads it first.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use shared::{ArithmeticFlag, DatasetRecord};

use crate::dataset::generate::{generate_record, GeneratorConfig};
use crate::eval::audit_label;
use crate::runner::RecordSource;

/// Labels shown in the audit (the count covers them all).
const SHOWN_FLAGGED: usize = 5;

/// Where the records come from.
pub enum Records {
    Generated(GeneratorConfig),
    Loaded(Vec<DatasetRecord>),
}

/// What the label audit found so far.
#[derive(Debug, Default)]
pub struct LabelAudit {
    /// Records whose label breaks an identity.
    pub flagged: u64,
    /// The first few of them, in the order pages were read.
    pub shown: Vec<(String, Vec<ArithmeticFlag>)>,
    audited_pages: HashSet<usize>,
}

/// The first `len` records of `records`, audited as they are read.
pub struct AuditedSource {
    records: Records,
    len: usize,
    pub audit: Mutex<LabelAudit>,
}

impl AuditedSource {
    pub fn new(records: Records, sample: Option<usize>) -> Arc<Self> {
        let all = match &records {
            Records::Generated(c) => c.records,
            Records::Loaded(v) => v.len(),
        };
        Arc::new(AuditedSource {
            records,
            len: sample.map_or(all, |n| n.min(all)),
            audit: Mutex::new(LabelAudit::default()),
        })
    }

    fn audit_page(&self, from: usize, page: &[DatasetRecord]) {
        let Ok(mut audit) = self.audit.lock() else {
            return;
        };
        if !audit.audited_pages.insert(from) {
            return;
        }
        for r in page {
            let flags = audit_label(&r.expected_output);
            if flags.is_empty() {
                continue;
            }
            audit.flagged += 1;
            if audit.shown.len() < SHOWN_FLAGGED {
                audit.shown.push((r.id.clone(), flags));
            }
        }
    }
}

#[async_trait]
impl RecordSource for AuditedSource {
    fn len(&self) -> usize {
        self.len
    }

    async fn page(&self, from: usize, limit: usize) -> Result<Vec<DatasetRecord>, String> {
        let to = from.saturating_add(limit).min(self.len);
        let page: Vec<DatasetRecord> = match &self.records {
            // Rendering a form takes a while: off the async workers.
            Records::Generated(c) => {
                let c = c.clone();
                tokio::task::spawn_blocking(move || {
                    (from..to).map(|i| generate_record(&c, i)).collect()
                })
                .await
                .map_err(|e| format!("generating records failed: {e}"))?
            }
            Records::Loaded(v) => v.get(from..to).map(<[_]>::to_vec).unwrap_or_default(),
        };
        self.audit_page(from, &page);
        Ok(page)
    }
}
