//! `flexgen new`: a workspace folder with the skeleton of
//! `templates/workspace/` (the spec, a README, a .gitignore), then everything
//! `generate` writes, in one all-or-nothing step.
//!
//! The skeleton is also a cargo-generate template, so its files use only the
//! `{{ var }}` syntax that tera (here) and liquid (cargo-generate) render
//! alike, with cargo-generate's variable names: `crate_name` for the app name
//! and the `flex_origin`, `host_origins` and `dev_host_origins`
//! placeholders that `templates/workspace/cargo-generate.toml` declares.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::edit::scalar;
use crate::emit::{self, EmitError, OutFile, Owner};
use crate::ir::Embedding;
use crate::validate::{check_app_name, check_origin, is_loopback_origin};
use crate::vocabulary;
use crate::write::{self, Mode, Outcome, WriteError};

/// The skeleton: `(path in the workspace, template)`, every file of
/// `templates/workspace/` but the template-only ones (a test keeps the two
/// lists complete).
pub const SKELETON: &[(&str, &str)] = &[
    (
        ".gitignore",
        include_str!("../templates/workspace/.gitignore"),
    ),
    (
        "README.md",
        include_str!("../templates/workspace/README.md"),
    ),
    (
        "triggers.yaml",
        include_str!("../templates/workspace/triggers.yaml"),
    ),
];

/// Files of `templates/workspace/` that configure cargo-generate and are not
/// part of a workspace (cargo-generate removes them from its result too).
pub const TEMPLATE_ONLY: &[(&str, &str)] = &[(
    "cargo-generate.toml",
    include_str!("../templates/workspace/cargo-generate.toml"),
)];

/// The spec's first line, so editors with the YAML language server check the
/// spec against the schema that `generate` writes next to it.
pub const SCHEMA_LINE: &str = "# yaml-language-server: $schema=./triggers.schema.json";

/// The origins of a new workspace when no flag names them: hosted Flex, no
/// production CRM yet (`check` warns until there is one), and, for
/// development builds only, the example host page served locally (the
/// README says how).
pub const DEFAULT_FLEX_ORIGIN: &str = "https://flex.twilio.com";
pub const DEFAULT_DEV_HOST_ORIGINS: &[&str] = &["http://localhost:8080"];

/// The values the skeleton's templates read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    /// The app name (cargo-generate's variable name, for parity).
    pub crate_name: String,
    pub flex_origin: String,
    pub host_origins: Vec<String>,
    pub dev_host_origins: Vec<String>,
}

impl Values {
    fn context(&self) -> Context {
        let mut context = Context::new();
        context.insert("crate_name", &self.crate_name);
        context.insert("flex_origin", &self.flex_origin);
        context.insert("host_origins", &flow_list(&self.host_origins));
        context.insert("dev_host_origins", &flow_list(&self.dev_host_origins));
        context
    }
}

