//! The spec test cases: one folder per case under `tests/cases/`, one test
//! per case (named by its folder), run by libtest-mimic, so
//! `cargo test --release --test cases -- invalid/` runs a group and a failure
//! names its case.
//!
//! A case folder holds (CONTRIBUTING.md, "Test cases", says the same):
//! - `cmd`: the flexgen command line (words split on whitespace), run in a
//!   scratch folder holding the case's inputs, under time and memory limits;
//! - inputs: every other file of the folder that is not named below, copied
//!   into the scratch folder; `inputs` lists more, as repository paths
//!   (copied under their file name: the seed takes the root `triggers.yaml`);
//! - the expected output: `expected.code` (exit code, default 0),
//!   `expected.stdout` (default empty), `expected.stderr`, and the written
//!   tree (every file of the scratch folder but the inputs) in `expected/`,
//!   or in the repository folder that `tree` names (an example: its spec and
//!   generated output side by side; its `README.md` is hand-written);
//! - `expect.txt` (optional): a substring of the first diagnostic the spec
//!   draws, compiled in process, whose every diagnostic has a place and help;
//! - `check` (optional): what else to check, one kind a line (below), each
//!   its own test (`<case> [<kind>]`) when there are several.
//!
//! Check kinds: `output` (the default: the comparison above, nothing more);
//! `regenerates` (plus: `check` warns about nothing, and generating again
//! rewrites nothing); `refused` (plus: a located message with a help line and
//! no internals, and `generate` refuses the same way, leaving a generated
//! tree untouched); `warns` (plus: warnings only, and `generate` prints them
//! and writes its files); `skeleton` (`flexgen new`: what `generate` writes
//! from the laid-down spec is left out of the comparison, and must equal
//! it); `hostile-names`, `hostile-collisions`, `hostile-text` (properties over
//! the output for the strings of `corpus.json`: tests/checks/hostile.rs).
//!
//! Re-bless after an intended change with `FLEXGEN_BLESS=1 cargo test
//! --release --test cases`, then review the diff in git.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

mod common;
use common::{bless_tree, blessing, cases, read_tree, repo, tree_differences, Case, BLESS_ENV};

#[path = "checks/hostile.rs"]
mod hostile;

/// Kill a run after this long: the slowest malformed case takes well under a
/// second; generating an example, a few.
const TIME_LIMIT: Duration = Duration::from_secs(30);
/// Address-space limit of each run, so a blow-up fails instead of swapping.
const MEMORY_LIMIT: u64 = 512 << 20;

