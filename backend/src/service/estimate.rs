//! The cost estimate before a run: tokens per record estimated from the dataset (text by
//! length, images by their size in 768-px tiles, output by the size of the labels) ×
//! calls × the registry's prices.

use shared::{
    CostEstimate, DatasetRecord, ExperimentEstimate, ExperimentRunRequest, JudgeEstimate,
};

use super::{Service, ServiceError, ServiceResult};
use crate::eval::judge::JUDGE_PROMPT;
use crate::providers::images::ImagePolicy;
use crate::providers::prompt::EXTRACTION_PROMPT;
use crate::providers::spec::ProviderKind;

/// Tokens Gemini bills per 768×768 tile (and for an image of at most 384 px per side).
pub const TOKENS_PER_TILE: u64 = 258;
/// Tiles assumed for an image whose size cannot be read here (a remote URL): one A4 page
/// scanned at about 1536 × 2304 px.
pub const ASSUMED_TILES: u64 = 6;

/// States the method in the response.
pub const METHOD: &str = "Input tokens per call = system prompt characters ÷ 4 + record text \
characters ÷ 3 (Thai script averages about 3 characters per token) + 258 tokens per 768-px tile of \
each image (images up to 384 px count one tile; local images are measured, remote ones assumed 6 \
tiles). Output tokens per call = the record's label serialised as JSON, characters ÷ 3, plus the \
configured thinking budget when one is set. Cost = calls (records × repetitions) × tokens × the \
registry's list prices per million tokens; cached answers would cost nothing and are not deducted. \
An LLM judge, when named, is estimated as one call per trial: its prompt characters ÷ 4 plus twice \
the label's tokens (label and output) in, 400 tokens out plus the judge model's thinking budget, at \
the judge model's prices.";

/// Output tokens assumed for one verdict (a summary, reasoning and a list of differences).
const VERDICT_TOKENS: u64 = 400;

/// Gemini scales an image down to fit in this square before tiling it.
const MAX_SIDE: u64 = 3072;

/// Tiles of an image of `width` × `height` pixels, as Gemini bills it: at most 16 however
/// large the image says it is (sizes come from untrusted headers).
fn tiles(width: usize, height: usize) -> u64 {
    let (w, h) = (width as u64, height as u64);
    if w <= 384 && h <= 384 {
        return 1;
    }
    let longest = w.max(h);
    let (w, h) = if longest > MAX_SIDE {
        // Both sides scaled by MAX_SIDE / longest, rounding up (in u128: no overflow).
        let scale = |side: u64| {
            let scaled = (u128::from(side) * u128::from(MAX_SIDE)).div_ceil(u128::from(longest));
            u64::try_from(scaled).unwrap_or(MAX_SIDE)
        };
        (scale(w), scale(h))
    } else {
        (w, h)
    };
    w.div_ceil(768).max(1) * h.div_ceil(768).max(1)
}

fn image_tokens(policy: &ImagePolicy, r: &DatasetRecord) -> u64 {
    let local: u64 = r
        .input
        .image_paths
        .iter()
        .map(|p| {
            policy
                .local_path(p)
                .ok()
                .and_then(|path| imagesize::size(path).ok())
                .map_or(ASSUMED_TILES, |s| tiles(s.width, s.height))
        })
        .sum();
    let inline: u64 = r
        .input
        .inline_images
        .iter()
        .map(|img| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(img.data.trim())
                .ok()
                .and_then(|b| imagesize::blob_size(&b).ok())
                .map_or(ASSUMED_TILES, |s| tiles(s.width, s.height))
        })
        .sum();
    local
        .saturating_add(inline)
        .saturating_add(ASSUMED_TILES.saturating_mul(r.input.image_urls.len() as u64))
        .saturating_mul(TOKENS_PER_TILE)
}

/// (input, output) tokens of one call on each record; file reads and base64 decoding, so
/// run off the async workers.
fn per_record_tokens(policy: &ImagePolicy, records: &[DatasetRecord]) -> Vec<(u64, u64)> {
    let prompt = (EXTRACTION_PROMPT.chars().count() / 4) as u64;
    records
        .iter()
        .map(|r| {
            let text = r
                .input
                .text
                .as_deref()
                .map_or(0, |t| t.chars().count() as u64 / 3);
            let output = serde_json::to_string(&r.expected_output)
                .map_or(0, |s| s.chars().count() as u64 / 3);
            (
                prompt
                    .saturating_add(text)
                    .saturating_add(image_tokens(policy, r)),
                output,
            )
        })
        .collect()
}

