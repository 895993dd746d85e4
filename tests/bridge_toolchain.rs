//! The generated host bridge crate goes through the real Rust/WASM toolchain:
//! `cargo build --release --target wasm32-unknown-unknown`, `wasm-bindgen
//! --target web`, clippy (`-D warnings`) for wasm32 and natively (tests
//! included), flexgen's payload tests written into it (`cargo test`, see
//! `common::write_payload_tests`), `cargo fmt --check`;
//! then `tsc --strict` over the `.d.ts` that wasm-bindgen wrote, with a
//! usage file whose `@ts-expect-error` lines prove the API is typed, not
//! `any`; and prettier over the generated `api.d.ts`.
//!
//! Cases: the seed `triggers.yaml` and every `examples/*/triggers.yaml`
//! through `pipeline::compile`, plus specs compiled the same way: the
//! emitters' hostile-text fixture (tests/cases/fixtures/hostile), and edge
//! cases for layout, a spec built here (names of 1 to 64 characters, every
//! field type, one-field and empty payloads, a spec with commands only and
//! one with events only).
//!
//! Each case is written to `target/bridge-check/cases/<case>/` (only the
//! files that changed are rewritten) and every case shares the Cargo target
//! dir `target/bridge-check`, so dependencies compile once and an unchanged
//! case is not rebuilt on the next run. Cases run one after the other.
//!
//! Needs the wasm32 target and wasm-bindgen-cli at the version the bridge
//! runtime pins (`scripts/setup.sh` installs both) and the TypeScript
//! toolchain of `tests/toolchain/ts`.

use std::path::{Path, PathBuf};
use std::process::Command;

use flexgen::emit::{bridge, OutFile};

mod common;
use common::{repo, run, spec_files, ts_tool, write_payload_tests, PAYLOAD_TEST_DEPENDENCIES};
use flexgen::ir::{Direction, Embedding, FieldType, Names, Plan};

/// The plans of the cases beyond the repository's specs, each compiled from
/// a spec through the real front end.
mod fixtures {
    use flexgen::ir::Plan;

    /// The emitters' hostile-text fixture (tests/cases/fixtures/hostile).
    pub fn hostile() -> Plan {
        crate::common::fixture("hostile")
    }

    /// The seed's triggers with `app.embedding: host_in_flex`
    /// (tests/cases/fixtures/crm-in-flex).
    pub fn crm_in_flex() -> Plan {
        crate::common::fixture("crm-in-flex")
    }

    /// A name of exactly `len` characters made of `stem` words.
    pub fn name_of(len: usize, stem: &str) -> String {
        let mut name = String::new();
        while name.len() < len {
            if !name.is_empty() {
                name.push('_');
            }
            name.push_str(stem);
        }
        name.truncate(len);
        if name.ends_with('_') {
            name.pop();
            name.push('z');
        }
        name
    }

    /// One field of every type, required and optional, with names whose
    /// lengths sit on both sides of each layout threshold, as spec lines
    /// (events read each from a task attribute of its name).
    fn every_field(prefix: &str, event: bool) -> String {
        let types = [
            "string", "e164", "integer", "number", "boolean", "datetime", "enum",
        ];
        let lengths = [1, 2, 25, 26, 38, 45, 52, 53, 58, 64];
        let mut fields = String::new();
        for (i, ty) in types.into_iter().enumerate() {
            for (j, len) in lengths.into_iter().enumerate() {
                let stem = format!("{prefix}{}{}", (b'a' + i as u8) as char, j);
                let name = name_of(len.max(stem.len()), &stem);
                let mut props = vec![format!("type: {ty}")];
                if j % 2 == 1 {
                    props.push("optional: true".to_string());
                }
                if ty == "string" && j == 3 {
                    props.push("max_length: 65536".to_string());
                }
                if ty == "enum" {
                    let values: Vec<String> = if j % 3 == 0 {
                        (0..30).map(|k| format!("v{k}")).collect()
                    } else {
                        vec![
                            "a".repeat(120),
                            "agent-desktop".to_string(),
                            "\"x\\\"y\\\\z\"".to_string(),
                        ]
                    };
                    props.push(format!("values: [{}]", values.join(", ")));
                }
                if j == 2 {
                    props.push(format!("doc: A field of {} characters.", name.len()));
                }
                if event {
                    props.push(format!("from: task.attributes.{name}"));
                }
                fields.push_str(&format!("      {name}: {{ {} }}\n", props.join(", ")));
            }
        }
        fields
    }

