//! The benchmark command (browser/bench/run.mjs, BENCHMARKS.md) runs end to
//! end with tiny numbers: it builds its spec and the seed, measures in
//! headless Chromium, and writes a table with every row, a figure and a
//! verdict in each. No timing is asserted: timings depend on the machine.
//!
//! Needs what `scripts/setup.sh` installs: Chromium, the npm packages of
//! browser/, the wasm32 target, wasm-bindgen-cli and wasm-opt (binaryen).
//! Run alone with `cargo test --release --test bench_smoke`.

use std::process::Command;

mod common;
use common::{repo, run};

/// The first cell of every row of the table, as browser/bench/run.mjs
/// writes them.
const ROWS: &[&str] = &[
    "Round trip, raw postMessage ping-pong",
    "Round trip, raw ping + the Flex action + pong",
    "Round trip, bridge command + ack",
    "Throughput host → Flex, raw ping-pong",
    "Throughput host → Flex, bridge commands",
    "Throughput Flex → host, raw events + acks",
    "Throughput Flex → host, bridge events",
    "Plugin runtime, seed spec",
    "Plugin runtime, bench spec",
    "Bridge, seed spec",
    "Bridge, bench spec",
];

/// The rows judged against a goal of issue 5.
const GOALS: &[&str] = &[
    "Round trip, bridge command + ack",
    "Throughput host → Flex, bridge commands",
    "Throughput Flex → host, bridge events",
    "Plugin runtime, seed spec",
    "Bridge, seed spec",
];

#[test]
fn the_benchmark_writes_every_row() {
    let browser = repo().join("browser");
    assert!(
        browser.join("node_modules/playwright-core").exists(),
        "the browser harness is not installed: run `bash browser/install.sh` (or scripts/setup.sh)"
    );
    assert!(
        Command::new("wasm-opt").arg("--version").output().is_ok(),
        "wasm-opt is missing: `apt-get install binaryen` (or scripts/setup.sh)"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("BENCHMARKS.md");
    // A file with text around the markers: the run replaces only its block.
    std::fs::write(
        &out,
        "# Before\n\n<!-- bench:start (written by browser/bench/run.mjs) -->\nold\n<!-- bench:end -->\n\n# After\n",
    )
    .unwrap();
    let stdout = run(
        Command::new("node")
            .arg(repo().join("browser/bench/run.mjs"))
            .args(["--n", "20", "--warmup", "5", "--messages", "50", "--out"])
            .arg(&out)
            .env("FLEXGEN_BIN", env!("CARGO_BIN_EXE_flexgen"))
            .current_dir(repo()),
        "node browser/bench/run.mjs (tiny numbers)",
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with("# Before\n") && written.ends_with("# After\n"),
        "the text around the markers was not kept:\n{written}"
    );
    assert!(!written.contains("\nold\n"), "the old block is still there");
    for label in ROWS {
        let row = written
            .lines()
            .find(|l| l.starts_with(&format!("| {label} |")))
            .unwrap_or_else(|| panic!("no row {label:?} in:\n{written}"));
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 4, "row {label:?} has not 4 cells: {row}");
        assert!(
            cells[1].chars().any(|c| c.is_ascii_digit()),
            "row {label:?} has no figure: {row}"
        );
        if GOALS.contains(label) {
            assert!(
                cells[3].starts_with("met") || cells[3].starts_with("**missed by"),
                "row {label:?} has no verdict: {row}"
            );
        }
        // Printed as well as written.
        assert!(stdout.contains(row), "row {label:?} not printed:\n{stdout}");
    }
    for line in ["- Machine: ", "- Browser and tools: Chromium ", "- Clock: "] {
        assert!(written.contains(line), "no {line:?} line in:\n{written}");
    }
    assert!(
        written.contains("| Frame | Code | Raw ping-pong | Bridge command + ack |")
            && written.contains("| CRM page | **all** |")
            && written.contains("| Flex frame | **all** |"),
        "no CPU table in:\n{written}"
    );
}
