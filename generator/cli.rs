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
use clap::{CommandFactory as _, Parser, Subcommand};

use flexgen::emit;
use flexgen::scaffold;
use flexgen::write::{self, Mode, Outcome};

use crate::add_trigger;
use crate::console::{folder, plural, read_spec, report_written, spec_folder, Status};

const EXAMPLES: &str = "\
Examples:
  flexgen new acme-crm                         Start a workspace: the seed spec, both ends, a host page
  flexgen check triggers.yaml                  Validate a spec and report every problem
  flexgen generate triggers.yaml --out out     Write the Flex plugin shim and the bridge into out/
  flexgen generate --check                     Print a diff and exit 1 if the output is stale
  flexgen check --plan > plan.json             Print the resolved plan (JSON) for other tools
  flexgen completions bash > flexgen.bash      Tab completion for bash (also zsh, fish, ...)
  flexgen add-trigger callback_requested       Add a trigger (asks for what flags leave out) and regenerate
  flexgen docs triggers.yaml --out out         Write only out/docs/PROTOCOL.md
  flexgen preview                              Serve the CRM page and the Flex simulator; Ctrl-C stops
  flexgen schema > triggers.schema.json        Print the JSON Schema of triggers.yaml for editors

Exit status: 0 ok, 1 invalid spec or `--check` found differences, 2 usage or I/O error.";

const CHECK_EXAMPLE: &str = "\
Examples:
  flexgen check examples/omnichannel-desk/triggers.yaml
  flexgen check --plan > plan.json     The resolved plan as JSON, for tools and tests";

const ADD_TRIGGER_EXAMPLE: &str = "\
Examples:
  flexgen add-trigger open_case --direction host-to-flex --action NavigateToView \\
      --field 'view:string' --arg viewName=payload.view
  flexgen add-trigger whatsapp_accepted --direction flex-to-host --event taskAccepted \\
      --channel chat --channel-type whatsapp --field 'customer:string@task.attributes.from' \\
      --field 'note={ type: string, optional: true, from: task.attributes.note, doc: \"Shown: in the log\" }'
  flexgen add-trigger customer_profile --direction host-to-flex --channel chat \\
      --field task_sid:string --field customer_name:string --field crm_id:string \\
      --show-label Customer --show-task payload.task_sid \\
      --show-field Name=payload.customer_name --show-field 'CRM id=payload.crm_id' \\
      --show-field 'Reached us from=task.attributes.from'
                                       Data in a task canvas tab instead of a Flex action
  flexgen add-trigger call_back        On a terminal: asks for direction, action, fields, args

The trigger goes at the end of `triggers:`, in the file's own style; every other byte of the
spec stays as it was. The spec is validated with the trigger, then the spec and both generated
ends are written together, all or nothing. Without a terminal (or with --no-input), missing
flags are listed and nothing is asked. Exit status: 0 added, 1 the trigger was refused
(diagnostics shown), 2 usage or I/O error; in every failure nothing is written.";
const NEW_EXAMPLE: &str = "\
Examples:
  flexgen new acme-crm
  flexgen new acme-crm --host-origin https://crm.acme.example --dev-host-origin http://localhost:8080
  flexgen new desk --spec my-triggers.yaml     Your own spec (it names the app and the origins)

Without --spec the app is named after the folder and Flex is at https://flex.twilio.com;
the production host origins (`host_origins`) are the --host-origin flags (none yet without
them: `flexgen check` warns until there is one), and the development ones
(`dev_host_origins`, trusted only by development builds of the plugin) are the
--dev-host-origin flags and any loopback --host-origin, else http://localhost:8080, where
the example host page is served.";

const GENERATE_EXAMPLE: &str = "\
Examples:
  flexgen generate                             Regenerate the workspace of ./triggers.yaml in place
  flexgen generate triggers.yaml --out out     Writes out/flex-plugin/ and out/bridge/
  flexgen generate --check                     In CI: exit 1 with a diff when the output is stale";

