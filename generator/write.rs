//! Puts emitted files on disk, or reports what would change (`--check`).
//!
//! Rules, in the order they are decided:
//! - a generated file is written only when its bytes differ, so build tools
//!   that watch mtimes do not rebuild for nothing;
//! - a user-owned file is created when missing and never touched again;
//! - a file flexgen would write, but which lacks the `@generated` marker, is
//!   someone's hand-written code: the run refuses rather than destroy it;
//! - under the generated folders, a marked file this run does not produce is
//!   stale and removed; an unmarked one is left alone and reported.
//!
//! - a generated file whose header checksum (`seal`) no longer matches was
//!   edited by hand: the run refuses to overwrite or remove it, naming the
//!   file and where its code belongs, unless forced (`Mode::Force`).
//!
//! A run is all or nothing, and survives being killed:
//! 1. every new content is staged in a hidden temp file beside its target;
//!    a kill here leaves the old tree (plus temps the next run sweeps away);
//! 2. a journal listing every rename is written to a temp name and renamed
//!    into place (`.flexgen-journal` in the output folder): that one rename
//!    is the commit point;
//! 3. the renames happen (old files to backups, temps into place, stale files
//!    out), then the journal goes, then the backups.
//!
//! A kill after the commit point leaves the journal behind, and the next
//! flexgen run over the same folder finishes the renames before anything
//! else (`recover`): the tree is the old one or becomes the new one, never a
//! mix that flexgen would build on. If a rename fails for an ordinary reason
//! (permissions, a full disk), the renames already done are undone from the
//! backups and the journal is dropped, so a failed run leaves every file as
//! it was. Not covered: power loss (nothing is fsynced; the file system's
//! own ordering of renames decides) and two runs on one folder at once.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::emit::{user_home, OutFile, Owner, GENERATED_DIRS};
use crate::seal::{self, Seal, GENERATED_MARKER};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Change the files on disk; refuse to lose hand edits.
    Write,
    /// Change the files on disk, replacing generated files even where they
    /// were edited by hand (`--force`).
    Force,
    /// Change nothing; describe the changes as a unified diff.
    Check,
}

impl Mode {
    /// The mode a command's `--check` and `--force` flags ask for.
    pub fn from_flags(check: bool, force: bool) -> Self {
        match (check, force) {
            (true, _) => Mode::Check,
            (false, true) => Mode::Force,
            (false, false) => Mode::Write,
        }
    }
}

/// What a run did (Write) or would do (Check). Paths are relative to the
/// output folder, `/`-separated, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    /// Generated files whose bytes were already right.
    pub unchanged: Vec<String>,
    /// User-owned files that already existed and were left as they are.
    pub kept: Vec<String>,
    /// Files without the `@generated` marker inside a generated folder that
    /// this run does not produce: left alone, but they do not belong there.
    pub foreign: Vec<String>,
    /// Generated files edited by hand that this run changes or removes:
    /// refused in Write mode, replaced in Force mode, listed in Check mode.
    pub edited: Vec<String>,
    /// A run killed after its commit point was finished first.
    pub recovered: bool,
    /// Check mode only: the unified diff of every change (empty when none).
    pub diff: String,
}

impl Outcome {
    /// True when the run changed (or would change) at least one file.
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write {path}: {reason}")]
    BadPath { path: String, reason: &'static str },
    #[error(
        "refusing to overwrite hand-written file(s) where flexgen writes generated code: {}; \
         they lack the `{GENERATED_MARKER}` header. Move your code out of the way (user code \
         belongs outside the generated folders) and run again",
        .paths.join(", ")
    )]
    NotGenerated { paths: Vec<String> },
    #[error(
        "refusing to overwrite generated file(s) edited by hand (their checksum no longer \
         matches what flexgen wrote):{}\nThen run again. Or run again with --force to throw \
         the edit(s) away.",
        .paths.iter().map(|p| format!("\n  {p}: to keep the edit, move it to {}", user_home(p))).collect::<String>()
    )]
    HandEdited { paths: Vec<String> },
    #[error(
        "{} holds an unfinished flexgen run (killed part-way); `--check` changes nothing, \
         so run `flexgen generate` once to finish it, then check again",
        .journal.display()
    )]
    Unfinished { journal: PathBuf },
    #[error("cannot read the journal {}: {reason}; if no flexgen run is going on, delete it and run again", .journal.display())]
    BadJournal { journal: PathBuf, reason: String },
    #[error("{action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| WriteError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// One change to one file, decided before anything is touched.
#[derive(Debug)]
enum Change<'a> {
    Create {
        rel: String,
        contents: &'a str,
    },
    Update {
        rel: String,
        old: Vec<u8>,
        contents: &'a str,
    },
    Remove {
        rel: String,
        old: Vec<u8>,
    },
}

impl Change<'_> {
    fn rel(&self) -> &str {
        match self {
            Change::Create { rel, .. }
            | Change::Update { rel, .. }
            | Change::Remove { rel, .. } => rel,
        }
    }
}

/// Applies `files` to `out_dir` (Write) or diffs them against it (Check).
pub fn apply(out_dir: &Path, files: &[OutFile], mode: Mode) -> Result<Outcome, WriteError> {
    apply_with(out_dir, files, mode, GENERATED_DIRS, &mut |_| Ok(()))
}

/// `apply` for a run that produces only some of flexgen's files (`flexgen
/// docs`): stale files are looked for only under `owned_dirs`, so the files
/// this run does not produce are not taken for stale ones.
pub fn apply_owned(
    out_dir: &Path,
    files: &[OutFile],
    mode: Mode,
    owned_dirs: &[&str],
) -> Result<Outcome, WriteError> {
    apply_with(out_dir, files, mode, owned_dirs, &mut |_| Ok(()))
}

