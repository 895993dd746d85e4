//! The repository's own Markdown (README.md, CONTRIBUTING.md, BENCHMARKS.md,
//! docs/*.md, every example's README.md): each relative link and image
//! points at a file or folder that exists, and each image is a PNG the
//! browser tests write (docs/images/, refreshed as CONTRIBUTING.md says).

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::repo;

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let root = repo();
    let mut files: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", "BENCHMARKS.md"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    files.push(root.join("browser/simulator/FACTS.md"));
    for dir in [root.join("docs")] {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    for entry in fs::read_dir(root.join("examples")).unwrap() {
        let readme = entry.unwrap().path().join("README.md");
        if readme.is_file() {
            files.push(readme);
        }
    }
    files.sort();
    files
}

/// `text` without its code: fenced blocks and inline code spans, where a
/// `](` is text, not a link.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            // Inline code: every other backtick-delimited span goes.
            out.extend(line.split('`').step_by(2).flat_map(|part| [part, " "]));
            out.push('\n');
        }
    }
    out
}

/// Every `](target)` of `text` outside code: (is an image, target),
/// without its anchor and title.
fn links(text: &str) -> Vec<(bool, String)> {
    let text = prose(text);
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("](") {
        let image = rest[..at]
            .rfind("![")
            .is_some_and(|open| !rest[open..at].contains(']'));
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].split_whitespace().next().unwrap_or("");
        let target = target.split('#').next().unwrap_or("");
        found.push((image, target.to_string()));
        rest = &after[end..];
    }
    found
}

/// A link to a place outside this repository, or to an anchor of the same page.
fn external(target: &str) -> bool {
    target.is_empty() || target.contains("://") || target.starts_with("mailto:")
}

#[test]
fn relative_links_and_images_resolve() {
    let mut problems = Vec::new();
    let mut images = 0;
    for doc in documents() {
        let text = fs::read_to_string(&doc).unwrap();
        let dir = doc.parent().unwrap();
        for (image, target) in links(&text) {
            if external(&target) {
                continue;
            }
            let path = dir.join(&target);
            let name = doc.strip_prefix(repo()).unwrap().display().to_string();
            if !path.exists() {
                problems.push(format!("{name}: `{target}` does not exist"));
            } else if image {
                images += 1;
                if let Err(e) = png_size(&path) {
                    problems.push(format!("{name}: image `{target}`: {e}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The README shows the data tab and the CRM inside Flex.
    assert!(images >= 2, "{images} images linked");
}

/// A PNG's width and height, from its signature and IHDR chunk.
fn png_size(path: &Path) -> Result<(u32, u32), String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    if bytes.len() < 24 || bytes[..8] != *b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return Err("not a PNG".into());
    }
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (width, height) = (word(16), word(20));
    if width < 200 || height < 100 {
        return Err(format!("{width}x{height} is too small for a screenshot"));
    }
    Ok((width, height))
}

#[test]
fn the_link_reader_finds_links_and_images() {
    let found = links(
        "See [a](docs/a.md#x), ![shot](docs/images/b.png \"A shot\") and [web](https://x.example).\n\
         Not `[code](nowhere)`, nor:\n```\n[fenced](nowhere)\n```\n[after](c.md)",
    );
    assert_eq!(
        found,
        [
            (false, "docs/a.md".to_string()),
            (true, "docs/images/b.png".to_string()),
            (false, "https://x.example".to_string()),
            (false, "c.md".to_string()),
        ]
    );
}
