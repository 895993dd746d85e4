//! The wire protocol has one source, `generator/protocol.rs`, and its
//! envelope cannot change without a version bump.
//!
//! - An approval test in the style of wasm-bindgen's schema hash: the hash of
//!   the envelope's shape (message kinds, their keys and types, the error
//!   codes) is stored next to `PROTOCOL_VERSION` as `APPROVED_ENVELOPE`. A
//!   different hash under the same version fails: bump the version, then
//!   re-bless (`FLEXGEN_BLESS=1 cargo test --release --locked --test protocol`).
//! - The runtimes match that shape: the plugin's message interfaces (in
//!   `runtime/plugin/src/envelopes.ts`) and the bridge's envelope keys (in
//!   `runtime/bridge/src/limits.rs`) are read from their sources, and neither
//!   runtime spells the version, the error codes or the limits itself.
//! - Each runtime's repository copy of its constants
//!   (`runtime/bridge/src/protocol_constants.rs`,
//!   `runtime/plugin/src/protocol_constants.ts`) is what flexgen writes into
//!   a workspace, header aside (re-bless with `FLEXGEN_BLESS=1`).
//! - docs/protocol.md names the same version, codes and limits.

use std::fs;
use std::path::Path;

use flexgen::protocol::{
    envelope_hash, envelope_shape, APPROVED_ENVELOPE, COMMAND_QUEUE_LIMIT, ENVELOPE, ERROR_CODES,
    EVENT_QUEUE_LIMIT, EVENT_QUEUE_MS, LIMITS, LIVE_COMMAND_LIMIT, PROTOCOL_VERSION, RECENT_IDS,
};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const SOURCE: &str = "generator/protocol.rs";

/// The plugin runtime's module of the envelope's interfaces.
const TS_ENVELOPES: &str = "runtime/plugin/src/envelopes.ts";

