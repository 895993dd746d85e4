//! The generated Flex plugin type-checks with the real toolchain: `tsc`
//! (strict) against the real @twilio/flex-ui 2.17.1 and @twilio/flex-plugin
//! 7.1.2, installed by `tests/toolchain/ts/install.sh`. The generated files
//! are also checked with prettier, so they are left exactly as prettier would
//! leave them.
//!
//! Cases: the seed `triggers.yaml` and every `examples/*/triggers.yaml`
//! through `pipeline::compile`, plus the emitters' fixtures (the specs of
//! tests/cases/fixtures/, compiled the same way), one of them full of
//! hostile text.

use std::path::{Path, PathBuf};
use std::process::Command;

use flexgen::emit::{plugin, OutFile, Owner};

mod common;
use common::{repo, run, spec_files, ts_tool};
use flexgen::ir::Plan;

/// The emitters' fixtures: specs of tests/cases/fixtures/ and the seed,
/// compiled through the real front end.
mod fixtures {
    use crate::common::fixture;
    use flexgen::ir::Plan;

    pub fn seed() -> Plan {
        let source = std::fs::read_to_string(crate::common::repo().join("triggers.yaml")).unwrap();
        flexgen::pipeline::compile("triggers.yaml", &source).unwrap()
    }
    pub fn omnichannel() -> Plan {
        fixture("omnichannel")
    }
    pub fn commands_only() -> Plan {
        fixture("commands-only")
    }
    pub fn events_only() -> Plan {
        fixture("events-only")
    }
    pub fn hostile() -> Plan {
        fixture("hostile")
    }
    pub fn crm_in_flex() -> Plan {
        fixture("crm-in-flex")
    }
}

fn toolchain() -> PathBuf {
    repo().join("tests/toolchain/ts/node_modules")
}

/// A toolchain command, once the Flex packages it checks against are there.
fn tool(name: &str) -> PathBuf {
    let path = ts_tool(name);
    assert!(
        toolchain().join("@twilio/flex-ui/package.json").exists(),
        "@twilio/flex-ui is missing: run tests/toolchain/ts/install.sh"
    );
    path
}

/// Writes the plugin of `plan` into a temp folder with the toolchain's
/// node_modules linked in, and returns the folder.
fn write_plugin(plan: &Plan) -> (tempfile::TempDir, Vec<OutFile>) {
    let files = plugin::emit(plan).expect("emit");
    let dir = tempfile::tempdir().expect("temp dir");
    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.contents).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(toolchain(), dir.path().join("flex-plugin/node_modules")).unwrap();
    (dir, files)
}

/// tsc --noEmit (strict, per the generated tsconfig) and prettier --check of
/// the generated files.
fn check(name: &str, plan: &Plan, prettier: bool) {
    let tsc = tool("tsc");
    let (dir, files) = write_plugin(plan);
    let root = dir.path().join("flex-plugin");
    if let Ok(keep) = std::env::var("FLEXGEN_KEEP_PLUGIN") {
        let dest = Path::new(&keep).join(name);
        let _ = std::fs::remove_dir_all(&dest);
        for file in &files {
            let path = dest.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        }
    }
    run(
        Command::new(&tsc).arg("--noEmit").arg("-p").arg(&root),
        &format!("{name}: tsc --noEmit -p flex-plugin"),
    );
    // The generated files (not the user's) must also hold under the
    // strictest flags a user may turn on in their own tsconfig.
    std::fs::write(
        root.join("tsconfig.strictest.json"),
        r#"{
  "extends": "./tsconfig.json",
  "compilerOptions": {
    "noUnusedLocals": true,
    "noUnusedParameters": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "noPropertyAccessFromIndexSignature": true,
    "noImplicitReturns": true
  },
  "include": ["src/flexgen/**/*.ts"]
}
"#,
    )
    .unwrap();
    run(
        Command::new(&tsc)
            .arg("--noEmit")
            .arg("-p")
            .arg(root.join("tsconfig.strictest.json")),
        &format!("{name}: tsc --noEmit with the strictest flags"),
    );
    if prettier {
        let mut cmd = Command::new(tool("prettier"));
        cmd.arg("--check").current_dir(dir.path());
        for file in files
            .iter()
            .filter(|f| f.path.ends_with(".ts") || f.owner == Owner::User)
        {
            cmd.arg(&file.path);
        }
        run(&mut cmd, &format!("{name}: prettier --check"));
    }
}