/// `apply` with a hook called before each step that can fail the run
/// (staging a file, writing the journal, each rename), so tests can make the
/// n-th one fail and watch the rollback.
fn apply_with(
    out_dir: &Path,
    files: &[OutFile],
    mode: Mode,
    owned_dirs: &[&str],
    before_step: &mut dyn FnMut(usize) -> io::Result<()>,
) -> Result<Outcome, WriteError> {
    let mut steps = Steps::new(before_step);
    let recovered = match mode {
        Mode::Check => {
            let journal = out_dir.join(JOURNAL);
            if journal.exists() {
                return Err(WriteError::Unfinished { journal });
            }
            false
        }
        Mode::Write | Mode::Force => recover_with(out_dir, &mut steps)?,
    };
    let (mut outcome, changes) = plan(out_dir, files, owned_dirs, mode)?;
    outcome.recovered = recovered;
    for change in &changes {
        let list = match change {
            Change::Create { .. } => &mut outcome.created,
            Change::Update { .. } => &mut outcome.updated,
            Change::Remove { .. } => &mut outcome.removed,
        };
        list.push(change.rel().to_string());
    }
    match mode {
        Mode::Check => outcome.diff = diff(&changes),
        Mode::Write | Mode::Force => {
            sweep_temps(out_dir, files, owned_dirs);
            commit(out_dir, &changes, &mut steps)?
        }
    }
    for list in [
        &mut outcome.created,
        &mut outcome.updated,
        &mut outcome.removed,
        &mut outcome.unchanged,
        &mut outcome.kept,
        &mut outcome.foreign,
        &mut outcome.edited,
    ] {
        list.sort();
    }
    Ok(outcome)
}

/// Decides every change by reading the disk; writes nothing.
fn plan<'a>(
    out_dir: &Path,
    files: &'a [OutFile],
    owned_dirs: &[&str],
    mode: Mode,
) -> Result<(Outcome, Vec<Change<'a>>), WriteError> {
    let mut outcome = Outcome::default();
    let mut changes = Vec::new();
    let mut not_generated = Vec::new();
    let mut produced = BTreeSet::new();

    for file in files {
        match file.owner {
            Owner::Edited => check_edited_path(&file.path)?,
            Owner::Generated | Owner::User => check_rel_path(&file.path)?,
        }
        if !produced.insert(file.path.as_str()) {
            return Err(WriteError::BadPath {
                path: file.path.clone(),
                reason: "emitted twice",
            });
        }
        // An absolute path (an edited file) replaces `out_dir` in the join,
        // here and when the change is committed.
        let target = out_dir.join(&file.path);
        let existing = read_if_file(&target)?;
        let rel = file.path.clone();
        match (file.owner, existing) {
            (_, None) => changes.push(Change::Create {
                rel,
                contents: &file.contents,
            }),
            (Owner::User, Some(_)) => outcome.kept.push(rel),
            (Owner::Edited | Owner::Generated, Some(old)) if old == file.contents.as_bytes() => {
                outcome.unchanged.push(rel)
            }
            (Owner::Generated, Some(old)) if !has_marker(&old) => not_generated.push(rel),
            (owner, Some(old)) => {
                if owner == Owner::Generated && seal::verify(&old) == Seal::Edited {
                    outcome.edited.push(rel.clone());
                }
                changes.push(Change::Update {
                    rel,
                    old,
                    contents: &file.contents,
                })
            }
        }
    }
    if !not_generated.is_empty() {
        return Err(WriteError::NotGenerated {
            paths: not_generated,
        });
    }

    for dir in owned_dirs {
        for rel in files_under(out_dir, dir)? {
            if produced.contains(rel.as_str()) {
                continue;
            }
            let path = out_dir.join(&rel);
            let old = fs::read(&path).map_err(io_err("cannot read", &path))?;
            if !has_marker(&old) {
                outcome.foreign.push(rel);
                continue;
            }
            if seal::verify(&old) == Seal::Edited {
                outcome.edited.push(rel.clone());
            }
            changes.push(Change::Remove { rel, old });
        }
    }
    if mode == Mode::Write && !outcome.edited.is_empty() {
        let mut paths = std::mem::take(&mut outcome.edited);
        paths.sort();
        return Err(WriteError::HandEdited { paths });
    }
    Ok((outcome, changes))
}

/// Emitted paths come from our own emitters, but a path that escapes the
/// output folder must never be written, whatever produced it.
fn check_rel_path(rel: &str) -> Result<(), WriteError> {
    let bad = |reason| {
        Err(WriteError::BadPath {
            path: rel.to_string(),
            reason,
        })
    };
    if rel.is_empty() || rel.contains('\\') {
        return bad("not a relative `/`-separated path");
    }
    for component in Path::new(rel).components() {
        if !matches!(component, Component::Normal(_)) {
            return bad("must stay inside the output folder");
        }
    }
    Ok(())
}

/// An edited file is one the user named (their spec): absolute, so that it
/// is found wherever the output folder is, and without `..` detours.
fn check_edited_path(path: &str) -> Result<(), WriteError> {
    let path = Path::new(path);
    if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return Err(WriteError::BadPath {
            path: path.display().to_string(),
            reason: "an edited file needs an absolute path without `..`",
        });
    }
    Ok(())
}

/// The bytes of a regular file, `None` when nothing is there; anything else
/// in the way (a folder, a symlink) is an error rather than a silent clobber.
fn read_if_file(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        // A parent that is a file also means "nothing here"; staging will
        // report the real obstacle.
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Ok(None),
        Err(e) => Err(io_err("cannot inspect", path)(e)),
        Ok(meta) if meta.is_file() => fs::read(path)
            .map(Some)
            .map_err(io_err("cannot read", path)),
        Ok(_) => Err(WriteError::Io {
            action: "not a regular file",
            path: path.to_path_buf(),
            source: io::Error::other("move it out of the way"),
        }),
    }
}

/// The marker sits in a file's first line, or, in JSON (which has no
/// comments), in a `"$comment"` that is the first key of the top object.
fn has_marker(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let head = if first.trim_ascii() == b"{" {
        let second = lines.next().unwrap_or_default().trim_ascii();
        second.strip_prefix(b"\"$comment\":").unwrap_or_default()
    } else {
        first
    };
    String::from_utf8_lossy(head).contains(GENERATED_MARKER)
}

