//! The command line: parse arguments, call the library, map outcomes to exit
//! codes. `anyhow` lives only here; the library reports typed errors.
//!
//! Exit codes: 0 ok; 1 the spec is invalid or `--check` found differences;
//! 2 usage or I/O error. Status goes to stderr; stdout carries only data
//! (the `--check` diff), so it can be piped into `patch` or a file.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use flexgen::emit::{self, Owner};
use flexgen::write::{self, Mode, Outcome};

const EXAMPLES: &str = "\
Examples:
  flexgen check triggers.yaml                  Validate a spec and report every problem
  flexgen generate triggers.yaml --out out     Write the Flex plugin shim and the bridge into out/
  flexgen generate --check                     Print a diff and exit 1 if the output is stale
  flexgen check --plan > plan.json             Print the resolved plan (JSON) for other tools
  flexgen schema > triggers.schema.json        Print the JSON Schema of triggers.yaml for editors

Exit status: 0 ok, 1 invalid spec or `--check` found differences, 2 usage or I/O error.";

const CHECK_EXAMPLE: &str = "\
Examples:
  flexgen check examples/omnichannel-desk/triggers.yaml
  flexgen check --plan > plan.json     The resolved plan as JSON, for tools and tests";

const GENERATE_EXAMPLE: &str = "\
Example:
  flexgen generate triggers.yaml --out out     Writes out/flex-plugin/ and out/bridge/";

const SCHEMA_EXAMPLE: &str = "\
Example:
  flexgen schema > triggers.schema.json
  then start triggers.yaml with `# yaml-language-server: $schema=./triggers.schema.json`
  (`flexgen generate` also writes it into the output folder)";

#[derive(Debug, Parser)]
#[command(
    name = "flexgen",
    version,
    about = "Generate both ends of a typed, origin-checked postMessage bridge \
             between a CRM page and Twilio Flex from one triggers.yaml",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a spec and report every problem in it; writes nothing.
    #[command(after_help = CHECK_EXAMPLE)]
    Check {
        /// The spec to read.
        #[arg(default_value = "triggers.yaml")]
        spec: PathBuf,
        /// Also print the resolved plan (every trigger with its names in each
        /// case style, types, sources, Flex action or listener) as JSON on
        /// stdout: what the emitters read, for tools such as the browser tests.
        #[arg(long)]
        plan: bool,
    },
    /// Generate the Flex plugin shim and the host bridge crate from a spec.
    #[command(after_help = GENERATE_EXAMPLE)]
    Generate {
        /// The spec to read.
        #[arg(default_value = "triggers.yaml")]
        spec: PathBuf,
        /// Output folder [default: the spec's folder].
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write nothing: print a unified diff of what would change and exit 1
        /// if anything would (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Print the JSON Schema (draft-07) of triggers.yaml, for editor
    /// completion and checks through yaml-language-server.
    #[command(after_help = SCHEMA_EXAMPLE)]
    Schema,
}

/// How a command that ran to the end went.
enum Status {
    Ok,
    /// Invalid spec, or `--check` found differences.
    Failed,
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Usage errors exit 2; --help and --version exit 0.
            let _ = e.print();
            return e.exit_code();
        }
    };
    match execute(cli.command) {
        Ok(Status::Ok) => 0,
        Ok(Status::Failed) => 1,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

fn execute(command: Command) -> Result<Status> {
    match command {
        Command::Check { spec, plan } => check(&spec, plan),
        Command::Generate { spec, out, check } => {
            let out = out.unwrap_or_else(|| spec_folder(&spec));
            generate(&spec, &out, if check { Mode::Check } else { Mode::Write })
        }
        Command::Schema => {
            let schema = emit::schema::render(env!("CARGO_PKG_VERSION"));
            match io::stdout().write_all(schema.as_bytes()) {
                // `flexgen schema | head` is not a failure.
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(e).context("writing the schema to stdout")
                }
                _ => Ok(Status::Ok),
            }
        }
    }
}

