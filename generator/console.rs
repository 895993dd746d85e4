//! What the commands share at the console: how a command that ran to the end
//! went ([`Status`], the exit code's source), reading the spec with its
//! diagnostics printed, and the report of a write. `cli` and `add_trigger`
//! both use it; it uses neither, so the command line stays a tree.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Result;

use flexgen::emit::{self, Owner};
use flexgen::write::{self, Outcome};

/// How a command that ran to the end went.
pub enum Status {
    Ok,
    /// Invalid spec, or `--check` found differences.
    Failed,
}

/// Reads the spec's text; `None` after printing why it is not a spec's text
/// (too large, not UTF-8), which is the spec's fault (exit 1), not I/O's.
pub fn read_spec(spec: &Path) -> Result<Option<String>> {
    match flexgen::source::load(spec, &spec.display().to_string()) {
        Ok(source) => Ok(Some(source)),
        Err(flexgen::source::LoadError::Io(e)) => Err(missing_spec(spec, e)),
        Err(flexgen::source::LoadError::Invalid(diagnostics)) => {
            eprint!("{}", diagnostics.render());
            Ok(None)
        }
    }
}

pub fn missing_spec(spec: &Path, e: io::Error) -> anyhow::Error {
    let help = match e.kind() {
        io::ErrorKind::NotFound => {
            "\n  help: pass the path of your spec: `flexgen generate path/to/triggers.yaml`"
        }
        io::ErrorKind::IsADirectory => {
            "\n  help: that is a folder: pass the spec file in it, e.g. `folder/triggers.yaml`"
        }
        _ => "",
    };
    anyhow::anyhow!("cannot read spec {}: {e}{help}", spec.display())
}

pub fn report_written(outcome: &Outcome, files: &[emit::OutFile], out: &Path) {
    if outcome.recovered {
        eprintln!(
            "flexgen: first finished a run in {} that was killed part-way (its journal, {}, \
             was left behind)",
            folder(out),
            write::JOURNAL
        );
    }
    for path in &outcome.edited {
        eprintln!("  replaced {path}, edited by hand (--force)");
    }
    let owned_by_user = |path: &str| {
        files
            .iter()
            .any(|f| f.path == path && f.owner == Owner::User)
    };
    // An edited file (add-trigger's spec) is reported by its command.
    let edited = |path: &String| {
        files
            .iter()
            .any(|f| &f.path == path && f.owner == Owner::Edited)
    };
    for path in outcome.created.iter().filter(|p| !edited(p)) {
        let note = if owned_by_user(path) {
            " (yours to edit)"
        } else {
            ""
        };
        eprintln!("  created {path}{note}");
    }
    for path in outcome.updated.iter().filter(|p| !edited(p)) {
        eprintln!("  updated {path}");
    }
    for path in &outcome.removed {
        eprintln!("  removed {path} (stale)");
    }
    let count = |list: &[String]| list.iter().filter(|p| !edited(p)).count();
    let wrote = count(&outcome.created) + count(&outcome.updated);
    let unchanged = count(&outcome.unchanged) + outcome.kept.len();
    eprintln!(
        "flexgen: wrote {wrote} {}, removed {}, {unchanged} unchanged in {}",
        plural(wrote, "file"),
        outcome.removed.len(),
        folder(out)
    );
}

/// The spec's own folder, `.` for a bare file name.
pub fn spec_folder(spec: &Path) -> PathBuf {
    match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A folder as shown in messages: `out/`, `./`.
pub fn folder(dir: &Path) -> String {
    let shown = dir.display().to_string();
    if shown.ends_with('/') {
        shown
    } else {
        format!("{shown}/")
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
