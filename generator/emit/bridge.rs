//! Emitter for the host bridge crate (Rust compiled to WASM with wasm-bindgen).
//!
//! Generated (rewritten every run, under `bridge/src/generated/`), only what
//! the spec declares:
//! - `mod.rs`: the spec's constants (app, hash, Flex origin) and `Spec`;
//! - `payloads.rs`: one checked struct per trigger payload;
//! - `bridge.rs`: `FlexBridge`, one JS method and one Rust method per trigger;
//! - `api.d.ts`: the TypeScript declarations embedded for `wasm-bindgen`.
//!
//! The runtime, the same for every spec: the crate `flexgen-bridge-runtime`
//! (`runtime/bridge/` of flexgen's repository, where it is compiled, linted
//! and tested), written without its tests to `bridge/flexgen-runtime/`, a
//! path dependency of the user's crate: the workspace builds offline, and
//! every file carries flexgen's version, so `generate --check` notices a
//! stale or edited copy.
//!
//! Scaffolded once for the user (`bridge/`): `Cargo.toml`, `src/lib.rs`.
//!
//! The output is laid out as rustfmt (and, for `api.d.ts`, prettier) would
//! lay it out, without running either: where a line's layout depends on the
//! length of a name, a helper below makes the same choice rustfmt makes.
//! Free text goes through the `render` escaping filters, plus `rs_doc` here
//! for Rust doc comments.

use serde::Serialize;

use super::layout::{rust, ts};
use super::{header, render, EmitError, OutFile};
use crate::ir::{BridgeMember, Direction, Embedding, Field, FieldType, Plan, Trigger};

/// Where the generated files go, relative to the output folder.
const GENERATED_DIR: &str = "bridge/src/generated";

/// Generated templates: (template name, file name under `GENERATED_DIR`).
const GENERATED_TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "mod.rs",
        "mod.rs",
        include_str!("../../templates/bridge/mod.rs.tera"),
    ),
    (
        "payloads.rs",
        "payloads.rs",
        include_str!("../../templates/bridge/payloads.rs.tera"),
    ),
    (
        "bridge.rs",
        "bridge.rs",
        include_str!("../../templates/bridge/bridge.rs.tera"),
    ),
    (
        "api.d.ts",
        "api.d.ts",
        include_str!("../../templates/bridge/api.d.ts.tera"),
    ),
];

/// User-owned templates: (template name, path under `bridge/`).
const USER_TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "Cargo.toml",
        "Cargo.toml",
        include_str!("../../templates/bridge/user/Cargo.toml.tera"),
    ),
    (
        "lib.rs",
        "src/lib.rs",
        include_str!("../../templates/bridge/user/lib.rs.tera"),
    ),
];

pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let view = View::new(plan);
    let target = render::Target {
        generated_dir: GENERATED_DIR,
        user_dir: "bridge",
        statics: &[],
        generated: GENERATED_TEMPLATES,
        user: USER_TEMPLATES,
    };
    let mut files = target.emit(&header(plan, "//"), &view, str::to_string)?;
    files.extend(super::bridge_runtime::emit(plan));
    files.push(super::constants::rust(plan));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Everything the templates read.
#[derive(Serialize)]
struct View<'a> {
    app: &'a str,
    crate_name: String,
    spec_file: &'a str,
    spec_hash: &'a str,
    flex_origin: &'a str,
    /// `pub const APP_NAME: &str = "...";`, laid out.
    app_const: String,
    /// `pub const FLEX_ORIGIN: &str = "...";`, laid out.
    flex_origin_const: String,
    payloads: Vec<PayloadView<'a>>,
    /// Arms of `check_event`'s match, one per Flex -> host trigger.
    check_arms: Vec<String>,
    /// Arms of `event_fields`' match, one per Flex -> host trigger.
    fields_arms: Vec<String>,
    commands: Vec<MethodView>,
    events: Vec<MethodView>,
    /// Members of the `FlexBridge` interface in `api.d.ts`.
    ts_methods: Vec<String>,
    /// What `bridge.rs` imports from the runtime crate, in rustfmt's order.
    runtime_imports: String,
    /// `app.embedding: host_in_flex`: `FlexBridge::in_flex()`, Flex as the
    /// page's parent, instead of the iframe constructor.
    in_flex: bool,
    has_commands: bool,
    has_events: bool,
}

