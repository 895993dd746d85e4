//! Property test over random valid specs (tests/property/gen.rs).
//!
//! - `random_specs_are_valid_and_deterministic`: many specs (cheap, in
//!   process): each passes the front end, and emitting twice gives the same
//!   files; the run covers every Flex action, event, listener kind, field
//!   type, source root and literal form.
//! - `random_specs_generate_deterministically_and_build`: K specs through the
//!   binary and the real toolchains. Per spec: `check`; `generate` into two
//!   out dirs (from the spec's folder, and from another cwd), and once from a
//!   copy of the spec in another folder: three identical trees, byte for
//!   byte; `generate --check` then reports nothing to do. Then every plugin
//!   through `tsc --noEmit` (strict, and the strictest flags over the
//!   generated files) against the real `@twilio/flex-ui`, in one tsc run per
//!   flag set; every bridge through `cargo check --target
//!   wasm32-unknown-unknown` and flexgen's payload tests natively (`cargo test`).
//!
//! `cargo check`, not `build`, for wasm32: it runs rustc's type and borrow
//! checks and wasm-bindgen's proc macros, which is where a spec's names and
//! types could break the crate; codegen and linking do not depend on the
//! spec and `tests/bridge_toolchain.rs` covers them (a full build, then
//! wasm-bindgen). The native `cargo test` links and runs each crate.
//!
//! `FLEXGEN_PROP_SEED` (decimal or 0x hex) picks the stream, default fixed
//! so CI is reproducible; `FLEXGEN_PROP_CASES` the number of specs built
//! (default 3; `FLEXGEN_PROP_CASES=50` for a long run). A failure names the
//! seed, the case and the spec file, kept under `target/property/`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{
    flexgen, read_tree, repo, run, tree_differences, ts_tool, write_payload_tests,
    PAYLOAD_TEST_DEPENDENCIES,
};

#[path = "property/gen.rs"]
mod gen;
use gen::{Generator, Kind};

const DEFAULT_SEED: u64 = 0x5EED_F1E6_2026;
const DEFAULT_CASES: usize = 3;
/// Triggers per spec at most (each spec has 1 to this many).
const MAX_TRIGGERS: usize = 14;

fn seed() -> u64 {
    let Ok(text) = std::env::var("FLEXGEN_PROP_SEED") else {
        return DEFAULT_SEED;
    };
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.unwrap_or_else(|_| panic!("FLEXGEN_PROP_SEED={text:?} is not a u64 (decimal or 0x hex)"))
}

fn cases() -> usize {
    match std::env::var("FLEXGEN_PROP_CASES") {
        Ok(n) => n
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("FLEXGEN_PROP_CASES={n:?} is not a number")),
        Err(_) => DEFAULT_CASES,
    }
}