    /// A host -> Flex trigger opening Flex's agent desktop.
    fn command(
        name: &str,
        summary: Option<&str>,
        payload: &str,
        timeout: u32,
        queue: u32,
    ) -> String {
        let about = summary.map_or(String::new(), |s| {
            format!("    summary: {s}\n    user_action: click\n")
        });
        let payload = if payload.is_empty() {
            String::new()
        } else {
            format!("    payload:\n{payload}")
        };
        format!(
            "  - name: {name}\n{about}    direction: host_to_flex\n{payload}    invoke:\n      \
             action: NavigateToView\n      args:\n        viewName: {{ value: agent-desktop }}\n      \
             timeout_ms: {timeout}\n    if_not_ready: {{ queue_for_ms: {queue} }}\n"
        )
    }

    /// A Flex -> host trigger on an accepted task.
    fn event(name: &str, summary: &str, payload: &str) -> String {
        let payload = if payload.is_empty() {
            String::new()
        } else {
            format!("    payload:\n{payload}")
        };
        format!(
            "  - name: {name}\n    summary: {summary}\n    direction: flex_to_host\n    \
             on: {{ event: taskAccepted }}\n{payload}"
        )
    }

    /// Layout edge cases in both directions, as a spec.
    pub fn edge_spec() -> String {
        let mut spec = String::from(
            "version: 1\napp:\n  name: edge-case\n  flex_origin: https://flex.twilio.com\n  \
             host_origins: [https://crm.example.com]\ntriggers:\n",
        );
        spec.push_str(&command(
            &name_of(64, "open_the_record"),
            Some("Long."),
            &every_field("c", false),
            120000,
            60000,
        ));
        let dial = "      to: { type: e164 }\n";
        spec.push_str(&command("dial", Some("One short field."), dial, 1000, 0));
        let flag = "      a: { type: boolean }\n";
        spec.push_str(&command("flag", Some("One boolean."), flag, 1000, 0));
        // No summary, no user action: the docs still read.
        spec.push_str(&command("ping", None, "", 1000, 0));
        spec.push_str(&event(
            &name_of(64, "wrapped"),
            "Long.",
            &every_field("e", true),
        ));
        let popped = "      to: { type: e164, optional: true, from: task.attributes.to }\n";
        spec.push_str(&event("popped", "One short field.", popped));
        spec.push_str(&event("pinged", "No payload.", ""));
        spec
    }

    /// The edge-case spec compiled.
    pub fn edge() -> Plan {
        let spec = edge_spec();
        flexgen::pipeline::compile("triggers.yaml", &spec).unwrap_or_else(|d| {
            panic!(
                "the edge-case spec does not compile:\n{}\n{spec}",
                d.render()
            )
        })
    }
}

/// The Cargo target dir every case shares.
fn target_dir() -> PathBuf {
    repo().join("target/bridge-check")
}

/// Fails with how to install what is missing.
fn require_toolchain() {
    common::require_wasm32_target();
    let version = Command::new("wasm-bindgen").arg("--version").output();
    let version = version
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    // The pin of the bridge runtime is the one source of the version.
    let pin = flexgen::emit::bridge_runtime::wasm_bindgen_pin();
    assert_eq!(
        version,
        format!("wasm-bindgen {pin}"),
        "wasm-bindgen-cli {pin} is missing (found {version:?}): run \
         `cargo install wasm-bindgen-cli --version {pin}` (or scripts/setup.sh)"
    );
    for (tool, install) in [
        ("clippy", "rustup component add clippy"),
        ("fmt", "rustup component add rustfmt"),
    ] {
        let ok = Command::new("cargo")
            .args([tool, "--version"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "cargo {tool} is missing: run `{install}`");
    }
    ts_tool("tsc");
    ts_tool("prettier");
}

fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    cmd
}

