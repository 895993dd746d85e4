//! Helpers shared by the toolchain tests (each test file is its own crate,
//! so each uses a different subset).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

/// The `wasm-bindgen = "=X"` pin of the bridge template: the version of
/// wasm-bindgen-cli that must post-process the .wasm (scripts/setup.sh
/// installs the same X).
pub fn wasm_bindgen_pin() -> String {
    let template = repo().join("templates/bridge/user/Cargo.toml.tera");
    let text = std::fs::read_to_string(&template).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("wasm-bindgen = \"=")?.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no `wasm-bindgen = \"=X\"` pin in {}", template.display()))
        .to_string()
}

/// Build caches that tests building fresh workspaces share, so each pays for
/// its own crate and plugin only: the Flex UI bundle (keyed by the lockfile)
/// and the wasm32 dependencies of the bridges (each workspace is a new path,
/// so cargo never takes one bridge for another).
pub fn shared_build_caches() -> [(&'static str, PathBuf); 2] {
    let e2e = repo().join("target/e2e");
    [
        ("FLEXGEN_CACHE_DIR", e2e.join("cache")),
        ("FLEXGEN_WASM_TARGET_DIR", e2e.join("cargo-workspaces")),
    ]
}
