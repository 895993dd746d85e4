//! Every Mermaid diagram of every generated docs/PROTOCOL.md (the seed's
//! case, every example, and the case tests/cases/docs/hostile, whose spec's
//! free text holds what breaks Markdown and Mermaid) rendered by the
//! real `mermaid` package in headless Chromium (browser/tests/mermaid.mjs):
//! each must parse and render, and the hostile text must come out as written.
//!
//! Needs what `scripts/setup.sh` installs: Chromium and the npm packages of
//! browser/ (`bash browser/install.sh`). Run alone with
//! `cargo test --release --test docs_mermaid`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::repo;

use flexgen::emit::docs::mermaid_text;

/// The script's report: one entry per diagram, and the summary line.
struct Report {
    diagrams: Vec<Value>,
    found: u64,
    rendered: u64,
    success: bool,
    output: String,
}

fn render(files: &[PathBuf]) -> Report {
    let browser = repo().join("browser");
    assert!(
        browser
            .join("node_modules/mermaid/dist/mermaid.min.js")
            .exists()
            && browser.join("node_modules/playwright-core").exists(),
        "mermaid or playwright-core is not installed in browser/node_modules: run \
         `bash browser/install.sh` (or scripts/setup.sh)"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("FLEXGEN_CHROMIUM").is_some(),
        "Chromium is missing: run `bash browser/install.sh` (apt-get install chromium) or set \
         FLEXGEN_CHROMIUM"
    );
    let out = Command::new("node")
        .arg(browser.join("tests/mermaid.mjs"))
        .args(files)
        .current_dir(repo())
        .output()
        .expect("running node (install Node.js 20 or later)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let output = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{output}")))
        .collect();
    let summary = lines
        .pop()
        .unwrap_or_else(|| panic!("no output:\n{output}"));
    Report {
        diagrams: lines,
        found: summary["found"].as_u64().expect("found"),
        rendered: summary["rendered"].as_u64().expect("rendered"),
        success: out.status.success(),
        output,
    }
}

/// How many ```mermaid fences a Markdown file holds, counted here so the
/// script cannot pass by finding none.
fn fences(path: &Path) -> u64 {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| l.trim_end() == "```mermaid")
        .count() as u64
}

fn protocol_docs() -> Vec<PathBuf> {
    let mut docs = vec![repo().join("tests/cases/seed/expected/docs/PROTOCOL.md")];
    let mut examples: Vec<PathBuf> = fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("docs/PROTOCOL.md"))
        .collect();
    examples.sort();
    docs.extend(examples);
    for doc in &docs {
        assert!(
            doc.exists(),
            "{} is missing: re-bless the cases (FLEXGEN_BLESS=1 cargo test --release --test cases)",
            doc.display()
        );
    }
    docs
}

#[test]
fn every_generated_diagram_renders_and_hostile_text_comes_out_as_written() {
    // `flexgen docs` of the hostile spec, as the case's golden tree holds it.
    let hostile = repo().join("tests/cases/docs/hostile/expected/docs/PROTOCOL.md");
    assert!(hostile.exists(), "{} is missing", hostile.display());
    let mut files = protocol_docs();
    files.push(hostile.clone());

    let expected: u64 = files.iter().map(|f| fences(f)).sum();
    let report = render(&files);
    assert!(expected > 0);
    let failed: Vec<&Value> = report
        .diagrams
        .iter()
        .filter(|d| d["ok"] != Value::Bool(true))
        .collect();
    assert!(failed.is_empty(), "diagrams failed: {failed:#?}");
    assert_eq!(
        (report.found, report.rendered, report.diagrams.len() as u64),
        (expected, expected, expected),
        "{}",
        report.output
    );
    assert!(report.success, "{}", report.output);

    // The hostile spec's text reaches the rendered diagrams intact: escaping
    // hid it from Mermaid's parser, not from the reader.
    let hostile_text: String = report
        .diagrams
        .iter()
        .filter(|d| d["file"].as_str() == Some(hostile.to_str().unwrap()))
        .map(|d| d["text"].as_str().unwrap().to_string())
        .collect();
    for shown in [
        "click: new line; then <b>bold</b> & \"quotes\" 'single' #35; %%{init: {}}%% wrap: x \u{fffd}",
        "task.attributes.direction = \"in;bound#59;%%-->|`<br>\\\"\"",
        "evil-app_1 host page",
    ] {
        assert!(
            hostile_text.contains(shown),
            "{shown:?} not in the rendered text:\n{hostile_text}"
        );
    }
}

/// The check can fail: a broken diagram, and spec text that would break a
/// diagram without escaping, are reported as failures; the same text escaped
/// renders.
#[test]
fn a_broken_diagram_fails() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "x\nend\nA->>: %%{init";
    let note = |text: &str| {
        format!("```mermaid\nsequenceDiagram\n    participant A\n    Note over A: {text}\n```\n")
    };
    let broken = dir.path().join("broken.md");
    fs::write(
        &broken,
        format!(
            "# broken\n\n```mermaid\nsequenceDiagram\n    A->>: no target\n```\n\n{}",
            note(hostile)
        ),
    )
    .unwrap();
    let report = render(&[broken]);
    assert!(!report.success, "{}", report.output);
    assert_eq!((report.found, report.rendered), (2, 0), "{}", report.output);
    for d in &report.diagrams {
        assert_eq!(d["ok"], Value::Bool(false), "{d}");
        assert!(!d["error"].as_str().unwrap_or_default().is_empty(), "{d}");
    }

    let escaped = dir.path().join("escaped.md");
    fs::write(&escaped, note(&mermaid_text(hostile))).unwrap();
    let report = render(&[escaped]);
    assert!(report.success, "{}", report.output);
    assert_eq!((report.found, report.rendered), (1, 1));
    assert!(
        report.diagrams[0]["text"]
            .as_str()
            .unwrap()
            .contains("x end A->>: %%{init"),
        "{}",
        report.output
    );
}
