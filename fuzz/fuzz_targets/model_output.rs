#![no_main]
//! See `tallylab::fuzzing::model_output`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tallylab::fuzzing::model_output(data));