/// Writes the case's crate, touching only what changed (so Cargo's
/// fingerprints survive) and removing source files no longer emitted.
fn write_case(dir: &Path, files: &[OutFile]) {
    let mut wanted = Vec::new();
    for file in files {
        let rel = file.path.strip_prefix("bridge/").expect("under bridge/");
        let path = dir.join(rel);
        wanted.push(path.clone());
        if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        }
    }
    let mut stack = vec![dir.join("src")];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !wanted.contains(&path) {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }
    // One lock file for every case: the same dependency versions everywhere,
    // resolved once.
    let shared_lock = target_dir().join("Cargo.lock");
    let lock = dir.join("Cargo.lock");
    if !lock.exists() && shared_lock.exists() {
        std::fs::copy(&shared_lock, &lock).unwrap();
    }
}

/// Collapses whitespace, so declarations compare whatever wasm-bindgen's
/// indentation.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `.d.ts` names every payload type and field, and types every method.
fn check_declarations(name: &str, plan: &Plan, dts: &str) {
    // Signatures compare whether or not they were broken over lines.
    let flat = squash(dts).replace("( ", "(").replace(", )", ")");
    // Flex in an iframe of the page, or (host_in_flex) Flex as its parent.
    let make = if plan.app.embedding == Embedding::HostInFlex {
        "static inFlex(): FlexBridge;"
    } else {
        "constructor(iframe: HTMLIFrameElement);"
    };
    let mut expect = vec![
        "export class FlexBridge {".to_string(),
        make.to_string(),
        "readonly state: BridgeState;".to_string(),
        "onStateChange(callback: (state: BridgeState) => void): Unsubscribe;".to_string(),
        "dispose(): void;".to_string(),
        "export interface FlexBridge {".to_string(),
    ];
    for t in &plan.triggers {
        let payload = format!("{}Payload", t.name.pascal);
        if t.payload.is_empty() {
            expect.push(format!("export type {payload} = Record<string, never>;"));
        } else {
            let head = format!("export interface {payload} {{");
            expect.push(head.clone());
            let body: String = dts
                .lines()
                .skip_while(|l| l.trim() != head)
                .take_while(|l| l.trim() != "}")
                .collect::<Vec<_>>()
                .join("\n");
            for f in &t.payload {
                let mark = if f.optional { "?" } else { "" };
                let ty = match f.ty {
                    FieldType::Integer | FieldType::Number => "number",
                    FieldType::Boolean => "boolean",
                    FieldType::Enum => "",
                    _ => "string",
                };
                let member = format!(" {}{mark}: {ty}", f.name.snake);
                assert!(
                    body.contains(member.trim_end()),
                    "{name}: {payload} lacks `{member}` in\n{body}"
                );
            }
        }
        expect.push(match t.direction {
            Direction::HostToFlex => format!(
                "{}(payload: {payload}, options?: CommandOptions): Promise<{}Reply>;",
                t.name.camel, t.name.pascal
            ),
            Direction::FlexToHost => format!(
                "on{}(callback: (payload: {payload}) => void): Unsubscribe;",
                t.name.pascal
            ),
        });
    }
    for line in expect {
        assert!(flat.contains(&line), "{name}: the .d.ts lacks `{line}`");
    }
    for block in ["export class FlexBridge {", "export interface FlexBridge {"] {
        let start = flat.find(block).unwrap_or(0);
        let end = start + flat[start..].find(" } ").unwrap_or(0);
        let members = &flat[start..end];
        assert!(
            !members.contains("any"),
            "{name}: an untyped member of FlexBridge:\n{members}"
        );
    }
}

