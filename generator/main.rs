fn main() {
    std::process::exit(flexgen_cli::run());
}

#[path = "cli.rs"]
mod flexgen_cli;
