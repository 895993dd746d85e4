//! Emitter for the example host page (`host/`): plain JavaScript, no build
//! step, that frames Flex and drives the generated bridge.
//!
//! It depends on the triggers (one form per command, one subscription per
//! event), so `generate` emits it rather than `new` laying it down: a
//! workspace made with `cargo generate` gets it on its first `flexgen
//! generate` too. Both files are the user's (created once, never
//! overwritten), like `hooks.ts`.

use serde::Serialize;

use super::layout::ts;
use super::{render, EmitError, OutFile};
use crate::ir::{BridgeMember, Direction, Plan, Trigger};

const USER_TEMPLATES: render::Templates = &[
    (
        "index.html",
        "index.html",
        include_str!("../../templates/host/index.html.tera"),
    ),
    (
        "main.js",
        "main.js",
        include_str!("../../templates/host/main.js.tera"),
    ),
    (
        "style.css",
        "style.css",
        include_str!("../../templates/host/style.css.tera"),
    ),
];

/// Everything the templates read. The app name and the origins are
/// validated to `[A-Za-z0-9_-]` and `scheme://host[:port]`, so they are
/// inert in HTML as they are; trigger data reaches JavaScript only as string literals.
#[derive(Serialize)]
struct View<'a> {
    app: &'a str,
    spec_file: &'a str,
    crate_name: String,
    flex_origin: &'a str,
    /// `app.embedding: host_in_flex`: the page runs inside Flex.
    in_flex: bool,
    /// One object literal per command: `{ trigger, method, fields }`.
    commands: Vec<String>,
    /// One object literal per event: `{ trigger, method }`.
    events: Vec<String>,
}

/// The tables are laid out as prettier would leave them, so the page stays
/// formatted.
const WIDTH: usize = ts::PRINT_WIDTH;

/// A JavaScript string literal. `render::ts_string`, not JSON: JSON leaves
/// bidi controls, U+2028/U+2029 and C1 controls raw, and the page is the
/// user's to read and edit (Trojan Source).
fn js_str(s: &str) -> String {
    render::ts_string(s)
}

/// `{ key: value, ... }` on one line at `indent` when it fits with its
/// trailing comma, else one member per line.
fn object(indent: usize, members: &[(&str, String)]) -> String {
    let inline: Vec<String> = members.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let one_line = format!("{{ {} }}", inline.join(", "));
    if indent + one_line.len() < WIDTH && !members.iter().any(|(_, v)| v.contains('\n')) {
        return format!("{}{one_line},", " ".repeat(indent));
    }
    expanded(indent, members)
}

fn expanded(indent: usize, members: &[(&str, String)]) -> String {
    let pad = " ".repeat(indent);
    let mut out = format!("{pad}{{\n");
    for (k, v) in members {
        out.push_str(&format!("{pad}  {k}: {v},\n"));
    }
    out.push_str(&format!("{pad}}},"));
    out
}

fn field(f: &crate::ir::Field, indent: usize) -> String {
    let ty = serde_json::to_value(f.ty).expect("a field type always serialises");
    let mut members = vec![
        ("name", js_str(&f.name.original)),
        ("type", js_str(ty.as_str().unwrap_or_default())),
        ("optional", f.optional.to_string()),
    ];
    if !f.values.is_empty() {
        let values: Vec<String> = f.values.iter().map(|v| js_str(v)).collect();
        members.push(("values", format!("[{}]", values.join(", "))));
    }
    object(indent, &members)
}

/// A command: trigger, JS method, fields (the form's inputs).
fn command(t: &Trigger) -> String {
    let fields = match t.payload.as_slice() {
        [] => "[]".to_string(),
        [only] => {
            let line = field(only, 0);
            let line = line.trim_end_matches(',');
            if 4 + "fields: [".len() + line.len() + "],".len() <= WIDTH {
                format!("[{line}]")
            } else {
                format!("[\n{}\n    ]", field(only, 6))
            }
        }
        many => {
            let lines: Vec<String> = many.iter().map(|f| field(f, 6)).collect();
            format!("[\n{}\n    ]", lines.join("\n"))
        }
    };
    expanded(
        2,
        &[
            ("trigger", js_str(&t.name.original)),
            ("method", js_str(&method(t))),
            ("fields", fields),
        ],
    )
}

fn event(t: &Trigger) -> String {
    object(
        2,
        &[
            ("trigger", js_str(&t.name.original)),
            ("method", js_str(&method(t))),
        ],
    )
}

fn method(t: &Trigger) -> String {
    BridgeMember::of(&t.name, t.direction).js
}

pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    let of = |direction| {
        plan.triggers
            .iter()
            .filter(move |t: &&Trigger| t.direction == direction)
    };
    let commands = of(Direction::HostToFlex).map(command).collect();
    let events = of(Direction::FlexToHost).map(event).collect();
    let view = View {
        app: &plan.app.name.original,
        spec_file: &plan.spec_file,
        // The bridge crate's name, as `bridge/Cargo.toml` spells it.
        crate_name: format!("{}_bridge", plan.app.name.snake),
        flex_origin: &plan.app.flex_origin,
        in_flex: plan.app.embedding == crate::ir::Embedding::HostInFlex,
        commands,
        events,
    };
    let target = render::Target {
        generated_dir: "host",
        user_dir: "host",
        statics: &[],
        generated: &[],
        user: USER_TEMPLATES,
    };
    target.emit("", &view, str::to_string)
}
