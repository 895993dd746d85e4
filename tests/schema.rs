//! `triggers.schema.json` against a real JSON Schema validator (the
//! `jsonschema` crate, draft-07): the schema is valid draft-07, accepts every
//! valid spec of the repository, and rejects every invalid spec of the golden
//! suite except the few whose mistake only `flexgen check` can see. Both lists
//! below are exact in both directions, so a schema that gets looser or tighter
//! than the validator fails here.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::{cases_in, repo, spec_files};

/// Invalid specs the schema accepts, and why JSON Schema cannot refuse them.
const ONLY_CHECK_SEES: &[(&str, &str)] = &[
    (
        "arg-type-mismatch",
        "an arg's fit depends on the type of the payload field it names",
    ),
    (
        "bridge-member-clash",
        "member names are derived from several triggers' names",
    ),
    (
        "crm-url-bad-placeholder",
        "a placeholder names a task value of the catalog",
    ),
    (
        "crm-url-foreign-origin",
        "crm_url's origin must be an item of another list",
    ),
    (
        "dev-host-origin-also-production",
        "an item of one list may not be in another",
    ),
    (
        "duplicate-command-name",
        "list items cannot be unique by one key",
    ),
    (
        "duplicate-trigger-name",
        "list items cannot be unique by one key",
    ),
    (
        "field-names-collide",
        "names that collide after case conversion",
    ),
    (
        "optional-feeds-required",
        "an arg names a payload field whose optional flag matters",
    ),
    (
        "trigger-names-collide",
        "names that collide after case conversion",
    ),
    (
        "unknown-payload-field-in-arg",
        "an arg must name a key of the sibling `payload` map",
    ),
];

/// Invalid specs that are not YAML flexgen reads at all: nothing to validate.
const NOT_YAML: &[&str] = &[
    "alias-bomb",
    "duplicate-key",
    "tab-indentation",
    "yaml-syntax-error",
];

fn printed_schema() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_flexgen"))
        .arg("schema")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "flexgen schema failed");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        flexgen::emit::schema::render(env!("CARGO_PKG_VERSION")),
        "`flexgen schema` prints the emitted schema"
    );
    serde_json::from_str(&text).expect("flexgen schema prints JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&printed_schema()).expect("the schema compiles as draft-07")
}

/// The spec as JSON, read by flexgen's own YAML reader (its limits, YAML 1.2
/// booleans, so `on:` stays a key); `None` when it is not YAML flexgen reads.
fn spec_json(path: &Path) -> Option<Value> {
    let source = fs::read_to_string(path).unwrap();
    let tree = flexgen::spec::parse_tree(&source).ok()?;
    Some(to_json(&tree.value))
}

fn to_json(node: &flexgen::spec::Node) -> Value {
    use flexgen::spec::Node;
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Int(i) => Value::from(*i),
        Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(|i| to_json(&i.value)).collect()),
        Node::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.value.clone(), to_json(&v.value)))
                .collect(),
        ),
    }
}

fn errors(validator: &jsonschema::Validator, spec: &Value) -> Vec<String> {
    validator
        .iter_errors(spec)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The cases of tests/cases/invalid/: (folder name, spec).
fn invalid_cases() -> Vec<(String, PathBuf)> {
    let cases: Vec<(String, PathBuf)> = cases_in("invalid")
        .into_iter()
        .map(|c| {
            let name = c.dir.file_name().unwrap().to_string_lossy().into_owned();
            (name, c.dir.join("triggers.yaml"))
        })
        .collect();
    assert!(cases.len() > 50, "found only {} invalid cases", cases.len());
    cases
}

#[test]
fn the_schema_is_valid_draft_07() {
    let schema = printed_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    if let Err(e) = jsonschema::draft7::meta::validate(&schema) {
        panic!("not a valid draft-07 schema: {e} at {}", e.instance_path());
    }
}

#[test]
fn every_valid_spec_passes() {
    let validator = validator();
    let mut specs = spec_files();
    assert!(specs.len() >= 3, "{specs:?}");
    // Specs that `check` only warns about are valid too.
    let more: Vec<PathBuf> = cases_in("warnings")
        .into_iter()
        .map(|c| c.dir.join("triggers.yaml"))
        .collect();
    assert!(!more.is_empty());
    specs.extend(more);
    for spec in specs {
        let source = fs::read_to_string(&spec).unwrap();
        assert!(
            flexgen::pipeline::compile("triggers.yaml", &source).is_ok(),
            "{} is not a valid spec",
            spec.display()
        );
        let json = spec_json(&spec).expect("valid specs are YAML");
        let problems = errors(&validator, &json);
        assert!(
            problems.is_empty(),
            "{} fails the schema:\n{}",
            spec.display(),
            problems.join("\n")
        );
    }
}

#[test]
fn every_invalid_spec_fails_unless_only_check_can_see_its_mistake() {
    let validator = validator();
    let mut not_yaml = Vec::new();
    let mut accepted = Vec::new();
    for (name, path) in invalid_cases() {
        let source = fs::read_to_string(&path).unwrap();
        assert!(
            flexgen::pipeline::compile("triggers.yaml", &source).is_err(),
            "{name} is meant to be invalid"
        );
        match spec_json(&path) {
            None => not_yaml.push(name),
            Some(json) if validator.is_valid(&json) => accepted.push(name),
            Some(_) => {}
        }
    }
    assert_eq!(not_yaml, NOT_YAML, "cases that are not YAML");
    let expected: Vec<&str> = ONLY_CHECK_SEES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        accepted, expected,
        "invalid specs the schema accepts (left) vs. the documented exceptions (right)"
    );
}

