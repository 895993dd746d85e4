//! Golden tests: the `flexgen` binary run on every case, its output compared
//! with what is committed, as whole trees in both directions (a missing file,
//! an extra file and a changed byte all fail).
//!
//! Cases:
//! - `seed`: the root `triggers.yaml` -> `tests/golden/seed/expected/`;
//! - every `examples/<name>/triggers.yaml` -> the example folder itself
//!   (its generated output is committed beside the spec, minus the spec
//!   and the example's README);
//! - every `tests/golden/invalid/<case>/triggers.yaml` -> `expected.stderr`
//!   and `expected.code` of `flexgen check`, and `generate` writes nothing;
//! - every `tests/golden/warnings/<case>/triggers.yaml`, a valid spec that
//!   `check` warns about -> `expected.stderr` of `flexgen check` (exit 0), and
//!   `generate` prints the same warnings and writes its files. The seed and
//!   the examples must draw no warning at all.
//!
//! Re-bless after an intended change with `FLEXGEN_BLESS=1 cargo test --release
//! --test golden`, then review the diff in git.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

mod common;
use common::{bless_tree, blessing, read_tree, repo, tree_differences, BLESS_ENV};

fn flexgen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flexgen"))
}

/// Runs `flexgen generate` on a copy of `spec` (named `triggers.yaml`, so the
/// headers do not depend on where the repository lives) and returns the tree.
fn generate(spec: &Path) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(spec, dir.path().join("triggers.yaml")).unwrap();
    flexgen()
        .current_dir(dir.path())
        .args(["generate", "triggers.yaml", "--out", "out"])
        .assert()
        .success();
    let tree = read_tree(&dir.path().join("out"), &[]);
    (dir, tree)
}

fn check_tree_case(
    name: &str,
    spec: &Path,
    expected_root: &Path,
    skip_top: &[&str],
) -> Vec<String> {
    let (dir, actual) = generate(spec);
    assert!(!actual.is_empty(), "{name}: generate produced no files");
    let check = flexgen()
        .current_dir(dir.path())
        .args(["check", "triggers.yaml"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&check.get_output().stderr).into_owned();
    assert!(
        !stderr.contains("warning"),
        "{name}: check warns:\n{stderr}"
    );

    // Generating again into the same folder changes nothing, byte for byte.
    let again = flexgen()
        .current_dir(dir.path())
        .args(["generate", "triggers.yaml", "--out", "out"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&again.get_output().stderr).into_owned();
    assert!(
        stderr.contains("wrote 0 files"),
        "{name}: second generate rewrote files:\n{stderr}"
    );
    assert_eq!(
        read_tree(&dir.path().join("out"), &[]),
        actual,
        "{name}: not deterministic"
    );

    if blessing() {
        bless_tree(expected_root, &actual, skip_top);
        return Vec::new();
    }
    tree_differences(&read_tree(expected_root, skip_top), &actual)
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{}\n\n{} difference(s). If the change is intended, re-bless with \
         `{BLESS_ENV}=1 cargo test --release --test golden` and review the diff.",
        problems.join("\n"),
        problems.len()
    );
}

#[test]
fn seed_spec_generates_its_golden_tree() {
    let root = repo();
    report(check_tree_case(
        "seed",
        &root.join("triggers.yaml"),
        &root.join("tests/golden/seed/expected"),
        &[],
    ));
}

#[test]
fn every_example_generates_its_committed_tree() {
    let examples = repo().join("examples");
    let mut names: Vec<_> = fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("triggers.yaml").exists())
        .collect();
    names.sort();
    assert!(
        names.len() >= 2,
        "expected at least two examples, found {}",
        names.len()
    );
    let mut problems = Vec::new();
    for example in names {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        problems.extend(check_tree_case(
            &format!("examples/{name}"),
            &example.join("triggers.yaml"),
            &example,
            &["triggers.yaml", "README.md"],
        ));
    }
    report(problems);
}