const COMPLETIONS_EXAMPLE: &str = "\
Examples:
  flexgen completions bash > ~/.local/share/bash-completion/completions/flexgen
  flexgen completions zsh > \"${fpath[1]}/_flexgen\"
  flexgen completions fish > ~/.config/fish/completions/flexgen.fish";

const DOCS_EXAMPLE: &str = "\
Examples:
  flexgen docs triggers.yaml --out out     Writes out/docs/PROTOCOL.md only
  flexgen docs --check                     Exit 1 (with a diff) if docs/PROTOCOL.md is stale";

const SCHEMA_EXAMPLE: &str = "\
Example:
  flexgen schema > triggers.schema.json
  then start triggers.yaml with `# yaml-language-server: $schema=./triggers.schema.json`
  (`flexgen generate` also writes it into the output folder)";

/// `--embedding`, spelled as the vocabulary spells it with dashes
/// (`host-in-flex`), the spec's spelling (`host_in_flex`) an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingArg(pub flexgen::ir::Embedding);

impl clap::ValueEnum for EmbeddingArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [EmbeddingArg; 2] = [
            EmbeddingArg(flexgen::vocabulary::EMBEDDINGS[0].embedding),
            EmbeddingArg(flexgen::vocabulary::EMBEDDINGS[1].embedding),
        ];
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let word = flexgen::vocabulary::embedding_word(self.0);
        Some(
            clap::builder::PossibleValue::new(word.flag)
                .alias(word.name)
                .help(word.gloss),
        )
    }
}

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
        /// A production origin of the CRM page that embeds Flex; repeat for
        /// several [default: none yet]. A loopback one (localhost,
        /// 127.0.0.1, [::1]) goes to `dev_host_origins` instead.
        #[arg(long = "host-origin", value_name = "URL", conflicts_with = "spec")]
        host_origins: Vec<String>,
        /// A loopback origin of a CRM page for development, trusted by
        /// development builds of the plugin only; repeat for several
        /// [default: http://localhost:8080].
        #[arg(long = "dev-host-origin", value_name = "URL", conflicts_with = "spec")]
        dev_host_origins: Vec<String>,
        /// Which page frames which [default: the first].
        #[arg(long, value_enum, conflicts_with = "spec")]
        embedding: Option<EmbeddingArg>,
        /// With `--embedding host-in-flex`: the CRM page the plugin frames per task
        /// [default: the first host origin, else the first development one, +
        /// /flex?task={task.taskSid}].
        #[arg(long, value_name = "URL", conflicts_with = "spec")]
        crm_url: Option<String>,
    },
    /// Generate the Flex plugin shim and the host bridge crate from a spec.
    #[command(after_help = GENERATE_EXAMPLE)]
    Generate(Output),
    /// Print a shell completion script for flexgen on stdout.
    #[command(after_help = COMPLETIONS_EXAMPLE)]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Add one trigger to the spec and regenerate, all or nothing.
    #[command(after_help = ADD_TRIGGER_EXAMPLE)]
    AddTrigger(Box<add_trigger::Args>),
    /// Write only docs/PROTOCOL.md: setup, the wire protocol, and every
    /// trigger with its payload, errors and a sequence diagram. (`generate`
    /// writes it too.)
    #[command(after_help = DOCS_EXAMPLE)]
    Docs(Output),
    /// Serve a CRM page and a Flex simulator running this workspace's bridge
    /// and plugin, with its own hooks, on two loopback origins, until Ctrl-C.
    #[command(after_help = PREVIEW_EXAMPLE)]
    Preview {
        /// The spec to read; its folder is the workspace.
        #[arg(default_value = "triggers.yaml")]
        spec: PathBuf,
        /// Port of the CRM host page on localhost (0: a free one). The Flex
        /// simulator gets a free port of 127.0.0.1.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Print the JSON Schema (draft-07) of triggers.yaml, for editor
    /// completion and checks through yaml-language-server.
    #[command(after_help = SCHEMA_EXAMPLE)]
    Schema,
}

/// What `generate` and `docs` read, where they write, and whether they only compare.
#[derive(Debug, clap::Args)]
struct Output {
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
    /// Overwrite generated files even where they were edited by hand (the
    /// edits are lost; without it the run stops and names them).
    #[arg(long, conflicts_with = "check")]
    force: bool,
}