/// Where a run keeps its specs and outputs (kept after the test, to debug).
fn run_dir(seed: u64, what: &str) -> PathBuf {
    let dir = repo()
        .join("target/property")
        .join(format!("{what}-{seed:#x}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn reproduce(seed: u64, case: usize, spec: &Path) -> String {
    format!(
        "seed {seed:#x}, case {case}, spec {}; rerun with FLEXGEN_PROP_SEED={seed:#x} \
         FLEXGEN_PROP_CASES={} cargo test --release --test property",
        spec.display(),
        case + 1
    )
}

#[test]
fn random_specs_are_valid_and_deterministic() {
    // Its own stream, so the two tests do not depend on each other's order.
    let seed = seed() ^ 0xC0FF_EE00;
    let count = 40 * cases().max(3);
    let dir = run_dir(seed, "front");
    let mut gen = Generator::new(seed);
    for case in 0..count {
        let text = gen.spec(MAX_TRIGGERS);
        let path = dir.join(format!("case-{case}.yaml"));
        std::fs::write(&path, &text).unwrap();
        let plan = flexgen::pipeline::compile("triggers.yaml", &text).unwrap_or_else(|d| {
            panic!(
                "a random valid spec was refused ({}):\n{}",
                reproduce(seed, case, &path),
                d.render()
            )
        });
        let again = flexgen::pipeline::compile("other/dir/triggers.yaml", &text).unwrap();
        assert_eq!(plan, again, "{}", reproduce(seed, case, &path));
        let first = flexgen::emit::emit_all(&plan)
            .unwrap_or_else(|e| panic!("emit: {e} ({})", reproduce(seed, case, &path)));
        let second = flexgen::emit::emit_all(&again).unwrap();
        assert!(
            first == second,
            "two emits differ ({})",
            reproduce(seed, case, &path)
        );
        let _ = std::fs::remove_file(&path);
    }

    // The run must have covered the spec language.
    let c = &gen.coverage;
    let mut missing: Vec<String> = Vec::new();
    for a in flexgen::catalog::ACTIONS {
        for kind in [
            Kind::Invoke(a.name),
            Kind::Before(a.name),
            Kind::After(a.name),
        ] {
            if !c.kinds.contains(&kind) {
                missing.push(format!("{kind:?}"));
            }
        }
    }
    for e in flexgen::catalog::EVENTS {
        if !c.kinds.contains(&Kind::Event(e.name)) {
            missing.push(format!("event {}", e.name));
        }
    }
    for (what, seen, all) in [
        (
            "field type",
            &c.field_types,
            &[
                "string", "e164", "enum", "datetime", "integer", "number", "boolean",
            ][..],
        ),
        (
            "source root",
            &c.roots,
            &["task", "worker", "action", "timing"][..],
        ),
        (
            "arg kind",
            &c.arg_kinds,
            &["payload", "string", "number", "boolean", "object", "any"][..],
        ),
        ("channel", &c.channels, flexgen::catalog::CHANNELS),
        (
            "channel type",
            &c.channel_types,
            flexgen::catalog::CHANNEL_TYPES,
        ),
    ] {
        for x in all {
            if !seen.contains(x) {
                missing.push(format!("{what} {x}"));
            }
        }
    }
    for len in [1, 64] {
        if !c.name_lengths.contains(&len) {
            missing.push(format!("a name of {len} characters"));
        }
    }
    if c.filters == 0 {
        missing.push("a `when` filter".into());
    }
    if c.non_ascii_texts == 0 {
        missing.push("non-ASCII text".into());
    }
    assert!(
        missing.is_empty(),
        "{count} specs of seed {seed:#x} never produced: {missing:?}"
    );
}

/// The Cargo target dir the bridges share with tests/bridge_toolchain.rs, so
/// the dependencies compile once.
fn bridge_target_dir() -> PathBuf {
    repo().join("target/bridge-check")
}

fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", bridge_target_dir())
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    cmd
}

fn require_toolchain() {
    common::require_wasm32_target();
    ts_tool("tsc");
    assert!(
        repo()
            .join("tests/toolchain/ts/node_modules/@twilio/flex-ui/package.json")
            .exists(),
        "@twilio/flex-ui is missing: run tests/toolchain/ts/install.sh"
    );
}

/// One case: the spec, the three generated trees compared, `--check` quiet.
/// Returns the first tree's folder.
fn generate_case(seed: u64, case: usize, dir: &Path, text: &str) -> PathBuf {
    let spec_dir = dir.join("spec");
    let copy_dir = dir.join("copy/elsewhere");
    let other_cwd = dir.join("cwd");
    for d in [&spec_dir, &copy_dir, &other_cwd] {
        std::fs::create_dir_all(d).unwrap();
    }
    let spec = spec_dir.join("triggers.yaml");
    std::fs::write(&spec, text).unwrap();
    std::fs::write(copy_dir.join("triggers.yaml"), text).unwrap();
    let why = reproduce(seed, case, &spec);

    let check = flexgen(&spec_dir).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "`flexgen check` refused a random valid spec ({why}):\n{}",
        common::stderr(&check)
    );
    let outs = [dir.join("out-a"), dir.join("out-b"), dir.join("out-c")];
    let runs: [(&Path, PathBuf); 3] = [
        (&spec_dir, PathBuf::from("triggers.yaml")),
        (&other_cwd, spec.clone()),
        (&copy_dir, copy_dir.join("triggers.yaml")),
    ];
    for ((cwd, spec_arg), out) in runs.iter().zip(&outs) {
        let o = flexgen(cwd)
            .arg("generate")
            .arg(spec_arg)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "generate into {} failed ({why}):\n{}",
            out.display(),
            common::stderr(&o)
        );
    }
    let first = read_tree(&outs[0], &[]);
    assert!(
        first.len() > 10,
        "generate wrote only {} files ({why})",
        first.len()
    );
    for other in &outs[1..] {
        let problems = tree_differences(&first, &read_tree(other, &[]));
        assert!(
            problems.is_empty(),
            "{} differs from {} ({why}):\n{}",
            other.display(),
            outs[0].display(),
            problems.join("\n")
        );
    }
    let again = flexgen(&spec_dir)
        .args(["generate", "triggers.yaml", "--check", "--out"])
        .arg(&outs[0])
        .output()
        .unwrap();
    assert!(
        again.status.success() && again.stdout.is_empty(),
        "`generate --check` after generate reports changes ({why}):\n{}{}",
        String::from_utf8_lossy(&again.stdout),
        common::stderr(&again)
    );
    outs[0].clone()
}