/// Every regular file below `out_dir/dir`, as `/`-separated relative paths.
/// Symlinks are reported as files (never followed) so a link out of the tree
/// cannot lead a removal elsewhere.
fn files_under(out_dir: &Path, dir: &str) -> Result<Vec<String>, WriteError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_string()];
    while let Some(rel_dir) = pending.pop() {
        let path = out_dir.join(&rel_dir);
        let entries = match fs::read_dir(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => continue,
            other => other.map_err(io_err("cannot list", &path))?,
        };
        for entry in entries {
            let entry = entry.map_err(io_err("cannot list", &path))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{rel_dir}/{name}");
            let kind = entry
                .file_type()
                .map_err(io_err("cannot inspect", &entry.path()))?;
            if kind.is_dir() {
                pending.push(rel);
            } else if !is_our_temp(&name) {
                found.push(rel);
            }
        }
    }
    found.sort();
    Ok(found)
}

// Temp and backup names: hidden, beside the target, tagged with the pid so two
// runs never collide on them.
const TMP_TAG: &str = ".flexgen-tmp-";
const BAK_TAG: &str = ".flexgen-bak-";

fn is_our_temp(name: &str) -> bool {
    name.contains(TMP_TAG) || name.contains(BAK_TAG)
}

fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}{tag}{}", std::process::id()))
}

fn diff(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let rel = change.rel();
        let (old, new, a, b) = match change {
            Change::Create { contents, .. } => (
                String::new(),
                *contents,
                "/dev/null".to_string(),
                format!("b/{rel}"),
            ),
            Change::Update { old, contents, .. } => (
                String::from_utf8_lossy(old).into_owned(),
                *contents,
                format!("a/{rel}"),
                format!("b/{rel}"),
            ),
            Change::Remove { old, .. } => (
                String::from_utf8_lossy(old).into_owned(),
                "",
                format!("a/{rel}"),
                "/dev/null".to_string(),
            ),
        };
        // Headers written by hand: similar omits them when there is no hunk
        // (an empty file created or removed), and the change must still show.
        let _ = writeln!(out, "--- {a}\n+++ {b}");
        let text = similar::TextDiff::from_lines(old.as_str(), new);
        for hunk in text.unified_diff().context_radius(3).iter_hunks() {
            let _ = write!(out, "{hunk}");
        }
    }
    out
}

/// One undoable step of a commit, recorded as it happens.
enum Done {
    /// A folder we created (removed on rollback if still empty).
    Dir(PathBuf),
    /// A temp file staged beside its target.
    Staged(PathBuf),
    /// `target` was moved to `backup`.
    BackedUp { target: PathBuf, backup: PathBuf },
    /// A staged file now sits at `target`.
    Placed(PathBuf),
}

/// The journal's name in the output folder. Hidden, and removed at the end
/// of every run that gets that far.
pub const JOURNAL: &str = ".flexgen-journal";

/// What the journal records: every rename of one run, so that a later run can
/// finish them. Paths as the run's `rel` (relative to the output folder, or
/// absolute for an edited file); temp and backup as names beside the target.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    flexgen_journal: u32,
    renames: Vec<Rename>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Rename {
    path: String,
    /// The staged new contents; `None` when the file is removed.
    staged: Option<String>,
    /// Where the old file goes first.
    backup: String,
}

/// Counts the steps of a write: `before_step` (tests) sees the ones that can
/// fail the run. Built with the `test-hooks` feature (never in a release
/// build: only `cargo test` turns it on, see Cargo.toml), every step, the
/// finishing ones too, is also a point where `FLEXGEN_TEST_CRASH_AT=n` kills
/// the process, so tests/crash.rs can kill a real `flexgen generate` at each
/// moment of its write, deterministically.
struct Steps<'a> {
    taken: usize,
    fallible: usize,
    #[cfg(feature = "test-hooks")]
    crash_at: Option<usize>,
    before_step: &'a mut dyn FnMut(usize) -> io::Result<()>,
}

impl<'a> Steps<'a> {
    fn new(before_step: &'a mut dyn FnMut(usize) -> io::Result<()>) -> Self {
        Steps {
            taken: 0,
            fallible: 0,
            #[cfg(feature = "test-hooks")]
            crash_at: std::env::var("FLEXGEN_TEST_CRASH_AT")
                .ok()
                .and_then(|n| n.parse().ok()),
            before_step,
        }
    }

    /// A step whose failure fails the run.
    fn fallible(&mut self, action: &'static str, path: &Path) -> Result<(), WriteError> {
        self.finishing();
        self.fallible += 1;
        (self.before_step)(self.fallible).map_err(io_err(action, path))
    }

    /// A best-effort step after the commit point.
    fn finishing(&mut self) {
        self.taken += 1;
        #[cfg(feature = "test-hooks")]
        if self.crash_at == Some(self.taken) {
            die();
        }
    }
}

/// Ends the process the way a kill would: no unwinding, no cleanup.
#[cfg(feature = "test-hooks")]
fn die() -> ! {
    #[cfg(unix)]
    // SAFETY: kill(2) on our own pid with a valid signal number.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort()
}

fn commit(out_dir: &Path, changes: &[Change], steps: &mut Steps) -> Result<(), WriteError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut done = Vec::new();
    match stage_and_swap(out_dir, changes, &mut done, steps) {
        Ok(()) => {
            // Committed and complete: the journal has nothing left to finish.
            steps.finishing();
            let _ = fs::remove_file(out_dir.join(JOURNAL));
            for step in &done {
                if let Done::BackedUp { backup, .. } = step {
                    steps.finishing();
                    let _ = fs::remove_file(backup);
                }
            }
            prune_empty_dirs(out_dir, changes);
            Ok(())
        }
        Err(e) => {
            // The journal goes first: a later run must not finish what is
            // being undone.
            let _ = fs::remove_file(out_dir.join(JOURNAL));
            rollback(done);
            Err(e)
        }
    }
}

