//! Embeds the browser harness in the binary, so that `flexgen preview` works
//! from `cargo install` with no checkout: writes `$OUT_DIR/harness_files.rs`,
//! a sorted table of `(path under browser/, include_bytes!(...))` for every
//! file the preview runs. Installed packages, dotfiles and the security
//! tests' pages (attacker/, rogue.html) stay out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// The folders of browser/ the preview needs. tests/ drives Chromium and
/// attacker/ is the third-origin page of the security tests: both are for
/// the repository's own test suite only, and a preview serves neither.
const DIRS: &[&str] = &["harness", "host", "simulator", "shared"];
/// Test-only pages inside those folders: the blank same-origin pages the
/// security tests frame (`rogue.html`), never part of a preview.
const TEST_ONLY: &[&str] = &["rogue.html"];
/// Single files of browser/: the lockfile is what `npm ci` installs.
const FILES: &[&str] = &["package.json", "package-lock.json"];

fn collect(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel))
        .unwrap_or_else(|e| panic!("reading browser/{}: {e}", rel.display()))
        .map(|e| e.expect("reading a directory entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.')
            || name == "node_modules"
            || TEST_ONLY.iter().any(|t| name == *t)
        {
            continue;
        }
        let sub = rel.join(&name);
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            collect(root, &sub, out);
        } else if kind.is_file() {
            out.push(sub);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let browser = manifest.join("browser");
    let mut files: Vec<PathBuf> = FILES.iter().map(PathBuf::from).collect();
    for dir in DIRS {
        collect(&browser, Path::new(dir), &mut files);
        println!("cargo:rerun-if-changed=browser/{dir}");
    }
    for file in FILES {
        println!("cargo:rerun-if-changed=browser/{file}");
    }
    files.sort();

    let mut table = String::from(
        "/// Every file of browser/ that `flexgen preview` materialises, sorted.\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for rel in &files {
        let key = rel
            .components()
            .map(|c| c.as_os_str().to_str().expect("UTF-8 path"))
            .collect::<Vec<_>>()
            .join("/");
        let abs = browser.join(rel);
        writeln!(
            table,
            "    ({key:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    table.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap()).join("harness_files.rs");
    fs::write(out, table).expect("writing harness_files.rs");
}