fn check(spec: &Path, print_plan: bool) -> Result<Status> {
    let Some(plan) = compile(spec)? else {
        return Ok(Status::Failed);
    };
    if print_plan {
        let json = serde_json::to_string_pretty(&plan).context("serialising the plan")?;
        println!("{json}");
    }
    let n = plan.triggers.len();
    eprintln!(
        "flexgen: {} is valid ({n} {})",
        spec.display(),
        plural(n, "trigger")
    );
    Ok(Status::Ok)
}

fn generate(spec: &Path, out: &Path, mode: Mode) -> Result<Status> {
    let Some(plan) = compile(spec)? else {
        return Ok(Status::Failed);
    };
    let files = emit::emit_all(&plan).context("emitting the generated files")?;
    let outcome =
        write::apply(out, &files, mode).with_context(|| format!("writing into {}", folder(out)))?;
    for path in &outcome.foreign {
        eprintln!(
            "warning: {path} was not written by flexgen (no `{}` header) but sits in a \
             folder flexgen owns; left alone: move it elsewhere",
            emit::GENERATED_MARKER
        );
    }
    match mode {
        Mode::Write => {
            report_written(&outcome, &files, out);
            Ok(Status::Ok)
        }
        Mode::Check => report_check(&outcome, spec, out),
    }
}

/// Reads and compiles the spec; `None` after printing its diagnostics.
fn compile(spec: &Path) -> Result<Option<flexgen::ir::Plan>> {
    let source = fs::read_to_string(spec).map_err(|e| missing_spec(spec, e))?;
    // The path as the user typed it, so diagnostics point where they look.
    match flexgen::pipeline::compile(&spec.display().to_string(), &source) {
        Ok(plan) => Ok(Some(plan)),
        Err(diagnostics) => {
            eprint!("{}", diagnostics.render());
            Ok(None)
        }
    }
}

fn missing_spec(spec: &Path, e: io::Error) -> anyhow::Error {
    let help = if e.kind() == io::ErrorKind::NotFound {
        "\n  help: pass the path of your spec: `flexgen generate path/to/triggers.yaml`"
    } else {
        ""
    };
    anyhow::anyhow!("cannot read spec {}: {e}{help}", spec.display())
}

fn report_written(outcome: &Outcome, files: &[emit::OutFile], out: &Path) {
    let owned_by_user = |path: &str| {
        files
            .iter()
            .any(|f| f.path == path && f.owner == Owner::User)
    };
    for path in &outcome.created {
        let note = if owned_by_user(path) {
            " (yours to edit)"
        } else {
            ""
        };
        eprintln!("  created {path}{note}");
    }
    for path in &outcome.updated {
        eprintln!("  updated {path}");
    }
    for path in &outcome.removed {
        eprintln!("  removed {path} (stale)");
    }
    let wrote = outcome.created.len() + outcome.updated.len();
    let unchanged = outcome.unchanged.len() + outcome.kept.len();
    eprintln!(
        "flexgen: wrote {wrote} {}, removed {}, {unchanged} unchanged in {}",
        plural(wrote, "file"),
        outcome.removed.len(),
        folder(out)
    );
}

fn report_check(outcome: &Outcome, spec: &Path, out: &Path) -> Result<Status> {
    if !outcome.changed() {
        eprintln!(
            "flexgen: {} is up to date with {}",
            folder(out),
            spec.display()
        );
        return Ok(Status::Ok);
    }
    io::stdout()
        .write_all(outcome.diff.as_bytes())
        .context("writing the diff to stdout")?;
    let n = outcome.created.len() + outcome.updated.len() + outcome.removed.len();
    eprintln!(
        "flexgen: {n} {} out of date in {}; run `flexgen generate` to update",
        plural(n, "file"),
        folder(out)
    );
    Ok(Status::Failed)
}

/// The spec's own folder, `.` for a bare file name.
fn spec_folder(spec: &Path) -> PathBuf {
    match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A folder as shown in messages: `out/`, `./`.
fn folder(dir: &Path) -> String {
    let shown = dir.display().to_string();
    if shown.ends_with('/') {
        shown
    } else {
        format!("{shown}/")
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