/// One string for both engines (cargo-generate placeholders are strings):
/// the inside of a YAML flow list. `[` and `]` cannot stand unquoted in one,
/// and only an IPv6 host has them; nothing else in a checked origin needs
/// quoting.
fn flow_list(origins: &[String]) -> String {
    origins
        .iter()
        .map(|o| {
            if o.contains('[') {
                format!("\"{o}\"")
            } else {
                o.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `new` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The folder to create; its last component is the app name.
    pub target: PathBuf,
    /// The user's spec instead of the default one.
    pub spec: Option<PathBuf>,
    /// `--flex-origin`; only without `spec`.
    pub flex_origin: Option<String>,
    /// `--host-origin`, in order; only without `spec`. Loopback ones go to
    /// `dev_host_origins` (with a note).
    pub host_origins: Vec<String>,
    /// `--dev-host-origin`, in order; only without `spec`.
    pub dev_host_origins: Vec<String>,
    /// `--embedding`; only without `spec` (`None`: the default).
    pub embedding: Option<Embedding>,
    /// `--crm-url`; only with `--embedding host-in-flex`.
    pub crm_url: Option<String>,
}

/// The path and query `crm_url` gets when `--crm-url` is not given, after
/// the first host origin (else the first development one).
pub const DEFAULT_CRM_PATH: &str = "/flex?task={task.taskSid}";

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "{} is not empty\n  help: name a new folder (flexgen new creates it) or an empty one; \
         to update an existing workspace, run `flexgen generate` in it",
        .0.display()
    )]
    NotEmpty(PathBuf),
    #[error("{} exists and is not a folder\n  help: name a new folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot name the app after {}: {message}\n  help: {help}", .target.display())]
    BadName {
        target: PathBuf,
        message: String,
        help: String,
    },
    #[error("{flag} {message}\n  help: {help}")]
    BadOrigin {
        flag: &'static str,
        message: String,
        help: String,
    },
    #[error("{flag} {message}\n  help: {help}")]
    BadFlag {
        flag: &'static str,
        message: String,
        help: String,
    },
    #[error("origin `{0}` is given twice\n  help: give each origin once")]
    DuplicateOrigin(String),
    #[error("cannot read spec {}: {source}", .path.display())]
    ReadSpec {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The spec does not compile; nothing was written.
    #[error("{}", .0.render())]
    InvalidSpec(Diagnostics),
    #[error("skeleton template {template}: {message}")]
    Template { template: String, message: String },
    #[error(transparent)]
    Emit(#[from] EmitError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// What `new` wrote: the outcome of the write, and the files (for the report).
pub struct Created {
    pub outcome: Outcome,
    pub files: Vec<OutFile>,
    /// What `new` decided for the user, one line each (a loopback
    /// `--host-origin` moved to `dev_host_origins`).
    pub notes: Vec<String>,
    /// What `check` warns about in the new spec.
    pub warnings: Diagnostics,
}

/// Creates the workspace. Everything is checked before anything is written;
/// if writing fails, the folder is removed again (or emptied again, when it
/// existed empty before).
pub fn new(request: &Request) -> Result<Created, ScaffoldError> {
    let existed = check_target(&request.target)?;
    let mut notes = Vec::new();
    let spec_text = match &request.spec {
        Some(path) => user_spec(path)?,
        None => {
            let values = default_values(request, &mut notes)?;
            let text = render_spec(&values)?;
            with_embedding(&text, &values, request)?
        }
    };
    let spec_path = request.target.join("triggers.yaml");
    let compiled =
        crate::pipeline::compile_with_warnings(&spec_path.display().to_string(), &spec_text)
            .map_err(|diagnostics| match (&request.spec, &request.crm_url) {
                (None, Some(url)) => crm_url_error(url, &spec_text, diagnostics),
                _ => ScaffoldError::InvalidSpec(diagnostics),
            })?;
    let plan = compiled.plan;
    let values = Values {
        crate_name: plan.app.name.original.clone(),
        flex_origin: plan.app.flex_origin.clone(),
        host_origins: plan.app.host_origins.clone(),
        dev_host_origins: plan.app.dev_host_origins.clone(),
    };
    let mut files = skeleton(&values)?;
    // The user's spec, or the skeleton's with the embedding written in.
    let spec = files
        .iter_mut()
        .find(|f| f.path == "triggers.yaml")
        .expect("the skeleton has a triggers.yaml");
    spec.contents = spec_text;
    files.extend(emit::emit_all(&plan)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));

    // Undo removes what this run created: the target, or its first missing
    // ancestor when `new a/b/demo` had to create `a/` and `a/b/` too.
    let created_root = first_missing(&request.target);
    let written = fs::create_dir_all(&request.target)
        .map_err(|source| ScaffoldError::Io {
            action: "cannot create",
            path: request.target.clone(),
            source,
        })
        .and_then(|()| Ok(write::apply(&request.target, &files, Mode::Write)?));
    match written {
        Ok(outcome) => Ok(Created {
            outcome,
            files,
            notes,
            warnings: compiled.warnings,
        }),
        Err(e) => {
            undo(&request.target, &created_root, existed);
            Err(e)
        }
    }
}

/// Every skeleton file rendered with `values`, all of them the user's.
pub fn skeleton(values: &Values) -> Result<Vec<OutFile>, ScaffoldError> {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&str>::new());
    let fail = |template: &str| {
        let template = template.to_string();
        move |e: tera::Error| ScaffoldError::Template {
            template,
            message: format!("{e:#}"),
        }
    };
    for (path, source) in SKELETON {
        tera.add_raw_template(path, source).map_err(fail(path))?;
    }
    let context = values.context();
    SKELETON
        .iter()
        .map(|(path, _)| {
            Ok(OutFile {
                path: path.to_string(),
                contents: tera.render(path, &context).map_err(fail(path))?,
                owner: Owner::User,
            })
        })
        .collect()
}

/// The default spec rendered with `values`.
pub fn render_spec(values: &Values) -> Result<String, ScaffoldError> {
    let files = skeleton(values)?;
    Ok(files
        .into_iter()
        .find(|f| f.path == "triggers.yaml")
        .expect("the skeleton has a triggers.yaml")
        .contents)
}

/// `text` with the schema line first, unless it already has one.
pub fn with_schema_line(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .lines()
        .next()
        .is_some_and(|l| l.trim_end() == SCHEMA_LINE)
    {
        text.to_string()
    } else {
        format!("{SCHEMA_LINE}\n{text}")
    }
}

/// The default spec with `--embedding` (and `crm_url`) written into its
/// `app` block after `dev_host_origins`, with a comment saying what they
/// mean; unchanged for the default embedding. The skeleton itself stays one
/// template for both engines, and the seed its rendering.
fn with_embedding(text: &str, values: &Values, request: &Request) -> Result<String, ScaffoldError> {
    let embedding = request.embedding.unwrap_or_default();
    if embedding == Embedding::FlexInHost {
        if let Some(url) = &request.crm_url {
            return Err(ScaffoldError::BadFlag {
                flag: "--crm-url",
                message: format!(
                    "`{url}` is only used with --embedding {}",
                    embedding_flag(Embedding::HostInFlex)
                ),
                help: format!(
                    "add `--embedding {}` to have the plugin frame the CRM page inside Flex, \
                     or drop --crm-url",
                    embedding_flag(Embedding::HostInFlex)
                ),
            });
        }
        return Ok(text.to_string());
    }
    let url = match &request.crm_url {
        Some(url) => url.clone(),
        None => {
            let origin = values
                .host_origins
                .first()
                .or(values.dev_host_origins.first())
                .expect("a new spec has a development origin at least");
            format!("{origin}{DEFAULT_CRM_PATH}")
        }
    };
    if url.contains(['\n', '\r']) {
        return Err(ScaffoldError::BadFlag {
            flag: "--crm-url",
            message: "must fit on one line".into(),
            help: format!(
                "write the CRM page's URL, e.g. `https://crm.example.com{DEFAULT_CRM_PATH}`"
            ),
        });
    }
    let word = vocabulary::embedding_word(embedding);
    let block = format!(
        "  # {}: the plugin frames the CRM page (crm_url) in Flex's CRM panel\n  \
         # instead of the CRM page framing Flex.\n  embedding: {}\n  \
         # The CRM page for the selected task; each {{task.…}} placeholder is\n  \
         # percent-encoded. Its origin is one of host_origins or dev_host_origins.\n  \
         crm_url: {}\n",
        word.name,
        word.name,
        scalar(&url)
    );
    let anchor = "  dev_host_origins:";
    let at = text
        .find(anchor)
        .and_then(|start| text[start..].find('\n').map(|end| start + end + 1))
        .expect("the skeleton's app block ends with dev_host_origins");
    Ok(format!("{}{block}{}", &text[..at], &text[at..]))
}

/// An error in the spec `new` wrote from its flags that lies in its
/// `crm_url` line: told as `--crm-url`'s, with the spec's keys in the help
/// named by their flags (the spec was never written, so pointing into it
/// would point nowhere). Any other error stays the spec's.
fn crm_url_error(url: &str, spec_text: &str, diagnostics: Diagnostics) -> ScaffoldError {
    let line = spec_text.find("\n  crm_url: ").map(|start| {
        start + 1
            ..spec_text[start + 1..]
                .find('\n')
                .map_or(spec_text.len(), |end| start + 1 + end)
    });
    let on_the_line = |d: &Diagnostic| matches!((&d.span, &line), (Some(span), Some(line)) if line.contains(&span.start));
    let Some(error) = diagnostics
        .items
        .iter()
        .find(|d| d.severity == Severity::Error && on_the_line(d))
    else {
        return ScaffoldError::InvalidSpec(diagnostics);
    };
    let flags = |text: &str| {
        text.replace("to `host_origins`", "with `--host-origin`")
            .replace("`dev_host_origins`", "`--dev-host-origin`")
            .replace("`host_origins`", "`--host-origin`")
            .replace("`crm_url`", "`--crm-url`")
    };
    let errors = diagnostics
        .items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let more = match errors - 1 {
        0 => String::new(),
        1 => " (and 1 more error)".to_string(),
        n => format!(" (and {n} more errors)"),
    };
    ScaffoldError::BadFlag {
        flag: "--crm-url",
        message: format!("`{url}`: {}{more}", flags(&error.message)),
        help: error.help.as_deref().map_or_else(
            || format!("give the CRM page's URL, e.g. `https://crm.example.com{DEFAULT_CRM_PATH}`"),
            flags,
        ),
    }
}

/// The command line's spelling of an embedding: `host-in-flex`.
pub fn embedding_flag(embedding: Embedding) -> &'static str {
    vocabulary::embedding_word(embedding).flag
}

