//! The `tallylab` binary: server and command line.

use std::os::unix::process::CommandExt;

/// mimalloc gives freed memory back to the system, unlike glibc's allocator, which kept
/// ~1.3 GB after a 10,000-record upload (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option, read from the environment when the allocator starts (before `main`):
/// with a delay of 0, memory freed by a thread that then idles (a blocking-pool thread that
/// parsed an upload) goes back at once instead of when that thread next allocates.
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

fn main() -> std::process::ExitCode {
    if std::env::var_os(PURGE_DELAY).is_none() {
        // Start again as the same process (same pid) with the option set; if that is not
        // possible, go on with the default.
        let mut args = std::env::args_os();
        let arg0 = args.next().unwrap_or_else(|| "tallylab".into());
        let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
        let err = std::process::Command::new(exe)
            .arg0(arg0)
            .args(args)
            .env(PURGE_DELAY, "0")
            .exec();
        eprintln!("tallylab: could not restart with {PURGE_DELAY}=0 ({err}); going on");
    }
    tallylab::cli::main()
}
