//! The command-line contract: exit codes, `--check`, file ownership, stale
//! removal and all-or-nothing writes, observed from outside the binary.

use std::fs;

mod common;
use common::{flexgen, read_tree, seed, stderr, workspace};

#[test]
fn check_accepts_the_seed_and_defaults_to_triggers_yaml() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("triggers.yaml"), seed()).unwrap();
    let out = flexgen(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is valid (4 triggers)"),
        "{}",
        stderr(&out)
    );
    // check writes nothing.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn check_plan_prints_the_resolved_plan_as_json_on_stdout_only() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("triggers.yaml"), seed()).unwrap();
    let out = flexgen(dir.path())
        .args(["check", "--plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan: flexgen::ir::Plan =
        serde_json::from_slice(&out.stdout).expect("stdout is the plan as JSON");
    let names: Vec<_> = plan
        .triggers
        .iter()
        .map(|t| t.name.snake.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "click_to_dial",
            "dial_failed",
            "screen_pop",
            "interaction_logged"
        ]
    );
    assert_eq!(plan.app.flex_origin, "https://flex.twilio.com");
    // An invalid spec prints diagnostics and no plan.
    fs::write(
        dir.path().join("triggers.yaml"),
        seed().replace("StartOutboundCall", "StartOutbondCall"),
    )
    .unwrap();
    let out = flexgen(dir.path())
        .args(["check", "--plan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        fs::read_dir(dir.path()).unwrap().count() == 1,
        "check wrote a file"
    );
}

#[test]
fn generate_defaults_to_the_spec_folder_and_writes_both_ends() {
    let dir = workspace();
    for path in [
        "flex-plugin/package.json",
        "flex-plugin/src/flexgen/runtime/index.ts",
        "flex-plugin/src/flexgen/wiring.ts",
        "bridge/Cargo.toml",
        "bridge/src/lib.rs",
        "bridge/src/generated/mod.rs",
    ] {
        assert!(dir.path().join(path).is_file(), "{path} was not generated");
    }
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexgen(dir.path()).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = flexgen(dir.path())
        .args(["check", "missing.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cannot read spec missing.yaml"), "{err}");
    assert!(err.contains("help:"), "{err}");

    // An output "folder" that is a file cannot be written into.
    fs::write(dir.path().join("triggers.yaml"), seed()).unwrap();
    fs::write(dir.path().join("blocker"), "not a folder").unwrap();
    let out = flexgen(dir.path())
        .args(["generate", "--out", "blocker"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("blocker")).unwrap(),
        "not a folder"
    );
}

#[test]
fn invalid_spec_exits_1_and_leaves_every_file_as_it_was() {
    let dir = workspace();
    let mut before = read_tree(dir.path(), &[]);
    let broken = seed().replace("StartOutboundCall", "StartOutbondCall");
    fs::write(dir.path().join("triggers.yaml"), &broken).unwrap();
    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `StartOutboundCall`?"),
        "{}",
        stderr(&out)
    );
    let mut after = read_tree(dir.path(), &[]);
    after.remove("triggers.yaml");
    before.remove("triggers.yaml");
    assert_eq!(before, after, "a failed generate changed files");
}

#[test]
fn check_mode_reports_a_diff_exits_1_and_writes_nothing() {
    let dir = workspace();
    // Up to date: exit 0, no diff.
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    // A changed doc string changes generated files.
    let spec = seed().replacen("doc: ", "doc: Changed. ", 1);
    assert_ne!(spec, seed(), "the seed has no doc: to change");
    fs::write(dir.path().join("triggers.yaml"), &spec).unwrap();
    let before = read_tree(dir.path(), &[]);
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("--- ") && diff.contains("+++ "), "{diff}");
    assert!(diff.contains("Changed."), "{diff}");
    assert_eq!(read_tree(dir.path(), &[]), before, "--check wrote files");

    // A hand-deleted generated file also counts as out of date.
    flexgen(dir.path()).arg("generate").assert().success();
    fs::remove_file(dir.path().join("flex-plugin/src/flexgen/runtime/index.ts")).unwrap();
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("runtime/index.ts"));
}