impl Service {
    /// Estimates every experiment of a request.
    pub async fn estimate(&self, request: &ExperimentRunRequest) -> ServiceResult<CostEstimate> {
        let problems = request.validate();
        if !problems.is_empty() {
            return Err(ServiceError::Validation(problems));
        }
        let sample = self.load_sample(request).await?;
        let records_count = sample.size;
        // Token sums over the sample, measured a page at a time off the async workers.
        let (mut sum_in, mut sum_out) = (0u64, 0u64);
        let mut from = 0;
        loop {
            let page = self.sample_page(&sample, from).await?;
            if page.is_empty() {
                break;
            }
            from += page.len() as u64;
            let policy = self.images.clone();
            let tokens = tokio::task::spawn_blocking(move || per_record_tokens(&policy, &page))
                .await
                .map_err(|e| {
                    ServiceError::Internal(format!("measuring the records failed: {e}"))
                })?;
            for (i, o) in tokens {
                sum_in = sum_in.saturating_add(i);
                sum_out = sum_out.saturating_add(o);
            }
        }
        let (info, version) = (sample.info, sample.version);
        let reps = u64::from(request.repetitions.unwrap_or(1));
        let judge_model = request
            .evaluators
            .as_ref()
            .and_then(|e| e.llm_judge.as_ref())
            .map(|j| j.model.trim());
        let judge_prompt = (JUDGE_PROMPT.chars().count() / 4) as u64;
        let mut experiments = Vec::new();
        for c in &request.model_configs {
            let spec = self.registry.spec(&c.model);
            let (pin, pout) = spec.map_or((0.0, 0.0), |s| {
                (s.input_price_per_mtok, s.output_price_per_mtok)
            });
            let thinking = c
                .thinking_budget
                .or(spec.and_then(|s| s.thinking_budget))
                .filter(|t| *t > 0)
                .map_or(0, |t| t as u64);
            let is_builtin = spec.is_some_and(|s| s.provider == ProviderKind::Builtin);
            let (input, output) = if is_builtin {
                (0, 0)
            } else {
                (
                    sum_in.saturating_mul(reps),
                    sum_out
                        .saturating_add(thinking.saturating_mul(records_count))
                        .saturating_mul(reps),
                )
            };
            let cost = (input as f64 * pin + output as f64 * pout) / 1_000_000.0;
            let judge = judge_model.map(|model| {
                let spec = self.registry.spec(model);
                let calls = records_count.saturating_mul(reps);
                let input = judge_prompt
                    .saturating_mul(records_count)
                    .saturating_add(sum_out.saturating_mul(2))
                    .saturating_mul(reps);
                let thinking = spec
                    .and_then(|s| s.thinking_budget)
                    .filter(|t| *t > 0)
                    .map_or(0, |t| t as u64);
                let output = VERDICT_TOKENS
                    .saturating_add(thinking)
                    .saturating_mul(calls);
                let cost = spec.map_or(0.0, |s| {
                    (input as f64 * s.input_price_per_mtok
                        + output as f64 * s.output_price_per_mtok)
                        / 1_000_000.0
                });
                JudgeEstimate {
                    model: model.to_string(),
                    calls,
                    input_tokens: input,
                    output_tokens: output,
                    cost_usd: cost,
                    available: crate::runner::Judge::from_request(
                        &self.registry,
                        request.evaluators.as_ref(),
                    )
                    .is_ok(),
                }
            });
            experiments.push(ExperimentEstimate {
                experiment_name: c.experiment_name(),
                model: c.model.clone(),
                calls: records_count * reps,
                input_tokens: input,
                output_tokens: output,
                input_price_per_mtok: pin,
                output_price_per_mtok: pout,
                cost_usd: cost,
                available: self.registry.get(&c.model).is_ok(),
                judge,
            });
        }
        Ok(CostEstimate {
            dataset_name: info.name,
            dataset_version: version.version,
            records: records_count,
            total_cost_usd: experiments
                .iter()
                .map(|e| e.cost_usd + e.judge.as_ref().map_or(0.0, |j| j.cost_usd))
                .sum(),
            experiments,
            method: METHOD.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::tiles;

    #[test]
    fn tiles_follow_gemini_rules() {
        assert_eq!(tiles(300, 200), 1);
        assert_eq!(tiles(768, 768), 1);
        assert_eq!(tiles(1536, 2304), 6);
        assert_eq!(tiles(800, 300), 2);
        assert_eq!(tiles(6144, 6144), 16, "scaled to 3072 first");
        assert_eq!(tiles(u32::MAX as usize, u32::MAX as usize), 16);
        assert_eq!(tiles(usize::MAX, 1), 4, "a 3072 × 1 strip");
    }
}
