//! Every fuzz target over its saved inputs: the seeds and each crash the fuzzer has found
//! (`tests/fuzz/<target>/`). A crash found by `make fuzz` is copied here and stays a test.

use std::path::Path;

use tallylab::fuzzing::TARGETS;

#[test]
fn every_saved_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        let dir = root.join(name);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "{name} has no saved inputs");
        for input in inputs {
            let data = std::fs::read(&input).expect("read input");
            if std::panic::catch_unwind(|| target(&data)).is_err() {
                failures.push(input.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "inputs that fail: {failures:#?}");
}

#[test]
fn every_target_has_a_folder_of_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    for entry in std::fs::read_dir(&root).expect("tests/fuzz") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        assert!(
            TARGETS.iter().any(|(t, _)| *t == name),
            "tests/fuzz/{name} belongs to no target"
        );
    }
}