#[test]
fn fixture_seed_type_checks() {
    check("fixture-seed", &fixtures::seed(), true);
}

#[test]
fn fixture_omnichannel_type_checks() {
    check("fixture-omnichannel", &fixtures::omnichannel(), true);
}

#[test]
fn fixture_commands_only_type_checks() {
    check("fixture-commands-only", &fixtures::commands_only(), true);
}

#[test]
fn fixture_events_only_type_checks() {
    check("fixture-events-only", &fixtures::events_only(), true);
}

/// `app.embedding: host_in_flex`: the CRM frame in Flex's CRM container
/// against the real `CRMContainer.Content` declarations.
#[test]
fn fixture_crm_in_flex_type_checks() {
    check("fixture-crm-in-flex", &fixtures::crm_in_flex(), true);
}

/// Hostile free text must not break the TypeScript (prettier may legitimately
/// prefer other quotes for strings full of `"`, so only tsc here).
#[test]
fn fixture_hostile_type_checks() {
    check("fixture-hostile", &fixtures::hostile(), false);
}

#[test]
fn seed_and_examples_type_check() {
    // Every spec is tried, so one report names every failing one.
    let mut failures = Vec::new();
    for spec in spec_files() {
        let source = std::fs::read_to_string(&spec).unwrap();
        let label = spec.strip_prefix(repo()).unwrap().display().to_string();
        let outcome = std::panic::catch_unwind(|| {
            let plan = flexgen::pipeline::compile(&label, &source)
                .unwrap_or_else(|d| panic!("{label} does not compile: {:#?}", d.items));
            check(&label.replace('/', "_"), &plan, true);
        });
        if outcome.is_err() {
            failures.push(label);
        }
    }
    assert!(failures.is_empty(), "failed (see above): {failures:?}");
}

/// The design promise: a trigger added to the spec needs no code of the
/// user's: with the `hooks.ts` from before it, the plugin compiles. A hook
/// the user writes is still checked against the spec: one that reads a field
/// its trigger lacks is a compile error naming it (which also proves this
/// harness sees tsc failures).
#[test]
fn a_new_trigger_needs_no_hook_and_a_wrong_hook_does_not_compile() {
    let tsc = tool("tsc");
    let plan = fixtures::seed();
    let mut older = plan.clone();
    older.triggers.pop();
    let (dir, _) = write_plugin(&plan);
    let old_hooks = plugin::emit(&older)
        .unwrap()
        .into_iter()
        .find(|f| f.path == "flex-plugin/src/hooks.ts")
        .unwrap();
    let hooks_ts = dir.path().join(&old_hooks.path);
    let compile = || {
        Command::new(&tsc)
            .arg("--noEmit")
            .arg("-p")
            .arg(dir.path().join("flex-plugin"))
            .output()
            .unwrap()
    };
    std::fs::write(&hooks_ts, &old_hooks.contents).unwrap();
    let out = compile();
    assert!(
        out.status.success(),
        "tsc refused hooks.ts from before the last trigger:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let empty = "export const hooks = {} satisfies FlexgenHooks;";
    assert!(old_hooks.contents.contains(empty), "{}", old_hooks.contents);
    let wrong = old_hooks.contents.replace(
        empty,
        "export const hooks = {\n  interactionLogged(payload) {\n    return payload.no_such_field !== undefined;\n  },\n} satisfies FlexgenHooks;",
    );
    std::fs::write(&hooks_ts, wrong).unwrap();
    let out = compile();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "tsc accepted a hook reading a field its trigger lacks"
    );
    assert!(
        stdout.contains("src/hooks.ts") && stdout.contains("no_such_field"),
        "unexpected tsc output:\n{stdout}"
    );
}
