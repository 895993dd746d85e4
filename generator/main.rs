//! The `flexgen` binary. Everything lives in `cli`, so the library stays free
//! of argument parsing and `anyhow`.
mod cli;

fn main() {
    std::process::exit(cli::run());
}