/// Every module of the plugin runtime but the generated constants:
/// `(path, text)`.
fn plugin_runtime() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(repo().join("runtime/plugin/src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "protocol_constants.ts")
        .map(|name| {
            let rel = format!("runtime/plugin/src/{name}");
            let text = read(&rel);
            (rel, text)
        })
        .collect();
    files.sort();
    assert!(files.len() > 5, "runtime/plugin/src/ is nearly empty");
    files
}

/// The repository's copy `rel` of a runtime's constants equals `body`, what
/// flexgen writes into a workspace behind the header (`FLEXGEN_BLESS=1`
/// rewrites it).
fn runtime_copy_is(rel: &str, body: &str, writer: &str) {
    let path = repo().join(rel);
    if fs::read_to_string(&path).unwrap_or_default() == body {
        return;
    }
    if std::env::var_os("FLEXGEN_BLESS").is_some_and(|v| v == "1") {
        fs::write(&path, body).unwrap();
        eprintln!("blessed: {rel}");
        return;
    }
    panic!(
        "{rel} differs from what flexgen writes into a workspace (emit::constants::\
         {writer}, from {SOURCE}): re-bless with `FLEXGEN_BLESS=1 cargo test \
         --release --locked --test protocol`; never edit it by hand"
    );
}

#[test]
fn the_plugin_runtime_s_constants_are_what_flexgen_writes() {
    runtime_copy_is(
        flexgen::emit::constants::TS_REPO_PATH,
        &flexgen::emit::constants::typescript_body(),
        "typescript_body",
    );
}

#[test]
fn the_envelope_changes_only_with_a_version_bump() {
    let (approved_version, approved_hash) = APPROVED_ENVELOPE;
    let hash = envelope_hash();
    if approved_version == PROTOCOL_VERSION && approved_hash == hash {
        return;
    }
    let bless = std::env::var_os("FLEXGEN_BLESS").is_some_and(|v| v == "1");
    assert!(
        approved_version != PROTOCOL_VERSION,
        "the envelope changed; bump the protocol version and re-bless.\n  \
         The envelope's shape hashes to {hash}, but {SOURCE} approved {approved_hash} for \
         PROTOCOL_VERSION {PROTOCOL_VERSION}. Both runtimes check `v`, so ends of different \
         envelopes must not take each other for the same protocol: raise PROTOCOL_VERSION in \
         {SOURCE} (and docs/protocol.md), then run \
         `FLEXGEN_BLESS=1 cargo test --release --locked --test protocol`.\n\
         The shape now:\n{}",
        envelope_shape()
    );
    assert!(
        PROTOCOL_VERSION > approved_version,
        "PROTOCOL_VERSION ({PROTOCOL_VERSION}) went down from the approved \
         {approved_version}: versions only grow; raise it above {approved_version} in {SOURCE}"
    );
    let path = repo().join(SOURCE);
    let text = fs::read_to_string(&path).unwrap();
    let old =
        format!("APPROVED_ENVELOPE: (u32, &str) = ({approved_version}, \"{approved_hash}\");");
    let new = format!("APPROVED_ENVELOPE: (u32, &str) = ({PROTOCOL_VERSION}, \"{hash}\");");
    assert!(
        text.contains(&old),
        "{SOURCE} no longer reads `{old}`: keep APPROVED_ENVELOPE on one line"
    );
    if bless {
        fs::write(&path, text.replacen(&old, &new, 1)).unwrap();
        eprintln!("blessed: {SOURCE}: {new}");
        return;
    }
    panic!(
        "PROTOCOL_VERSION is {PROTOCOL_VERSION} but {SOURCE} approved the envelope of version \
         {approved_version}: re-bless with `FLEXGEN_BLESS=1 cargo test --release --locked \
         --test protocol` (it records `{new}`)"
    );
}

/// The keys of `interface <name> { ... }` in TypeScript source:
/// `(key, optional, type)`.
fn ts_interface(source: &str, name: &str) -> Vec<(String, bool, String)> {
    let start = source
        .find(&format!("export interface {name} {{"))
        .unwrap_or_else(|| panic!("{TS_ENVELOPES} has no `interface {name}`"));
    let body = &source[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("/**") && !l.starts_with('*'))
        .map(|line| {
            let line = line.strip_suffix(';').unwrap_or(line);
            let (key, ty) = line.split_once(':').unwrap();
            let optional = key.ends_with('?');
            (
                key.trim_end_matches('?').to_string(),
                optional,
                ty.trim().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_plugin_runtime_declares_the_envelope_of_the_one_source() {
    let ts = read(TS_ENVELOPES);
    for kind in ENVELOPE {
        let declared = ts_interface(&ts, kind.interface);
        let expected: Vec<(String, bool, String)> = kind
            .keys
            .iter()
            .map(|k| (k.name.to_string(), k.optional, k.ty.typescript()))
            .collect();
        assert_eq!(
            declared, expected,
            "{TS_ENVELOPES} `{}` differs from the `{}` envelope of {SOURCE}: \
             change both (then the approval test asks for a version bump)",
            kind.interface, kind.name
        );
    }
}

/// The bridge runtime's own sources (its tests and constants file aside).
fn bridge_runtime() -> String {
    let dir = repo().join(BRIDGE_RUNTIME);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs") && n != "protocol_constants.rs")
        .collect();
    names.sort();
    assert!(names.len() > 3, "{BRIDGE_RUNTIME} holds {names:?}");
    names
        .iter()
        .map(|n| read(&format!("{BRIDGE_RUNTIME}/{n}")))
        .collect()
}

const BRIDGE_RUNTIME: &str = "runtime/bridge/src";

#[test]
fn the_bridge_runtime_s_constants_are_what_flexgen_writes() {
    runtime_copy_is(
        flexgen::emit::constants::RUST_REPO_PATH,
        &flexgen::emit::constants::rust_body(),
        "rust_body",
    );
}

#[test]
fn the_bridge_runtime_reads_every_envelope_key_of_the_one_source() {
    let rs = bridge_runtime();
    let table = &rs[rs
        .find("pub const ENVELOPE_SLOTS")
        .expect("the bridge runtime has no ENVELOPE_SLOTS")..];
    let table = &table[..table.find("];").unwrap()];
    let mut slots: Vec<&str> = table
        .lines()
        .filter_map(|l| l.trim().strip_prefix("(\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    slots.sort_unstable();
    let mut keys: Vec<&str> = ENVELOPE
        .iter()
        .flat_map(|k| k.keys.iter().map(|key| key.name))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        slots, keys,
        "the bridge runtime's ENVELOPE_SLOTS reads other keys than the envelope of \
         {SOURCE}: change both"
    );
}

#[test]
fn neither_runtime_spells_the_version_codes_or_limits_itself() {
    let rs = bridge_runtime();
    let ts = plugin_runtime();
    let mut names = vec!["PROTOCOL_VERSION", "PROTOCOL_NS", "FORBIDDEN_KEYS"];
    names.extend(LIMITS.iter().map(|l| l.name));
    for name in names {
        assert!(
            !rs.contains(&format!("const {name}:")),
            "{BRIDGE_RUNTIME} defines {name}: take it from the generated \
             protocol_constants (its source is {SOURCE})"
        );
        for (file, text) in &ts {
            assert!(
                !text.contains(&format!("const {name} ="))
                    && !text.contains(&format!("const {name}:")),
                "{file} defines {name}: take it from ./protocol_constants (its source is {SOURCE})"
            );
        }
    }
    assert!(
        !rs.contains("pub enum ErrorCode"),
        "the bridge runtime defines ErrorCode: it is generated from {SOURCE}"
    );
    for (file, text) in &ts {
        assert!(
            !text.contains("type ErrorCode ="),
            "{file} defines ErrorCode: it is generated from {SOURCE}"
        );
        for code in ERROR_CODES {
            assert!(
                !text.contains(&format!("| \"{}\"", code.code)),
                "{file} lists {}: ErrorCode comes from protocol_constants",
                code.code
            );
        }
    }
}

#[test]
fn the_generated_constants_files_carry_the_one_source() {
    let seed = read("triggers.yaml");
    let plan = flexgen::pipeline::compile("triggers.yaml", &seed).unwrap();
    let files = flexgen::emit::emit_all(&plan).unwrap();
    let file = |path: &str| -> String {
        files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path} emitted"))
            .contents
            .clone()
    };
    let rs = file("bridge/flexgen-runtime/src/protocol_constants.rs");
    let ts = file("flex-plugin/src/flexgen/runtime/protocol_constants.ts");
    assert!(rs.contains(&format!(
        "pub const PROTOCOL_VERSION: u32 = {PROTOCOL_VERSION};"
    )));
    assert!(ts.contains(&format!(
        "export const PROTOCOL_VERSION = {PROTOCOL_VERSION};"
    )));
    assert!(rs.contains(&format!(
        "pub const COMMAND_QUEUE_LIMIT: usize = {COMMAND_QUEUE_LIMIT};"
    )));
    assert!(ts.contains(&format!(
        "export const EVENT_QUEUE_LIMIT = {EVENT_QUEUE_LIMIT};"
    )));
    for code in ERROR_CODES {
        assert!(
            rs.contains(&format!(
                "ErrorCode::{} => \"{}\",",
                code.variant, code.code
            )),
            "{}",
            code.code
        );
        assert!(
            ts.contains(&format!("  \"{}\",", code.code)),
            "{}",
            code.code
        );
    }
    // The bridge's module tree declares it; the plugin's runtime imports it,
    // and its file in a workspace is the repository's copy behind the header.
    assert!(file("bridge/flexgen-runtime/src/lib.rs").contains("mod protocol_constants;"));
    assert!(file("flex-plugin/src/flexgen/runtime/endpoint.ts")
        .contains("from \"./protocol_constants\""));
    let (head, body) = ts.split_once('\n').unwrap();
    assert!(head.contains("@generated by flexgen"), "{head}");
    assert_eq!(body, read(flexgen::emit::constants::TS_REPO_PATH));
}

#[test]
fn docs_protocol_md_names_the_same_version_codes_and_limits() {
    let doc = read("docs/protocol.md");
    let grouped = |n: u32| -> String {
        let s = n.to_string();
        if s.len() < 5 {
            return s;
        }
        let (head, tail) = s.split_at(s.len() - 3);
        format!("{head},{tail}")
    };
    for needle in [
        format!("# The flexgen wire protocol (version {PROTOCOL_VERSION})"),
        format!("protocol version, `{PROTOCOL_VERSION}`"),
        format!("bounded queue ({COMMAND_QUEUE_LIMIT} entries)"),
        format!(
            "bounded queue ({EVENT_QUEUE_LIMIT} entries, {} s)",
            EVENT_QUEUE_MS / 1000
        ),
        format!("the last {RECENT_IDS} ids"),
        format!("At most {} commands", grouped(LIVE_COMMAND_LIMIT)),
        SOURCE.to_string(),
    ] {
        assert!(
            doc.contains(&needle),
            "docs/protocol.md does not say {needle:?}: make it say what {SOURCE} holds"
        );
    }
    let table = &doc[doc.find("## Error codes").expect("an Error codes section")..];
    for code in ERROR_CODES {
        assert!(
            table.contains(&format!("| `{}` |", code.code)),
            "docs/protocol.md's Error codes table lacks {}",
            code.code
        );
    }
}
