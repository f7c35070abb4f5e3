//! The wasm-bindgen crate, the CLI Trunk uses and the pin in Cargo.toml must agree, or the
//! offline build fails (or, worse, the CLI and the crate disagree at run time).

use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn locked_wasm_bindgen() -> String {
    let lock = read("../Cargo.lock");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines.next().expect("version line");
            return version
                .trim_start_matches("version = \"")
                .trim_end_matches('"')
                .to_string();
        }
    }
    panic!("no wasm-bindgen in Cargo.lock");
}

#[test]
fn trunk_and_cargo_pin_the_locked_wasm_bindgen() {
    let version = locked_wasm_bindgen();
    assert!(
        read("Trunk.toml").contains(&format!("wasm_bindgen = \"{version}\"")),
        "frontend/Trunk.toml must name wasm_bindgen = \"{version}\" (Cargo.lock)"
    );
    assert!(
        read("Cargo.toml").contains(&format!("wasm-bindgen = \"={version}\"")),
        "frontend/Cargo.toml must pin wasm-bindgen = \"={version}\""
    );
}

#[test]
fn release_builds_never_download_tools() {
    let trunk = read("Trunk.toml");
    assert!(
        trunk.contains("offline = true"),
        "Trunk.toml: [build] offline = true"
    );
    let index = read("index.html");
    assert!(
        index.contains("data-wasm-opt=\"0\""),
        "index.html: wasm-opt off, or Trunk downloads binaryen"
    );
    assert!(index.contains("data-cargo-profile-release=\"wasm-release\""));
}
