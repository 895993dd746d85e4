//! `flexgen add-trigger` from outside the binary: the spec edit is a pure
//! insertion, the output is regenerated, and every failure (missing flags,
//! a refused trigger, an I/O error mid-write) leaves every file as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::SystemTime;

mod common;
use common::{flexgen, seed, stderr, workspace};

fn spec_of(dir: &Path) -> String {
    fs::read_to_string(dir.join("triggers.yaml")).unwrap()
}

/// Every entry below `dir` with the bytes and mtime of files.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<(Vec<u8>, SystemTime)>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(rel, None);
                pending.push(path);
            } else {
                let meta = fs::metadata(&path).unwrap();
                out.insert(
                    rel,
                    Some((fs::read(&path).unwrap(), meta.modified().unwrap())),
                );
            }
        }
    }
    out
}

fn assert_up_to_date(dir: &Path) {
    let out = flexgen(dir).args(["generate", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Runs `args` and checks that it failed with `code`, changed nothing, and
/// said each of `says` on stderr.
fn assert_refused(dir: &Path, args: &[&str], code: i32, says: &[&str]) -> String {
    let before = snapshot(dir);
    let out = flexgen(dir).args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}\n{err}");
    for text in says {
        assert!(err.contains(text), "{args:?}: no `{text}` in\n{err}");
    }
    assert_eq!(snapshot(dir), before, "{args:?} changed files");
    err
}

#[test]
fn adds_a_host_to_flex_trigger_as_a_pure_insertion_and_regenerates() {
    let dir = workspace();
    let doc = r#"Shown: in the "log" # not a comment, 'really'"#;
    let field = format!(
        "case_id={{ type: string, max_length: 64, doc: \"{}\" }}",
        doc.replace('"', "\\\"")
    );
    let out = flexgen(dir.path())
        .args([
            "add-trigger",
            "open_case",
            "--direction",
            "host-to-flex",
            "--summary",
            "The CRM opens a case view: in Flex",
            "--user-action",
            "click # Open case",
            "--action",
            "NavigateToView",
            "--field",
            &field,
            "--field",
            "view:string",
            "--arg",
            "viewName=payload.view",
            "--timeout-ms",
            "5000",
            "--queue-for-ms",
            "1000",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("added trigger `open_case` to triggers.yaml"),
        "{err}"
    );
    assert!(
        err.contains("updated bridge/src/generated/bridge.rs"),
        "{err}"
    );
    assert!(err.contains("`openCase(payload)`"), "{err}");

    // Only an insertion: the seed, byte for byte, then the new item.
    let spec = spec_of(dir.path());
    let seed = seed();
    assert!(spec.starts_with(&seed), "{spec}");
    assert_eq!(
        &spec[seed.len()..],
        "\n  - name: open_case\n    summary: \"The CRM opens a case view: in Flex\"\n    \
         direction: host_to_flex\n    user_action: \"click # Open case\"\n    payload:\n      \
         case_id: { type: string, max_length: 64, doc: \"Shown: in the \\\"log\\\" # not a \
         comment, 'really'\" }\n      view: { type: string }\n    invoke:\n      \
         action: NavigateToView\n      args:\n        viewName: payload.view\n      \
         timeout_ms: 5000\n    if_not_ready: { queue_for_ms: 1000 }\n"
    );
    // What the user typed reads back exactly.
    let parsed = flexgen::spec::parse(&spec).unwrap();
    let added = parsed.triggers.last().unwrap();
    assert_eq!(added.payload[0].1.doc.as_ref().unwrap().value, doc);
    assert_eq!(
        added.summary.as_ref().unwrap().value,
        "The CRM opens a case view: in Flex"
    );

    assert_up_to_date(dir.path());
    let bridge = fs::read_to_string(dir.path().join("bridge/src/generated/bridge.rs")).unwrap();
    assert!(
        bridge.contains("pub fn open_case(&self, payload: OpenCasePayload) -> Reply"),
        "no open_case in bridge.rs"
    );
    let wiring = fs::read_to_string(dir.path().join("flex-plugin/src/flexgen/wiring.ts")).unwrap();
    assert!(wiring.contains("open_case"), "no open_case in wiring.ts");
}

#[test]
fn adds_a_whatsapp_flex_to_host_trigger_in_the_spec_spelling() {
    let dir = workspace();
    let out = flexgen(dir.path())
        .args([
            "add-trigger",
            "whatsapp_accepted",
            "--direction",
            "flex_to_host",
            "--event",
            "taskAccepted",
            "--channel",
            "chat",
            "--channel-type",
            "whatsapp",
            "--when",
            "task.attributes.direction=inbound",
            "--field",
            "customer:string@task.attributes.from",
            "--field",
            "accepted_at:datetime?@timing.acceptedAt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let spec = spec_of(dir.path());
    assert!(spec.starts_with(&seed()));
    assert!(spec.ends_with(
        "    channel: chat\n    channel_type: whatsapp\n    on: { event: taskAccepted }\n    \
         when:\n      task.attributes.direction: inbound\n    payload:\n      \
         customer: { type: string, from: task.attributes.from }\n      \
         accepted_at: { type: datetime, from: timing.acceptedAt, optional: true }\n"
    ));
    assert_up_to_date(dir.path());

    let out = flexgen(dir.path())
        .args(["check", "--plan"])
        .output()
        .unwrap();
    let plan: flexgen::ir::Plan = serde_json::from_slice(&out.stdout).unwrap();
    let added = plan.triggers.last().unwrap();
    assert_eq!(added.name.snake, "whatsapp_accepted");
    let filters: Vec<_> = added
        .listen
        .as_ref()
        .unwrap()
        .filters
        .iter()
        .map(|f| (f.source.path.as_str(), f.equals_json.as_str()))
        .collect();
    assert!(
        filters.contains(&("task.channelType", "\"whatsapp\"")),
        "{filters:?}"
    );
    let bridge = fs::read_to_string(dir.path().join("bridge/src/generated/bridge.rs")).unwrap();
    assert!(bridge.contains("on_whatsapp_accepted"), "no subscription");
}

#[test]
fn missing_flags_are_listed_at_once_without_a_terminal() {
    let dir = workspace();
    let err = assert_refused(
        dir.path(),
        &["add-trigger", "call_back"],
        2,
        &[
            "stdin or stderr is not a terminal",
            "--direction host-to-flex|flex-to-host",
            "--action ACTION  or  --event EVENT",
            "example:\n  flexgen add-trigger call_back --direction host-to-flex",
        ],
    );
    assert!(
        !err.contains("Direction:"),
        "asked without a terminal:\n{err}"
    );
    assert_refused(
        dir.path(),
        &[
            "add-trigger",
            "call_back",
            "--direction",
            "host-to-flex",
            "--action",
            "SendDTMFDigits",
        ],
        2,
        &[
            "--arg digits=payload.<field>",
            "SendDTMFDigits requires `digits`",
        ],
    );
    assert_refused(
        dir.path(),
        &["add-trigger", "x", "--direction", "flex-to-host"],
        2,
        &["--event EVENT  or  --after ACTION  or  --before ACTION"],
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = workspace();
    let host = ["add-trigger", "x", "--direction", "host-to-flex"];
    for (extra, says) in [
        (
            &["--event", "taskAccepted"][..],
            "--event/--after/--before is only for flex-to-host",
        ),
        (&["--field", "nocolon"][..], "--field `nocolon`: no `:`"),
        (&["--arg", "viewName"][..], "expected `KEY=VALUE`"),
        (
            &["--field", "a={ tpye: string }"][..],
            "did you mean `type`?",
        ),
    ] {
        let args: Vec<&str> = host.iter().chain(extra).copied().collect();
        assert_refused(dir.path(), &args, 2, &[says]);
    }
    assert_refused(
        dir.path(),
        &["add-trigger", "x", "--direction", "sideways"],
        2,
        &["possible values: host-to-flex, flex-to-host"],
    );
    assert_refused(
        dir.path(),
        &[
            "add-trigger",
            "x",
            "--event",
            "taskAccepted",
            "--after",
            "CompleteTask",
        ],
        2,
        &["cannot be used with"],
    );
}

#[test]
fn a_refused_trigger_shows_the_diagnostics_and_writes_nothing() {
    let dir = workspace();
    let base = [
        "add-trigger",
        "--direction",
        "host-to-flex",
        "--field",
        "view:string",
        "--arg",
        "viewName=payload.view",
    ];
    let with = |name: &'static str, action: &'static str| {
        let mut args = base.to_vec();
        args.insert(1, name);
        args.extend(["--action", action]);
        args
    };
    assert_refused(
        dir.path(),
        &with("click_to_dial", "NavigateToView"),
        1,
        &[
            "the new trigger `click_to_dial` was refused",
            "duplicate trigger name `click_to_dial`",
            "`click_to_dial` not added; triggers.yaml and the generated files are unchanged",
        ],
    );
    assert_refused(
        dir.path(),
        &with("open_view", "NavigateToVeiw"),
        1,
        &[
            "unknown Flex action `NavigateToVeiw`",
            "did you mean `NavigateToView`?",
        ],
    );
    // An invalid spec is not blamed on the new trigger.
    fs::write(
        dir.path().join("triggers.yaml"),
        seed().replace("StartOutboundCall", "StartOutbondCall"),
    )
    .unwrap();
    assert_refused(
        dir.path(),
        &with("open_view", "NavigateToView"),
        1,
        &["triggers.yaml is invalid before anything is added"],
    );
}

#[test]
fn an_io_failure_while_writing_leaves_spec_and_output_as_they_were() {
    let dir = workspace();
    // A file where the plugin's generated folder must be: the spec and the
    // bridge files are staged before writing into it fails.
    let flexgen_dir = dir.path().join("flex-plugin/src/flexgen");
    fs::remove_dir_all(&flexgen_dir).unwrap();
    fs::write(&flexgen_dir, "in the way\n").unwrap();
    assert_refused(
        dir.path(),
        &[
            "add-trigger",
            "open_view",
            "--direction",
            "host-to-flex",
            "--action",
            "NavigateToView",
            "--field",
            "view:string",
            "--arg",
            "viewName=payload.view",
        ],
        2,
        &["nothing was changed", "flex-plugin/src/flexgen"],
    );
}

#[test]
fn writes_into_out_and_keeps_a_spec_elsewhere_in_step() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("spec")).unwrap();
    fs::write(dir.path().join("spec/triggers.yaml"), seed()).unwrap();
    flexgen(dir.path())
        .args([
            "add-trigger",
            "open_view",
            "--spec",
            "spec/triggers.yaml",
            "--out",
            "out",
            "--direction",
            "host-to-flex",
            "--action",
            "NavigateToView",
            "--field",
            "view:string",
            "--arg",
            "viewName=payload.view",
        ])
        .assert()
        .success();
    assert!(spec_of(&dir.path().join("spec")).contains("- name: open_view"));
    assert!(dir
        .path()
        .join("out/bridge/src/generated/bridge.rs")
        .exists());
    assert!(!dir.path().join("spec/bridge").exists());
    flexgen(dir.path())
        .args(["generate", "spec/triggers.yaml", "--out", "out", "--check"])
        .assert()
        .success();
}

/// The prompts, answered through a real pseudo-terminal: util-linux `script`
/// gives the binary a pty as stdin and stderr and feeds it our answers line
/// by line (a typo first, then its fix).
#[test]
fn on_a_terminal_it_asks_for_what_is_missing() {
    let found = StdCommand::new("script").arg("--version").output();
    assert!(
        found.map(|o| o.status.success()).unwrap_or(false),
        "`script` is missing: install util-linux (apt-get install util-linux) to test the prompts"
    );
    let dir = workspace();
    let command = format!(
        "'{}' add-trigger call_back --summary 'Call the customer back'",
        env!("CARGO_BIN_EXE_flexgen")
    );
    let answers = "1\n1\nStartOutbondCall\nStartOutboundCall\nphone:e164\nnote={ type: string, optional: true, doc: \"Why: see # notes\" }\n\n\n";
    let mut child = StdCommand::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}{}", stderr(&out));
    for text in [
        "direction [1/2]: ",
        "did you mean `StartOutboundCall`?",
        "field (empty to finish): ",
        "StartOutboundCall requires `destination` (string): payload.<field> or a literal [payload.phone]: ",
        "added trigger `call_back`",
    ] {
        assert!(shown.contains(text), "no `{text}` in\n{shown}");
    }
    let spec = spec_of(dir.path());
    assert_eq!(
        spec,
        format!(
            "{}\n  - name: call_back\n    summary: Call the customer back\n    \
             direction: host_to_flex\n    payload:\n      phone: {{ type: e164 }}\n      \
             note: {{ type: string, optional: true, doc: \"Why: see # notes\" }}\n    \
             invoke:\n      action: StartOutboundCall\n      args:\n        \
             destination: payload.phone\n",
            seed()
        )
    );
    assert_up_to_date(dir.path());
}

#[test]
fn adds_a_data_tab_to_a_new_workspace_and_regenerates() {
    let root = tempfile::tempdir().unwrap();
    let new = flexgen(root.path()).args(["new", "desk"]).output().unwrap();
    assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));
    let dir = root.path().join("desk");
    let tabs = dir.join("flex-plugin/src/flexgen/tabs.tsx");
    assert!(!tabs.exists(), "a seed workspace has no data tab yet");
    let before = spec_of(&dir);
    let out = flexgen(&dir)
        .args([
            "add-trigger",
            "customer_card",
            "--direction",
            "host-to-flex",
            "--field",
            "task_sid:string",
            "--field",
            "crm_id:string",
            "--show-label",
            "Customer",
            "--show-task",
            "payload.task_sid",
            "--show-field",
            "CRM id=payload.crm_id",
            "--show-field",
            "From: <b>=task.attributes.from",
            "--show-in",
            "task_canvas_tab",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let spec = spec_of(&dir);
    assert!(spec.starts_with(&before), "{spec}");
    assert_eq!(
        &spec[before.len()..],
        "\n  - name: customer_card\n    direction: host_to_flex\n    payload:\n      \
         task_sid: { type: string }\n      crm_id: { type: string }\n    show:\n      \
         in: task_canvas_tab\n      label: Customer\n      task: payload.task_sid\n      \
         fields:\n        CRM id: payload.crm_id\n        \"From: <b>\": task.attributes.from\n"
    );
    let parsed = flexgen::spec::parse(&spec).unwrap();
    assert!(parsed.triggers.last().unwrap().show.is_some());
    assert!(tabs.exists(), "no tabs.tsx after adding a data tab");
    let tsx = fs::read_to_string(&tabs).unwrap();
    assert!(tsx.contains("Customer"), "{tsx}");
    assert_up_to_date(&dir);
}

#[test]
fn show_flags_and_action_flags_are_refused_together() {
    let dir = workspace();
    assert_refused(
        dir.path(),
        &[
            "add-trigger",
            "both",
            "--direction",
            "host-to-flex",
            "--field",
            "task_sid:string",
            "--action",
            "NavigateToView",
            "--show-label",
            "Customer",
            "--no-input",
        ],
        2,
        &[
            "--action and --show-label cannot be combined",
            "drop one set",
        ],
    );
    assert_refused(
        dir.path(),
        &[
            "add-trigger",
            "bad_row",
            "--direction",
            "host-to-flex",
            "--show-label",
            "Customer",
            "--show-field",
            "Name",
            "--no-input",
        ],
        2,
        &[
            "--show-field `Name`",
            "expected `KEY=VALUE`",
            "LABEL=payload.<field>",
        ],
    );
}
