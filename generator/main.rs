//! The `flexgen` binary. The command line lives here (`cli`, with
//! `add_trigger` and its `prompt`s), so the library stays free of argument
//! parsing, terminals and `anyhow`. Imports run one way: `cli` ->
//! `add_trigger` -> `prompt`, and both commands -> `console`, which uses
//! neither (tests/module_graph.rs holds every module to that).
mod add_trigger;
mod cli;
mod console;
mod prompt;

fn main() {
    std::process::exit(cli::run());
}
