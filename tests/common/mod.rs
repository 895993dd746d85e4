//! Helpers shared by the toolchain tests (each test file is its own crate,
//! so each uses a different subset).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The flexgen binary under test, run in `dir`.
pub fn flexgen(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_flexgen"));
    cmd.current_dir(dir);
    cmd
}

/// The seed spec's text.
pub fn seed() -> String {
    fs::read_to_string(repo().join("triggers.yaml")).unwrap()
}

/// A temp workspace holding the seed spec, generated once.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("triggers.yaml"), seed()).unwrap();
    flexgen(dir.path()).arg("generate").assert().success();
    dir
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The seed `triggers.yaml`, then every `examples/*/triggers.yaml` in order.
pub fn spec_files() -> Vec<PathBuf> {
    let mut specs = vec![repo().join("triggers.yaml")];
    if let Ok(entries) = std::fs::read_dir(repo().join("examples")) {
        let mut examples: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("triggers.yaml"))
            .filter(|p| p.exists())
            .collect();
        examples.sort();
        specs.extend(examples);
    }
    specs
}

/// A command of the TypeScript toolchain that tests/toolchain/ts/install.sh sets up.
pub fn ts_tool(name: &str) -> PathBuf {
    let path = repo()
        .join("tests/toolchain/ts/node_modules/.bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run tests/toolchain/ts/install.sh",
        path.display()
    );
    path
}

/// TypeScript 7's `tsc` (the native compiler), installed beside 5 as the
/// `typescript7` alias by tests/toolchain/ts/install.sh.
pub fn ts7_tool() -> PathBuf {
    let path = repo().join("tests/toolchain/ts/node_modules/typescript7/bin/tsc");
    assert!(
        path.exists(),
        "{} is missing: run tests/toolchain/ts/install.sh",
        path.display()
    );
    path
}

/// Runs `cmd`; fails with its output unless it succeeds. Returns stdout.
pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The build cache that tests building fresh workspaces share, so each pays
/// for its own crate only: the wasm32 dependencies of the bridges (each
/// workspace is a new path, so cargo never takes one bridge for another).
/// The Flex UI bundle and Twilio's plugin builder are shared without it:
/// both live in the user's cache folder (browser/harness/plugin-builder.mjs,
/// `cacheRoot`), outside the clone, so a fresh clone installs neither again.
pub fn shared_build_caches() -> [(&'static str, PathBuf); 1] {
    let e2e = repo().join("target/e2e");
    [("FLEXGEN_WASM_TARGET_DIR", e2e.join("cargo-workspaces"))]
}

/// Runs browser/tests/run.mjs (node's test runner, spec reporter) with
/// `args` and the flexgen under test; fails with its output unless every
/// test passed. Returns stdout, where the test names are.
pub fn run_browser_tests(args: &[&std::ffi::OsStr], envs: &[(&str, PathBuf)]) -> String {
    let out = Command::new("node")
        .arg("--test-reporter=spec")
        .arg(repo().join("browser/tests/run.mjs"))
        .args(args)
        .env("FLEXGEN_BIN", env!("CARGO_BIN_EXE_flexgen"))
        .envs(envs.iter().map(|(k, v)| (*k, v)))
        .current_dir(repo())
        .output()
        .expect("running node (install Node.js 20 or later)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "browser tests failed (exit {:?}); rerun with `node browser/tests/run.mjs {}`:\n{stdout}\n{stderr}",
        out.status.code(),
        args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    stdout
}

// Golden trees: read, compare both ways, re-bless (tests/cases.rs).

pub const BLESS_ENV: &str = "FLEXGEN_BLESS";

pub fn blessing() -> bool {
    std::env::var_os(BLESS_ENV).is_some_and(|v| v != "0" && !v.is_empty())
}

/// Every file under `root`, by `/`-separated relative path. Build outputs
/// (installed packages, compiled crates) are not part of a tree.
pub fn read_tree(root: &Path, skip_top: &[&str]) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, skip_top: &[&str], out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && skip_top.contains(&name.as_str()) {
                continue;
            }
            if matches!(
                name.as_str(),
                "node_modules" | "target" | "pkg" | "Cargo.lock"
            ) {
                continue;
            }
            let rel = format!("{prefix}{name}");
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{rel}/"), skip_top, out);
            } else {
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, "", skip_top, &mut out);
    out
}

/// Compares two trees; returns one line (or diff) per difference.
pub fn tree_differences(
    expected: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, want) in expected {
        match actual.get(path) {
            None => problems.push(format!("missing from the output: {path}")),
            Some(got) if got != want => {
                let diff = similar::TextDiff::from_lines(
                    &*String::from_utf8_lossy(want),
                    &*String::from_utf8_lossy(got),
                )
                .unified_diff()
                .context_radius(2)
                .header(&format!("expected/{path}"), &format!("actual/{path}"))
                .to_string();
                problems.push(format!("differs: {path}\n{diff}"));
            }
            Some(_) => {}
        }
    }
    for path in actual.keys() {
        if !expected.contains_key(path) {
            problems.push(format!("not expected but produced: {path}"));
        }
    }
    problems
}

/// Replaces the expected tree with the actual one (keeping `skip_top` entries).
pub fn bless_tree(root: &Path, actual: &BTreeMap<String, Vec<u8>>, skip_top: &[&str]) {
    for path in read_tree(root, skip_top).keys() {
        if !actual.contains_key(path) {
            fs::remove_file(root.join(path)).unwrap();
        }
    }
    for (path, bytes) in actual {
        let dest = root.join(path);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::write(dest, bytes).unwrap();
    }
}

