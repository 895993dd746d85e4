//! The tools a preview build runs, checked before anything is built, each
//! with the exact command that installs it.

use std::fmt;
use std::process::{Command, Stdio};

use crate::emit::bridge_runtime::{manifest_problems, wasm_bindgen_pin};

const NODE_HELP: &str =
    "install Node.js 20 or later with npm (https://nodejs.org/en/download, or `nvm install 20`)";
const RUST_HELP: &str =
    "install Rust with rustup: `curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh`";

/// A tool that is absent or unusable, and how to install it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub tool: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; {}", self.tool, self.problem, self.fix)
    }
}

/// The major version of `node --version` output (`v20.11.1`).
pub fn parse_node_major(version: &str) -> Option<u32> {
    version
        .trim()
        .strip_prefix('v')?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// stdout of `cmd args` when it runs and succeeds.
fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn missing(tool: &str, problem: impl Into<String>, fix: impl Into<String>) -> Missing {
    Missing {
        tool: tool.to_string(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// Every tool the build needs that is absent, too old or the wrong version:
/// all of them at once, so one round of installs is enough.
pub fn check_tools(workspace: &std::path::Path) -> Vec<Missing> {
    let mut found = Vec::new();
    match output("node", &["--version"]) {
        None => found.push(missing("node", "not found on PATH", NODE_HELP)),
        Some(v) => match parse_node_major(&v) {
            Some(major) if major >= 20 => {}
            _ => found.push(missing("node", format!("{v} is older than 20"), NODE_HELP)),
        },
    }
    if output("npm", &["--version"]).is_none() {
        found.push(missing("npm", "not found on PATH", NODE_HELP));
    }
    if output("cargo", &["--version"]).is_none() {
        found.push(missing("cargo", "not found on PATH", RUST_HELP));
    } else {
        let libdir = output(
            "rustc",
            &[
                "--print",
                "target-libdir",
                "--target",
                "wasm32-unknown-unknown",
            ],
        );
        let installed = libdir.is_some_and(|d| has_core(&d));
        if !installed {
            found.push(missing(
                "wasm32-unknown-unknown",
                "the Rust target the bridge is built for is not installed",
                "install it: `rustup target add wasm32-unknown-unknown`",
            ));
        }
    }
    // The user's manifest, scaffolded once: an older one cannot build the
    // bridge this flexgen generates.
    if let Ok(manifest) = std::fs::read_to_string(workspace.join("bridge/Cargo.toml")) {
        for (problem, fix) in manifest_problems(&manifest) {
            found.push(missing("bridge/Cargo.toml", problem, fix));
        }
    }
    let pin = wasm_bindgen_pin();
    let install = format!(
        "install it: `cargo install wasm-bindgen-cli --version {pin} --force` \
         (the version the bridge pins)"
    );
    match output("wasm-bindgen", &["--version"]) {
        None => found.push(missing("wasm-bindgen", "not found on PATH", install)),
        Some(v) if v == format!("wasm-bindgen {pin}") => {}
        Some(v) => found.push(missing(
            "wasm-bindgen",
            format!("`{v}` is not {pin}, the version the bridge pins"),
            install,
        )),
    }
    found
}

/// rustc prints a libdir for any known target; it is installed when the
/// folder holds the target's core library.
fn has_core(libdir: &str) -> bool {
    std::fs::read_dir(libdir).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_bridge_manifest_is_a_missing_piece_with_its_fix() {
        let ws = std::env::temp_dir().join(format!("flexgen-pin-{}", std::process::id()));
        std::fs::create_dir_all(ws.join("bridge")).unwrap();
        std::fs::write(
            ws.join("bridge/Cargo.toml"),
            "[dependencies]\nwasm-bindgen = \"=0.2.99\"\n",
        )
        .unwrap();
        let found = check_tools(&ws);
        std::fs::remove_dir_all(&ws).unwrap();
        let manifest: Vec<&Missing> = found
            .iter()
            .filter(|m| m.tool == "bridge/Cargo.toml")
            .collect();
        assert_eq!(manifest.len(), 2, "{found:?}");
        assert!(manifest[0].fix.contains("flexgen-bridge-runtime"));
        assert!(manifest[1].problem.contains("0.2.99"));
    }

    #[test]
    fn node_major_versions() {
        assert_eq!(parse_node_major("v20.20.2\n"), Some(20));
        assert_eq!(parse_node_major("v18.0.0"), Some(18));
        assert_eq!(parse_node_major("20.1.0"), None);
        assert_eq!(parse_node_major("vx"), None);
    }

    #[test]
    fn the_pin_is_a_version() {
        let pin = wasm_bindgen_pin();
        let parts: Vec<&str> = pin.split('.').collect();
        assert_eq!(parts.len(), 3, "{pin}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{pin}");
    }
}
