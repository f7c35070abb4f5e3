//! Helpers for the end-to-end tests in `tests/`: they drive the real `tallylab` binary as a
//! user would.

use std::path::PathBuf;
use std::process::Command;

/// Path of the `tallylab` binary of this workspace, built first if it is missing.
pub fn tallylab_bin() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin = target.join("debug").join("tallylab");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "backend", "--bin", "tallylab"])
            .current_dir(&root)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot build the tallylab binary"
        );
    }
    bin
}

/// A `tallylab` command ready to take arguments.
pub fn tallylab() -> Command {
    let mut c = Command::new(tallylab_bin());
    c.env("RUST_LOG", "warn");
    c
}
