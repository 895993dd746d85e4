//! `flexgen new`: the workspace it lays down (its skeleton is the case
//! tests/cases/new/demo-desk of tests/cases.rs), its refusals (non-empty folder, bad origins, an invalid spec: each
//! writes nothing), `--spec`, and the promise that `cargo generate` renders
//! the same skeleton (the skeleton rendered by liquid, cargo-generate's
//! engine, with the variables cargo-generate supplies).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use flexgen::scaffold::{self, SCHEMA_LINE};

mod common;
use common::{flexgen, read_tree, repo, stderr as stderr_of, tree_differences};

/// The app name of the case tests/cases/new/demo-desk: cargo-generate's `crate_name` for
/// `--name demo-desk`, so `flexgen new demo_desk` and `cargo generate ...
/// --name demo-desk` lay down the same bytes.
const NAME: &str = "demo_desk";

/// Runs `flexgen new NAME ARGS` in a fresh temp dir; returns the dir.
fn new_workspace(args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    flexgen(dir.path())
        .arg("new")
        .arg(NAME)
        .args(args)
        .assert()
        .success();
    dir
}

/// Runs a `flexgen new` that must fail with `code`, leave `dir` exactly as it
/// was and print nothing to stdout; returns stderr.
fn refused(dir: &Path, args: &[&str], code: i32) -> String {
    let before = read_tree(dir, &[]);
    let dirs_before = fs::read_dir(dir).unwrap().count();
    let output = flexgen(dir).arg("new").args(args).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}:\n{stderr}");
    assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(read_tree(dir, &[]), before, "{args:?} changed files");
    assert_eq!(
        fs::read_dir(dir).unwrap().count(),
        dirs_before,
        "{args:?} left something behind"
    );
    stderr
}

#[test]
fn the_new_workspace_validates_and_is_up_to_date() {
    let dir = new_workspace(&[]);
    let ws = dir.path().join(NAME);
    let spec = fs::read_to_string(ws.join("triggers.yaml")).unwrap();
    assert!(spec.starts_with(&format!("{SCHEMA_LINE}\n")), "{spec}");
    assert!(spec.contains(&format!("  name: {NAME}\n")), "{spec}");
    // No production CRM yet; the example page's local origin is for
    // development builds only.
    assert!(spec.contains("  host_origins: []\n"), "{spec}");
    assert!(
        spec.contains("  dev_host_origins: [http://localhost:8080]\n"),
        "{spec}"
    );

    let check = flexgen(&ws).arg("check").assert().success();
    let said = stderr_of(check.get_output());
    assert!(
        said.contains("warning: no production host origin; a production build trusts no CRM page"),
        "{said}"
    );
    let before = read_tree(&ws, &[]);
    flexgen(&ws)
        .args(["generate", "--check"])
        .assert()
        .success()
        .stdout("");
    let again = flexgen(&ws).arg("generate").assert().success();
    assert!(
        stderr_of(again.get_output()).contains("wrote 0 files, removed 0"),
        "{}",
        stderr_of(again.get_output())
    );
    assert_eq!(read_tree(&ws, &[]), before);
}

#[test]
fn origin_flags_land_in_the_spec_and_the_readme() {
    let dir = tempfile::tempdir().unwrap();
    let made = flexgen(dir.path())
        .args([
            "new",
            NAME,
            "--flex-origin",
            "https://flex.acme.example",
            "--host-origin",
            "https://crm.acme.example",
            "--host-origin",
            "http://[::1]:8080",
            "--dev-host-origin",
            "http://localhost:3000",
        ])
        .assert()
        .success();
    // The loopback --host-origin goes to the development list, and `new` says so.
    let said = stderr_of(made.get_output());
    assert!(
        said.contains("note: --host-origin http://[::1]:8080 is on this machine: it goes to `dev_host_origins`"),
        "{said}"
    );
    assert!(!said.contains("warning"), "{said}");
    let ws = dir.path().join(NAME);
    let spec = fs::read_to_string(ws.join("triggers.yaml")).unwrap();
    assert!(
        spec.contains("  flex_origin: https://flex.acme.example\n"),
        "{spec}"
    );
    assert!(
        spec.contains("  host_origins: [https://crm.acme.example]\n"),
        "{spec}"
    );
    assert!(
        spec.contains("  dev_host_origins: [http://localhost:3000, \"http://[::1]:8080\"]\n"),
        "{spec}"
    );
    let readme = fs::read_to_string(ws.join("README.md")).unwrap();
    assert!(
        readme.contains("`frame-src https://flex.acme.example`"),
        "{readme}"
    );
    let page = fs::read_to_string(ws.join("host/index.html")).unwrap();
    for want in [
        "src=\"https://flex.acme.example\"",
        "allow=\"microphone; autoplay\"",
        "frame-src https://flex.acme.example;",
    ] {
        assert!(page.contains(want), "no {want} in\n{page}");
    }
    flexgen(&ws)
        .args(["generate", "--check"])
        .assert()
        .success();
}

