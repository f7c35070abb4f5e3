#![no_main]
//! See `tallylab::fuzzing::thai_numbers`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tallylab::fuzzing::thai_numbers(data));