/// `Ok(true)` when the target is an existing empty folder, `Ok(false)` when
/// it does not exist.
fn check_target(target: &Path) -> Result<bool, ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        action: "cannot inspect",
        path: target.to_path_buf(),
        source,
    };
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(e)),
        Ok(meta) if !meta.is_dir() => Err(ScaffoldError::NotAFolder(target.to_path_buf())),
        Ok(_) => {
            let mut entries = fs::read_dir(target).map_err(io)?;
            match entries.next() {
                None => Ok(true),
                Some(_) => Err(ScaffoldError::NotEmpty(target.to_path_buf())),
            }
        }
    }
}

/// The user's spec, checked with the diagnostics pointing into their file,
/// with the schema line added.
fn user_spec(path: &Path) -> Result<String, ScaffoldError> {
    let text = crate::source::load(path, &path.display().to_string()).map_err(|e| match e {
        crate::source::LoadError::Io(source) => ScaffoldError::ReadSpec {
            path: path.to_path_buf(),
            source,
        },
        crate::source::LoadError::Invalid(diagnostics) => ScaffoldError::InvalidSpec(diagnostics),
    })?;
    crate::pipeline::compile(&path.display().to_string(), &text)
        .map_err(ScaffoldError::InvalidSpec)?;
    Ok(with_schema_line(&text))
}