/// tsc over every case's plugin in one program (each file is a module, so
/// the plugins cannot see each other), then the strictest flags over the
/// generated files only, as tests/plugin_tsc.rs does for one plugin.
fn type_check_plugins(dir: &Path, outs: &[PathBuf]) {
    let toolchain = repo().join("tests/toolchain/ts/node_modules");
    let mut include = Vec::new();
    let mut generated = Vec::new();
    for out in outs {
        let plugin = out.join("flex-plugin");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&toolchain, plugin.join("node_modules")).unwrap();
        include.push(gen::json_str(&plugin.join("src").display().to_string()));
        generated.push(gen::json_str(
            &plugin.join("src/flexgen").display().to_string(),
        ));
    }
    let base = gen::json_str(
        &outs[0]
            .join("flex-plugin/tsconfig.json")
            .display()
            .to_string(),
    );
    let tsc_dir = dir.join("tsc");
    std::fs::create_dir_all(&tsc_dir).unwrap();
    std::fs::write(
        tsc_dir.join("tsconfig.json"),
        format!(
            "{{ \"extends\": {base}, \"include\": [{}] }}\n",
            include.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(
        tsc_dir.join("tsconfig.strictest.json"),
        format!(
            "{{ \"extends\": {base},\n  \"compilerOptions\": {{ \"noUnusedLocals\": true, \
             \"noUnusedParameters\": true, \"noUncheckedIndexedAccess\": true, \
             \"exactOptionalPropertyTypes\": true, \"noPropertyAccessFromIndexSignature\": true, \
             \"noImplicitReturns\": true }},\n  \"include\": [{}] }}\n",
            generated.join(", ")
        ),
    )
    .unwrap();
    let tsc = ts_tool("tsc");
    for config in ["tsconfig.json", "tsconfig.strictest.json"] {
        // The file list (printed with the diagnostics) proves each plugin
        // is in the program.
        let listed = run(
            Command::new(&tsc)
                .args(["--noEmit", "--listFiles", "-p"])
                .arg(tsc_dir.join(config)),
            &format!(
                "tsc --noEmit -p {} (plugins of {})",
                tsc_dir.join(config).display(),
                dir.display()
            ),
        );
        for out in outs {
            let wiring = out.join("flex-plugin/src/flexgen/wiring.ts");
            assert!(
                listed.contains(&wiring.display().to_string()),
                "{config} leaves out {}",
                wiring.display()
            );
        }
    }
}

/// `cargo check` for wasm32 and flexgen's payload tests natively.
fn build_bridge(out: &Path, plan: &flexgen::ir::Plan, why: &str) {
    let bridge = out.join("bridge");
    let manifest = bridge.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(PAYLOAD_TEST_DEPENDENCIES);
    std::fs::write(&manifest, text).unwrap();
    write_payload_tests(&bridge, plan);
    let shared_lock = bridge_target_dir().join("Cargo.lock");
    if shared_lock.exists() {
        std::fs::copy(&shared_lock, bridge.join("Cargo.lock")).unwrap();
    }
    run(
        cargo(&bridge).args(["check", "--target", "wasm32-unknown-unknown"]),
        &format!("cargo check --target wasm32-unknown-unknown ({why})"),
    );
    let tests = run(cargo(&bridge).arg("test"), &format!("cargo test ({why})"));
    let passed: usize = tests
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 0, "no bridge test ran ({why}):\n{tests}");
}

#[test]
fn random_specs_generate_deterministically_and_build() {
    require_toolchain();
    let seed = seed();
    let count = cases();
    let dir = run_dir(seed, "build");
    let mut gen = Generator::new(seed);
    let started = std::time::Instant::now();
    let mut outs = Vec::new();
    let mut specs = Vec::new();
    for case in 0..count {
        let text = gen.spec(MAX_TRIGGERS);
        let case_dir = dir.join(format!("case-{case}"));
        outs.push(generate_case(seed, case, &case_dir, &text));
        specs.push(case_dir.join("spec/triggers.yaml"));
    }
    eprintln!(
        "property: {count} specs generated and compared in {:?}",
        started.elapsed()
    );
    let all = format!(
        "seed {seed:#x}, specs {}",
        specs
            .iter()
            .map(|s| s.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let t = std::time::Instant::now();
    // Failures are collected, so one run reports the plugins and the bridges.
    let mut failures = Vec::new();
    if std::panic::catch_unwind(|| type_check_plugins(&dir, &outs)).is_err() {
        failures.push(format!("a plugin does not type-check ({all})"));
    }
    eprintln!("property: tsc over {count} plugins in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    for (case, out) in outs.iter().enumerate() {
        let why = reproduce(seed, case, &specs[case]);
        let text = std::fs::read_to_string(&specs[case]).unwrap();
        let plan = flexgen::pipeline::compile("triggers.yaml", &text)
            .unwrap_or_else(|_| panic!("the spec no longer compiles ({why})"));
        if std::panic::catch_unwind(|| build_bridge(out, &plan, &why)).is_err() {
            failures.push(why);
        }
    }
    eprintln!(
        "property: {count} bridges checked and tested in {:?}",
        t.elapsed()
    );
    assert!(
        failures.is_empty(),
        "bridges failed (see above): {failures:#?}"
    );
}