fn stage_and_swap(
    out_dir: &Path,
    changes: &[Change],
    done: &mut Vec<Done>,
    steps: &mut Steps,
) -> Result<(), WriteError> {
    // Stage: all new contents land in temp files first; nothing visible yet.
    let mut staged = Vec::new();
    let mut journal = Journal {
        flexgen_journal: 1,
        renames: Vec::new(),
    };
    for change in changes {
        let target = out_dir.join(change.rel());
        let backup = sibling(&target, BAK_TAG);
        let contents = match change {
            Change::Create { contents, .. } | Change::Update { contents, .. } => contents,
            Change::Remove { .. } => {
                journal.renames.push(Rename {
                    path: change.rel().to_string(),
                    staged: None,
                    backup: file_name(&backup),
                });
                continue;
            }
        };
        if let Some(parent) = target.parent() {
            create_dirs(parent, done)?;
        }
        let tmp = sibling(&target, TMP_TAG);
        steps.fallible("cannot write", &tmp)?;
        fs::write(&tmp, contents).map_err(io_err("cannot write", &tmp))?;
        done.push(Done::Staged(tmp.clone()));
        if let Ok(meta) = fs::metadata(&target) {
            // Keep the mode of a file we replace (an executable stays one).
            let _ = fs::set_permissions(&tmp, meta.permissions());
        }
        journal.renames.push(Rename {
            path: change.rel().to_string(),
            staged: Some(file_name(&tmp)),
            backup: file_name(&backup),
        });
        let replaces = matches!(change, Change::Update { .. });
        staged.push((tmp, target, backup, replaces));
    }

    // Commit point: the journal appears in one rename.
    let path = out_dir.join(JOURNAL);
    let tmp = sibling(&path, TMP_TAG);
    let text = serde_json::to_string_pretty(&journal).expect("the journal always serialises");
    steps.fallible("cannot write", &tmp)?;
    fs::write(&tmp, text).map_err(io_err("cannot write", &tmp))?;
    done.push(Done::Staged(tmp.clone()));
    steps.fallible("cannot commit", &path)?;
    fs::rename(&tmp, &path).map_err(io_err("cannot commit", &path))?;

    // Swap: old files move to backups, staged files into place, stale ones out.
    for (tmp, target, backup, replaces) in staged {
        if replaces {
            steps.fallible("cannot back up", &target)?;
            fs::rename(&target, &backup).map_err(io_err("cannot back up", &target))?;
            done.push(Done::BackedUp {
                target: target.clone(),
                backup,
            });
        }
        steps.fallible("cannot rename into", &target)?;
        fs::rename(&tmp, &target).map_err(io_err("cannot rename into", &target))?;
        done.push(Done::Placed(target));
    }
    for change in changes {
        if let Change::Remove { rel, .. } = change {
            let target = out_dir.join(rel);
            steps.fallible("cannot remove", &target)?;
            let backup = sibling(&target, BAK_TAG);
            fs::rename(&target, &backup).map_err(io_err("cannot remove", &target))?;
            done.push(Done::BackedUp { target, backup });
        }
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Finishes a run that was killed after its commit point: the renames its
/// journal lists that have not happened yet happen now, in order; backups
/// go; then the journal. Each step can be repeated, so a kill during recovery
/// is recovered from by the next run in turn. True when there was a run to
/// finish.
pub fn recover(out_dir: &Path) -> Result<bool, WriteError> {
    recover_with(out_dir, &mut Steps::new(&mut |_| Ok(())))
}

fn recover_with(out_dir: &Path, steps: &mut Steps) -> Result<bool, WriteError> {
    let path = out_dir.join(JOURNAL);
    let text = match fs::read_to_string(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        other => other.map_err(io_err("cannot read", &path))?,
    };
    let bad = |reason: String| WriteError::BadJournal {
        journal: path.clone(),
        reason,
    };
    let journal: Journal = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    for rename in &journal.renames {
        let rel = rename.path.as_str();
        match Path::new(rel).is_absolute() {
            true => check_edited_path(rel)?,
            false => check_rel_path(rel)?,
        }
        for name in rename.staged.iter().chain([&rename.backup]) {
            if name.contains('/') || name.contains('\\') || !is_our_temp(name) {
                return Err(bad(format!("`{name}` is not a flexgen temp file name")));
            }
        }
    }
    for rename in &journal.renames {
        let target = out_dir.join(&rename.path);
        let beside = |name: &str| target.with_file_name(name);
        match &rename.staged {
            Some(staged) => {
                let staged = beside(staged);
                if staged.exists() {
                    steps.fallible("cannot rename into", &target)?;
                    fs::rename(&staged, &target).map_err(io_err("cannot rename into", &target))?;
                }
            }
            None => {
                if fs::symlink_metadata(&target).is_ok() {
                    steps.fallible("cannot remove", &target)?;
                    fs::remove_file(&target).map_err(io_err("cannot remove", &target))?;
                }
            }
        }
    }
    steps.finishing();
    fs::remove_file(&path).map_err(io_err("cannot remove", &path))?;
    for rename in &journal.renames {
        steps.finishing();
        let _ = fs::remove_file(out_dir.join(&rename.path).with_file_name(&rename.backup));
    }
    Ok(true)
}

/// Removes temp and backup files that killed runs left beside the files this
/// run writes and in the folders it owns. Best effort; they are hidden and
/// never read.
fn sweep_temps(out_dir: &Path, files: &[OutFile], owned_dirs: &[&str]) {
    let mut dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| out_dir.join(&f.path).parent().map(Path::to_path_buf))
        .collect();
    dirs.insert(out_dir.to_path_buf());
    let mut pending: Vec<PathBuf> = owned_dirs.iter().map(|d| out_dir.join(d)).collect();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(entry.path());
            }
        }
        dirs.insert(dir);
    }
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if is_our_temp(&name.to_string_lossy()) && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Creates `dir` and its missing ancestors one level at a time, journaling
/// each, so a rollback removes exactly the folders this run made.
fn create_dirs(dir: &Path, journal: &mut Vec<Done>) -> Result<(), WriteError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .collect();
    for path in missing.into_iter().rev() {
        fs::create_dir(path).map_err(io_err("cannot create folder", path))?;
        journal.push(Done::Dir(path.to_path_buf()));
    }
    Ok(())
}