/// The values of the default spec: the folder's name and the flags, each
/// checked by the spec's own rules so that a mistake names the flag. A
/// loopback `--host-origin` goes to `dev_host_origins`, with a note: a
/// production build must not trust a page on the agent's machine.
fn default_values(request: &Request, notes: &mut Vec<String>) -> Result<Values, ScaffoldError> {
    let target = &request.target;
    let bad_name = |message: String, help: String| ScaffoldError::BadName {
        target: target.clone(),
        message,
        help,
    };
    let name = target.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        bad_name(
            "it has no usable last component".into(),
            "name the folder, e.g. `flexgen new acme-crm`".into(),
        )
    })?;
    check_app_name(name).map_err(|(message, help)| bad_name(message, help))?;

    let flex_origin = request
        .flex_origin
        .clone()
        .unwrap_or_else(|| DEFAULT_FLEX_ORIGIN.to_string());
    check_flag("--flex-origin", &flex_origin)?;
    let mut host_origins: Vec<String> = Vec::new();
    let mut dev_host_origins: Vec<String> = Vec::new();
    let mut seen: Vec<&String> = Vec::new();
    for origin in &request.dev_host_origins {
        check_flag("--dev-host-origin", origin)?;
        if !is_loopback_origin(origin) {
            return Err(ScaffoldError::BadOrigin {
                flag: "--dev-host-origin",
                message: format!("`{origin}` is not a loopback origin"),
                help: "development origins are pages on this machine (localhost, 127.0.0.1, \
                       [::1]); give the CRM's real origins with --host-origin"
                    .into(),
            });
        }
        if seen.contains(&origin) {
            return Err(ScaffoldError::DuplicateOrigin(origin.clone()));
        }
        seen.push(origin);
        dev_host_origins.push(origin.clone());
    }
    for origin in &request.host_origins {
        check_flag("--host-origin", origin)?;
        if seen.contains(&origin) {
            return Err(ScaffoldError::DuplicateOrigin(origin.clone()));
        }
        seen.push(origin);
        if is_loopback_origin(origin) {
            notes.push(format!(
                "--host-origin {origin} is on this machine: it goes to `dev_host_origins`, \
                 trusted by development builds only (--dev-host-origin says so directly)"
            ));
            dev_host_origins.push(origin.clone());
        } else {
            host_origins.push(origin.clone());
        }
    }
    if dev_host_origins.is_empty() {
        dev_host_origins = DEFAULT_DEV_HOST_ORIGINS
            .iter()
            .map(|o| o.to_string())
            .collect();
    }
    Ok(Values {
        crate_name: name.to_string(),
        flex_origin,
        host_origins,
        dev_host_origins,
    })
}