/// The case folders of `tests/golden/<layout>/`, sorted; at least `min`.
fn case_dirs(layout: &str, min: usize) -> Vec<PathBuf> {
    let root = repo().join("tests/golden").join(layout);
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= min, "only {} {layout} cases", cases.len());
    cases
}

/// `flexgen check triggers.yaml` in `case`, and `flexgen generate` into a
/// fresh folder: their outputs, the folder, and check's stderr as text.
fn check_and_generate(case: &Path) -> (Output, Output, tempfile::TempDir, String) {
    let check = flexgen()
        .current_dir(case)
        .args(["check", "triggers.yaml"])
        .output()
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let generate = flexgen()
        .current_dir(case)
        .args(["generate", "triggers.yaml", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr).into_owned();
    (check, generate, out, stderr)
}

/// A unified diff of `expected.stderr` against `actual`, or `None`.
fn stderr_diff(case: &Path, actual: &str) -> Option<String> {
    let want = fs::read_to_string(case.join("expected.stderr")).unwrap_or_default();
    (want != actual).then(|| {
        similar::TextDiff::from_lines(&want, actual)
            .unified_diff()
            .header("expected.stderr", "actual stderr")
            .to_string()
    })
}

#[test]
fn invalid_specs_report_their_diagnostics_and_write_nothing() {
    let mut problems = Vec::new();
    for case in &case_dirs("invalid", 25) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (check, generate, out, stderr) = check_and_generate(case);
        let code = check.status.code().expect("exit code").to_string() + "\n";
        if !check.stdout.is_empty() {
            problems.push(format!("{name}: check wrote to stdout"));
        }

        // generate must fail the same way and leave its output folder untouched.
        if generate.status.code() != check.status.code() || generate.stderr != check.stderr {
            problems.push(format!("{name}: generate and check disagree"));
        }
        if fs::read_dir(out.path()).unwrap().next().is_some() {
            problems.push(format!("{name}: generate wrote files for an invalid spec"));
        }

        if blessing() {
            fs::write(case.join("expected.stderr"), &stderr).unwrap();
            fs::write(case.join("expected.code"), &code).unwrap();
            continue;
        }
        let want_code = fs::read_to_string(case.join("expected.code")).unwrap_or_default();
        if want_code != code {
            problems.push(format!(
                "{name}: exit code {} (expected {})",
                code.trim(),
                want_code.trim()
            ));
        }
        if let Some(diff) = stderr_diff(case, &stderr) {
            problems.push(format!("{name}: stderr differs\n{diff}"));
        }
    }
    report(problems);
}

#[test]
fn warned_specs_report_their_warnings_and_still_generate() {
    let mut problems = Vec::new();
    for case in &case_dirs("warnings", 3) {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (check, generate, out, stderr) = check_and_generate(case);
        if check.status.code() != Some(0) {
            problems.push(format!("{name}: check exited {:?}", check.status.code()));
        }
        if !stderr.starts_with("warning: ") {
            problems.push(format!("{name}: check printed no warning first:\n{stderr}"));
        }
        if stderr.contains("error") {
            problems.push(format!("{name}: check printed an error:\n{stderr}"));
        }

        // generate prints the same warnings, then writes the files.
        let warnings = stderr
            .rsplit_once("flexgen: ")
            .map_or(stderr.as_str(), |(w, _)| w);
        if generate.status.code() != Some(0)
            || !String::from_utf8_lossy(&generate.stderr).starts_with(warnings)
        {
            problems.push(format!(
                "{name}: generate did not warn the same way and succeed:\n{}",
                String::from_utf8_lossy(&generate.stderr)
            ));
        }
        if !out
            .path()
            .join("flex-plugin/src/flexgen/triggers.ts")
            .is_file()
        {
            problems.push(format!("{name}: generate wrote no plugin"));
        }

        if blessing() {
            fs::write(case.join("expected.stderr"), &stderr).unwrap();
            continue;
        }
        if let Some(diff) = stderr_diff(case, &stderr) {
            problems.push(format!("{name}: stderr differs\n{diff}"));
        }
    }
    report(problems);
}
