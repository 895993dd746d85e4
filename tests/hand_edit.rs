//! A generated file edited by hand is noticed (its header checksum no longer
//! matches) and not overwritten without `--force` (issue 6): the run stops,
//! names each file and where its code belongs, and writes nothing.

mod common;

use std::fs;

use common::{flexgen, stderr, workspace};

/// The seed with one more trigger, so a run changes every generated file.
fn grown(dir: &std::path::Path) {
    let spec = dir.join("triggers.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(
        spec,
        format!(
            "{text}\n  - name: task_done\n    direction: flex_to_host\n    on: {{ event: taskCompleted }}\n    \
             payload:\n      task_sid: {{ type: string, from: task.taskSid }}\n"
        ),
    )
    .unwrap();
}

fn append(path: &std::path::Path, text: &str) {
    let old = fs::read_to_string(path).unwrap();
    fs::write(path, format!("{old}{text}")).unwrap();
}

#[test]
fn every_generated_file_is_sealed_and_verifies() {
    let dir = workspace();
    let mut seen = 0;
    for rel in [
        "flex-plugin/src/flexgen/runtime/endpoint.ts",
        "bridge/src/generated/bridge.rs",
        "docs/PROTOCOL.md",
        "triggers.schema.json",
    ] {
        let bytes = fs::read(dir.path().join(rel)).unwrap();
        let head = String::from_utf8_lossy(&bytes[..200]).into_owned();
        assert!(head.contains("DO NOT EDIT. checksum:"), "{rel}: {head}");
        assert_eq!(
            flexgen::seal::verify(&bytes),
            flexgen::seal::Seal::Intact,
            "{rel}"
        );
        seen += 1;
    }
    assert_eq!(seen, 4);
}

