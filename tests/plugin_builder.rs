//! The user's path with the generated plugin, on Twilio's real tools
//! (browser/tests/user-path.mjs does the work): `npm install` of the seed's
//! generated flex-plugin/package.json succeeds with nothing added but the
//! test-only `fs` override (the registry here lacks that placeholder
//! package; see browser/harness/plugin-builder.mjs), `npx flex-plugin build`
//! writes `build/plugin-acme-crm.js`, and `npm run build` through the Twilio
//! CLI with its Flex plugin succeeds too.
//!
//! The install is cached outside the clone (`$FLEXGEN_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/flexgen`, else `~/.cache/flexgen`), keyed by the
//! generated package.json: a changed template installs anew, so the test
//! always proves that the current template installs. The browser tests
//! (tests/browser_e2e.rs) build their plugins with the same install. The
//! Twilio CLI is installed into the same cache on first use. Needs Node.js
//! 20+ with npm and the npm registry; nothing else (no browser/install.sh).
//! Run alone with `cargo test --release --test plugin_builder -- --nocapture`.

use std::fs;
use std::process::Command;

mod common;
use common::{flexgen, repo, seed};

#[test]
fn generated_plugin_installs_and_builds_with_twilios_tools() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("triggers.yaml"), seed()).unwrap();
    flexgen(tmp.path())
        .args(["generate", "triggers.yaml", "--out", "out"])
        .assert()
        .success();
    let out = Command::new("node")
        .arg(repo().join("browser/tests/user-path.mjs"))
        .arg(tmp.path().join("out/flex-plugin"))
        .arg(tmp.path().join("work"))
        .current_dir(repo())
        .output()
        .expect("running node (install Node.js 20 or later, with npm)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "the user's path failed (exit {:?}); rerun with `node browser/tests/user-path.mjs DIR/flex-plugin WORK` \
         on a generated DIR:\n{stdout}\n{stderr}",
        out.status.code()
    );
    // Each step reports itself only once it passed its checks.
    for step in [
        "user path: npm install of the generated package.json: ok",
        "user path: npx flex-plugin build: ok (build/plugin-acme-crm.js",
        "user path: npm run build through the Twilio CLI: ok (build/plugin-acme-crm.js",
    ] {
        assert!(stdout.contains(step), "missing `{step}` in:\n{stdout}");
    }
}
