//! Statistics: confidence intervals and paired comparisons.
//!
//! Everything here is total: empty slices, `n = 0`, NaN and infinite values give documented,
//! finite outputs and never panic. Randomised methods (bootstraps, Monte Carlo permutation
//! tests) use [`rand_chacha::ChaCha8Rng`] with an explicit seed, so results are reproducible.
//!
//! - [`wilson_interval`], [`proportion`]: a share with its 95% Wilson score interval.
//! - [`mean_with_ci`]: a mean with a seeded 95% percentile bootstrap interval.
//! - [`mcnemar_exact_p`]: two-sided exact McNemar test on discordant pairs.
//! - [`compare_binary`]: paired comparison of pass/fail outcomes (exact McNemar verdict).
//! - [`compare_scores`]: paired comparison of scores (bootstrap interval **and** exact
//!   sign-flip permutation test must both agree before a winner is declared).
//! - [`planning`]: how many records a paired comparison needs for a given power.
//! - [`sequential`]: an anytime-valid confidence sequence for stopping a comparison early.

mod exact;
mod grouped;
mod interval;
mod paired;
pub mod planning;
pub mod sequential;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use exact::mcnemar_exact_p;

/// The bootstrap seed of one metric: `seed` mixed with a stable hash (FNV-1a) of the
/// metric's name, so every metric gets its own reproducible stream without a hand-picked
/// number per metric.
pub fn seed_for(seed: u64, metric: &str) -> u64 {
    seed ^ fnv1a(FNV1A_START, metric.bytes())
}

/// Where an FNV-1a hash starts (its offset basis).
pub const FNV1A_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a (64-bit) of `bytes`, continuing from `h` ([`FNV1A_START`] for a fresh hash): a
/// hash that never changes between builds, for what is stored or seeds a stream.
pub fn fnv1a(mut h: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
pub use interval::{
    mean, mean_with_ci, proportion, wilson_interval, MEAN_BOOTSTRAP_RESAMPLES, Z_95,
};
pub use paired::{
    compare_binary, compare_scores, ALPHA, BINARY_CI_SEED, PAIRED_BOOTSTRAP_RESAMPLES,
    SIGN_FLIP_EXACT_MAX, SIGN_FLIP_MONTE_CARLO_FLIPS,
};