fn check_flag(flag: &'static str, origin: &str) -> Result<(), ScaffoldError> {
    check_origin(origin).map_err(|(message, help)| ScaffoldError::BadOrigin {
        flag,
        message,
        help,
    })
}

/// Puts the target back as it was: gone, or empty.
/// The outermost folder of `target`'s path that does not exist yet (the
/// target itself when only it is missing, or when it exists).
fn first_missing(target: &Path) -> PathBuf {
    target
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .last()
        .map_or_else(|| target.to_path_buf(), Path::to_path_buf)
}

fn undo(target: &Path, created_root: &Path, existed: bool) {
    if !existed {
        let _ = fs::remove_dir_all(created_root);
        return;
    }
    if let Ok(entries) = fs::read_dir(target) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = match entry.file_type() {
                Ok(kind) if kind.is_dir() => fs::remove_dir_all(&path),
                _ => fs::remove_file(&path),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_values() -> Values {
        Values {
            crate_name: "acme-crm".into(),
            flex_origin: "https://flex.twilio.com".into(),
            host_origins: vec!["https://crm.acme.example".into()],
            dev_host_origins: vec!["http://localhost:8080".into()],
        }
    }

    #[test]
    fn the_root_seed_is_the_skeleton_rendered_with_the_seeds_values() {
        let rendered = render_spec(&seed_values()).unwrap();
        assert_eq!(
            rendered,
            include_str!("../triggers.yaml"),
            "the root triggers.yaml must be templates/workspace/triggers.yaml rendered with \
             the seed's values: edit the skeleton, then render it again"
        );
    }

    #[test]
    fn every_file_of_the_workspace_template_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/workspace");
        let mut on_disk = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let rel = path.strip_prefix(&root).unwrap();
                    on_disk.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = SKELETON
            .iter()
            .chain(TEMPLATE_ONLY)
            .map(|(p, _)| p.to_string())
            .collect();
        embedded.sort();
        assert_eq!(
            on_disk, embedded,
            "add new files of templates/workspace/ to SKELETON or TEMPLATE_ONLY"
        );
    }

    #[test]
    fn ipv6_origins_are_quoted_and_the_rendered_spec_compiles() {
        let values = Values {
            crate_name: "desk".into(),
            flex_origin: "https://flex.twilio.com".into(),
            host_origins: vec![],
            dev_host_origins: vec!["http://[::1]:8080".into(), "http://localhost:3000".into()],
        };
        let text = render_spec(&values).unwrap();
        assert!(text.contains("  host_origins: []\n"), "{text}");
        assert!(
            text.contains("dev_host_origins: [\"http://[::1]:8080\", http://localhost:3000]"),
            "{text}"
        );
        let plan = crate::pipeline::compile("triggers.yaml", &text)
            .unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(plan.app.host_origins, values.host_origins);
        assert_eq!(plan.app.dev_host_origins, values.dev_host_origins);
        assert_eq!(plan.app.name.original, "desk");
    }

    #[test]
    fn undo_starts_at_the_first_folder_new_created() {
        let tmp =
            std::env::temp_dir().join(format!("flexgen-first-missing-{}", std::process::id()));
        fs::create_dir_all(&tmp).unwrap();
        assert_eq!(first_missing(&tmp.join("a/b/demo")), tmp.join("a"));
        assert_eq!(first_missing(&tmp.join("demo")), tmp.join("demo"));
        assert_eq!(first_missing(&tmp), tmp);
        assert_eq!(
            first_missing(Path::new("demo-that-is-not-here")),
            Path::new("demo-that-is-not-here")
        );
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn the_schema_line_is_added_once() {
        let once = with_schema_line("version: 1\n");
        assert_eq!(once, format!("{SCHEMA_LINE}\nversion: 1\n"));
        assert_eq!(with_schema_line(&once), once);
        assert_eq!(with_schema_line(&format!("\u{feff}{once}")), once);
    }
}
