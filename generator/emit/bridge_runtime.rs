//! flexgen's bridge runtime, vendored into every workspace.
//!
//! The runtime is the crate `flexgen-bridge-runtime` of this repository
//! (`runtime/bridge/`), compiled, linted and tested there
//! (tests/runtime_bridge.rs). Its manifest and sources, never its tests
//! (`src/tests/`), are written to `bridge/flexgen-runtime/` behind the
//! generated header, which carries flexgen's version: `generate --check`
//! flags a copy that is stale or edited like any generated file. The user's
//! crate depends on it by path ([`RUNTIME_DEPENDENCY`]), so the workspace
//! builds offline; a published crate would replace the path with a version.
//!
//! Every workspace gets every file, whatever its `app.embedding`: `peer.rs`
//! serves both (see its module doc), and the crate compiles as one.
//!
//! `protocol_constants.rs` is not in [`FILES`]: `emit::constants` writes it
//! from flexgen's one source of the protocol's values.

use super::{header, OutFile, Owner};
use crate::ir::Plan;

/// Where the runtime crate goes, relative to the output folder: inside the
/// user's crate folder, so it joins that crate's Cargo workspace.
pub const RUNTIME_DIR: &str = "bridge/flexgen-runtime";

/// The runtime crate's package name, as the user's `Cargo.toml` names it.
pub const RUNTIME_PACKAGE: &str = "flexgen-bridge-runtime";

/// The line of the user's `Cargo.toml` that makes the runtime a dependency
/// (`templates/bridge/user/Cargo.toml.tera` writes it).
pub const RUNTIME_DEPENDENCY: &str = "flexgen-bridge-runtime = { path = \"flexgen-runtime\" }";

/// The runtime's manifest: the one source of the wasm-bindgen pin.
const MANIFEST: &str = include_str!("../../runtime/bridge/Cargo.toml");

/// The runtime's sources as written into a workspace: `(path under
/// RUNTIME_DIR, source)`, by path.
pub const FILES: &[(&str, &str)] = &[
    (
        "src/core.rs",
        include_str!("../../runtime/bridge/src/core.rs"),
    ),
    (
        "src/envelope.rs",
        include_str!("../../runtime/bridge/src/envelope.rs"),
    ),
    (
        "src/error.rs",
        include_str!("../../runtime/bridge/src/error.rs"),
    ),
    (
        "src/fields.rs",
        include_str!("../../runtime/bridge/src/fields.rs"),
    ),
    (
        "src/host.rs",
        include_str!("../../runtime/bridge/src/host.rs"),
    ),
    (
        "src/ids.rs",
        include_str!("../../runtime/bridge/src/ids.rs"),
    ),
    (
        "src/lib.rs",
        include_str!("../../runtime/bridge/src/lib.rs"),
    ),
    (
        "src/limits.rs",
        include_str!("../../runtime/bridge/src/limits.rs"),
    ),
    (
        "src/peer.rs",
        include_str!("../../runtime/bridge/src/peer.rs"),
    ),
    (
        "src/text.rs",
        include_str!("../../runtime/bridge/src/text.rs"),
    ),
    (
        "src/value.rs",
        include_str!("../../runtime/bridge/src/value.rs"),
    ),
];

/// The runtime crate's files, each behind the generated header.
pub fn emit(plan: &Plan) -> Vec<OutFile> {
    let mut files = vec![OutFile {
        path: format!("{RUNTIME_DIR}/Cargo.toml"),
        contents: format!("{}{MANIFEST}", header(plan, "#")),
        owner: Owner::Generated,
    }];
    files.extend(FILES.iter().map(|(path, source)| OutFile {
        path: format!("{RUNTIME_DIR}/{path}"),
        contents: format!("{}{}", header(plan, "//"), without_tests(source)),
        owner: Owner::Generated,
    }));
    files
}

/// `source` without the declaration of the crate's test module
/// (`#[cfg(test)]` then `mod tests;`), which only `lib.rs` holds: the tests
/// are not copied.
fn without_tests(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut lines = source.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let next = lines.peek().map(|l| l.trim_end());
        if line.trim_end() == "#[cfg(test)]" && next == Some("mod tests;") {
            lines.next();
            continue;
        }
        out.push_str(line);
    }
    // The blank line that set the declaration apart, when it closed the file.
    let end = out.trim_end_matches('\n').len();
    out.truncate(end);
    out.push('\n');
    out
}

