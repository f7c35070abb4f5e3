//! Datasets: the seeded generator of synthetic ส.ส. 5/18 records, the bundled dataset and
//! file loading.
//!
//! A generated record's input is OCR-style text of the unit's forms (with noise at the
//! configured level, logged in `metadata.noise`); its label is the true report set, in which
//! identities I1–I4 of vote-forms §3 hold.

pub mod builtin;
pub mod generate;
mod layout;
pub mod load;
mod names;
mod noise;
mod render;
pub mod stream;
mod table;
mod truth;

pub use builtin::{builtin_dataset, builtin_description, BUILTIN_DATASET_NAME};
pub use generate::{generate, generate_record, Election, GeneratorConfig, NoiseLevel};

#[cfg(test)]
mod tests;
