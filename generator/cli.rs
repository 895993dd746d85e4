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
use flexgen::scaffold;
use flexgen::write::{self, Mode, Outcome};

const EXAMPLES: &str = "\
Examples:
  flexgen new acme-crm                         Start a workspace: the seed spec, both ends, a host page
  flexgen check triggers.yaml                  Validate a spec and report every problem
  flexgen generate triggers.yaml --out out     Write the Flex plugin shim and the bridge into out/
  flexgen generate --check                     Print a diff and exit 1 if the output is stale
  flexgen check --plan > plan.json             Print the resolved plan (JSON) for other tools

Exit status: 0 ok, 1 invalid spec or `--check` found differences, 2 usage or I/O error.";

const CHECK_EXAMPLE: &str = "\
Examples:
  flexgen check examples/omnichannel-desk/triggers.yaml
  flexgen check --plan > plan.json     The resolved plan as JSON, for tools and tests";

const NEW_EXAMPLE: &str = "\
Examples:
  flexgen new acme-crm
  flexgen new acme-crm --host-origin https://crm.acme.example --host-origin http://localhost:8080
  flexgen new desk --spec my-triggers.yaml     Your own spec (it names the app and the origins)

Without --spec the app is named after the folder, Flex is at https://flex.twilio.com and
the host page at http://localhost:8080 unless the flags say otherwise.";

const GENERATE_EXAMPLE: &str = "\
Example:
  flexgen generate triggers.yaml --out out     Writes out/flex-plugin/ and out/bridge/";

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
    /// Create a workspace: a spec, a README, a .gitignore, then everything
    /// `generate` writes from the spec.
    #[command(after_help = NEW_EXAMPLE)]
    New {
        /// The folder to create (or an empty one); its last component names the app.
        #[arg(value_name = "NAME")]
        target: PathBuf,
        /// Start from this spec instead of the seed; its `app` block names the
        /// app and the origins, so the origin flags cannot be combined with it.
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Where Flex runs [default: https://flex.twilio.com].
        #[arg(long, value_name = "URL", conflicts_with = "spec")]
        flex_origin: Option<String>,
        /// An origin of the CRM page that embeds Flex; repeat for several
        /// [default: http://localhost:8080].
        #[arg(long = "host-origin", value_name = "URL", conflicts_with = "spec")]
        host_origins: Vec<String>,
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
        Command::New {
            target,
            spec,
            flex_origin,
            host_origins,
        } => new(scaffold::Request {
            target,
            spec,
            flex_origin,
            host_origins,
        }),
        Command::Generate { spec, out, check } => {
            let out = out.unwrap_or_else(|| spec_folder(&spec));
            generate(&spec, &out, if check { Mode::Check } else { Mode::Write })
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

fn new(request: scaffold::Request) -> Result<Status> {
    match scaffold::new(&request) {
        Ok(created) => {
            report_written(&created.outcome, &created.files, &request.target);
            eprintln!(
                "flexgen: next: read {}README.md (Flex setup, build, the example host page)",
                folder(&request.target)
            );
            Ok(Status::Ok)
        }
        Err(scaffold::ScaffoldError::InvalidSpec(diagnostics)) => {
            eprint!("{}", diagnostics.render());
            Ok(Status::Failed)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "flexgen new {}: nothing written",
            request.target.display()
        ))),
    }
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
