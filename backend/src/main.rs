//! The `tallylab` binary: server and command line.

fn main() -> std::process::ExitCode {
    tallylab::cli::main()
}