#[derive(Serialize)]
struct PayloadView<'a> {
    wire: &'a str,
    summary: Option<&'a str>,
    type_name: String,
    reply_name: String,
    /// Doc comment lines of the struct, already escaped; "" is a blank line.
    doc: Vec<String>,
    /// The same for the TypeScript interface.
    ts_doc: Vec<String>,
    trigger_const: String,
    is_command: bool,
    timeout_ms: u32,
    queue_for_ms: u32,
    fields: Vec<FieldView<'a>>,
    enums: Vec<EnumView<'a>>,
    /// `let payload = Self { ... };`, laid out.
    read: String,
    ts_members: Vec<String>,
}

#[derive(Serialize)]
struct FieldView<'a> {
    name: &'a str,
    doc: Option<&'a str>,
    optional: bool,
    rust_type: &'static str,
    /// `out.put("name", &self.name);`, laid out.
    put: String,
    /// The most UTF-16 units a value of the field may hold (0: not a
    /// string): what the host reads of it at most.
    units: u32,
}

#[derive(Serialize)]
struct EnumView<'a> {
    field: &'a str,
    const_name: String,
    values: &'a [String],
}

#[derive(Serialize)]
struct MethodView {
    rust_name: String,
    /// The Rust name of the JavaScript method (`js_<rust_name>`).
    js_rust_name: String,
    js_name: String,
    /// Doc comment lines of the Rust method, already escaped.
    doc: Vec<String>,
    rust_sig: String,
    js_sig: String,
    js_body: String,
}

