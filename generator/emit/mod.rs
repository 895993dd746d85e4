//! Emitters: pure functions from the IR to a list of files.
//!
//! Each target (plugin shim, bridge crate) lives in its own module and returns
//! `OutFile`s with paths relative to the output folder. Nothing here touches
//! the file system; `write` decides what actually changes on disk.

pub mod bridge;
pub mod bridge_runtime;
pub mod constants;
pub mod docs;
pub mod host;
pub mod layout;
pub mod plugin;
pub mod plugin_runtime;
pub mod render;
pub mod schema;
pub mod setup;

use crate::ir::Plan;
use crate::seal;

/// Who owns a file once it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// flexgen rewrites it on every run and deletes it when it is no longer
    /// produced. Carries the `@generated` header.
    Generated,
    /// Scaffolded once when missing, then the user's: never overwritten.
    User,
    /// The user's own file, replaced on purpose by a command that edits it
    /// (`add-trigger`'s spec): written when its bytes differ, in the same
    /// all-or-nothing run as the generated files. Its `path` is absolute,
    /// since the spec need not sit in the output folder.
    Edited,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Relative to the output folder, `/`-separated, e.g. `flex-plugin/src/flexgen/wiring.ts`.
    pub path: String,
    pub contents: String,
    pub owner: Owner,
}

/// Folders that flexgen owns outright: any `@generated` file under them that a
/// run does not produce is stale and gets removed.
pub const GENERATED_DIRS: &[&str] = &[
    "flex-plugin/src/flexgen",
    "bridge/src/generated",
    "bridge/flexgen-runtime",
];

/// Where code edited into a generated file belongs instead, by path prefix:
/// the user-owned files that flexgen scaffolds once and never overwrites.
const USER_HOMES: &[(&str, &str)] = &[
    (
        "flex-plugin/",
        "flex-plugin/src/hooks.ts (your hooks into every trigger) or a file of your own \
         outside flex-plugin/src/flexgen/",
    ),
    (
        "bridge/",
        "bridge/src/lib.rs or a module of your own outside bridge/src/generated/",
    ),
    (
        "docs/",
        "a document of your own beside it in docs/ (PROTOCOL.md follows triggers.yaml: \
         `summary`, `user_action` and each field's `doc` are yours to write)",
    ),
    (
        "triggers.schema.json",
        "a schema of your own under another name (this one follows flexgen's catalog)",
    ),
];

/// Where to move a hand edit of the generated file `path` so it survives.
pub fn user_home(path: &str) -> &'static str {
    USER_HOMES
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or(
            "a file of your own outside flexgen's generated folders",
            |(_, home)| home,
        )
}

/// The marker `write` looks for before it deletes or overwrites a file;
/// defined with the checksum that follows it (`seal`), which sits below emit.
pub use crate::seal::GENERATED_MARKER;

#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
}

/// Every file of every target, sorted by path (deterministic output order).
pub fn emit_all(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let mut files = plugin::emit(plan)?;
    files.extend(bridge::emit(plan)?);
    files.extend(docs::emit(plan)?);
    files.extend(host::emit(plan)?);
    files.push(schema::emit(plan));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(sealed(files))
}

/// `docs/PROTOCOL.md` alone (`flexgen docs`), sealed like every generated file.
pub fn emit_docs(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    Ok(sealed(docs::emit(plan)?))
}

/// Every generated file gets its checksum last, over its final bytes, so
/// `write` can tell a hand edit from flexgen's own output.
fn sealed(mut files: Vec<OutFile>) -> Vec<OutFile> {
    for file in files.iter_mut().filter(|f| f.owner == Owner::Generated) {
        file.contents = seal::seal(std::mem::take(&mut file.contents));
    }
    files
}

/// The one-line header of every generated file, for a given line-comment prefix.
pub fn header(plan: &Plan, comment: &str) -> String {
    // `plan.generator` reads `flexgen <version>`; the marker already names flexgen.
    let version = plan
        .generator
        .strip_prefix("flexgen ")
        .unwrap_or(&plan.generator);
    format!(
        "{comment} {GENERATED_MARKER} {version} from {}. DO NOT EDIT.\n",
        render::comment_text(&plan.spec_file)
    )
}