/// Files of a case folder that are not inputs.
const CASE_FILES: &[&str] = &[
    "cmd",
    "check",
    "inputs",
    "tree",
    "expect.txt",
    "expected",
    "expected.code",
    "expected.stdout",
    "expected.stderr",
];

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for case in cases() {
        let kinds = kinds(&case);
        let several = kinds.len() > 1;
        for kind in kinds {
            let name = if several {
                format!("{} [{kind}]", case.name)
            } else {
                case.name.clone()
            };
            let dir = case.dir.clone();
            let case_name = case.name.clone();
            trials.push(Trial::test(name, move || {
                run_case(
                    &Case {
                        name: case_name,
                        dir,
                    },
                    &kind,
                )
            }));
        }
    }
    trials.push(Trial::test(
        "cases::every_group_is_there",
        every_group_is_there,
    ));
    trials.push(Trial::test("hostile::code_spans_are_taken_out", || {
        caught(hostile::code_spans_are_taken_out_and_only_they)
    }));
    trials.push(Trial::test("hostile::the_lexer_sees_escaped_code", || {
        caught(hostile::the_lexer_sees_code_that_escapes_a_literal_or_comment)
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// Each group keeps its cases, and every example has its case.
fn every_group_is_there() -> Result<(), Failed> {
    let all = cases();
    for (group, min) in [
        ("invalid/", 60),
        ("malformed/", 45),
        ("warnings/", 3),
        ("examples/", 2),
        ("seed", 1),
        ("new/", 1),
        ("hostile/", 2),
    ] {
        let n = all.iter().filter(|c| c.name.starts_with(group)).count();
        if n < min {
            return Err(format!("only {n} cases in tests/cases/{group} (at least {min})").into());
        }
    }
    for entry in fs::read_dir(repo().join("examples")).unwrap() {
        let example = entry.unwrap().path();
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        if example.join("triggers.yaml").exists()
            && !all.iter().any(|c| c.name == format!("examples/{name}"))
        {
            return Err(
                format!("examples/{name} has no case folder tests/cases/examples/{name}").into(),
            );
        }
    }
    Ok(())
}

/// The check kinds of a case, `output` when it names none.
fn kinds(case: &Case) -> Vec<String> {
    let kinds: Vec<String> = fs::read_to_string(case.dir.join("check"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if kinds.is_empty() {
        vec!["output".to_string()]
    } else {
        kinds
    }
}

/// Runs `f`, turning a panic (an `assert!`) into a failure with its message.
fn caught(f: impl FnOnce() + std::panic::UnwindSafe) -> Result<(), Failed> {
    std::panic::catch_unwind(f).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panicked".to_string())
            .into()
    })
}

fn run_case(case: &Case, kind: &str) -> Result<(), Failed> {
    let problems = match kind {
        "hostile-names" => {
            return caught(|| {
                hostile::every_hostile_name_is_refused_at_its_place_or_accepted(&case.dir)
            })
        }
        "hostile-collisions" => {
            return caught(|| {
                hostile::names_that_collide_after_case_conversion_are_refused(&case.dir)
            })
        }
        "hostile-text" => {
            return caught(|| hostile::hostile_text_lands_as_data_and_the_output_builds(&case.dir))
        }
        "output" | "regenerates" | "refused" | "warns" | "skeleton" => compare(case, kind),
        other => vec![format!(
            "unknown check kind `{other}` in {}/check",
            case.name
        )],
    };
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}\n\n{} problem(s) in tests/cases/{}. If the change is intended, re-bless with \
         `{BLESS_ENV}=1 cargo test --release --test cases` and review the diff.",
        problems.join("\n"),
        problems.len(),
        case.name
    )
    .into())
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs flexgen with `args` in `dir` under the time and memory limits.
fn flexgen(dir: &Path, args: &[&str]) -> Run {
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flexgen"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: MEMORY_LIMIT,
                rlim_max: MEMORY_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("flexgen {args:?} ran longer than {TIME_LIMIT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned();
    Run {
        code: status.code(),
        stdout: text(&out_path),
        stderr: text(&err_path),
    }
}

/// The case's inputs: (name in the scratch folder, where it comes from).
fn inputs(case: &Case) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(&case.dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !CASE_FILES.contains(&e.file_name().to_string_lossy().as_ref()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    for line in fs::read_to_string(case.dir.join("inputs"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let path = repo().join(line.trim());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, path));
    }
    out.sort();
    out
}

/// Copies `from` (a file or a folder) to `to`.
fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

/// Where the expected tree is, and what of that folder is not part of it.
fn expected_tree(case: &Case, inputs: &[String]) -> (PathBuf, Vec<String>) {
    match fs::read_to_string(case.dir.join("tree")) {
        Ok(path) => {
            let mut skip = inputs.to_vec();
            skip.push("README.md".to_string());
            (repo().join(path.trim()), skip)
        }
        Err(_) => (case.dir.join("expected"), Vec::new()),
    }
}

/// A unified diff of `want` against `got`, or `None` when they are equal.
fn text_diff(what: &str, want: &str, got: &str) -> Option<String> {
    (want != got).then(|| {
        similar::TextDiff::from_lines(want, got)
            .unified_diff()
            .header(&format!("expected.{what}"), &format!("actual {what}"))
            .to_string()
    })
}

/// Runs the case's command and compares what it did with what is expected,
/// plus the properties of `kind`; blesses instead under `FLEXGEN_BLESS=1`.
fn compare(case: &Case, kind: &str) -> Vec<String> {
    let cmd = fs::read_to_string(case.dir.join("cmd")).expect("a case without `cmd`");
    let args: Vec<&str> = cmd.split_whitespace().collect();
    let inputs = inputs(case);
    let names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
    let skip: Vec<&str> = names.iter().map(String::as_str).collect();
    let scratch = tempfile::tempdir().unwrap();
    for (name, from) in &inputs {
        copy(from, &scratch.path().join(name));
    }
    let run = flexgen(scratch.path(), &args);
    let mut tree = read_tree(scratch.path(), &skip);

    let mut problems = match kind {
        "regenerates" => regenerates(scratch.path(), &args, &tree),
        "refused" => refused(case, scratch.path(), &run),
        "warns" => warns(scratch.path(), &run),
        "skeleton" => skeleton(&mut tree),
        _ => Vec::new(),
    };
    if case.dir.join("expect.txt").exists() {
        problems.extend(first_diagnostic(case));
    }

    let code = format!("{}\n", run.code.map_or("signal".into(), |c| c.to_string()));
    let (tree_root, tree_skip) = expected_tree(case, &names);
    let tree_skip: Vec<&str> = tree_skip.iter().map(String::as_str).collect();
    if blessing() {
        fs::write(case.dir.join("expected.code"), &code).unwrap();
        fs::write(case.dir.join("expected.stderr"), &run.stderr).unwrap();
        if run.stdout.is_empty() {
            let _ = fs::remove_file(case.dir.join("expected.stdout"));
        } else {
            fs::write(case.dir.join("expected.stdout"), &run.stdout).unwrap();
        }
        if tree.is_empty() && !tree_root.exists() {
            return problems;
        }
        bless_tree(&tree_root, &tree, &tree_skip);
        return problems;
    }
    let read = |f: &str| fs::read_to_string(case.dir.join(f)).unwrap_or_default();
    let want_code = fs::read_to_string(case.dir.join("expected.code")).unwrap_or("0\n".into());
    if want_code != code {
        problems.push(format!(
            "exit code {} (expected {})\n{}",
            code.trim(),
            want_code.trim(),
            run.stderr
        ));
    }
    problems.extend(text_diff("stdout", &read("expected.stdout"), &run.stdout));
    problems.extend(text_diff("stderr", &read("expected.stderr"), &run.stderr));
    problems.extend(tree_differences(&read_tree(&tree_root, &tree_skip), &tree));
    problems
}

/// `regenerates`: the spec draws no warning, and running the command again
/// rewrites nothing and gives the same tree.
fn regenerates(dir: &Path, args: &[&str], tree: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    if tree.is_empty() {
        problems.push("the command wrote no files".to_string());
    }
    let check = flexgen(dir, &["check", "triggers.yaml"]);
    if check.code != Some(0) || check.stderr.contains("warning") {
        problems.push(format!(
            "check exited {:?} or warns:\n{}",
            check.code, check.stderr
        ));
    }
    let again = flexgen(dir, args);
    if !again.stderr.contains("wrote 0 files") {
        problems.push(format!("the second run rewrote files:\n{}", again.stderr));
    }
    let inputs: Vec<&str> = vec!["triggers.yaml"];
    if &read_tree(dir, &inputs) != tree {
        problems.push("the second run gave another tree: not deterministic".to_string());
    }
    problems
}

/// An output folder holding the seed's generated tree, made once.
fn generated_seed() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("flexgen-cases-seed-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(repo().join("triggers.yaml"), dir.join("seed.yaml")).unwrap();
        let r = flexgen(&dir, &["generate", "seed.yaml", "--out", "out"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        dir.join("out")
    })
}

/// `refused`: exit 1 with a located message, a help line and no internals;
/// `generate` refuses the same way and leaves a generated tree as it was.
fn refused(case: &Case, dir: &Path, run: &Run) -> Vec<String> {
    let mut problems = judge("check", run);
    let out = dir.join("out");
    copy(generated_seed(), &out);
    let before = read_tree(&out, &[]);
    let generate = flexgen(dir, &["generate", "triggers.yaml", "--out", "out"]);
    if generate.code != run.code || generate.stderr != run.stderr {
        problems.push(format!(
            "generate and check disagree: generate exited {:?}:\n{}",
            generate.code, generate.stderr
        ));
    }
    if !generate.stdout.is_empty() {
        problems.push(format!("generate wrote to stdout:\n{}", generate.stdout));
    }
    if read_tree(&out, &[]) != before {
        problems.push("generate changed the output tree".to_string());
    }
    let left = fs::read_dir(dir).unwrap().count();
    if left != inputs(case).len() + 1 {
        problems.push("generate left files beside the output".to_string());
    }
    fs::remove_dir_all(&out).unwrap();
    problems
}

/// What a refusal must look like.
fn judge(command: &str, r: &Run) -> Vec<String> {
    let mut problems = Vec::new();
    if r.code != Some(1) {
        problems.push(format!("{command}: exit {:?}, expected 1", r.code));
    }
    if !r.stdout.is_empty() {
        problems.push(format!("{command} wrote to stdout:\n{}", r.stdout));
    }
    let located = r.stderr.contains("--> triggers.yaml:")
        || (r.stderr.contains("triggers.yaml") && r.stderr.contains("byte"));
    if !located {
        problems.push(format!("{command}: no location in\n{}", r.stderr));
    }
    if !r.stderr.contains("= help: ") {
        problems.push(format!("{command}: no help line in\n{}", r.stderr));
    }
    for leak in ["budget", "Budget", "Option<", "serde", "saphyr", "panicked"] {
        if r.stderr.contains(leak) {
            problems.push(format!("{command}: `{leak}` leaks into\n{}", r.stderr));
        }
    }
    problems
}

/// `warns`: warnings, no error, exit 0; `generate` prints the same warnings
/// and writes its files.
fn warns(dir: &Path, run: &Run) -> Vec<String> {
    let mut problems = Vec::new();
    let stderr = &run.stderr;
    if !stderr.starts_with("warning: ") {
        problems.push(format!("check printed no warning first:\n{stderr}"));
    }
    if stderr.contains("error") {
        problems.push(format!("check printed an error:\n{stderr}"));
    }
    let warnings = stderr
        .rsplit_once("flexgen: ")
        .map_or(stderr.as_str(), |(w, _)| w);
    let generate = flexgen(dir, &["generate", "triggers.yaml", "--out", "out"]);
    if generate.code != Some(0) || !generate.stderr.starts_with(warnings) {
        problems.push(format!(
            "generate did not warn the same way and succeed:\n{}",
            generate.stderr
        ));
    }
    if !dir
        .join("out/flex-plugin/src/flexgen/triggers.ts")
        .is_file()
    {
        problems.push("generate wrote no plugin".to_string());
    }
    let _ = fs::remove_dir_all(dir.join("out"));
    problems
}

/// `skeleton`: the workspace `flexgen new` laid down holds exactly what
/// `generate` writes from its spec (tests/cases/seed and the examples test
/// those bytes), which leaves the comparison; the rest is the skeleton.
fn skeleton(tree: &mut BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(spec) = tree.keys().find(|p| p.ends_with("/triggers.yaml")).cloned() else {
        return vec!["no triggers.yaml laid down".to_string()];
    };
    let folder = spec.trim_end_matches("triggers.yaml").to_string();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("triggers.yaml"), &tree[&spec]).unwrap();
    let r = flexgen(dir.path(), &["generate"]);
    if r.code != Some(0) {
        problems.push(format!(
            "generate of the laid-down spec failed:\n{}",
            r.stderr
        ));
    }
    for (path, bytes) in read_tree(dir.path(), &["triggers.yaml"]) {
        if tree.remove(&format!("{folder}{path}")).as_ref() != Some(&bytes) {
            problems.push(format!("{path}: `new` and `generate` differ"));
        }
    }
    problems
}

/// `expect.txt`: the first diagnostic of the spec, compiled in process,
/// contains it, and every diagnostic has a place and a help line.
fn first_diagnostic(case: &Case) -> Vec<String> {
    let expect = fs::read_to_string(case.dir.join("expect.txt")).unwrap();
    let expect = expect.trim_end_matches(['\n', '\r']);
    if expect.is_empty() {
        return vec!["empty expect.txt".to_string()];
    }
    let source = fs::read_to_string(case.dir.join("triggers.yaml")).unwrap();
    match flexgen::pipeline::compile("triggers.yaml", &source) {
        Ok(_) => vec![format!("compiled, expected `{expect}`")],
        Err(d) => {
            let mut problems = Vec::new();
            let first = &d.items[0];
            if !first.message.contains(expect) {
                problems.push(format!(
                    "first message `{}` lacks `{expect}` (expect.txt)",
                    first.message
                ));
            }
            if let Some(unlocated) = d
                .items
                .iter()
                .find(|i| i.span.is_none() || i.help.is_none())
            {
                problems.push(format!("`{}` has no location or help", unlocated.message));
            }
            problems
        }
    }
}
