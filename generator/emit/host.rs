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

/// A JavaScript string literal. `render::ts_string`, not JSON: JSON leaves
/// bidi controls, U+2028/U+2029 and C1 controls raw, and the page is the
/// user's to read and edit (Trojan Source).
fn js_str(s: &str) -> String {
    render::ts_string(s)
}

/// A field of the form: `{ name, type, optional, values? }`.
fn field(f: &crate::ir::Field) -> Vec<(&'static str, String)> {
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
    members
}

/// A command: trigger, JS method, fields (the form's inputs).
fn command(t: &Trigger) -> String {
    let fields: Vec<_> = t.payload.iter().map(field).collect();
    ts::object_broken(
        2,
        &[
            ("trigger", js_str(&t.name.original)),
            ("method", js_str(&method(t))),
            ("fields", ts::object_array(4, "fields", &fields)),
        ],
    )
}

fn event(t: &Trigger) -> String {
    ts::object(
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