/// One mistake made in a copy of the seed.
type Mutation = fn(&mut Value);

#[test]
fn the_schema_says_why_for_typical_mistakes() {
    // A few hand-made variants of the seed, each one mistake, each refused at
    // the right place: the schema is more than a list of keys.
    let validator = validator();
    let seed = spec_json(&repo().join("triggers.yaml")).unwrap();
    let mutations: &[(&str, Mutation)] = &[
        ("/triggers/0/invoke/args/destination", |s| {
            s["triggers"][0]["invoke"]["args"]["destination"] = Value::from(15551234567_i64)
        }),
        ("/triggers/2/when/task.age", |s| {
            s["triggers"][2]["when"]["task.age"] = Value::from("old")
        }),
        ("/triggers/2/payload/queue", |s| {
            s["triggers"][2]["payload"]["queue"]["type"] = Value::from("integer")
        }),
        ("/triggers/3/payload/accepted_at", |s| {
            s["triggers"][3]["payload"]["accepted_at"]
                .as_object_mut()
                .unwrap()
                .remove("optional");
        }),
        ("/triggers/2/payload/caller/from", |s| {
            s["triggers"][2]["payload"]["caller"]["from"] = Value::from("task.attributes.__proto__")
        }),
        ("/triggers/3/payload/customer/from", |s| {
            s["triggers"][3]["payload"]["customer"]["from"][1] = Value::from("task.queueNam")
        }),
        ("/triggers/1/on/event", |s| {
            s["triggers"][1]["on"]["event"] = Value::from("userLoggedIn")
        }),
        ("/triggers/0/invoke/args", |s| {
            s["triggers"][0]["invoke"]["args"]["destination.x"] =
                Value::from("payload.phone_number")
        }),
        ("/app/host_origins/0", |s| {
            s["app"]["host_origins"][0] = Value::from("https://crm.acme.example:443")
        }),
        ("/app/dev_host_origins/0", |s| {
            s["app"]["dev_host_origins"][0] = Value::from("https://staging.acme.example")
        }),
        ("/triggers/0/name", |s| {
            s["triggers"][0]["name"] = Value::from("some")
        }),
        ("/triggers/0/payload/phone_number", |s| {
            s["triggers"][0]["payload"]["phone_number"]["max_length"] = Value::from(20)
        }),
    ];
    assert!(validator.is_valid(&seed));
    for (at, mutate) in mutations {
        let mut spec = seed.clone();
        mutate(&mut spec);
        let problems = errors(&validator, &spec);
        assert!(
            problems.iter().any(|p| p.contains(&format!(" at {at}"))),
            "expected an error at {at}, got:\n{}",
            problems.join("\n")
        );
        // And flexgen agrees that each is a mistake.
        let yaml = serde_json::to_string(&spec).unwrap();
        assert!(
            flexgen::pipeline::compile("triggers.yaml", &yaml).is_err(),
            "flexgen accepts the mutation at {at}"
        );
    }
}

#[test]
fn generate_writes_the_schema_beside_the_spec_and_keeps_hand_made_ones() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        repo().join("triggers.yaml"),
        dir.path().join("triggers.yaml"),
    )
    .unwrap();
    let flexgen = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_flexgen"));
        cmd.current_dir(dir.path());
        cmd
    };
    flexgen().arg("generate").assert().success();
    let written = fs::read_to_string(dir.path().join("triggers.schema.json")).unwrap();
    assert_eq!(
        written,
        flexgen::emit::schema::render(env!("CARGO_PKG_VERSION"))
    );
    flexgen().args(["generate", "--check"]).assert().code(0);

    // An edited generated schema is stale for --check, a hand edit that
    // generate refuses to lose, and rewritten with --force.
    let edited = written.replace("\"minItems\": 1", "\"minItems\": 2");
    fs::write(dir.path().join("triggers.schema.json"), &edited).unwrap();
    let out = flexgen().args(["generate", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("triggers.schema.json"));
    let out = flexgen().arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("triggers.schema.json"));
    assert_eq!(
        fs::read_to_string(dir.path().join("triggers.schema.json")).unwrap(),
        edited
    );
    flexgen().args(["generate", "--force"]).assert().success();
    assert_eq!(
        fs::read_to_string(dir.path().join("triggers.schema.json")).unwrap(),
        written
    );

    // A hand-made schema (no marker) is never overwritten, and nothing else is written.
    let mine = "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\"\n}\n";
    fs::write(dir.path().join("triggers.schema.json"), mine).unwrap();
    fs::remove_dir_all(dir.path().join("bridge")).unwrap();
    let out = flexgen().arg("generate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("triggers.schema.json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("triggers.schema.json")).unwrap(),
        mine
    );
    assert!(!dir.path().join("bridge").exists(), "nothing written");
}

/// The root triggers.yaml's first line points editors at
/// `./triggers.schema.json`, so the repository keeps that file current (the
/// seed's own generated output goes elsewhere, with `--out`).
#[test]
fn the_root_schema_file_is_current() {
    let path = repo().join("triggers.schema.json");
    let want = flexgen::emit::schema::render(env!("CARGO_PKG_VERSION"));
    if common::blessing() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `flexgen schema > triggers.schema.json` (or re-bless with FLEXGEN_BLESS=1)",
        path.display()
    );
    let spec = std::fs::read_to_string(repo().join("triggers.yaml")).unwrap();
    assert!(spec.starts_with("# yaml-language-server: $schema=./triggers.schema.json\n"));
}
