//! The bridge runtime crate (`runtime/bridge/`, `flexgen-bridge-runtime`) as
//! what it is: its unit tests natively (`cargo test`), clippy with warnings
//! denied natively (tests included) and for wasm32, rustfmt, and rustdoc
//! with warnings denied. Its browser side runs in Chromium in the browser
//! suite (`tests/browser_e2e.rs`), inside every generated bridge.
//!
//! Shares the Cargo target dir of `tests/bridge_toolchain.rs`, so the
//! dependencies compile once for both.

use std::path::PathBuf;
use std::process::Command;

mod common;
use common::{repo, run};

fn crate_dir() -> PathBuf {
    repo().join("runtime/bridge")
}

fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(crate_dir())
        .args(args)
        .env("CARGO_TARGET_DIR", repo().join("target/bridge-check"))
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    cmd
}

/// flexgen's payload checks, compiled only inside the bridges the tests
/// build (rustfmt there sees `main.rs`), are formatted too.
#[test]
fn the_payload_harness_is_formatted() {
    run(
        Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .arg(repo().join("tests/bridge_payloads/harness.rs")),
        "rustfmt --check tests/bridge_payloads/harness.rs",
    );
}

/// The CRM page written in Rust that the browser suite drives
/// (browser/rust-host, built by the harness on the seed's generated bridge)
/// is formatted too; the harness's wasm32 build compiles it.
#[test]
fn the_rust_host_page_is_formatted() {
    run(
        Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .arg(repo().join("browser/rust-host/src/lib.rs")),
        "rustfmt --check browser/rust-host/src/lib.rs",
    );
}

#[test]
fn the_bridge_runtime_passes_its_tests_lints_and_format() {
    common::require_wasm32_target();
    run(
        &mut cargo(&["fmt", "--check"]),
        "runtime/bridge: cargo fmt --check",
    );
    let tests = run(
        &mut cargo(&["test", "--locked"]),
        "runtime/bridge: cargo test --locked",
    );
    let passed: usize = tests
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    // The handshake, queue, timeouts, reloads and field checks: a test
    // module dropped from `src/tests/mod.rs` would go unnoticed otherwise.
    assert!(passed >= 20, "only {passed} runtime tests ran:\n{tests}");
    run(
        &mut cargo(&[
            "clippy",
            "--locked",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
        "runtime/bridge: cargo clippy --all-targets (native)",
    );
    run(
        &mut cargo(&[
            "clippy",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
        "runtime/bridge: cargo clippy --target wasm32-unknown-unknown",
    );
    run(
        &mut cargo(&["doc", "--locked", "--no-deps"]),
        "runtime/bridge: cargo doc (warnings denied)",
    );
}
