//! The `flexgen` binary. The command line lives here (`cli`, with
//! `add_trigger` and its `prompt`s), so the library stays free of argument
//! parsing, terminals and `anyhow`.
mod add_trigger;
mod cli;
mod prompt;

fn main() {
    std::process::exit(cli::run());
}
