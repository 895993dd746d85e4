//! The generated code end to end in headless Chromium: for the seed spec and
//! every example, the CRM host page on the WASM bridge embeds the Flex
//! simulator (the real Actions Framework of @twilio/flex-ui) on another
//! loopback origin, and browser/tests/run.mjs drives every trigger in both
//! directions plus the security tests (forged, misdirected and malformed
//! messages from a third origin, a wrong window and the legitimate peer) and,
//! for the seed, the robustness tests (handshake order, version skew, the
//! command queue, exactly-once delivery, reloads). A `hostile` case
//! (tests/hostile/browser.yaml) runs every flow with code-running payloads in
//! every free-text field and checks that none of them ran in either frame.
//!
//! The plugin in the pages is what Twilio's real plugin builder makes
//! (`flex-plugin build`, production), loaded as hosted Flex loads a plugin;
//! the builder is installed on first use into `~/.cache/flexgen`
//! (browser/harness/plugin-builder.mjs, a couple of minutes once).
//!
//! Needs what `scripts/setup.sh` installs: Chromium (/usr/bin/chromium), the
//! npm packages of browser/ (browser/install.sh), the wasm32 target and
//! wasm-bindgen-cli; and the npm registry, for the builder's first install. Run alone with
//! `cargo test --release --test browser_e2e -- --nocapture`, or faster while
//! working on the pages: `node browser/tests/run.mjs --case seed`.

use std::process::Command;

mod common;
use common::{repo, run, ts_tool};

#[test]
fn generated_ends_work_together_in_chromium() {
    let browser = repo().join("browser");
    assert!(
        browser.join("node_modules/playwright-core").exists()
            && browser.join("node_modules/@twilio/flex-ui").exists(),
        "the browser harness is not installed: run `bash browser/install.sh` (or scripts/setup.sh)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists() || std::env::var_os("FLEXGEN_CHROMIUM").is_some(),
        "Chromium is missing: run `bash browser/install.sh` (apt-get install chromium) or set FLEXGEN_CHROMIUM"
    );
    // esbuild strips the pages' types without checking them.
    run(
        Command::new(ts_tool("tsc"))
            .args(["-p", "browser/tsconfig.json"])
            .current_dir(repo()),
        "tsc over the browser pages",
    );
    let stdout = common::run_browser_tests(&[], &[]);
    // A run that registered no test would pass vacuously.
    assert!(
        stdout.contains("click_to_dial")
            && stdout.contains("security")
            && stdout.contains("fuzz")
            && stdout.contains("robustness")
            && stdout.contains("hostile text never runs as code")
            && stdout.contains("plugin.js is flex-plugin build's production bundle")
            && stdout.contains("gets Flex's own, as in hosted Flex"),
        "the browser run reported no tests:\n{stdout}"
    );
}