impl Output {
    fn run(self, scope: Scope) -> Result<Status> {
        let out = self.out.unwrap_or_else(|| spec_folder(&self.spec));
        let mode = Mode::from_flags(self.check, self.force);
        generate(&self.spec, &out, mode, scope)
    }
}

const PREVIEW_EXAMPLE: &str = "\
Example:
  flexgen preview --port 8080     CRM page on http://localhost:8080/<folder>/, Flex on a free port

Prints `host: URL` and `flex: URL` on stdout once serving; build progress goes
to stderr. Builds under DIR/.flexgen/ (add it to .gitignore). Ctrl-C stops it.";

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
            dev_host_origins,
            embedding,
            crm_url,
        } => new(scaffold::Request {
            target,
            spec,
            flex_origin,
            host_origins,
            dev_host_origins,
            embedding: embedding.map(|e| e.0),
            crm_url,
        }),
        Command::Generate(output) => output.run(Scope::All),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "flexgen", &mut script);
            print_data(&script, "the completion script")
        }
        Command::AddTrigger(args) => add_trigger::run(*args),
        Command::Docs(output) => output.run(Scope::Docs),
        Command::Preview { spec, port } => preview(&spec, port),
        Command::Schema => {
            let schema = emit::schema::render(env!("CARGO_PKG_VERSION"));
            print_data(schema.as_bytes(), "the schema")
        }
    }
}

fn preview(spec: &Path, port: u16) -> Result<Status> {
    let Some(plan) = compile(spec)? else {
        return Ok(Status::Failed);
    };
    let spec = fs::canonicalize(spec).with_context(|| format!("resolving {}", spec.display()))?;
    let workspace = spec_folder(&spec);
    let missing = flexgen::preview::check_tools(&workspace);
    if !missing.is_empty() {
        return Err(flexgen::preview::PreviewError::Tools(missing).into());
    }
    let harness = flexgen::preview::prepare_state_dir(&workspace)?;
    flexgen::preview::materialise(&harness)?;
    flexgen::preview::npm_install(&harness)?;
    eprintln!(
        "flexgen: building the preview of {} (the bridge for wasm32, the plugin, the pages)",
        spec.display()
    );
    let cache = flexgen::preview::cache_dir(&workspace);
    let in_flex = plan.app.embedding == flexgen::ir::Embedding::HostInFlex;
    flexgen::preview::serve(&harness, &workspace, &spec, port, &cache, &mut |urls| {
        println!("host: {}", urls.host);
        println!("flex: {}", urls.flex);
        if in_flex {
            eprintln!(
                "flexgen: open {} in a browser: the Flex simulator, whose plugin shows the \
                 CRM page in its CRM container (embedding: host_in_flex; select a task to \
                 get that task's page). Run commands from the page's forms, ring calls and \
                 chats and fire every Flex -> CRM trigger from the simulator's panel; the \
                 page's message log shows what crosses the bridge. Ctrl-C stops.",
                urls.flex
            );
        } else {
            eprintln!(
                "flexgen: open {} in a browser: the CRM page, with the Flex simulator in its \
                 frame. Run commands from the page's forms, ring calls and chats and fire \
                 every Flex -> CRM trigger from the simulator's panel; the page's message \
                 log shows what crosses the bridge. Ctrl-C stops.",
                urls.host
            );
        }
    })?;
    Ok(Status::Ok)
}

fn check(spec: &Path, print_plan: bool) -> Result<Status> {
    let Some((plan, warnings)) = compile_counting(spec)? else {
        return Ok(Status::Failed);
    };
    if print_plan {
        let json = serde_json::to_string_pretty(&plan).context("serialising the plan")?;
        println!("{json}");
    }
    let n = plan.triggers.len();
    let warned = if warnings == 0 {
        String::new()
    } else {
        format!(", {warnings} {}", plural(warnings, "warning"))
    };
    eprintln!(
        "flexgen: {} is valid ({n} {}{warned})",
        spec.display(),
        plural(n, "trigger")
    );
    Ok(Status::Ok)
}

