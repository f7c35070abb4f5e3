#![no_main]
//! See `tallylab::fuzzing::dataset_import`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tallylab::fuzzing::dataset_import(data));
