//! `flexgen preview`: the browser harness (the CRM host page on the WASM
//! bridge, the Flex simulator running the generated plugin) for one
//! workspace, served on two loopback origins until Ctrl-C.
//!
//! One job per module: `tools` checks what the build needs, `harness`
//! materialises the embedded harness into `DIR/.flexgen/preview/` and
//! installs its npm packages, `serve` runs it under node and stops it. The
//! spec is checked by the caller first, through the normal pipeline.

mod harness;
mod serve;
mod tools;

use std::io;
use std::path::{Path, PathBuf};

pub use harness::{materialise, npm_install, FILES};
pub use serve::{serve, Urls};
pub use tools::{check_tools, parse_node_major, Missing};

/// What can stop a preview. Messages say what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the preview needs tools that are missing:\n{}", list(.0))]
    Tools(Vec<Missing>),
    #[error("{what}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Harness(String),
}

fn list(missing: &[Missing]) -> String {
    missing
        .iter()
        .map(|m| format!("  - {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> PreviewError {
    let what = what.into();
    move |source| PreviewError::Io { what, source }
}

/// `DIR/.flexgen/`: everything preview writes in a workspace lives here.
pub fn state_dir(workspace: &Path) -> PathBuf {
    workspace.join(".flexgen")
}

/// Creates `DIR/.flexgen/` with a `.gitignore` that keeps all of it out of
/// the user's repository; returns the folder the harness goes in.
pub fn prepare_state_dir(workspace: &Path) -> Result<PathBuf, PreviewError> {
    let state = state_dir(workspace);
    std::fs::create_dir_all(&state).map_err(io_error(format!("creating {}", state.display())))?;
    let ignore = state.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# flexgen preview's builds and packages\n*\n")
            .map_err(io_error(format!("writing {}", ignore.display())))?;
    }
    Ok(state.join("preview"))
}

/// Where the Flex UI bundle (a minute of esbuild, ~18 MB) is kept across
/// runs and workspaces: `$FLEXGEN_CACHE_DIR`, else the user's cache folder
/// (`$XDG_CACHE_HOME/flexgen`, `~/.cache/flexgen`), else the workspace's.
pub fn cache_dir(workspace: &Path) -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("FLEXGEN_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("flexgen");
    }
    if let Some(home) = var("HOME") {
        return PathBuf::from(home).join(".cache").join("flexgen");
    }
    state_dir(workspace).join("cache")
}