/// A TypeScript file that uses every member: it must compile, and its
/// `@ts-expect-error` lines must fail to (tsc reports an unused one).
fn usage(plan: &Plan, module: &str) -> String {
    let mut types: Vec<String> = vec!["BridgeState".into(), "FlexBridge".into()];
    let mut body = String::new();
    for t in &plan.triggers {
        let payload = format!("{}Payload", t.name.pascal);
        types.push(payload.clone());
        match t.direction {
            Direction::HostToFlex => {
                types.push(format!("{}Reply", t.name.pascal));
                body.push_str(&format!(
                    "export async function {camel}(p: {payload}): Promise<true> {{\n  \
                     const reply: {pascal}Reply = await bridge.{camel}(p);\n  \
                     // @ts-expect-error: the payload is typed\n  \
                     void bridge.{camel}({{ not_a_field: 1 }});\n  \
                     // @ts-expect-error: so is the reply\n  \
                     const wrong: {{ ok: false }} = reply;\n  \
                     void wrong;\n  \
                     return reply.ok;\n}}\n",
                    camel = t.name.camel,
                    pascal = t.name.pascal,
                ));
            }
            Direction::FlexToHost => {
                body.push_str(&format!(
                    "export const off{pascal}: Unsubscribe = bridge.on{pascal}((p) => {{\n  \
                     const seen: {payload} = p;\n  \
                     void seen;\n}});\n\
                     // @ts-expect-error: the callback's payload is typed\n\
                     bridge.on{pascal}((p: number) => void p);\n",
                    pascal = t.name.pascal,
                ));
            }
        }
        if let Some(f) = t.payload.iter().find(|f| f.ty == FieldType::Enum) {
            body.push_str(&format!(
                "// @ts-expect-error: enum fields are unions of their values\n\
                 export const bad{}: {payload}[\"{}\"] = \"not one of them\";\n",
                t.name.pascal, f.name.snake
            ));
        }
    }
    types.push("Unsubscribe".into());
    let make = if plan.app.embedding == Embedding::HostInFlex {
        "FlexBridge.inFlex()"
    } else {
        "new FlexBridge(iframe)"
    };
    format!(
        "import init, {{ type {} }} from \"{module}\";\n\n\
         declare const iframe: HTMLIFrameElement;\n\
         export const ready: Promise<unknown> = init();\n\
         export const bridge: FlexBridge = {make};\n\
         export const state: BridgeState = bridge.state;\n\
         export const offState: Unsubscribe = bridge.onStateChange((s: BridgeState) => void s);\n\
         // @ts-expect-error: the state is one of four strings\n\
         export const notAState: typeof state = \"open\";\n\
         {body}",
        types
            .join(", type ")
            .replace("type FlexBridge", "FlexBridge"),
    )
}

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "ES2022",
    "moduleResolution": "bundler",
    "lib": ["ES2022", "DOM", "ESNext.Disposable"],
    "types": [],
    "skipLibCheck": false
  },
  "files": ["usage.ts"]
}
"#;

/// Every check of one case; panics with the failing tool's output.
fn check_case(name: &str, plan: &Plan, prettier: bool) {
    let mut files = bridge::emit(plan).unwrap_or_else(|e| panic!("{name}: emit: {e}"));
    let manifest = files
        .iter_mut()
        .find(|f| f.path == "bridge/Cargo.toml")
        .expect("bridge/Cargo.toml");
    manifest.contents.push_str(PAYLOAD_TEST_DEPENDENCIES);
    let dir = target_dir().join("cases").join(name);
    write_case(&dir, &files);
    let crate_name = format!("{}_bridge", plan.app.name.snake);
    write_payload_tests(&dir, plan);

    run(
        cargo(&dir).args(["fmt", "--check"]),
        &format!("{name}: cargo fmt --check"),
    );
    run(
        cargo(&dir).args(["clippy", "--all-targets", "--", "-D", "warnings"]),
        &format!("{name}: cargo clippy --all-targets (native)"),
    );
    let tests = run(cargo(&dir).arg("test"), &format!("{name}: cargo test"));
    let passed: usize = tests
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 0, "{name}: no test ran:\n{tests}");
    for t in &plan.triggers {
        let test = format!("test {}_payload ... ok", t.name.snake);
        assert!(tests.contains(&test), "{name}: `{test}` missing:\n{tests}");
    }
    run(
        cargo(&dir).args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
        &format!("{name}: cargo clippy --target wasm32-unknown-unknown"),
    );
    let build = run(
        cargo(&dir).args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--message-format=json-render-diagnostics",
        ]),
        &format!("{name}: cargo build --release --target wasm32-unknown-unknown"),
    );
    let shared_lock = target_dir().join("Cargo.lock");
    if !shared_lock.exists() {
        std::fs::copy(dir.join("Cargo.lock"), &shared_lock).unwrap();
    }
    let wasm = wasm_artifact(&build, &crate_name)
        .unwrap_or_else(|| panic!("{name}: no {crate_name}.wasm in cargo's output"));

    let pkg = dir.join("pkg");
    let _ = std::fs::remove_dir_all(&pkg);
    run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--remove-name-section", "--out-dir"])
            .arg(&pkg)
            .arg(&wasm),
        &format!("{name}: wasm-bindgen --target web"),
    );
    let dts = std::fs::read_to_string(pkg.join(format!("{crate_name}.d.ts")))
        .unwrap_or_else(|e| panic!("{name}: {crate_name}.d.ts: {e}"));
    check_declarations(name, plan, &dts);

    let ts = dir.join("ts");
    std::fs::create_dir_all(&ts).unwrap();
    std::fs::write(ts.join("tsconfig.json"), TSCONFIG).unwrap();
    let module = format!("../pkg/{crate_name}.js");
    std::fs::write(ts.join("usage.ts"), usage(plan, &module)).unwrap();
    let mut tsc = Command::new(ts_tool("tsc"));
    tsc.arg("-p").arg(&ts);
    run(&mut tsc, &format!("{name}: tsc --strict over the .d.ts"));

    if prettier {
        let mut cmd = Command::new(ts_tool("prettier"));
        cmd.arg("--check")
            .arg(dir.join("src/generated/api.d.ts"))
            .current_dir(&dir);
        run(&mut cmd, &format!("{name}: prettier --check api.d.ts"));
    }
}

