//! flexgen's plugin runtime, `runtime/plugin/`, as a TypeScript project of
//! its own: it type-checks under its strict tsconfig (the strictest flags a
//! user may turn on included), is laid out as prettier would lay it out, and
//! its unit tests (`runtime/plugin/test/*.test.ts`, Node's test runner) pass.
//! The tests are compiled with tsc into a temp folder and run there with
//! `node --test`. The toolchain is tests/toolchain/ts/install.sh's.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{repo, run, ts_tool};

fn project() -> PathBuf {
    repo().join("runtime/plugin")
}

/// A toolchain command, once the Flex types the runtime imports are there.
fn tool(name: &str) -> PathBuf {
    let path = ts_tool(name);
    assert!(
        repo()
            .join("tests/toolchain/ts/node_modules/@twilio/flex-ui/package.json")
            .exists(),
        "@twilio/flex-ui is missing: run tests/toolchain/ts/install.sh"
    );
    path
}

/// The compiled tests under `dir`: `test/*.test.js`, sorted.
fn compiled_tests(dir: &Path) -> Vec<PathBuf> {
    let mut tests: Vec<PathBuf> = std::fs::read_dir(dir.join("test"))
        .expect("tsc wrote no test/ folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".test.js"))
        .collect();
    tests.sort();
    tests
}

#[test]
fn the_runtime_type_checks_under_its_strict_tsconfig() {
    run(
        Command::new(tool("tsc"))
            .arg("--noEmit")
            .arg("-p")
            .arg(project()),
        "tsc --noEmit -p runtime/plugin",
    );
}

#[test]
fn the_runtime_is_laid_out_as_prettier_would() {
    run(
        Command::new(tool("prettier"))
            .arg("--check")
            .arg("runtime/plugin")
            .current_dir(repo()),
        "prettier --check runtime/plugin",
    );
}

#[test]
fn the_runtime_s_unit_tests_pass() {
    let out = tempfile::tempdir().expect("temp dir");
    run(
        Command::new(tool("tsc"))
            .arg("-p")
            .arg(project().join("tsconfig.test.json"))
            .arg("--outDir")
            .arg(out.path()),
        "tsc -p runtime/plugin/tsconfig.test.json",
    );
    // CommonJS, whatever a package.json above the temp folder says.
    std::fs::write(out.path().join("package.json"), "{\"type\":\"commonjs\"}\n").unwrap();
    let tests = compiled_tests(out.path());
    let sources = std::fs::read_dir(project().join("test"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".test.ts")
        })
        .count();
    assert_eq!(tests.len(), sources, "not every test file was compiled");
    assert!(tests.len() >= 10, "only {} test files", tests.len());
    let stdout = run(
        Command::new("node")
            .arg("--test")
            .arg("--test-reporter=spec")
            .args(&tests)
            .current_dir(out.path()),
        "node --test runtime/plugin/test (install Node.js 20 or later)",
    );
    println!("{stdout}");
    assert!(
        stdout.contains("fail 0") && !stdout.contains("pass 0"),
        "{stdout}"
    );
}