#[test]
fn user_files_are_created_once_and_never_overwritten() {
    let dir = workspace();
    let user_files = [
        "flex-plugin/package.json",
        "flex-plugin/src/index.ts",
        "flex-plugin/src/hooks.ts",
        "bridge/Cargo.toml",
        "bridge/src/lib.rs",
    ];
    for path in user_files {
        let full = dir.path().join(path);
        let mut text = fs::read_to_string(&full).unwrap();
        assert!(
            !text.contains("@generated by flexgen"),
            "{path} is user code but marked generated"
        );
        text.push_str("\n// my edit\n");
        fs::write(&full, text).unwrap();
    }
    // Even when the spec changes.
    let spec = seed().replacen("doc: ", "doc: Changed. ", 1);
    fs::write(dir.path().join("triggers.yaml"), spec).unwrap();
    flexgen(dir.path()).arg("generate").assert().success();
    for path in user_files {
        let text = fs::read_to_string(dir.path().join(path)).unwrap();
        assert!(text.ends_with("// my edit\n"), "{path} was overwritten");
    }
    // A deleted user file comes back.
    fs::remove_file(dir.path().join("flex-plugin/src/hooks.ts")).unwrap();
    flexgen(dir.path()).arg("generate").assert().success();
    assert!(dir.path().join("flex-plugin/src/hooks.ts").is_file());
}

#[test]
fn stale_generated_files_are_removed_and_foreign_files_kept() {
    let dir = workspace();
    let stale = dir.path().join("flex-plugin/src/flexgen/old_trigger.ts");
    fs::write(
        &stale,
        "// @generated by flexgen 0.0.1 from triggers.yaml. DO NOT EDIT.\n",
    )
    .unwrap();
    let mine = dir.path().join("flex-plugin/src/flexgen/notes.ts");
    fs::write(&mine, "// my own file\n").unwrap();
    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stale.exists(), "stale generated file kept");
    assert!(mine.exists(), "a file flexgen did not write was removed");
    assert!(stderr(&out).contains("notes.ts"), "{}", stderr(&out));
}

