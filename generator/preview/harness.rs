//! The browser harness embedded in the binary (build.rs), written out into
//! `DIR/.flexgen/preview/` and its npm packages installed there.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use super::{io_error, PreviewError};

include!(concat!(env!("OUT_DIR"), "/harness_files.rs"));

/// The copy of the lockfile that `npm ci` last installed from.
const STAMP: &str = "node_modules/.flexgen-lock-stamp";

/// Writes every embedded file under `dir` whose bytes differ (so an
/// unchanged harness costs no rebuild), and removes files a newer flexgen no
/// longer ships. node_modules/ is left alone. Returns how many were written.
pub fn materialise(dir: &Path) -> Result<usize, PreviewError> {
    let mut written = 0;
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(io_error(format!("creating {}", parent.display())))?;
        }
        fs::write(&path, bytes).map_err(io_error(format!("writing {}", path.display())))?;
        written += 1;
    }
    let top: Vec<&str> = FILES
        .iter()
        .filter_map(|(rel, _)| rel.split_once('/').map(|(first, _)| first))
        .collect();
    let top: std::collections::BTreeSet<&str> = top.into_iter().collect();
    for first in &top {
        remove_stale(dir, first)?;
    }
    // A folder an older flexgen shipped (the security tests' attacker/ was
    // one) goes as a whole; node_modules/ stays.
    let entries = fs::read_dir(dir).map_err(io_error(format!("reading {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("reading {}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() && name != "node_modules" && !top.contains(name.as_str()) {
            fs::remove_dir_all(&path).map_err(io_error(format!("removing {}", path.display())))?;
        }
    }
    Ok(written)
}

/// Removes the files under `dir/rel` that are not embedded.
fn remove_stale(dir: &Path, rel: &str) -> Result<(), PreviewError> {
    let full = dir.join(rel);
    let entries = fs::read_dir(&full).map_err(io_error(format!("reading {}", full.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("reading {}", full.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let sub = format!("{rel}/{name}");
        let path = entry.path();
        if path.is_dir() {
            remove_stale(dir, &sub)?;
        } else if !FILES.iter().any(|(f, _)| *f == sub) {
            fs::remove_file(&path).map_err(io_error(format!("removing {}", path.display())))?;
        }
    }
    Ok(())
}

/// `npm ci` in the materialised harness, unless node_modules was installed
/// from this very lockfile already. npm's output goes to stderr: stdout is
/// for the URLs only.
pub fn npm_install(dir: &Path) -> Result<(), PreviewError> {
    let lock = fs::read(dir.join("package-lock.json")).map_err(io_error(format!(
        "reading {}/package-lock.json",
        dir.display()
    )))?;
    let stamp = dir.join(STAMP);
    if fs::read(&stamp).is_ok_and(|s| s == lock)
        && dir.join("node_modules/@twilio/flex-ui").is_dir()
    {
        return Ok(());
    }
    eprintln!(
        "flexgen: installing the simulator's npm packages (@twilio/flex-ui, esbuild; \
         once per workspace, a minute or more)"
    );
    let _ = io::stderr().flush();
    let status = Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--prefer-offline",
            "--loglevel=error",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(io::stderr())
        .status()
        .map_err(io_error(
            "running npm (install Node.js 20 or later with npm)",
        ))?;
    if !status.success() {
        return Err(PreviewError::Harness(format!(
            "`npm ci` in {} failed ({status}); see npm's messages above",
            dir.display()
        )));
    }
    fs::write(&stamp, &lock).map_err(io_error(format!("writing {}", stamp.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn browser() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser")
    }

    #[test]
    fn every_harness_file_is_embedded_as_it_is_on_disk() {
        for (rel, bytes) in FILES {
            let disk = fs::read(browser().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert!(disk == *bytes, "{rel} is embedded stale: rebuild");
        }
        for needed in [
            "package.json",
            "package-lock.json",
            "harness/serve.mjs",
            "harness/build.mjs",
            "harness/server.mjs",
            "host/index.html",
            "simulator/index.html",
        ] {
            assert!(
                FILES.iter().any(|(f, _)| *f == needed),
                "{needed} is not embedded"
            );
        }
    }

    /// Every relative import of an embedded script (`from "./x"`, `from
    /// "../y.mjs"`) resolves to an embedded file: a harness module added
    /// outside build.rs's folders fails here.
    #[test]
    fn every_relative_import_is_embedded() {
        let has = |p: &str| FILES.iter().any(|(f, _)| *f == p);
        let mut checked = 0;
        for (rel, bytes) in FILES {
            let ext = rel.rsplit('.').next().unwrap_or("");
            if !matches!(ext, "mjs" | "js" | "ts") {
                continue;
            }
            let text = std::str::from_utf8(bytes).unwrap();
            let dir = Path::new(rel).parent().unwrap();
            let imports = ["from \"", "from '", "import \"", "import '"]
                .iter()
                .flat_map(|kw| {
                    text.match_indices(kw)
                        .map(move |(i, _)| &text[i + kw.len()..])
                })
                .filter_map(|rest| rest.split(['"', '\'']).next())
                .filter(|s| s.starts_with("./") || s.starts_with("../"));
            for spec in imports {
                let joined = normalise(&dir.join(spec));
                let candidates = [
                    joined.clone(),
                    format!("{joined}.ts"),
                    format!("{joined}.js"),
                    format!("{joined}/index.ts"),
                ];
                assert!(
                    candidates.iter().any(|c| has(c)),
                    "{rel} refers to {spec} ({joined}), which is not embedded (build.rs DIRS)"
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "found only {checked} relative imports");
    }

    fn normalise(path: &Path) -> String {
        let mut parts: Vec<String> = Vec::new();
        for c in path.components() {
            match c.as_os_str().to_str().unwrap() {
                "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s.to_string()),
            }
        }
        parts.join("/")
    }

    #[test]
    fn materialise_writes_once_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(materialise(dir.path()).unwrap(), FILES.len());
        assert_eq!(materialise(dir.path()).unwrap(), 0);
        let stale = dir.path().join("harness/old.mjs");
        fs::write(&stale, "old").unwrap();
        fs::write(dir.path().join("harness/serve.mjs"), "changed").unwrap();
        assert_eq!(materialise(dir.path()).unwrap(), 1);
        assert!(!stale.exists());
        // A folder no longer shipped goes; installed packages stay.
        let old_folder = dir.path().join("attacker");
        fs::create_dir_all(&old_folder).unwrap();
        fs::write(old_folder.join("main.ts"), "old").unwrap();
        fs::create_dir_all(dir.path().join("node_modules/x")).unwrap();
        assert_eq!(materialise(dir.path()).unwrap(), 0);
        assert!(!old_folder.exists());
        assert!(dir.path().join("node_modules/x").exists());
    }

    /// `flexgen preview` serves a user's pages, none of the security tests':
    /// neither the third-origin attacker page nor the blank framing pages,
    /// nor the tests' hostile contacts (they come from browser/tests/).
    #[test]
    fn no_page_or_data_of_the_security_tests_is_embedded() {
        for (rel, bytes) in FILES {
            assert!(
                !rel.starts_with("attacker/") && !rel.starts_with("tests/"),
                "{rel} is test-only and must not be embedded (build.rs DIRS)"
            );
            assert!(
                !rel.ends_with("rogue.html"),
                "{rel} is test-only and must not be embedded (build.rs TEST_ONLY)"
            );
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("onerror=\"window.__pwned"),
                "{rel} holds the security tests' hostile contacts: they belong in \
                 browser/tests/contacts.mjs"
            );
        }
        assert!(
            FILES.iter().any(|(f, _)| *f == "host/main.ts"),
            "the host page is embedded"
        );
    }
}