fn new(request: scaffold::Request) -> Result<Status> {
    match scaffold::new(&request) {
        Ok(created) => {
            for note in &created.notes {
                eprintln!("note: {note}");
            }
            eprint!("{}", created.warnings.render_warnings());
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

/// Which files a run writes, and which folders it owns outright (so only
/// there are generated files it did not produce stale).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Everything: `generate`.
    All,
    /// `docs/PROTOCOL.md` alone: `docs`.
    Docs,
}

fn generate(spec: &Path, out: &Path, mode: Mode, scope: Scope) -> Result<Status> {
    let Some(plan) = compile(spec)? else {
        return Ok(Status::Failed);
    };
    let (files, owned) = match scope {
        Scope::All => (emit::emit_all(&plan), emit::GENERATED_DIRS),
        Scope::Docs => (emit::emit_docs(&plan), &[][..]),
    };
    let files = files.context("emitting the generated files")?;
    // Not needed to write; 10,000 triggers' plan is tens of MB of peak memory.
    drop(plan);
    let outcome = write::apply_owned(out, &files, mode, owned)
        .with_context(|| format!("writing into {}", folder(out)))?;
    for path in &outcome.foreign {
        eprintln!(
            "warning: {path} was not written by flexgen (no `{}` header) but sits in a \
             folder flexgen owns; left alone: move it elsewhere",
            emit::GENERATED_MARKER
        );
    }
    if scope == Scope::All {
        warn_of_an_old_manifest(out);
    }
    match mode {
        Mode::Write | Mode::Force => {
            report_written(&outcome, &files, out);
            Ok(Status::Ok)
        }
        Mode::Check => report_check(&outcome, spec, out),
    }
}

/// A `bridge/Cargo.toml` scaffolded by an older flexgen may lack the runtime
/// crate the generated code imports, or pin another wasm-bindgen than the
/// runtime; it is the user's file, so each problem is named with its fix.
fn warn_of_an_old_manifest(out: &Path) {
    let Ok(manifest) = std::fs::read_to_string(out.join("bridge/Cargo.toml")) else {
        return;
    };
    for (problem, fix) in emit::bridge_runtime::manifest_problems(&manifest) {
        eprintln!("warning: bridge/Cargo.toml {problem}\n  help: {fix}");
    }
}

/// Writes a command's data to stdout; a reader that stops early
/// (`flexgen schema | head`) is not a failure.
fn print_data(bytes: &[u8], what: &str) -> Result<Status> {
    match io::stdout().write_all(bytes) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(e).with_context(|| format!("writing {what} to stdout"))
        }
        _ => Ok(Status::Ok),
    }
}

/// Reads and compiles the spec; `None` after printing its diagnostics.
/// Its warnings are printed, and the run goes on.
fn compile(spec: &Path) -> Result<Option<flexgen::ir::Plan>> {
    Ok(compile_counting(spec)?.map(|(plan, _)| plan))
}

/// [`compile`], also returning how many warnings it printed.
fn compile_counting(spec: &Path) -> Result<Option<(flexgen::ir::Plan, usize)>> {
    let Some(source) = read_spec(spec)? else {
        return Ok(None);
    };
    // The path as the user typed it, so diagnostics point where they look.
    match flexgen::pipeline::compile_with_warnings(&spec.display().to_string(), &source) {
        Ok(compiled) => {
            eprint!("{}", compiled.warnings.render_warnings());
            Ok(Some((compiled.plan, compiled.warnings.items.len())))
        }
        Err(diagnostics) => {
            eprint!("{}", diagnostics.render());
            Ok(None)
        }
    }
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
    for path in &outcome.edited {
        eprintln!(
            "note: {path} was edited by hand; `flexgen generate` will refuse to overwrite it: \
             move the edit to {}",
            emit::user_home(path)
        );
    }
    let n = outcome.created.len() + outcome.updated.len() + outcome.removed.len();
    eprintln!(
        "flexgen: {n} {} out of date in {}; run `flexgen generate` to update",
        plural(n, "file"),
        folder(out)
    );
    Ok(Status::Failed)
}