/// The CRM frame's runtime modules go to `host_in_flex` workspaces only: a
/// workspace switched back to `flex_in_host` loses them as it loses any
/// generated file flexgen no longer writes (listed by `--check`, removed by
/// `generate`, a hand-edited one kept unless `--force`).
#[test]
fn switching_embedding_removes_the_runtime_modules_no_longer_used() {
    let dir = tempfile::tempdir().unwrap();
    let spec =
        fs::read_to_string(common::repo().join("tests/cases/fixtures/crm-in-flex/triggers.yaml"))
            .unwrap();
    fs::write(dir.path().join("triggers.yaml"), &spec).unwrap();
    flexgen(dir.path()).arg("generate").assert().success();
    let runtime = dir.path().join("flex-plugin/src/flexgen/runtime");
    let only_in_flex = [
        "crm_frame.ts",
        "crm_url.ts",
        "frame_peer.ts",
        "host_in_flex.ts",
    ];
    for name in only_in_flex {
        assert!(
            runtime.join(name).is_file(),
            "{name} missing for host_in_flex"
        );
    }

    let in_host: String = spec
        .lines()
        .filter(|l| !l.starts_with("  embedding:") && !l.starts_with("  crm_url:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(in_host, spec, "the fixture sets no embedding");
    fs::write(dir.path().join("triggers.yaml"), &in_host).unwrap();
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = String::from_utf8_lossy(&out.stdout);
    for name in only_in_flex {
        let removal = format!("--- a/flex-plugin/src/flexgen/runtime/{name}\n+++ /dev/null");
        assert!(
            diff.contains(&removal),
            "{name} not listed as removed:\n{diff}"
        );
    }

    // A hand-edited one stops the run, and nothing is removed.
    let edited = runtime.join("frame_peer.ts");
    let mut text = fs::read_to_string(&edited).unwrap();
    text.push_str("// my edit\n");
    fs::write(&edited, text).unwrap();
    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("frame_peer.ts"), "{}", stderr(&out));
    assert!(
        runtime.join("crm_url.ts").is_file(),
        "a refused run removed files"
    );

    flexgen(dir.path())
        .args(["generate", "--force"])
        .assert()
        .success();
    for name in only_in_flex {
        assert!(!runtime.join(name).exists(), "{name} kept for flex_in_host");
    }
    assert!(runtime.join("index.ts").is_file());
    flexgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .success();
}

/// A workspace of a flexgen that copied its bridge runtime into
/// `bridge/src/generated/`: the old copies go, the runtime crate comes, and
/// the user's manifest, which lacks the dependency, is named with the line
/// to add; `generate --check` then notices a runtime copy that is not
/// flexgen's.
#[test]
fn an_older_workspace_gets_the_runtime_crate_and_a_note_on_its_manifest() {
    let dir = workspace();
    let old = dir.path().join("bridge/src/generated/protocol.rs");
    fs::write(
        &old,
        "// @generated by flexgen 0.0.9 from triggers.yaml. DO NOT EDIT.\npub mod protocol {}\n",
    )
    .unwrap();
    let manifest = dir.path().join("bridge/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    let line = "flexgen-bridge-runtime = { path = \"flexgen-runtime\" }";
    assert!(text.contains(line), "{text}");
    fs::write(&manifest, text.replace(line, "")).unwrap();
    fs::remove_dir_all(dir.path().join("bridge/flexgen-runtime")).unwrap();

    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: bridge/Cargo.toml does not depend on flexgen's runtime crate"),
        "{err}"
    );
    assert!(
        err.contains(&format!("help: add under [dependencies]: {line}")),
        "{err}"
    );
    assert!(!old.exists(), "the old runtime copy was kept");
    let lib = dir.path().join("bridge/flexgen-runtime/src/lib.rs");
    assert!(lib.is_file(), "the runtime crate was not written");

    // A runtime copy changed by hand (or left by another flexgen version).
    let core = dir.path().join("bridge/flexgen-runtime/src/core.rs");
    let text = fs::read_to_string(&core).unwrap();
    fs::write(&core, text.replacen(env!("CARGO_PKG_VERSION"), "0.0.9", 1)).unwrap();
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("flexgen-runtime/src/core.rs"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_shows_examples_and_exit_codes_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexgen(dir.path()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Exit status"), "{help}");
    // Every command the top-level help lists, so a new one cannot slip by.
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 3, "{help}");
    for cmd in commands {
        assert!(
            help.contains(&format!("flexgen {cmd}")),
            "the top-level examples show no `flexgen {cmd}`:\n{help}"
        );
        let out = flexgen(dir.path()).args([cmd, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example") && text.contains(&format!("flexgen {cmd}")),
            "{cmd} --help has no example of itself:\n{text}"
        );
    }
}

#[test]
fn completions_complete_commands_and_flags_in_a_real_bash() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexgen(dir.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = dir.path().join("flexgen.bash");
    fs::write(&script, &out.stdout).unwrap();
    // Load the script into bash and ask its completion function what it
    // offers, the way bash does on Tab.
    let complete = |words: &str| -> String {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
             _flexgen flexgen \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &probe])
            .output()
            .expect("bash runs");
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let offered = complete("flexgen ge");
    assert_eq!(offered.trim(), "generate", "{offered}");
    let offered = complete("flexgen generate --ch");
    assert!(offered.lines().any(|l| l == "--check"), "{offered}");
    let offered = complete("flexgen completions ''");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(offered.lines().any(|l| l == shell), "{shell}: {offered}");
    }
    let out = flexgen(dir.path())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// `flexgen docs` writes docs/PROTOCOL.md only, `--check` diffs it, and a
/// hand-written docs/PROTOCOL.md is refused with exit 2.
#[test]
fn docs_writes_only_the_protocol_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/triggers.yaml"),
        dir.path().join("triggers.yaml"),
    )
    .unwrap();
    let docs = |args: &[&str]| flexgen(dir.path()).arg("docs").args(args).output().unwrap();
    let out = docs(&["--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("docs/PROTOCOL.md"));
    assert!(!dir.path().join("docs").exists());

    let out = docs(&[]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("docs/PROTOCOL.md")).unwrap();
    assert!(written.starts_with("<!-- @generated by flexgen "));
    assert!(written.contains("```mermaid\nsequenceDiagram"));
    assert!(!dir.path().join("flex-plugin").exists() && !dir.path().join("bridge").exists());
    assert_eq!(docs(&["--check"]).status.code(), Some(0));

    std::fs::write(dir.path().join("docs/PROTOCOL.md"), "# mine\n").unwrap();
    let out = docs(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docs/PROTOCOL.md"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docs/PROTOCOL.md")).unwrap(),
        "# mine\n"
    );
}
