//! The seeded generator: configuration, the record stream and one reproducible record.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use shared::dataset::{DatasetRecord, RecordInput};
use shared::report::{ReportSet, VoteReport};

use super::names::DISTRICTS;
pub use super::noise::NoiseLevel;
use super::noise::Noiser;
use super::render::render_unit;
pub use super::truth::Election;
use super::truth::{roster, truth, UnitSpec};

/// Settings of [`generate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorConfig {
    /// Same seed and index give the same record.
    pub seed: u64,
    /// Number of records [`generate`] yields.
    pub records: usize,
    /// Noise in the OCR text (the label is always the truth).
    pub noise: NoiseLevel,
    /// Also generate the party-list form (ส.ส. 5/18 (บช)) of each unit.
    pub party_list: bool,
    /// Cap on party-list rows (keeps large runs fast); `None` = the election's real count.
    #[serde(default)]
    pub max_parties: Option<usize>,
    /// Only this election; `None` = either, drawn per record.
    #[serde(default)]
    pub election: Option<Election>,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            seed: 0,
            records: 100,
            noise: NoiseLevel::Realistic,
            party_list: true,
            max_parties: None,
            election: None,
        }
    }
}

/// Lazily yields `config.records` records, `generate_record(config, 0)` first.
pub fn generate(config: &GeneratorConfig) -> impl Iterator<Item = DatasetRecord> {
    let config = config.clone();
    (0..config.records).map(move |index| generate_record(&config, index))
}

/// The record at `index` of the stream of `config`, built on its own (no state is shared
/// between records). Its id is `gen-{seed}-{index:06}`.
pub fn generate_record(config: &GeneratorConfig, index: usize) -> DatasetRecord {
    let mut rng = record_rng(config.seed, index as u64);
    let election = config.election.unwrap_or(if rng.gen_bool(0.5) {
        Election::Y2566
    } else {
        Election::Y2569
    });
    let district = &DISTRICTS[rng.gen_range(0..DISTRICTS.len())];
    let sub = district.subs[rng.gen_range(0..district.subs.len())];
    let spec = UnitSpec {
        district,
        sub,
        unit_no: rng.gen_range(1..=32),
        election,
    };
    let roster = roster(&mut rng, election, config.party_list, config.max_parties);
    let reports = truth(&mut rng, &spec, &roster, config.party_list);
    let mut record = build_record(&mut rng, &spec, reports, config.noise);
    record.id = format!("gen-{}-{index:06}", config.seed);
    let meta = &mut record.metadata;
    meta.insert("seed".into(), json!(config.seed));
    meta.insert("index".into(), json!(index));
    record
}

/// One stream per (seed, index): records do not depend on each other.
pub(crate) fn record_rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// A record for one unit: true reports as the label, noisy OCR text as the input.
pub(crate) fn build_record(
    rng: &mut ChaCha8Rng,
    spec: &UnitSpec,
    reports: Vec<VoteReport>,
    noise: NoiseLevel,
) -> DatasetRecord {
    let mut noiser = Noiser::new(rng, noise);
    let rendered = render_unit(&mut noiser, spec, &reports);
    let events = noiser.finish();

    let mut metadata = Map::new();
    metadata.insert("generator".into(), json!("tallylab-generator-v1"));
    metadata.insert("noise_level".into(), json!(noise.as_str()));
    metadata.insert("election".into(), json!(spec.election.year_be()));
    metadata.insert("noise".into(), Value::Array(events));

    DatasetRecord {
        id: String::new(),
        input: RecordInput {
            form_set_name: Some(format!("{}{}", spec.sub, spec.unit_no)),
            text: Some(rendered.text),
            num_pages: Some(rendered.pages),
            ..RecordInput::default()
        },
        expected_output: ReportSet(reports),
        metadata,
    }
}