/// The `wasm-bindgen = "=X"` pin of the runtime crate: the one version the
/// build uses (the user's crate asks for `0.2`) and the wasm-bindgen CLI
/// must match.
pub fn wasm_bindgen_pin() -> &'static str {
    pin_in(MANIFEST).expect("runtime/bridge/Cargo.toml pins `wasm-bindgen = \"=X\"`")
}

/// The `wasm-bindgen = "=X"` pin of a manifest, if it has one.
pub fn pin_in(manifest: &str) -> Option<&str> {
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("wasm-bindgen = \"=")?.strip_suffix('"'))
}

/// Whether a `bridge/Cargo.toml` names the runtime crate as a dependency.
pub fn depends_on_runtime(manifest: &str) -> bool {
    manifest
        .lines()
        .any(|line| line.trim_start().starts_with(RUNTIME_PACKAGE))
}

/// What keeps a user's `bridge/Cargo.toml` (scaffolded once, maybe by an
/// older flexgen) from building the generated bridge: `(problem, fix)`.
pub fn manifest_problems(manifest: &str) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if !depends_on_runtime(manifest) {
        problems.push((
            "does not depend on flexgen's runtime crate, which the generated bridge imports \
             (the file was scaffolded by an older flexgen)"
                .to_string(),
            format!("add under [dependencies]: {RUNTIME_DEPENDENCY}"),
        ));
    }
    let pin = wasm_bindgen_pin();
    if let Some(own) = pin_in(manifest).filter(|own| *own != pin) {
        problems.push((
            format!("pins wasm-bindgen {own}, but flexgen's runtime pins {pin}"),
            "write `wasm-bindgen = \"0.2\"`: the runtime's pin decides the version".to_string(),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every source file of the runtime crate is written, its tests are not.
    #[test]
    fn the_runtime_list_names_every_source_of_the_crate() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/runtime/bridge/src");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rs") && n != "protocol_constants.rs")
            .map(|n| format!("src/{n}"))
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = FILES.iter().map(|(p, _)| *p).collect();
        assert_eq!(listed, on_disk, "FILES and runtime/bridge/src differ");
        let lib = FILES.iter().find(|(p, _)| *p == "src/lib.rs").unwrap().1;
        let decl = "#[cfg(test)]\nmod tests;\n";
        assert!(lib.contains(decl), "lib.rs declares its tests so");
        let copy = without_tests(lib);
        assert!(!copy.contains("mod tests"));
        assert_eq!(
            copy.len() + "\n".len() + decl.len(),
            lib.len(),
            "only the declaration goes, with the blank line before it"
        );
    }

    /// The runtime's version is flexgen's: the header of every copy names
    /// flexgen's version, and a published runtime would carry the same.
    #[test]
    fn the_runtime_has_flexgens_version() {
        let line = format!("\nversion = \"{}\"\n", env!("CARGO_PKG_VERSION"));
        assert!(
            MANIFEST.contains(&line),
            "runtime/bridge/Cargo.toml: {line}"
        );
        assert!(MANIFEST.contains(&format!("\nname = \"{RUNTIME_PACKAGE}\"\n")));
    }

    #[test]
    fn an_old_manifest_is_named_with_its_fix() {
        let pin = wasm_bindgen_pin();
        let current = format!("[dependencies]\n{RUNTIME_DEPENDENCY}\nwasm-bindgen = \"0.2\"\n");
        assert!(manifest_problems(&current).is_empty());
        let exact = format!("[dependencies]\n{RUNTIME_DEPENDENCY}\nwasm-bindgen = \"={pin}\"\n");
        assert!(manifest_problems(&exact).is_empty(), "its own pin, equal");
        let old = "[dependencies]\nwasm-bindgen = \"=0.2.1\"\n";
        let problems = manifest_problems(old);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].1.contains(RUNTIME_DEPENDENCY));
        assert!(problems[1].0.contains("0.2.1") && problems[1].0.contains(pin));
    }
}