#[test]
fn an_edited_generated_file_stops_the_run_until_moved_or_forced() {
    let dir = workspace();
    let actions = dir.path().join("flex-plugin/src/flexgen/actions.ts");
    let payloads = dir.path().join("bridge/src/generated/payloads.rs");
    append(&actions, "export const mine = 1;\n");
    append(&payloads, "// my note\n");
    grown(dir.path());
    let before = common::read_tree(dir.path(), &[]);

    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for (file, home) in [
        (
            "flex-plugin/src/flexgen/actions.ts",
            "flex-plugin/src/hooks.ts",
        ),
        ("bridge/src/generated/payloads.rs", "bridge/src/lib.rs"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not named:\n{err}"));
        assert!(line.contains(home), "no place to move it to: {line}");
    }
    assert!(err.contains("--force"), "{err}");
    assert!(
        common::read_tree(dir.path(), &[]) == before,
        "something was written"
    );

    // --check shows the edit in its diff and says why generate will stop.
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("-export const mine"));
    assert!(
        stderr(&out).contains("actions.ts was edited by hand"),
        "{}",
        stderr(&out)
    );

    // add-trigger regenerates too: refused the same way, and the spec stays.
    let spec_before = fs::read_to_string(dir.path().join("triggers.yaml")).unwrap();
    let out = flexgen(dir.path())
        .args([
            "add-trigger",
            "call_ended",
            "--direction",
            "flex-to-host",
            "--event",
            "taskCompleted",
            "--field",
            "task_sid:string@task.taskSid",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("actions.ts"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("triggers.yaml")).unwrap(),
        spec_before
    );

    // Moving the edit out (here: undoing it) lets the run go on.
    let text = fs::read_to_string(&payloads).unwrap();
    fs::write(&payloads, text.replace("// my note\n", "")).unwrap();
    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "actions.ts is still edited");
    assert!(!stderr(&out).contains("payloads.rs"), "{}", stderr(&out));

    // --force throws the edit away and says so.
    let out = flexgen(dir.path())
        .args(["generate", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("replaced flex-plugin/src/flexgen/actions.ts"),
        "{}",
        stderr(&out)
    );
    assert!(!fs::read_to_string(&actions).unwrap().contains("mine"));
    flexgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .code(0);
}

#[test]
fn a_user_file_and_a_file_flexgen_would_not_change_are_never_in_the_way() {
    let dir = workspace();
    // Edited, but the run rewrites nothing there: the same spec again.
    let protocol = dir
        .path()
        .join("flex-plugin/src/flexgen/runtime/endpoint.ts");
    append(&protocol, "\n");
    let hooks = dir.path().join("flex-plugin/src/hooks.ts");
    append(&hooks, "// mine\n");
    // The runtime file differs from what generate writes, so it is refused...
    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("runtime/endpoint.ts"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("hooks.ts:"), "{}", stderr(&out));
    // ...and once it is back as flexgen wrote it, the run is clean; the
    // user's hooks.ts edit was never in question.
    let text = fs::read_to_string(&protocol).unwrap();
    fs::write(&protocol, &text[..text.len() - 1]).unwrap();
    flexgen(dir.path()).arg("generate").assert().success();
    assert!(fs::read_to_string(&hooks).unwrap().ends_with("// mine\n"));
}

/// flexgen's runtime travels into the workspace (`flex-plugin/src/flexgen/
/// runtime/`) stamped with the version that wrote it: a copy left by another
/// flexgen (here: sealed as 0.0.1 wrote it, with older code) is out of date
/// for `generate --check`, and `generate` replaces it, since no one edited it.
#[test]
fn a_runtime_copy_of_another_flexgen_version_is_flagged_and_replaced() {
    let dir = workspace();
    let rel = "flex-plugin/src/flexgen/runtime/ids.ts";
    let path = dir.path().join(rel);
    let current = fs::read_to_string(&path).unwrap();
    let (head, body) = current.split_once('\n').unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let checksum = head.find(" checksum:").expect("a sealed header");
    let old_head = head[..checksum].replace(&format!(" {version} from "), " 0.0.1 from ");
    assert_ne!(old_head, head[..checksum], "{head}");
    let old_body = body.replace("this.counter += 1;", "this.counter++;");
    assert_ne!(old_body, body);
    let old = flexgen::seal::seal(format!("{old_head}\n{old_body}"));
    assert_eq!(
        flexgen::seal::verify(old.as_bytes()),
        flexgen::seal::Seal::Intact
    );
    fs::write(&path, &old).unwrap();

    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains(&format!("+++ b/{rel}")), "{diff}");
    assert!(diff.contains("-// @generated by flexgen 0.0.1"), "{diff}");
    assert!(diff.contains("-    this.counter++;"), "{diff}");

    let out = flexgen(dir.path()).arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&path).unwrap(), current);
    flexgen(dir.path())
        .args(["generate", "--check"])
        .assert()
        .code(0);
}

/// A workspace from before the runtime was a folder holds
/// `flex-plugin/src/flexgen/protocol.ts` and `runtime.ts`: `generate` removes
/// both as stale generated files (a `runtime.ts` left beside `runtime/` would
/// win the generated imports of `./runtime`), and `--check` says so first.
#[test]
fn the_single_file_runtime_of_older_workspaces_goes() {
    let dir = workspace();
    let head = fs::read_to_string(dir.path().join("flex-plugin/src/flexgen/wiring.ts")).unwrap();
    let head = head.lines().next().unwrap();
    let checksum = head.find(" checksum:").expect("a sealed header");
    for name in ["protocol.ts", "runtime.ts"] {
        let old = flexgen::seal::seal(format!(
            "{}\nexport const old = \"{name}\";\n",
            &head[..checksum]
        ));
        fs::write(dir.path().join("flex-plugin/src/flexgen").join(name), old).unwrap();
    }
    let out = flexgen(dir.path())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("flexgen/runtime.ts") && diff.contains("flexgen/protocol.ts"),
        "{diff}"
    );
    flexgen(dir.path()).arg("generate").assert().success();
    for name in ["protocol.ts", "runtime.ts"] {
        assert!(
            !dir.path()
                .join("flex-plugin/src/flexgen")
                .join(name)
                .exists(),
            "{name}"
        );
    }
    assert!(dir
        .path()
        .join("flex-plugin/src/flexgen/runtime/index.ts")
        .is_file());
}