impl<'a> View<'a> {
    /// The plan is validated: its triggers' `FlexBridge` members are distinct
    /// (`validate` refuses a spec whose names would clash).
    fn new(plan: &'a Plan) -> Self {
        let payloads: Vec<PayloadView> = plan.triggers.iter().map(PayloadView::new).collect();
        let mut commands = Vec::new();
        let mut events = Vec::new();
        let mut ts_methods = Vec::new();
        let mut check_arms = Vec::new();
        let mut fields_arms = Vec::new();
        for (t, p) in plan.triggers.iter().zip(&payloads) {
            if t.direction == Direction::HostToFlex {
                commands.push(MethodView::command(t, p));
                ts_methods.push(ts_command(t, p));
            } else {
                events.push(MethodView::event(t, p));
                ts_methods.push(ts_event(t, p));
                check_arms.push(rust::match_arm(
                    8,
                    &render::rust_string(&t.name.snake),
                    &format!("{}::clean(payload)", p.type_name),
                ));
                fields_arms.push(rust::match_arm(
                    8,
                    &render::rust_string(&t.name.snake),
                    &format!("{}::FIELDS", p.type_name),
                ));
            }
        }
        View {
            app: &plan.app.name.original,
            crate_name: format!("{}_bridge", plan.app.name.snake),
            spec_file: &plan.spec_file,
            spec_hash: &plan.spec_hash,
            flex_origin: &plan.app.flex_origin,
            app_const: rust::assign(
                0,
                "pub const APP_NAME: &str",
                &render::rust_string(&plan.app.name.original),
            ),
            flex_origin_const: rust::assign(
                0,
                "pub const FLEX_ORIGIN: &str",
                &render::rust_string(&plan.app.flex_origin),
            ),
            runtime_imports: [
                (!commands.is_empty()).then_some("js_command"),
                (!events.is_empty()).then_some("js_on"),
                Some("Host"),
                (!commands.is_empty()).then_some("Reply"),
                Some("StartError"),
                Some("State"),
                Some("Subscription"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
            in_flex: plan.app.embedding == Embedding::HostInFlex,
            has_commands: !commands.is_empty(),
            has_events: !events.is_empty(),
            payloads,
            check_arms,
            fields_arms,
            commands,
            events,
            ts_methods,
        }
    }
}

impl<'a> PayloadView<'a> {
    fn new(t: &'a Trigger) -> Self {
        let type_name = format!("{}Payload", t.name.pascal);
        let mut lines = Vec::new();
        if let Some(summary) = &t.summary {
            lines.push(summary.clone());
            lines.push(String::new());
        }
        match (&t.invoke, &t.listen) {
            (Some(invoke), _) => lines.push(format!(
                "Host -> Flex command `{}`: runs the Flex action {}.",
                t.name.snake, invoke.action
            )),
            (None, Some(listen)) => lines.push(format!(
                "Flex -> host event `{}`: sent on {}.",
                t.name.snake, listen.listener
            )),
            (None, None) => {
                if let Some(show) = &t.show {
                    lines.push(render::rust_doc(&format!(
                        "Host -> Flex command `{}`: Flex keeps the data for the task \
                         named by `{}` and shows it in its tab \"{}\".",
                        t.name.snake, show.task_field.snake, show.label
                    )));
                }
            }
        }
        if let Some(action) = &t.user_action {
            lines.push(format!("What the user does: {action}."));
        }
        match (&t.channel, &t.channel_type) {
            (Some(channel), Some(kind)) => {
                lines.push(format!("Task channel: {channel}, channel type: {kind}."))
            }
            (Some(channel), None) => lines.push(format!("Task channel: {channel}.")),
            (None, Some(kind)) => lines.push(format!("Channel type: {kind}.")),
            (None, None) => {}
        }
        let fields: Vec<FieldView> = t.payload.iter().map(FieldView::new).collect();
        let enums = t
            .payload
            .iter()
            .filter(|f| f.ty == FieldType::Enum)
            .map(|f| EnumView {
                field: &f.name.snake,
                const_name: values_const(f),
                values: &f.values,
            })
            .collect();
        let reads: Vec<(String, String, Vec<String>)> = t.payload.iter().map(read_call).collect();
        PayloadView {
            wire: &t.name.snake,
            summary: t.summary.as_deref(),
            reply_name: format!("{}Reply", t.name.pascal),
            doc: lines.iter().map(|l| render::rust_doc(l)).collect(),
            ts_doc: lines.iter().map(|l| render::comment_text(l)).collect(),
            trigger_const: rust::assign(
                4,
                "const TRIGGER: &'static str",
                &render::rust_string(&t.name.snake),
            ),
            is_command: t.direction == Direction::HostToFlex,
            timeout_ms: t.time_limits().0,
            queue_for_ms: t.time_limits().1,
            ts_members: t.payload.iter().flat_map(ts_member).collect(),
            read: rust::struct_read(&reads),
            fields,
            enums,
            type_name,
        }
    }
}

impl<'a> FieldView<'a> {
    fn new(f: &'a Field) -> Self {
        let name = f.name.snake.as_str();
        let key = render::rust_string(name);
        FieldView {
            name,
            doc: f.doc.as_deref(),
            optional: f.optional,
            rust_type: rust_type(f),
            put: rust::call(8, "out.put", &[key, format!("&self.{name}")], ";"),
            units: units(f),
        }
    }
}

/// The most UTF-16 units a value of `f` holds on the wire (0 for numbers and
/// booleans): the bound the host reads it by.
fn units(f: &Field) -> u32 {
    match f.ty {
        FieldType::String | FieldType::Datetime => max_length(f),
        // `+` and at most 15 digits.
        FieldType::E164 => 16,
        FieldType::Enum => f
            .values
            .iter()
            .map(|v| v.encode_utf16().count() as u32)
            .max()
            .unwrap_or(0),
        FieldType::Integer | FieldType::Number | FieldType::Boolean => 0,
    }
}

impl MethodView {
    fn command(t: &Trigger, p: &PayloadView) -> Self {
        let name = &t.name.snake;
        let mut doc = vec![render::rust_doc(&format!("`{name}`{}", summary_suffix(t)))];
        if let Some(invoke) = &t.invoke {
            doc.push(String::new());
            doc.push(format!(
                "Runs the Flex action {}; settles with Flex's answer, or fails with",
                invoke.action
            ));
            doc.push(format!(
                "`NOT_READY` after {} ms without a handshake, `TIMEOUT` after {} ms",
                invoke.queue_for_ms, invoke.timeout_ms
            ));
            doc.push("without an answer.".to_string());
        } else if let Some(show) = &t.show {
            doc.push(String::new());
            doc.push(format!(
                "Flex keeps the data for the task named by `{}` and shows it in its",
                show.task_field.snake
            ));
            doc.push(render::rust_doc(&format!(
                "tab \"{}\"; settles once Flex has it, or fails with `FLEX_ACTION_FAILED`",
                show.label
            )));
            doc.push(format!(
                "when the agent has no such task, `NOT_READY` after {} ms without a",
                show.queue_for_ms
            ));
            doc.push(format!(
                "handshake, `TIMEOUT` after {} ms without an answer.",
                show.timeout_ms
            ));
        }
        doc.push(String::new());
        doc.push("The future borrows nothing: spawn it or keep it. Dropped before the".to_string());
        doc.push(
            "command was sent (while the bridge waits for Flex), it withdraws the".to_string(),
        );
        doc.push("command; dropped after, Flex still runs it.".to_string());
        let member = BridgeMember::of(&t.name, t.direction);
        MethodView {
            rust_name: member.rust,
            js_rust_name: member.js_export,
            js_name: member.js,
            doc,
            rust_sig: rust::signature(
                4,
                &format!("pub fn {name}"),
                &["&self".to_string(), format!("payload: {}", p.type_name)],
                " -> Reply {",
            ),
            js_sig: rust::signature(
                4,
                &format!("pub fn js_{name}"),
                &[
                    "&self".to_string(),
                    "payload: JsValue".to_string(),
                    "options: JsValue".to_string(),
                ],
                " -> Promise {",
            ),
            js_body: rust::call(
                8,
                &format!("js_command::<{}>", p.type_name),
                &[
                    "&self.host".to_string(),
                    "&payload".to_string(),
                    "&options".to_string(),
                ],
                "",
            ),
        }
    }

    fn event(t: &Trigger, p: &PayloadView) -> Self {
        let name = format!("on_{}", t.name.snake);
        let mut doc = vec![render::rust_doc(&format!(
            "`{}`{}",
            t.name.snake,
            summary_suffix(t)
        ))];
        doc.push(String::new());
        doc.push("Calls `f` with every such event from Flex, once its payload passed".to_string());
        doc.push("every check, for as long as the returned `Subscription` is kept (or".to_string());
        doc.push("for the bridge's life after `Subscription::forget`).".to_string());
        let member = BridgeMember::of(&t.name, t.direction);
        MethodView {
            js_rust_name: member.js_export,
            js_name: member.js,
            doc,
            rust_sig: rust::signature(
                4,
                &format!("pub fn {name}"),
                &[
                    "&self".to_string(),
                    format!("f: impl FnMut({}) + 'static", p.type_name),
                ],
                " -> Subscription {",
            ),
            js_sig: rust::signature(
                4,
                &format!("pub fn js_{name}"),
                &["&self".to_string(), "callback: Function".to_string()],
                " -> JsValue {",
            ),
            js_body: rust::call(
                8,
                &format!("js_on::<{}>", p.type_name),
                &["&self.host".to_string(), "callback".to_string()],
                "",
            ),
            rust_name: member.rust,
        }
    }
}

fn summary_suffix(t: &Trigger) -> String {
    t.summary
        .as_deref()
        .map(|s| format!(": {s}"))
        .unwrap_or_default()
}

/// Rust type of a payload field.
fn rust_type(f: &Field) -> &'static str {
    match (f.ty, f.optional) {
        (FieldType::Integer, false) => "i64",
        (FieldType::Integer, true) => "Option<i64>",
        (FieldType::Number, false) => "f64",
        (FieldType::Number, true) => "Option<f64>",
        (FieldType::Boolean, false) => "bool",
        (FieldType::Boolean, true) => "Option<bool>",
        (_, false) => "String",
        (_, true) => "Option<String>",
    }
}

/// The field's bound: lowering gives every string-like field one (ir::Field).
fn max_length(f: &Field) -> u32 {
    f.max_length
        .expect("lowering bounds every string-like field")
}

/// `DIRECTION_VALUES`: the const holding an enum field's values.
fn values_const(f: &Field) -> String {
    format!("{}_VALUES", f.name.shouty)
}

/// The `Fields` method reading `f`, and its arguments.
fn read_call(f: &Field) -> (String, String, Vec<String>) {
    let key = render::rust_string(&f.name.snake);
    let (method, extra) = match f.ty {
        FieldType::String => ("string", Some(max_length(f).to_string())),
        FieldType::E164 => ("e164", None),
        FieldType::Integer => ("integer", None),
        FieldType::Number => ("number", None),
        FieldType::Boolean => ("boolean", None),
        FieldType::Datetime => ("datetime", Some(max_length(f).to_string())),
        FieldType::Enum => ("one_of", Some(format!("Self::{}", values_const(f)))),
    };
    let method = if f.optional {
        format!("optional_{method}")
    } else {
        method.to_string()
    };
    let args = std::iter::once(key).chain(extra).collect();
    (f.name.snake.clone(), method, args)
}

// ---------------------------------------------------------------------------
// TypeScript (`api.d.ts`), laid out as prettier would.

/// The interface member(s) of one payload field: its doc and `name?: type;`.
fn ts_member(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(doc) = &f.doc {
        out.push(format!("  /** {} */", render::comment_text(doc)));
    }
    let mark = if f.optional { "?" } else { "" };
    let head = format!("  {}{mark}:", f.name.snake);
    let quoted: Vec<String> = f.values.iter().map(|v| render::ts_string(v)).collect();
    let ts_type = match f.ty {
        FieldType::Integer | FieldType::Number => "number".to_string(),
        FieldType::Boolean => "boolean".to_string(),
        FieldType::Enum => quoted.join(" | "),
        _ => "string".to_string(),
    };
    out.push(ts::union_member(
        &head,
        &ts_type,
        &quoted,
        f.ty == FieldType::Enum,
    ));
    out
}

/// A method of an interface, with its doc comment.
fn ts_method(doc: &[String], name: &str, params: &[String], ret: &str) -> String {
    let mut out = String::new();
    if let [line] = doc {
        out.push_str(&format!("  /** {line} */\n"));
    } else {
        out.push_str("  /**\n");
        for line in doc {
            if line.is_empty() {
                out.push_str("   *\n");
            } else {
                out.push_str(&format!("   * {line}\n"));
            }
        }
        out.push_str("   */\n");
    }
    out.push_str(&ts::method_signature(name, params, ret));
    out
}

fn ts_command(t: &Trigger, p: &PayloadView) -> String {
    let mut doc = vec![render::comment_text(&format!(
        "`{}`{}",
        t.name.snake,
        summary_suffix(t)
    ))];
    if let Some(invoke) = &t.invoke {
        doc.push(String::new());
        doc.push(format!(
            "Runs the Flex action {}. Resolves with Flex's answer; rejects with a",
            invoke.action
        ));
        doc.push(format!(
            "FlexBridgeError: NOT_READY after {} ms without a handshake, TIMEOUT",
            invoke.queue_for_ms
        ));
        doc.push(format!(
            "after {} ms without an answer, SCHEMA_INVALID for a bad payload, or",
            invoke.timeout_ms
        ));
        doc.push("Flex's own error.".to_string());
    } else if let Some(show) = &t.show {
        doc.push(String::new());
        doc.push(format!(
            "Flex keeps the data for the task named by `{}` and shows it in its",
            show.task_field.snake
        ));
        doc.push(render::comment_text(&format!(
            "tab \"{}\". Resolves once Flex has it; rejects with a FlexBridgeError:",
            show.label
        )));
        doc.push(format!(
            "FLEX_ACTION_FAILED when the agent has no such task, NOT_READY after {} ms",
            show.queue_for_ms
        ));
        doc.push(format!(
            "without a handshake, TIMEOUT after {} ms, SCHEMA_INVALID for a bad payload.",
            show.timeout_ms
        ));
    }
    doc.push(String::new());
    doc.push("`options.signal` aborted before the command was sent withdraws it: it".to_string());
    doc.push("never reaches Flex. Aborted after, Flex still runs it. Either way the".to_string());
    doc.push("promise rejects with the signal's reason, as `fetch` does.".to_string());
    ts_method(
        &doc,
        &t.name.camel,
        &[
            format!("payload: {}", p.type_name),
            "options?: CommandOptions".to_string(),
        ],
        &format!("Promise<{}>", p.reply_name),
    )
}

fn ts_event(t: &Trigger, p: &PayloadView) -> String {
    let doc = vec![
        render::comment_text(&format!("`{}`{}", t.name.snake, summary_suffix(t))),
        String::new(),
        "Calls `callback` with every such event from Flex, once its payload".to_string(),
        "passed every check; returns a function that unsubscribes.".to_string(),
    ];
    ts_method(
        &doc,
        &format!("on{}", t.name.pascal),
        &[format!("callback: (payload: {}) => void", p.type_name)],
        "Unsubscribe",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::bridge_runtime::{depends_on_runtime, RUNTIME_DEPENDENCY, RUNTIME_DIR};
    use crate::emit::plugin::fixtures;
    use crate::emit::Owner;

    fn find<'a>(files: &'a [OutFile], path: &str) -> &'a str {
        &files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} not emitted"))
            .contents
    }

    #[test]
    fn emits_the_documented_file_set() {
        let plan = fixtures::seed();
        let files = emit(&plan).unwrap();
        let paths: Vec<(&str, Owner)> = files.iter().map(|f| (f.path.as_str(), f.owner)).collect();
        assert_eq!(
            paths,
            vec![
                ("bridge/Cargo.toml", Owner::User),
                ("bridge/flexgen-runtime/Cargo.toml", Owner::Generated),
                ("bridge/flexgen-runtime/src/core.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/envelope.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/error.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/fields.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/host.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/ids.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/lib.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/limits.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/peer.rs", Owner::Generated),
                (
                    "bridge/flexgen-runtime/src/protocol_constants.rs",
                    Owner::Generated
                ),
                ("bridge/flexgen-runtime/src/text.rs", Owner::Generated),
                ("bridge/flexgen-runtime/src/value.rs", Owner::Generated),
                ("bridge/src/generated/api.d.ts", Owner::Generated),
                ("bridge/src/generated/bridge.rs", Owner::Generated),
                ("bridge/src/generated/mod.rs", Owner::Generated),
                ("bridge/src/generated/payloads.rs", Owner::Generated),
                ("bridge/src/lib.rs", Owner::User),
            ]
        );
        for file in &files {
            let comment = if file.path.ends_with(".toml") {
                "#"
            } else {
                "//"
            };
            let generated = file.contents.starts_with(&header(&plan, comment));
            assert_eq!(generated, file.owner == Owner::Generated, "{}", file.path);
            let ours = file.path.starts_with(GENERATED_DIR) || file.path.starts_with(RUNTIME_DIR);
            assert!(ours == (file.owner == Owner::Generated), "{}", file.path);
            assert!(
                !file.contents.contains("\n\n\n"),
                "{}: double blank line",
                file.path
            );
            assert!(
                file.contents.ends_with('\n') && !file.contents.ends_with("\n\n"),
                "{}",
                file.path
            );
            assert!(
                !file.contents.lines().any(|l| l.ends_with(' ')),
                "{}: trailing space",
                file.path
            );
        }
        let cargo = find(&files, "bridge/Cargo.toml");
        assert!(cargo.contains("name = \"acme_crm_bridge\""));
        // No exact pin of its own: the runtime crate's `=` pin decides, so
        // a new flexgen's runtime never clashes with an old manifest's pin.
        assert!(cargo.contains("\nwasm-bindgen = \"0.2\"\n"), "{cargo}");
        assert!(cargo.contains("crate-type = [\"cdylib\", \"rlib\"]"));
        assert!(cargo.contains("\n[workspace]\n"));
        let lib = find(&files, "bridge/src/lib.rs");
        assert!(lib.contains("mod generated;\n\npub use generated::*;\n"));
        // The runtime is a path dependency, and its copy holds no tests.
        assert!(cargo.contains(RUNTIME_DEPENDENCY));
        assert!(depends_on_runtime(cargo));
        let runtime = find(&files, "bridge/flexgen-runtime/Cargo.toml");
        assert!(runtime.contains("name = \"flexgen-bridge-runtime\""));
        for file in files.iter().filter(|f| f.path.starts_with(RUNTIME_DIR)) {
            assert!(!file.contents.contains("#[cfg(test)]"), "{}", file.path);
            assert!(!file.contents.contains("#[test]"), "{}", file.path);
        }
    }

    #[test]
    fn emit_is_deterministic() {
        for plan in [
            fixtures::seed(),
            fixtures::omnichannel(),
            fixtures::hostile(),
        ] {
            assert_eq!(emit(&plan).unwrap(), emit(&plan.clone()).unwrap());
        }
    }

    #[test]
    fn one_method_per_trigger_and_direction() {
        let plan = fixtures::omnichannel();
        let files = emit(&plan).unwrap();
        let bridge = find(&files, "bridge/src/generated/bridge.rs");
        let api = find(&files, "bridge/src/generated/api.d.ts");
        let payloads = find(&files, "bridge/src/generated/payloads.rs");
        for t in &plan.triggers {
            let (rust, js) = match t.direction {
                Direction::HostToFlex => (
                    format!("pub fn {}(", t.name.snake),
                    format!("js_name = {}, skip_typescript", t.name.camel),
                ),
                Direction::FlexToHost => (
                    format!("pub fn on_{}(", t.name.snake),
                    format!("js_name = on{}, skip_typescript", t.name.pascal),
                ),
            };
            assert_eq!(bridge.matches(&rust).count(), 1, "{rust}");
            assert_eq!(bridge.matches(&js).count(), 1, "{js}");
            assert!(payloads.contains(&format!("pub struct {}Payload ", t.name.pascal)));
            assert!(api.contains(&format!("{}Payload", t.name.pascal)));
        }
        let commands = plan
            .triggers
            .iter()
            .filter(|t| t.direction == Direction::HostToFlex)
            .count();
        assert_eq!(bridge.matches(") -> Reply {").count(), commands);
        assert_eq!(payloads.matches("impl Command for ").count(), commands);
        assert!(
            api.contains(
                "  openAgentDesktop(\n    payload: OpenAgentDesktopPayload,\n    options?: CommandOptions,\n  ): Promise<OpenAgentDesktopReply>;"
            ),
            "{api}"
        );
        assert!(api.contains("export type OpenAgentDesktopPayload = Record<string, never>;"));
        assert!(payloads.contains("pub struct OpenAgentDesktopPayload {}"));
        assert!(payloads.contains("const TIMEOUT_MS: u32 = 20000;"));
        assert!(payloads.contains("\"Available\",\n        \"Unavailable\",\n        \"Break\",\n"));
    }

    #[test]
    fn commands_and_events_alone() {
        let mut plan = fixtures::seed();
        plan.triggers.truncate(1);
        let files = emit(&plan).unwrap();
        let payloads = find(&files, "bridge/src/generated/payloads.rs");
        assert!(payloads.contains("    let _ = (trigger, payload);\n    None\n"));
        assert!(!find(&files, "bridge/src/generated/bridge.rs").contains("js_on::<"));
        let mut plan = fixtures::seed();
        plan.triggers.remove(0);
        let files = emit(&plan).unwrap();
        let bridge = find(&files, "bridge/src/generated/bridge.rs");
        assert!(!bridge.contains("js_command") && !bridge.contains("BridgeError"));
        assert!(!find(&files, "bridge/src/generated/payloads.rs").contains("Command"));
    }

    #[test]
    fn the_spec_reaches_the_constants() {
        let plan = fixtures::seed();
        let files = emit(&plan).unwrap();
        let module = find(&files, "bridge/src/generated/mod.rs");
        assert!(module.contains("pub const APP_NAME: &str = \"acme-crm\";"));
        assert_eq!(plan.spec_hash.len(), 16, "{}", plan.spec_hash);
        assert!(module.contains(&format!(
            "pub const SPEC_HASH: &str = \"{}\";",
            plan.spec_hash
        )));
        assert!(module.contains("pub const FLEX_ORIGIN: &str = \"https://flex.twilio.com\";"));
        for file in &files {
            // The target origin is always the constant, never "*".
            let code = file
                .contents
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"));
            assert!(!code.clone().any(|l| l.contains("\"*\"")), "{}", file.path);
        }
        let host = find(&files, "bridge/flexgen-runtime/src/host.rs");
        assert!(host.contains(".post_message(&to_js(message), this.core.flex_origin())"));
    }

    #[test]
    fn hostile_text_lands_inert() {
        let files = emit(&fixtures::hostile()).unwrap();
        for file in &files {
            let text = &file.contents;
            assert!(
                !text.contains('\u{2028}') && !text.contains('\u{202e}'),
                "{}: raw separator or bidi",
                file.path
            );
            for line in text.lines() {
                let code = line.trim_start();
                if code.starts_with("//") || code.starts_with('*') || code.starts_with("/*") {
                    let body = code.trim_end_matches("*/");
                    assert!(!body.contains("*/"), "{}: {line}", file.path);
                    let doc = code.starts_with("///") || code.starts_with("//!");
                    if doc && code.contains("alert(1)") {
                        assert!(
                            !code.contains('<'),
                            "{}: raw HTML in a doc: {line}",
                            file.path
                        );
                    }
                    continue;
                }
                if line.contains("alert(1)") {
                    let rust =
                        r#""x\" */ </script> `${alert(1)}` \u{2028} \u{202e} \\ \n // ' end""#;
                    let ts = r#""x\" */ \u003c/script\u003e `${alert(1)}` \u2028 \u202e \\ \n // ' end""#;
                    assert!(
                        line.contains(rust) || line.contains(ts),
                        "{}: {line}",
                        file.path
                    );
                }
            }
        }
    }

    #[test]
    fn rust_doc_escapes_html() {
        assert_eq!(render::rust_doc("a <b> -> */ c\nd"), "a &lt;b> -> * / c d");
    }

    #[test]
    fn layout_follows_rustfmt() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rust::call(8, "out.put", &args(&["\"a\"", "&self.a"]), ";"),
            "        out.put(\"a\", &self.a);"
        );
        let long = "x".repeat(50);
        assert_eq!(
            rust::call(
                8,
                "out.put",
                &args(&[&format!("\"{long}\""), &format!("&self.{}", "y")]),
                ";"
            ),
            format!("        out.put(\n            \"{long}\",\n            &self.y,\n        );")
        );
        assert_eq!(
            rust::assign(
                4,
                "const TRIGGER: &'static str",
                &format!("\"{}\"", "a".repeat(64))
            ),
            format!(
                "    const TRIGGER: &'static str =\n        \"{}\";",
                "a".repeat(64)
            )
        );
        assert_eq!(
            rust::struct_read(&[("to".into(), "e164".into(), args(&["\"to\""]))]),
            "        let payload = Self { to: f.e164(\"to\")? };"
        );
        assert_eq!(
            rust::match_arm(8, "\"a\"", "APayload::clean(payload)"),
            "        \"a\" => APayload::clean(payload),"
        );
    }
}