/// Undoes the journal newest first. Best effort: a rollback that fails too
/// has nothing better to do than carry on with the rest.
fn rollback(journal: Vec<Done>) {
    for done in journal.into_iter().rev() {
        let _ = match done {
            Done::Dir(path) => fs::remove_dir(path),
            Done::Staged(tmp) => match fs::remove_file(&tmp) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                other => other,
            },
            Done::Placed(target) => fs::remove_file(target),
            Done::BackedUp { target, backup } => fs::rename(backup, target),
        };
    }
}

/// After stale files went, folders they leave empty inside the generated
/// folders go too (the generated folders themselves stay).
fn prune_empty_dirs(out_dir: &Path, changes: &[Change]) {
    for change in changes {
        if let Change::Remove { rel, .. } = change {
            let Some(root) = GENERATED_DIRS
                .iter()
                .find(|d| rel.starts_with(&format!("{d}/")))
            else {
                continue;
            };
            let root = out_dir.join(root);
            let mut dir = out_dir.join(rel);
            while dir.pop() && dir.starts_with(&root) && dir != root {
                if fs::remove_dir(&dir).is_err() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::SystemTime;

    const GEN: &str = "flex-plugin/src/flexgen";

    fn generated(path: &str, body: &str) -> OutFile {
        OutFile {
            path: path.to_string(),
            contents: format!(
                "// {GENERATED_MARKER} flexgen 0.1.0 from triggers.yaml. DO NOT EDIT.\n{body}"
            ),
            owner: Owner::Generated,
        }
    }

    fn user(path: &str, body: &str) -> OutFile {
        OutFile {
            path: path.to_string(),
            contents: body.to_string(),
            owner: Owner::User,
        }
    }

    fn sample() -> Vec<OutFile> {
        vec![
            generated(&format!("{GEN}/protocol.ts"), "export const V = 1;\n"),
            generated(&format!("{GEN}/triggers.ts"), "export type T = 1;\n"),
            generated("bridge/src/generated/mod.rs", "pub mod payloads;\n"),
            user("flex-plugin/src/hooks.ts", "export const hooks = {};\n"),
        ]
    }

    /// docs/PROTOCOL.md carries the marker in an HTML comment: flexgen
    /// rewrites its own, refuses a hand-written one, and the rest of `docs/`
    /// is the user's (never stale, never reported).
    #[test]
    fn the_markdown_marker_is_recognised_and_docs_stay_the_users() {
        let doc = |body: &str| OutFile {
            path: "docs/PROTOCOL.md".to_string(),
            contents: format!(
                "<!-- {GENERATED_MARKER} 0.1.0 from triggers.yaml. DO NOT EDIT. -->\n{body}"
            ),
            owner: Owner::Generated,
        };
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("docs")).unwrap();
        fs::write(dir.path().join("docs/notes.md"), "mine\n").unwrap();
        let mut files = sample();
        files.push(doc("one\n"));
        apply(dir.path(), &files, Mode::Write).unwrap();
        files.pop();
        files.push(doc("two\n"));
        let outcome = apply(dir.path(), &files, Mode::Write).unwrap();
        assert_eq!(outcome.updated, ["docs/PROTOCOL.md"]);
        assert!(outcome.foreign.is_empty() && outcome.removed.is_empty());
        assert_eq!(
            fs::read_to_string(dir.path().join("docs/notes.md")).unwrap(),
            "mine\n"
        );

        // Only the docs, as `flexgen docs` writes them: the plugin and bridge
        // files it does not produce are not stale.
        let outcome = apply_owned(dir.path(), &[doc("three\n")], Mode::Write, &[]).unwrap();
        assert_eq!(outcome.updated, ["docs/PROTOCOL.md"]);
        assert!(outcome.removed.is_empty());
        assert!(dir.path().join(format!("{GEN}/protocol.ts")).exists());

        fs::write(dir.path().join("docs/PROTOCOL.md"), "# My protocol notes\n").unwrap();
        for result in [
            apply(dir.path(), &files, Mode::Write),
            apply_owned(dir.path(), &[doc("x\n")], Mode::Check, &[]),
        ] {
            match result {
                Err(WriteError::NotGenerated { paths }) => assert_eq!(paths, ["docs/PROTOCOL.md"]),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        assert_eq!(
            fs::read_to_string(dir.path().join("docs/PROTOCOL.md")).unwrap(),
            "# My protocol notes\n"
        );
    }

    /// Every entry below `dir` (folders too, so leftover folders show), with
    /// bytes and mtime of files.
    fn snapshot(dir: &Path) -> BTreeMap<String, Option<(Vec<u8>, SystemTime)>> {
        let mut out = BTreeMap::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(d) = pending.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if path.is_dir() {
                    out.insert(rel, None);
                    pending.push(path);
                } else {
                    let meta = fs::metadata(&path).unwrap();
                    out.insert(
                        rel,
                        Some((fs::read(&path).unwrap(), meta.modified().unwrap())),
                    );
                }
            }
        }
        out
    }

    fn read(dir: &Path, rel: &str) -> String {
        fs::read_to_string(dir.join(rel)).unwrap()
    }

    #[test]
    fn creates_everything_in_an_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        let files = sample();
        let outcome = apply(dir.path(), &files, Mode::Write).unwrap();
        assert_eq!(outcome.created.len(), 4);
        assert!(outcome.changed());
        for f in &files {
            assert_eq!(read(dir.path(), &f.path), f.contents);
        }
        let names: Vec<_> = snapshot(dir.path()).into_keys().collect();
        assert!(
            !names.iter().any(|n| is_our_temp(n)),
            "temp files left: {names:?}"
        );
    }

    #[test]
    fn second_run_rewrites_nothing_and_keeps_mtimes() {
        let dir = tempfile::tempdir().unwrap();
        apply(dir.path(), &sample(), Mode::Write).unwrap();
        let before = snapshot(dir.path());
        std::thread::sleep(std::time::Duration::from_millis(20));
        let outcome = apply(dir.path(), &sample(), Mode::Write).unwrap();
        assert!(!outcome.changed(), "{outcome:?}");
        assert_eq!(outcome.unchanged.len(), 3);
        assert_eq!(outcome.kept, vec!["flex-plugin/src/hooks.ts".to_string()]);
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn updates_changed_generated_file_only() {
        let dir = tempfile::tempdir().unwrap();
        apply(dir.path(), &sample(), Mode::Write).unwrap();
        let mut files = sample();
        files[1] = generated(&format!("{GEN}/triggers.ts"), "export type T = 2;\n");
        let outcome = apply(dir.path(), &files, Mode::Write).unwrap();
        assert_eq!(outcome.updated, vec![format!("{GEN}/triggers.ts")]);
        assert!(outcome.created.is_empty() && outcome.removed.is_empty());
        assert_eq!(read(dir.path(), &files[1].path), files[1].contents);
    }

    #[test]
    fn user_files_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        apply(dir.path(), &sample(), Mode::Write).unwrap();
        fs::write(dir.path().join("flex-plugin/src/hooks.ts"), "// mine\n").unwrap();
        let outcome = apply(dir.path(), &sample(), Mode::Write).unwrap();
        assert!(!outcome.changed());
        assert_eq!(read(dir.path(), "flex-plugin/src/hooks.ts"), "// mine\n");
        let check = apply(dir.path(), &sample(), Mode::Check).unwrap();
        assert!(check.diff.is_empty(), "{}", check.diff);
    }

    #[test]
    fn hand_edited_generated_file_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        apply(dir.path(), &sample(), Mode::Write).unwrap();
        let path = dir.path().join(GEN).join("protocol.ts");
        let edited = format!(
            "{}// my tweak\n",
            read(dir.path(), &format!("{GEN}/protocol.ts"))
        );
        fs::write(&path, edited).unwrap();
        let outcome = apply(dir.path(), &sample(), Mode::Write).unwrap();
        assert_eq!(outcome.updated, vec![format!("{GEN}/protocol.ts")]);
        assert_eq!(fs::read_to_string(path).unwrap(), sample()[0].contents);
    }

    #[test]
    fn stale_generated_files_go_unmarked_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = sample();
        files.push(generated(&format!("{GEN}/old/gone.ts"), "x\n"));
        apply(dir.path(), &files, Mode::Write).unwrap();
        fs::write(dir.path().join(GEN).join("notes.ts"), "// hand-written\n").unwrap();
        let outcome = apply(dir.path(), &sample(), Mode::Write).unwrap();
        assert_eq!(outcome.removed, vec![format!("{GEN}/old/gone.ts")]);
        assert_eq!(outcome.foreign, vec![format!("{GEN}/notes.ts")]);
        assert!(
            !dir.path().join(GEN).join("old").exists(),
            "emptied folder pruned"
        );
        assert!(dir.path().join(GEN).join("notes.ts").exists());
        assert!(dir.path().join(GEN).join("protocol.ts").exists());
    }

    #[test]
    fn refuses_to_overwrite_unmarked_file_at_a_generated_path() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(GEN)).unwrap();
        fs::write(dir.path().join(GEN).join("triggers.ts"), "// my own\n").unwrap();
        let before = snapshot(dir.path());
        let err = apply(dir.path(), &sample(), Mode::Write).unwrap_err();
        assert!(
            matches!(&err, WriteError::NotGenerated { paths } if paths == &[format!("{GEN}/triggers.ts")])
        );
        assert!(err.to_string().contains("Move your code"), "{err}");
        assert_eq!(snapshot(dir.path()), before, "nothing written");
    }

    #[test]
    fn a_json_file_carries_its_marker_in_a_leading_comment_key() {
        let schema = |comment: &str| {
            format!("{{\n  \"$comment\": \"{comment}\",\n  \"type\": \"object\"\n}}\n")
        };
        let ours = OutFile {
            path: "triggers.schema.json".to_string(),
            contents: schema(&format!("{GENERATED_MARKER} 0.1.0. DO NOT EDIT.")),
            owner: Owner::Generated,
        };
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(&ours.path);

        // An older generated schema is ours: overwritten.
        fs::write(
            &target,
            schema(&format!("{GENERATED_MARKER} 0.0.9. DO NOT EDIT.")),
        )
        .unwrap();
        let outcome = apply(dir.path(), std::slice::from_ref(&ours), Mode::Write).unwrap();
        assert_eq!(outcome.updated, ["triggers.schema.json"]);
        assert_eq!(read(dir.path(), &ours.path), ours.contents);

        // Hand-made schemas are refused: no marker, or the marker text only
        // somewhere further down (a description that quotes it).
        for hand_made in [
            "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\"\n}\n".to_string(),
            format!("{{\n  \"type\": \"object\",\n  \"description\": \"{GENERATED_MARKER}\"\n}}\n"),
            format!("{{\n  \"title\": \"x\", \"$comment\": \"{GENERATED_MARKER}\"\n}}\n"),
        ] {
            fs::write(&target, &hand_made).unwrap();
            let err = apply(dir.path(), std::slice::from_ref(&ours), Mode::Write).unwrap_err();
            assert!(
                matches!(&err, WriteError::NotGenerated { paths } if paths == &["triggers.schema.json"]),
                "{err}"
            );
            assert_eq!(fs::read_to_string(&target).unwrap(), hand_made);
        }
    }

    #[test]
    fn check_mode_writes_nothing_and_diffs_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = sample();
        files.push(generated(&format!("{GEN}/stale.ts"), "old\n"));
        apply(dir.path(), &files, Mode::Write).unwrap();
        let mut next = sample();
        next[0] = generated(&format!("{GEN}/protocol.ts"), "export const V = 2;\n");
        next.push(generated("bridge/src/generated/new.rs", "pub fn f() {}\n"));
        let before = snapshot(dir.path());
        let outcome = apply(dir.path(), &next, Mode::Check).unwrap();
        assert_eq!(snapshot(dir.path()), before);
        let d = &outcome.diff;
        assert!(
            d.contains("--- /dev/null\n+++ b/bridge/src/generated/new.rs\n@@"),
            "{d}"
        );
        assert!(d.contains("+pub fn f() {}\n"), "{d}");
        assert!(
            d.contains(&format!(
                "--- a/{GEN}/protocol.ts\n+++ b/{GEN}/protocol.ts\n@@"
            )),
            "{d}"
        );
        assert!(
            d.contains("-export const V = 1;\n+export const V = 2;\n"),
            "{d}"
        );
        assert!(
            d.contains(&format!("--- a/{GEN}/stale.ts\n+++ /dev/null\n@@")),
            "{d}"
        );
        assert!(d.contains("-old\n"), "{d}");
        assert_eq!(
            outcome.created,
            vec!["bridge/src/generated/new.rs".to_string()]
        );
        assert_eq!(outcome.removed, vec![format!("{GEN}/stale.ts")]);
        // Up to date: an empty diff.
        let clean = apply(dir.path(), &files, Mode::Check).unwrap();
        assert!(!clean.changed() && clean.diff.is_empty(), "{}", clean.diff);
    }

    #[test]
    fn a_failure_at_any_commit_step_leaves_everything_as_it_was() {
        // Updates, creations in new folders and removals, all in one run.
        let mut first = sample();
        first.push(generated(&format!("{GEN}/stale.ts"), "old\n"));
        let mut second = sample();
        second[0] = generated(&format!("{GEN}/protocol.ts"), "v2\n");
        second[2] = generated("bridge/src/generated/mod.rs", "v2\n");
        second.push(generated(&format!("{GEN}/deep/new.ts"), "new\n"));
        second.push(user("bridge/Cargo.toml", "[package]\n"));

        let mut steps_seen = 0;
        for fail_at in 1.. {
            let dir = tempfile::tempdir().unwrap();
            apply(dir.path(), &first, Mode::Write).unwrap();
            let before = snapshot(dir.path());
            let mut last = 0;
            let result = apply_with(
                dir.path(),
                &second,
                Mode::Write,
                GENERATED_DIRS,
                &mut |step| {
                    last = step;
                    if step == fail_at {
                        Err(io::Error::other("injected"))
                    } else {
                        Ok(())
                    }
                },
            );
            if result.is_ok() {
                assert_eq!(
                    read(dir.path(), &format!("{GEN}/deep/new.ts")),
                    second[4].contents
                );
                steps_seen = last;
                break;
            }
            assert!(result.unwrap_err().to_string().contains("injected"));
            assert_eq!(
                snapshot(dir.path()),
                before,
                "failure at step {fail_at} left changes"
            );
        }
        // 4 files staged, the journal written and renamed, then
        // 2 updates x 2 renames + 2 creations + 1 removal.
        assert_eq!(steps_seen, 4 + 2 + 7);
    }

    #[test]
    fn an_edited_file_is_part_of_the_same_all_or_nothing_run() {
        let spec = |dir: &Path, body: &str| OutFile {
            path: dir.join("triggers.yaml").display().to_string(),
            contents: body.to_string(),
            owner: Owner::Edited,
        };
        let mut second = sample();
        second[0] = generated(&format!("{GEN}/protocol.ts"), "v2\n");
        let mut steps_seen = 0;
        for fail_at in 1.. {
            let root = tempfile::tempdir().unwrap();
            let out = root.path().join("out");
            fs::write(root.path().join("triggers.yaml"), "old spec\n").unwrap();
            apply(&out, &sample(), Mode::Write).unwrap();
            let before = snapshot(root.path());
            // The spec goes first, as the CLI passes it.
            let mut files = vec![spec(root.path(), "new spec\n")];
            files.extend(second.clone());
            let mut last = 0;
            let result = apply_with(&out, &files, Mode::Write, GENERATED_DIRS, &mut |step| {
                last = step;
                if step == fail_at {
                    Err(io::Error::other("injected"))
                } else {
                    Ok(())
                }
            });
            if let Ok(outcome) = result {
                assert_eq!(read(root.path(), "triggers.yaml"), "new spec\n");
                assert!(outcome.updated.contains(&files[0].path), "{outcome:?}");
                steps_seen = last;
                break;
            }
            assert_eq!(
                snapshot(root.path()),
                before,
                "failure at step {fail_at} left changes"
            );
        }
        // Spec and protocol.ts: 2 staged, the journal, 2 updates x 2 renames.
        assert_eq!(steps_seen, 2 + 2 + 4);

        // Same bytes: unchanged, not rewritten.
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("triggers.yaml"), "same\n").unwrap();
        let outcome = apply(root.path(), &[spec(root.path(), "same\n")], Mode::Write).unwrap();
        assert!(!outcome.changed(), "{outcome:?}");
        // A relative path is refused: it would resolve inside the output folder.
        let relative = OutFile {
            path: "triggers.yaml".into(),
            ..spec(root.path(), "x\n")
        };
        let err = apply(root.path(), &[relative], Mode::Write).unwrap_err();
        assert!(matches!(err, WriteError::BadPath { .. }), "{err}");
    }

    #[test]
    fn a_staging_failure_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // A file where a folder must go: creating bridge/src/... fails for real.
        fs::write(dir.path().join("bridge"), "in the way\n").unwrap();
        let before = snapshot(dir.path());
        let err = apply(dir.path(), &sample(), Mode::Write).unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err}");
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn paths_outside_the_output_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../escape.ts", "/etc/passwd", "a/../../b", "", "a\\b"] {
            let files = vec![generated(bad, "x\n")];
            let err = apply(dir.path(), &files, Mode::Write).unwrap_err();
            assert!(matches!(err, WriteError::BadPath { .. }), "{bad}: {err}");
        }
        assert!(snapshot(dir.path()).is_empty());
    }

    fn sealed(path: &str, body: &str) -> OutFile {
        let file = generated(path, body);
        OutFile {
            contents: seal::seal(file.contents.clone()),
            ..file
        }
    }

    #[test]
    fn hand_edits_to_generated_files_are_refused_listed_or_forced() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = vec![
            sealed(&format!("{GEN}/protocol.ts"), "export const V = 1;\n"),
            sealed(&format!("{GEN}/stale.ts"), "old\n"),
            sealed("bridge/src/generated/mod.rs", "pub mod payloads;\n"),
        ];
        apply(dir.path(), &v1, Mode::Write).unwrap();
        let edit = |rel: &str| {
            let path = dir.path().join(rel);
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, format!("{text}// mine\n")).unwrap();
        };
        edit(&format!("{GEN}/protocol.ts"));
        edit(&format!("{GEN}/stale.ts"));
        let v2 = vec![
            sealed(&format!("{GEN}/protocol.ts"), "export const V = 2;\n"),
            sealed("bridge/src/generated/mod.rs", "pub mod payloads; // v2\n"),
        ];
        let before = snapshot(dir.path());

        // Write: refused, both named with where their code belongs; nothing written.
        let err = apply(dir.path(), &v2, Mode::Write).unwrap_err();
        let WriteError::HandEdited { paths } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            paths,
            &[format!("{GEN}/protocol.ts"), format!("{GEN}/stale.ts")]
        );
        let text = err.to_string();
        assert!(
            text.contains("flex-plugin/src/hooks.ts") && text.contains("--force"),
            "{text}"
        );
        assert_eq!(snapshot(dir.path()), before);

        // Check: listed beside the diff, nothing written.
        let check = apply(dir.path(), &v2, Mode::Check).unwrap();
        assert_eq!(check.edited, paths.clone());
        assert!(check.diff.contains("// mine"), "{}", check.diff);
        assert_eq!(snapshot(dir.path()), before);

        // Force: replaced and removed, and reported as such.
        let forced = apply(dir.path(), &v2, Mode::Force).unwrap();
        assert_eq!(forced.edited, paths.clone());
        assert_eq!(
            read(dir.path(), &format!("{GEN}/protocol.ts")),
            v2[0].contents
        );
        assert!(!dir.path().join(GEN).join("stale.ts").exists());

        // An edit that flexgen would not change anyway costs nothing; an
        // unsealed file (an older flexgen's) is replaced as before.
        let unsealed = generated(&format!("{GEN}/protocol.ts"), "export const V = 3;\n");
        apply(dir.path(), std::slice::from_ref(&unsealed), Mode::Write).unwrap();
        assert_eq!(read(dir.path(), &unsealed.path), unsealed.contents);
    }

    /// A panic in the step hook unwinds past every cleanup, which is what a
    /// kill does to the files: whatever the moment, `recover` (which every
    /// writing run starts with) leaves the old tree or the new one.
    #[test]
    fn a_run_stopped_dead_at_any_step_is_old_or_new_after_recovery() {
        let mut first = sample();
        first.push(sealed(&format!("{GEN}/stale.ts"), "old\n"));
        let mut second = sample();
        second[0] = sealed(&format!("{GEN}/protocol.ts"), "v2\n");
        second.push(sealed(&format!("{GEN}/deep/new.ts"), "new\n"));
        let contents = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
            snapshot(dir)
                .into_iter()
                .filter_map(|(rel, file)| Some((rel, file?.0)))
                .filter(|(rel, _)| !is_our_temp(rel) && !rel.ends_with(JOURNAL))
                .collect()
        };
        let (old, new) = {
            let a = tempfile::tempdir().unwrap();
            apply(a.path(), &first, Mode::Write).unwrap();
            let b = tempfile::tempdir().unwrap();
            apply(b.path(), &first, Mode::Write).unwrap();
            apply(b.path(), &second, Mode::Write).unwrap();
            (contents(a.path()), contents(b.path()))
        };
        let mut journaled = 0;
        for stop_at in 1.. {
            let dir = tempfile::tempdir().unwrap();
            apply(dir.path(), &first, Mode::Write).unwrap();
            let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                apply_with(
                    dir.path(),
                    &second,
                    Mode::Write,
                    GENERATED_DIRS,
                    &mut |step| {
                        if step == stop_at {
                            panic!("stopped dead at step {step}");
                        }
                        Ok(())
                    },
                )
            }));
            if stopped.is_ok() {
                break;
            }
            if dir.path().join(JOURNAL).exists() {
                journaled += 1;
                assert!(recover(dir.path()).unwrap(), "step {stop_at}");
                assert_eq!(contents(dir.path()), new, "step {stop_at}: rolled forward");
            } else {
                assert_eq!(contents(dir.path()), old, "step {stop_at}: untouched");
            }
            // The next run sweeps what the stopped one left and ends up new.
            apply(dir.path(), &second, Mode::Write).unwrap();
            let leftovers: Vec<_> = snapshot(dir.path())
                .into_keys()
                .filter(|rel| is_our_temp(rel) || rel.ends_with(JOURNAL))
                .collect();
            assert!(leftovers.is_empty(), "step {stop_at}: {leftovers:?}");
            assert_eq!(contents(dir.path()), new);
        }
        // Stopped after the commit point, before one of its renames:
        // 1 update x 2 + 1 creation + 1 removal.
        assert_eq!(journaled, 4);
    }
}