#[test]
fn a_non_empty_folder_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(NAME)).unwrap();
    fs::write(dir.path().join(NAME).join("notes.txt"), "mine\n").unwrap();
    let stderr = refused(dir.path(), &[NAME], 2);
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");

    // A file where the folder should go.
    fs::write(dir.path().join("file"), "x").unwrap();
    let stderr = refused(dir.path(), &["file"], 2);
    assert!(stderr.contains("is not a folder"), "{stderr}");
}

#[test]
fn an_existing_empty_folder_is_used() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(NAME)).unwrap();
    flexgen(dir.path()).args(["new", NAME]).assert().success();
    assert!(dir.path().join(NAME).join("triggers.yaml").is_file());
}

#[test]
fn bad_origins_and_names_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (args, wants) in [
        (
            vec![NAME, "--host-origin", "https://crm.acme.example/"],
            vec![
                "--host-origin",
                "trailing `/`",
                "write `https://crm.acme.example`",
            ],
        ),
        (
            vec![NAME, "--flex-origin", "https://*.twilio.com"],
            vec!["--flex-origin", "wildcards are not allowed"],
        ),
        (
            vec![NAME, "--host-origin", "http://crm.acme.example"],
            vec!["plain http outside localhost"],
        ),
        (
            vec![
                NAME,
                "--host-origin",
                "http://localhost:8080",
                "--host-origin",
                "http://localhost:8080",
            ],
            vec!["given twice"],
        ),
        (
            vec![NAME, "--dev-host-origin", "https://crm.acme.example"],
            vec!["--dev-host-origin", "is not a loopback origin"],
        ),
        (
            vec![
                NAME,
                "--dev-host-origin",
                "http://localhost:8080",
                "--host-origin",
                "http://localhost:8080",
            ],
            vec!["given twice"],
        ),
        (vec!["9lives"], vec!["`9lives` is not a valid app name"]),
        (vec!["sub/has space"], vec!["not a valid app name"]),
    ] {
        let stderr = refused(dir.path(), &args, 2);
        for want in wants {
            assert!(stderr.contains(want), "{args:?}: no `{want}` in\n{stderr}");
        }
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_bad_crm_url_is_refused_as_the_flag_s_error() {
    let dir = tempfile::tempdir().unwrap();
    for (args, wants) in [
        (
            vec![NAME, "--crm-url", "https://crm.acme.example/flex"],
            vec![
                "--crm-url `https://crm.acme.example/flex` is only used with --embedding host-in-flex",
                "add `--embedding host-in-flex`",
            ],
        ),
        (
            vec![
                NAME,
                "--embedding",
                "host-in-flex",
                "--crm-url",
                "https://other.example/flex?task={task.taskSid}",
            ],
            vec![
                "--crm-url `https://other.example/flex?task={task.taskSid}`",
                "`https://other.example` is not a host origin",
                "add `https://other.example` with `--host-origin`",
                "point `--crm-url` at",
            ],
        ),
        (
            vec![
                NAME,
                "--embedding",
                "host-in-flex",
                "--crm-url",
                "http://localhost:8080/flex?t={task.nope}",
            ],
            vec!["--crm-url `http://localhost:8080/flex?t={task.nope}`", "`task.nope`"],
        ),
    ] {
        let stderr = refused(dir.path(), &args, 2);
        for want in wants {
            assert!(stderr.contains(want), "{args:?}: no `{want}` in\n{stderr}");
        }
        // The spec was never written: nothing points into it.
        assert!(!stderr.contains("triggers.yaml"), "{args:?}:\n{stderr}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn spec_flag_uses_the_users_spec() {
    let example = repo().join("examples/agent-presence");
    let spec = example.join("triggers.yaml");
    let dir = new_workspace(&["--spec", spec.to_str().unwrap()]);
    let ws = dir.path().join(NAME);

    let original = fs::read_to_string(&spec).unwrap();
    let laid = fs::read_to_string(ws.join("triggers.yaml")).unwrap();
    assert_eq!(laid, format!("{SCHEMA_LINE}\n{original}"));
    // The generated part is the example's own output, file for file.
    let skeleton: Vec<&str> = scaffold::SKELETON.iter().map(|(p, _)| *p).collect();
    let problems = tree_differences(
        &read_tree(&example, &["triggers.yaml", "README.md"]),
        &read_tree(&ws, &skeleton),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The README speaks of the spec's app, not of the folder.
    let readme = fs::read_to_string(ws.join("README.md")).unwrap();
    assert!(readme.starts_with("# agent-presence:"), "{readme}");
    flexgen(&ws)
        .args(["generate", "--check"])
        .assert()
        .success();
}

#[test]
fn spec_flag_refuses_an_invalid_spec_and_the_origin_flags() {
    let dir = tempfile::tempdir().unwrap();
    let bad = repo().join("tests/cases/invalid/duplicate-host-origin/triggers.yaml");
    fs::copy(&bad, dir.path().join("bad.yaml")).unwrap();
    let stderr = refused(dir.path(), &[NAME, "--spec", "bad.yaml"], 1);
    assert!(stderr.contains("--> bad.yaml:"), "{stderr}");
    assert!(stderr.contains("duplicate host origin"), "{stderr}");

    let stderr = refused(
        dir.path(),
        &[
            NAME,
            "--spec",
            "bad.yaml",
            "--host-origin",
            "https://a.example",
        ],
        2,
    );
    assert!(stderr.contains("cannot be used with"), "{stderr}");

    let stderr = refused(dir.path(), &[NAME, "--spec", "missing.yaml"], 2);
    assert!(stderr.contains("cannot read spec missing.yaml"), "{stderr}");
}

/// The `default` of a `[placeholders]` entry of cargo-generate.toml.
fn placeholder_default(toml: &str, name: &str) -> String {
    let line = toml
        .lines()
        .find(|l| l.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no placeholder `{name}` in cargo-generate.toml"));
    let rest = &line[line.find("default = \"").expect("a default") + "default = \"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[test]
fn cargo_generate_renders_the_same_skeleton() {
    let template = repo().join("templates/workspace");
    let toml = fs::read_to_string(template.join("cargo-generate.toml")).unwrap();
    // What cargo-generate puts in the liquid object for `--name demo-desk`
    // with every placeholder at its default (`--silent`), besides `authors`,
    // `username` and `os-arch`, which depend on the machine.
    let globals = liquid::object!({
        "project-name": "demo-desk",
        "crate_name": NAME,
        "crate_type": "bin",
        "authors": "A. Developer <dev@example.com>",
        "username": "dev",
        "os-arch": "linux-x86_64",
        "is_init": false,
        "within_cargo_project": false,
        "flex_origin": placeholder_default(&toml, "flex_origin"),
        "host_origins": placeholder_default(&toml, "host_origins"),
        "dev_host_origins": placeholder_default(&toml, "dev_host_origins"),
    });
    let parser = liquid::ParserBuilder::with_stdlib().build().unwrap();

    let dir = new_workspace(&[]);
    let laid = read_tree(&dir.path().join(NAME), &[]);
    let mut rendered = BTreeMap::new();
    for (path, _) in scaffold::SKELETON {
        let source = fs::read_to_string(template.join(path)).unwrap();
        let text = parser
            .parse(&source)
            .and_then(|t| t.render(&globals))
            .unwrap_or_else(|e| panic!("liquid cannot render {path}: {e}"));
        rendered.insert(path.to_string(), text.into_bytes());
    }
    let skeleton_laid: BTreeMap<String, Vec<u8>> = laid
        .into_iter()
        .filter(|(p, _)| rendered.contains_key(p))
        .collect();
    let problems = tree_differences(&rendered, &skeleton_laid);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
