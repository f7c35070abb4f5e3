#![no_main]
//! See `tallylab::fuzzing::thai_dates`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tallylab::fuzzing::thai_dates(data));