/// The `.wasm` that `cargo build --message-format=json` reports for `crate_name`.
fn wasm_artifact(json_lines: &str, crate_name: &str) -> Option<PathBuf> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == crate_name)
        .flat_map(|m| {
            m["filenames"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| f.as_str().map(PathBuf::from))
        })
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
}

/// Every case, one after the other (they share a target dir); every case is
/// tried, so one report names every failing one.
#[test]
fn generated_bridges_build_and_pass_their_checks() {
    require_toolchain();
    let mut cases: Vec<(String, Plan, bool)> = Vec::new();
    for spec in spec_files() {
        let source = std::fs::read_to_string(&spec).unwrap();
        let label = spec.strip_prefix(repo()).unwrap().display().to_string();
        let plan = flexgen::pipeline::compile(&label, &source)
            .unwrap_or_else(|d| panic!("{label} does not compile: {:#?}", d.items));
        let name = label.trim_end_matches("/triggers.yaml").replace('/', "-");
        cases.push((name.replace("triggers.yaml", "seed"), plan, true));
    }
    // The hostile fixture is the seed with other text: another crate name
    // keeps its artifacts apart from the seed's.
    let mut hostile = fixtures::hostile();
    hostile.app.name = Names::new("hostile-crm");
    // prettier may prefer other quotes for strings full of `"`: tsc only.
    cases.push(("fixture-hostile".into(), hostile, false));
    // Flex frames the CRM page: `FlexBridge.inFlex()`, no iframe constructor.
    cases.push(("fixture-crm-in-flex".into(), fixtures::crm_in_flex(), true));
    let edge = fixtures::edge();
    let only = |direction: Direction, app: &str| {
        let mut plan = edge.clone();
        plan.app.name = Names::new(app);
        plan.triggers.retain(|t| t.direction == direction);
        plan
    };
    let commands_only = only(Direction::HostToFlex, "edge-commands");
    let events_only = only(Direction::FlexToHost, "edge-events");
    cases.push(("fixture-edge".into(), edge, false));
    cases.push(("fixture-edge-commands".into(), commands_only, false));
    cases.push(("fixture-edge-events".into(), events_only, false));

    // A cdylib's file name carries no hash: two cases of one crate name
    // would overwrite each other's .wasm in the shared target dir.
    let mut crates: Vec<&str> = cases
        .iter()
        .map(|(_, p, _)| p.app.name.snake.as_str())
        .collect();
    crates.sort_unstable();
    let before = crates.len();
    crates.dedup();
    assert_eq!(
        before,
        crates.len(),
        "two cases share an app name: {crates:?}"
    );

    let mut failures = Vec::new();
    for (name, plan, prettier) in &cases {
        let outcome = std::panic::catch_unwind(|| check_case(name, plan, *prettier));
        if outcome.is_err() {
            failures.push(name.clone());
        }
    }
    assert!(failures.is_empty(), "failed (see above): {failures:?}");
}

#[test]
fn edge_names_reach_the_limit() {
    let plan = fixtures::edge();
    let longest = plan.triggers.iter().map(|t| t.name.snake.len()).max();
    assert_eq!(longest, Some(64));
    let fields = plan.triggers.iter().flat_map(|t| &t.payload);
    assert_eq!(fields.map(|f| f.name.snake.len()).max(), Some(64));
}
