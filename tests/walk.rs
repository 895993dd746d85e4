//! A new user's path, end to end, with the real tools at every step:
//! `flexgen new demo` -> `flexgen add-trigger` (a WhatsApp trigger of the
//! user's own) -> `flexgen generate` (and `--check` as CI would run it) ->
//! the plugin type-checks with tsc 5 and 7 against the real @twilio/flex-ui -> the
//! bridge builds for wasm32 and runs through wasm-bindgen -> the plugin,
//! no hook written, is built by Twilio's real plugin builder (`flex-plugin
//! build`, the bundle `npm run deploy` uploads) -> every trigger, the new one
//! included, works in headless Chromium across two origins with that bundle
//! loaded as hosted Flex loads a plugin
//! (browser/tests/run.mjs --workspace DIR --real-build).
//!
//! Needs what `scripts/setup.sh` installs (the TypeScript toolchain, the
//! browser harness, Chromium, the wasm32 target and wasm-bindgen-cli).

use std::path::Path;
use std::process::Command;

mod common;
use common::{repo, run, ts_tool};

const FLEXGEN: &str = env!("CARGO_BIN_EXE_flexgen");

/// The user's own trigger: a WhatsApp conversation accepted by an agent.
const WHATSAPP: &[&str] = &[
    "add-trigger",
    "whatsapp_chat_accepted",
    "--direction",
    "flex-to-host",
    "--event",
    "taskAccepted",
    "--channel",
    "chat",
    "--channel-type",
    "whatsapp",
    "--summary",
    "An agent accepted a WhatsApp conversation; the CRM opens the customer.",
    "--field",
    "customer:string@task.attributes.from",
    "--field",
    "task_sid:string@task.taskSid",
    "--field",
    "note={ type: string, optional: true, from: task.attributes.note, doc: \"Shown: as typed\" }",
];

fn flexgen(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(FLEXGEN)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "flexgen {} failed ({:?}):\n{stderr}",
        args.join(" "),
        out.status.code()
    );
    stderr
}

#[test]
fn new_add_trigger_generate_typecheck_build_and_run_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    flexgen(tmp.path(), &["new", "demo"]);
    let demo = tmp.path().join("demo");
    let spec_before = std::fs::read_to_string(demo.join("triggers.yaml")).unwrap();
    assert!(spec_before.starts_with("# yaml-language-server: $schema=./triggers.schema.json"));

    let said = flexgen(&demo, WHATSAPP);
    assert!(
        said.contains("whatsappChatAccepted") && said.contains("(optional)"),
        "add-trigger names the hook one may write:\n{said}"
    );
    let spec = std::fs::read_to_string(demo.join("triggers.yaml")).unwrap();
    assert!(
        spec.starts_with(&spec_before) && spec.contains("channel_type: whatsapp"),
        "add-trigger must only append the new trigger:\n{spec}"
    );

    // generate is a no-op after add-trigger (which regenerated), and CI's
    // `--check` agrees.
    let said = flexgen(&demo, &["generate"]);
    assert!(said.contains("wrote 0 files"), "{said}");
    flexgen(&demo, &["generate", "--check"]);
    let wiring = std::fs::read_to_string(demo.join("flex-plugin/src/flexgen/wiring.ts")).unwrap();
    assert!(wiring.contains("whatsapp"), "{wiring}");
    let protocol = std::fs::read_to_string(demo.join("docs/PROTOCOL.md")).unwrap();
    assert!(protocol.contains("whatsapp_chat_accepted"));

    // The plugin as the user has it, against the real Flex packages.
    let modules = demo.join("flex-plugin/node_modules");
    #[cfg(unix)]
    std::os::unix::fs::symlink(repo().join("tests/toolchain/ts/node_modules"), &modules).unwrap();
    // The workspace's tsconfig must hold for TypeScript 5 and 7 (the native
    // compiler, which dropped options that 5 still takes).
    let compilers = [ts_tool("tsc"), common::ts7_tool()];
    let tsc = |compiler: &Path| {
        Command::new(compiler)
            .args(["--noEmit", "-p"])
            .arg(demo.join("flex-plugin"))
            .output()
            .unwrap()
    };
    // The new trigger needs no code of the user's: the plugin compiles as
    // generated, hooks.ts untouched.
    let compiles = |what: &str| {
        for compiler in &compilers {
            let out = tsc(compiler);
            assert!(
                out.status.success(),
                "{} --noEmit -p demo/flex-plugin failed ({what}):\n{}{}",
                compiler.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    compiles("no hook written");
    // A hook, when written, is checked against the spec: a field the
    // trigger does not have is a compile error that names it ...
    let hooks_ts = demo.join("flex-plugin/src/hooks.ts");
    let hooks = std::fs::read_to_string(&hooks_ts).unwrap();
    let empty = "export const hooks = {} satisfies FlexgenHooks;";
    assert!(hooks.contains(empty), "{hooks}");
    let with_hook = |body: &str| {
        hooks.replace(
            empty,
            &format!(
                "export const hooks = {{\n  whatsappChatAccepted(payload) {{\n    {body}\n  }},\n}} satisfies FlexgenHooks;"
            ),
        )
    };
    std::fs::write(&hooks_ts, with_hook("return payload.task_id !== \"\";")).unwrap();
    for compiler in &compilers {
        let out = tsc(compiler);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success() && said.contains("task_id"),
            "{} should refuse a hook reading a field the trigger lacks:\n{said}",
            compiler.display()
        );
    }
    // ... and a right one compiles. The browser run below takes the
    // workspace with no hook at all.
    std::fs::write(&hooks_ts, with_hook("return payload.task_sid !== \"\";")).unwrap();
    compiles("a hook written");
    std::fs::write(&hooks_ts, &hooks).unwrap();
    std::fs::remove_file(&modules).unwrap();

    // The bridge for wasm32, the plugin by the real builder, and every
    // trigger in Chromium.
    let stdout = common::run_browser_tests(
        &[
            "--workspace".as_ref(),
            demo.as_os_str(),
            "--real-build".as_ref(),
        ],
        &common::shared_build_caches(),
    );
    assert!(
        stdout.contains("plugin.js is flex-plugin build's production bundle"),
        "the workspace's plugin was not the real builder's bundle:\n{stdout}"
    );
    // The added trigger, with no hook written, end to end in that bundle.
    assert!(
        stdout.contains(
            "✔ whatsapp_chat_accepted: taskAccepted in Flex reaches the host with the declared fields"
        ),
        "the added trigger did not reach the host page:\n{stdout}"
    );
    for trigger in [
        "click_to_dial",
        "dial_failed",
        "screen_pop",
        "interaction_logged",
        "whatsapp_chat_accepted",
    ] {
        assert!(
            stdout.contains(trigger),
            "no browser test ran for {trigger}:\n{stdout}"
        );
    }

    // The workspace's own example page, with the bridge built the way its
    // README says, in Chromium.
    let [(_, wasm_target)] = common::shared_build_caches();
    run(
        Command::new("cargo")
            .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
            .current_dir(demo.join("bridge"))
            .env("CARGO_TARGET_DIR", &wasm_target),
        "cargo build of demo/bridge for wasm32",
    );
    run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .arg(demo.join("bridge/pkg"))
            .arg(wasm_target.join("wasm32-unknown-unknown/release/demo_bridge.wasm")),
        "wasm-bindgen of demo/bridge",
    );
    run(
        Command::new("node")
            .arg(repo().join("browser/tests/host-page.mjs"))
            .arg(&demo)
            .arg("1")
            .current_dir(repo()),
        "the workspace's host page in Chromium",
    );
}
