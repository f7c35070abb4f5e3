//! Thai text and number normalisation: digits, number words, place names and dates.

pub mod dates;
pub mod digits;
pub mod normalize;
pub mod words;