/// Fails, saying how to install it, unless rustup's wasm32-unknown-unknown
/// target is there.
pub fn require_wasm32_target() {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc --print sysroot");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    assert!(
        Path::new(&sysroot)
            .join("lib/rustlib/wasm32-unknown-unknown")
            .exists(),
        "the wasm32-unknown-unknown target is missing: run \
         `rustup target add wasm32-unknown-unknown` (or scripts/setup.sh)"
    );
}

/// A fixture of the emitters' tests: `tests/cases/fixtures/<name>/triggers.yaml`
/// compiled through the real front end (the hostile one under a file name
/// full of hostile text, as generator/emit/plugin.rs's unit tests do).
pub fn fixture(name: &str) -> flexgen::ir::Plan {
    let path = repo()
        .join("tests/cases/fixtures")
        .join(name)
        .join("triggers.yaml");
    let source = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec_file = if name == "hostile" {
        "evilx\" */ </script> `${alert(1)}` \u{2028} \u{202e} \\ \n // ' end.yaml"
    } else {
        "triggers.yaml"
    };
    flexgen::pipeline::compile(spec_file, &source)
        .unwrap_or_else(|d| panic!("{} does not compile:\n{}", path.display(), d.render()))
}

// Test cases (tests/cases.rs): one folder per case under tests/cases/.

/// One case folder of tests/cases/, named by its path below that folder.
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
}

/// The one discovery function: every folder under tests/cases/ that holds a
/// `cmd` or a `check` file is a case (its subfolders are not searched), sorted
/// by name.
pub fn cases() -> Vec<Case> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<Case>) {
        if dir.join("cmd").is_file() || dir.join("check").is_file() {
            let name = dir.strip_prefix(root).unwrap().to_string_lossy();
            out.push(Case {
                name: name.replace('\\', "/"),
                dir: dir.to_path_buf(),
            });
            return;
        }
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            }
        }
    }
    let root = repo().join("tests/cases");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The cases of one group (`invalid`, `warnings`, ...): `tests/cases/<group>/*`.
pub fn cases_in(group: &str) -> Vec<Case> {
    let prefix = format!("{group}/");
    cases()
        .into_iter()
        .filter(|c| c.name.starts_with(&prefix))
        .collect()
}

/// flexgen's checks of the generated payload types (never in a user's
/// workspace): the harness, and one test per trigger of `plan`.
const PAYLOAD_HARNESS: &str = include_str!("../bridge_payloads/harness.rs");

/// The `main.rs` of the case's `tests/payloads/`: one test per trigger,
/// each declaring its fields to the harness.
fn payload_tests(plan: &flexgen::ir::Plan, crate_name: &str) -> String {
    let kinds = if plan.triggers.iter().any(|t| !t.payload.is_empty()) {
        "{Check, Kind}"
    } else {
        "Check"
    };
    let mut out = format!(
        "//! flexgen's checks of the generated payload types (tests/common/mod.rs).\n\n\
         mod harness;\n\n\
         use {crate_name} as bridge;\n\
         use bridge::*;\n\
         use harness::{kinds};\n"
    );
    for t in &plan.triggers {
        let ty = format!("{}Payload", t.name.pascal);
        out.push_str(&format!(
            "\n#[test]\nfn {}_payload() {{\n    let {}check = Check::new();\n",
            t.name.snake,
            if t.payload.is_empty() { "" } else { "mut " }
        ));
        for f in &t.payload {
            let bound = || f.max_length.expect("lowering bounds string-like fields");
            let kind = match f.ty {
                flexgen::ir::FieldType::String => format!("Kind::String({})", bound()),
                flexgen::ir::FieldType::E164 => "Kind::E164".to_string(),
                flexgen::ir::FieldType::Integer => "Kind::Integer".to_string(),
                flexgen::ir::FieldType::Number => "Kind::Number".to_string(),
                flexgen::ir::FieldType::Boolean => "Kind::Boolean".to_string(),
                flexgen::ir::FieldType::Datetime => format!("Kind::Datetime({})", bound()),
                flexgen::ir::FieldType::Enum => {
                    format!("Kind::OneOf({ty}::{}_VALUES)", f.name.shouty)
                }
            };
            let presence = if f.optional { "optional" } else { "required" };
            out.push_str(&format!(
                "    check.{presence}({:?}, {kind});\n",
                f.name.snake
            ));
        }
        out.push_str(&format!("    check.run::<{ty}>();\n}}\n"));
    }
    out
}

/// What the payload tests add to the bridge's `Cargo.toml`: serde_json, to
/// check that serde's names are the wire names.
pub const PAYLOAD_TEST_DEPENDENCIES: &str = "\n[dev-dependencies]\nserde_json = \"1\"\n";

/// Writes flexgen's payload tests into the bridge crate in `dir`:
/// `tests/payloads/`, laid out by rustfmt (its `Cargo.toml` needs
/// [`PAYLOAD_TEST_DEPENDENCIES`]).
pub fn write_payload_tests(dir: &Path, plan: &flexgen::ir::Plan) {
    let crate_name = format!("{}_bridge", plan.app.name.snake);
    let tests = dir.join("tests/payloads");
    std::fs::create_dir_all(&tests).unwrap();
    for (file, text) in [
        ("harness.rs", PAYLOAD_HARNESS.to_string()),
        ("main.rs", payload_tests(plan, &crate_name)),
    ] {
        let path = tests.join(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).unwrap();
        }
    }
    run(
        Command::new("rustfmt")
            .args(["--edition", "2021"])
            .arg(tests.join("main.rs")),
        "rustfmt tests/payloads/main.rs",
    );
}
