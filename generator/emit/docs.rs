//! Emitter for `docs/PROTOCOL.md`: the bridge of one spec explained for the
//! people who set it up and call it: setup steps, the wire protocol in brief,
//! and per trigger its payload, its errors and a Mermaid sequence diagram.
//!
//! Built in Rust rather than a template: nearly every line mixes fixed prose
//! with spec text, and each piece of spec text must go through the escaper of
//! the place it lands in:
//! - [`markdown_text`]: a table cell or a line of prose (after fixed text, so
//!   no spec text can start a heading, list or quote);
//! - [`md_code`]: a value shown as code, falling back to escaped text when a
//!   code span could not hold it;
//! - [`mermaid_text`]: message, note and participant text in a diagram;
//! - [`html_comment_text`]: the `@generated` header, an HTML comment.
//!
//! The protocol facts mirror the runtimes (`runtime/` of flexgen's
//! repository) and flexgen's `docs/protocol.md`; the unit
//! tests hold the error codes to the runtimes' own lists.

use std::fmt::Write as _;

use super::render::markdown_text;
use super::setup::setup_hints;
use super::{EmitError, OutFile, Owner, GENERATED_MARKER};
use crate::ir::{
    ArgValue, BridgeMember, Direction, Embedding, Field, FieldType, Invoke, Listen, ListenKind,
    Plan, Show, ShownValue, SourceRoot, Trigger, ValueType,
};
use crate::vocabulary;

/// Where the document goes, relative to the output folder. `docs/` itself is
/// the user's: flexgen owns this one file.
pub const PROTOCOL_MD: &str = "docs/PROTOCOL.md";

/// Every error code of the protocol, with its meaning: [`crate::protocol`]'s.
pub use crate::protocol::ERROR_CODES;
use crate::protocol::{COMMAND_QUEUE_LIMIT, EVENT_QUEUE_LIMIT, EVENT_QUEUE_MS};

/// How long the plugin keeps events before the handshake, in seconds.
const EVENT_QUEUE_SECONDS: u32 = EVENT_QUEUE_MS / 1000;

/// Rejection texts a Flex action is known to settle with, besides the ones
/// every action can have (see [`ANY_ACTION_FAILURES`]).
const KNOWN_FAILURES: &[(&str, &[&str])] = &[(
    "StartOutboundCall",
    &[
        "outbound calling disabled",
        "live call task already exists",
        "cannot do outbound calls with a pending inbound call",
        "cannot do outbound calls when offline",
        "invalid destination",
    ],
)];

/// What any invoked action may reject with, as Flex words it (`<Name>`:
/// the action), and when.
const ANY_ACTION_FAILURES: &[(&str, &str)] = &[
    (
        "Action <Name> cancelled by before event",
        "another plugin's before-listener aborted it",
    ),
    (
        "<Name> is pending",
        "the same action with the same payload is still running",
    ),
];

/// A host-to-Flex trigger's errors: the code, and when, for that trigger.
/// When a command fails with one code, for one trigger.
type When = fn(&Trigger, &Invoke, &Plan) -> String;

const COMMAND_ERRORS: &[(&str, When)] = &[
    ("SCHEMA_INVALID", |_, _, _| {
        "the payload fails a check (a missing or undeclared field, a wrong type, a bound): \
         the bridge refuses it before anything is sent"
            .to_string()
    }),
    ("NOT_READY", |_, invoke, _| {
        if invoke.queue_for_ms == 0 {
            "no handshake with the plugin yet (`if_not_ready` is 0: the command does not wait), \
             or the bridge was disposed"
                .to_string()
        } else {
            format!(
                "no handshake with the plugin within {} ms (Flex still loading or logging in), \
                 {COMMAND_QUEUE_LIMIT} commands already waiting, or the bridge was disposed",
                invoke.queue_for_ms
            )
        }
    }),
    ("VERSION_MISMATCH", |_, _, plan| {
        format!(
            "the plugin in Flex was generated from another spec or protocol version than \
             this bridge (spec hash `{}`, protocol {}): regenerate and deploy both ends",
            plan.spec_hash, plan.protocol_version
        )
    }),
    ("FLEX_ACTION_FAILED", |trigger, invoke, _| {
        let member = BridgeMember::of(&trigger.name, Direction::HostToFlex);
        format!(
            "`{}` rejected (the message is Flex's error text), or the plugin hook \
             `hooks.{}` returned `false`",
            invoke.action, member.js
        )
    }),
    ("PEER_RELOADED", |_, _, _| {
        "the Flex iframe reloaded (or a new plugin instance said hello) after the command was \
         sent and before the plugin answered: it may or may not have run, and the bridge does \
         not send it again; check in Flex before retrying"
            .to_string()
    }),
    ("TIMEOUT", |_, invoke, _| {
        format!(
            "no answer from the plugin within {} ms of sending, or the bridge was disposed \
             before it answered",
            invoke.timeout_ms
        )
    }),
];

/// The generated document, as one file.
pub fn emit(plan: &Plan) -> Result<Vec<OutFile>, EmitError> {
    Ok(vec![OutFile {
        path: PROTOCOL_MD.to_string(),
        contents: render(plan),
        owner: Owner::Generated,
    }])
}

/// The whole of `docs/PROTOCOL.md`.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    header(&mut out, plan);
    overview(&mut out, plan);
    setup(&mut out, plan);
    protocol(&mut out, plan);
    out.push_str("## Triggers\n");
    for trigger in &plan.triggers {
        out.push('\n');
        trigger_section(&mut out, plan, trigger);
    }
    out
}

fn header(out: &mut String, plan: &Plan) {
    let version = plan
        .generator
        .strip_prefix("flexgen ")
        .unwrap_or(&plan.generator);
    let _ = writeln!(
        out,
        "<!-- {GENERATED_MARKER} {} from {}. DO NOT EDIT. -->",
        html_comment_text(version),
        html_comment_text(&plan.spec_file)
    );
}

fn overview(out: &mut String, plan: &Plan) {
    let app = markdown_text(&plan.app.name.original);
    let commands = plan
        .triggers
        .iter()
        .filter(|t| t.direction == Direction::HostToFlex)
        .count();
    let events = plan.triggers.len() - commands;
    let _ = write!(
        out,
        "# The {app} bridge: CRM page and Flex\n\n\
         How the CRM page of {app} (the *host*) and the Flex plugin talk over \
         `window.postMessage`: what to set up, the messages both ends exchange, and each \
         trigger with its payload, its errors and a sequence diagram. Generated from {spec} \
         by `flexgen generate` (or `flexgen docs`): edit the spec, not this file.\n\n\
         | | |\n|---|---|\n\
         | Flex origin | {flex} |\n\
         | host origins | {hosts} |\n\
         {dev}\
         {embedding}\
         | protocol version | {version} |\n\
         | spec hash | `{hash}` (both ends must carry the same one; the handshake compares them) |\n\
         | triggers | {commands} CRM → Flex, {events} Flex → CRM |\n\n",
        spec = md_code(&plan.spec_file),
        flex = md_code(&plan.app.flex_origin),
        hosts = if plan.app.host_origins.is_empty() {
            "none yet (a production build of the plugin trusts no CRM page)".to_string()
        } else {
            join(plan.app.host_origins.iter().map(|o| md_code(o)))
        },
        dev = if plan.app.dev_host_origins.is_empty() {
            String::new()
        } else {
            format!(
                "| development host origins | {} (development builds of the plugin only) |\n",
                join(plan.app.dev_host_origins.iter().map(|o| md_code(o)))
            )
        },
        embedding = embedding_rows(plan),
        version = plan.protocol_version,
        hash = plan.spec_hash,
    );
    out.push_str("Triggers:\n\n");
    for t in &plan.triggers {
        let arrow = direction_arrow(t.direction);
        let summary = t
            .summary
            .as_deref()
            .map(|s| format!(": {}", markdown_text(s)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- [`{name}`](#{anchor}) ({arrow}){summary}",
            name = t.name.original,
            anchor = anchor(t),
        );
    }
    out.push('\n');
}

/// The overview's rows for `app.embedding`: none for the default.
fn embedding_rows(plan: &Plan) -> String {
    let Some(url) = &plan.app.crm_url else {
        return String::new();
    };
    let word = vocabulary::embedding_word(plan.app.embedding);
    format!(
        "| embedding | {} ({}) |\n| CRM page per task | {} (each `{{task.…}}` percent-encoded; empty while no task is selected) |\n",
        md_code(word.name),
        markdown_text(word.gloss),
        md_code(&url.template),
    )
}

fn setup(out: &mut String, plan: &Plan) {
    out.push_str(
        "## Setup\n\nOutside the generated code, before the two ends can talk:\n\n\
         | what | where | value | why |\n|---|---|---|---|\n",
    );
    for hint in setup_hints(plan) {
        // Titles and places are flexgen's own Markdown; values and reasons
        // carry spec text.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            hint.title,
            markdown_text(hint.place),
            join_with(hint.values.iter().map(|v| md_code(v)), "<br>"),
            markdown_text(&hint.why),
        );
    }
    out.push('\n');
}

fn protocol(out: &mut String, plan: &Plan) {
    let app = md_code(&format!("\"{}\"", plan.app.name.original));
    let _ = write!(
        out,
        "## The wire protocol in brief\n\n\
         Both ends implement flexgen's wire protocol, version {v} (specified in full in \
         flexgen's `docs/protocol.md`). Every message is a plain object:\n\n\
         | key | in | value here |\n|---|---|---|\n\
         | `ns` | all | `\"flexgen\"`: anything else is ignored |\n\
         | `v` | all | `{v}` |\n\
         | `app` | all | {app} |\n\
         | `id` | all | unique per sender: `h-<random>-<n>` (host), `f-<random>-<n>` (plugin) |\n\
         | `kind` | all | `hello`, `command`, `event` or `reply` |\n\
         | `spec`, `role` | hello | `\"{hash}\"`; `host` or `flex` |\n\
         | `type`, `payload` | command, event | the trigger name; its payload, keys exactly the spec's field names |\n\
         | `deadline` | command | when the command expires: `Date.now()` at sending plus the trigger's `invoke.timeout_ms` |\n\
         | `re`, `ok`, `error` | reply | the id answered; `true`, or `false` with `{{ code, message }}` |\n\n\
         {embedding}\
         - **Commands** (CRM → Flex) are checked by the bridge, sent, checked again by the \
         plugin, run as exactly one declared Flex action, and answered with a `reply`: the \
         host's promise settles exactly once. Before the handshake they wait in a queue of \
         {COMMAND_QUEUE_LIMIT} for their trigger's `if_not_ready.queue_for_ms`. A command \
         carries its `deadline`, the moment the host gives up on it with `TIMEOUT`: the \
         plugin never starts one after it (it answers `TIMEOUT` instead), so a late delivery \
         never places a call the CRM already reported as failed.\n\
         - **Events** (Flex → CRM) are built from declared source paths only, checked, and \
         sent; the host checks them again and calls its subscribers, then replies. Before \
         the handshake the plugin keeps up to {EVENT_QUEUE_LIMIT} events for \
         {EVENT_QUEUE_SECONDS} s.\n\
         - **Duplicates.** Each side drops an `id` it has already seen: the plugin remembers \
         a command's id until its deadline, so a command never runs twice.\n\
         - **Budget.** Each side reads a message's declared keys only, every string by its \
         bound, and refuses shared or cyclic objects: what a message costs is bounded by \
         the spec, never by what the message holds.\n\n\
         | error code | meaning |\n|---|---|\n",
        v = plan.protocol_version,
        hash = plan.spec_hash,
        embedding = trust_and_handshake(plan),
    );
    for crate::protocol::ErrorCode { code, meaning, .. } in ERROR_CODES {
        let _ = writeln!(out, "| `{code}` | {meaning} |");
    }
    out.push_str(
        "\nA message from the wrong origin or window is never answered, so no error code \
         exists for it.\n\n",
    );
}

/// The protocol's points that depend on which page frames which.
fn trust_and_handshake(plan: &Plan) -> String {
    let flex = md_code(&plan.app.flex_origin);
    match plan.app.embedding {
        Embedding::FlexInHost => format!(
            "- **Trust.** Each side checks `event.origin` (the host: exactly {flex}; the plugin: \
             one of the host origins) **and** `event.source` (the host: the Flex iframe's window; \
             the plugin: `window.parent`) before reading anything. A message failing either is \
             dropped without an answer. Nothing is posted to `'*'`.\n\
             - **Handshake.** The host says `hello` on start and on every iframe `load`; the \
             plugin once `init` ran and its page has loaded. Each answers the other's `hello` once \
             (an answer carries `re` and is not answered); no side polls. Different `v` or `spec`: \
             state `version_mismatch`, commands fail with `VERSION_MISMATCH`, events are not sent.\n\
             - **Reloads.** An iframe `load`, or a `hello` from another plugin instance (the \
             `f-<random>` part of its ids), means Flex reloaded: commands in flight settle with \
             `PEER_RELOADED` and are not sent again, and the host shakes hands anew. A `hello` \
             from another host instance makes it the plugin's peer.\n"
        ),
        Embedding::HostInFlex => format!(
            "- **Embedding.** The plugin renders the CRM page in Flex's CRM panel, in an iframe \
             per task (`app.crm_url`); the CRM page's bridge talks to its parent, Flex.\n\
             - **Trust.** Each side checks `event.origin` (the host: exactly {flex}; the plugin: \
             one of the host origins) **and** `event.source` (the host: `window.parent`; the \
             plugin: the window of the CRM frame it rendered, never another frame or a popup) \
             before reading anything. A message failing either is dropped without an answer. \
             Nothing is posted to `'*'`.\n\
             - **Handshake.** The host says `hello` when its bridge starts; the plugin on every \
             `load` of its CRM frame. Each answers the other's `hello` once (an answer carries \
             `re` and is not answered); no side polls. Different `v` or `spec`: state \
             `version_mismatch`, commands fail with `VERSION_MISMATCH`, events are not sent.\n\
             - **Reloads.** Switching task re-creates the CRM frame: a new window and a new \
             host, with which the plugin shakes hands anew; events wait for it, and a reply to \
             a command of the old frame goes to the old frame only. A `hello` from another \
             plugin instance means Flex reloaded: commands in flight settle with \
             `PEER_RELOADED` and are not sent again.\n"
        ),
    }
}

fn trigger_section(out: &mut String, plan: &Plan, t: &Trigger) {
    let _ = writeln!(
        out,
        "### `{name}`\n\n| | |\n|---|---|",
        name = t.name.original
    );
    if let Some(summary) = &t.summary {
        fact(out, "summary", &markdown_text(summary));
    }
    let member = BridgeMember::of(&t.name, t.direction);
    match (&t.invoke, &t.listen, &t.show) {
        (Some(invoke), _, _) => command_facts(out, t, invoke, &member),
        (None, Some(listen), _) => event_facts(out, t, listen, &member),
        (None, None, Some(show)) => show_facts(out, t, show, &member),
        (None, None, None) => {}
    }
    out.push('\n');
    payload_table(out, t);
    match (&t.invoke, &t.listen) {
        (Some(invoke), _) => {
            command_errors(out, plan, t, invoke);
            diagram(out, &command_diagram(plan, t, invoke, &member));
        }
        (None, Some(listen)) => {
            event_drops(out, t);
            diagram(out, &event_diagram(plan, t, listen, &member));
        }
        (None, None) => {
            if let Some(show) = &t.show {
                show_errors(out, plan, t, show);
                diagram(out, &show_diagram(plan, t, show, &member));
            }
        }
    }
}

fn fact(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "| {label} | {value} |");
}

fn channel_text(t: &Trigger) -> String {
    let channel = match &t.channel {
        Some(c) => format!("task channel {}", md_code(c)),
        None => "any task channel".to_string(),
    };
    match &t.channel_type {
        Some(ct) => format!("{channel}, channel type {}", md_code(ct)),
        None => channel,
    }
}

fn command_facts(out: &mut String, t: &Trigger, invoke: &Invoke, member: &BridgeMember) {
    fact(
        out,
        "direction",
        &format!(
            "CRM → Flex (`{}`): a command, answered by Flex",
            vocabulary::direction_name(Direction::HostToFlex)
        ),
    );
    if let Some(action) = &t.user_action {
        fact(out, "user action", &markdown_text(action));
    }
    fact(
        out,
        "channel",
        &format!(
            "{} (documents the intent: a command carries no task to check it against)",
            channel_text(t)
        ),
    );
    let args = invoke
        .args
        .iter()
        .map(|a| {
            let value = match &a.value {
                ArgValue::Payload { field } => format!("payload `{}`", field.original),
                ArgValue::Literal { json } => format!("the literal {}", md_code(json)),
            };
            format!("`{}` = {value}", a.dotted())
        })
        .collect::<Vec<_>>();
    let args = if args.is_empty() {
        "no arguments".to_string()
    } else {
        args.join(", ")
    };
    fact(
        out,
        "Flex action",
        &format!(
            "`Actions.invokeAction(\"{}\", …)` with {args}",
            invoke.action
        ),
    );
    fact(
        out,
        "host API",
        &format!(
            "JavaScript `bridge.{js}(payload)` → `Promise`; Rust `bridge.{rust}(payload).await`",
            js = member.js,
            rust = member.rust
        ),
    );
    fact(
        out,
        "plugin hook",
        &format!(
            "`hooks.{}(payload)` in `flex-plugin/src/hooks.ts`; `false` refuses the command",
            t.name.camel
        ),
    );
    let waiting = if invoke.queue_for_ms == 0 {
        "fails at once with `NOT_READY` before the handshake".to_string()
    } else {
        format!("waits up to {} ms for the handshake", invoke.queue_for_ms)
    };
    fact(
        out,
        "time limits",
        &format!(
            "Flex must answer within {} ms of sending; {waiting}",
            invoke.timeout_ms
        ),
    );
}

/// A `show:` command: what Flex keeps, and where it shows it.
fn show_facts(out: &mut String, t: &Trigger, show: &Show, member: &BridgeMember) {
    fact(
        out,
        "direction",
        &format!(
            "CRM → Flex (`{}`): data Flex shows, answered once Flex keeps it",
            vocabulary::direction_name(Direction::HostToFlex)
        ),
    );
    if let Some(action) = &t.user_action {
        fact(out, "user action", &markdown_text(action));
    }
    fact(
        out,
        "shown in",
        &format!(
            "{}, labelled \"{}\", for tasks of channel {}",
            markdown_text(vocabulary::show_place_doc(show.place)),
            markdown_text(&show.label),
            channel_text(t)
        ),
    );
    fact(
        out,
        "task",
        &format!(
            "payload `{}`: the task sid (`WT…`) or reservation sid (`WR…`) of a task this agent has in Flex; the data is kept until that task ends for the agent (completed, canceled, rejected, rescinded or timed out), and a second send replaces it",
            show.task_field.original
        ),
    );
    let rows: Vec<String> = show
        .fields
        .iter()
        .map(|f| {
            let from = match &f.value {
                ShownValue::Payload(name) => format!("payload `{name}`"),
                ShownValue::Task(source) => format!("`{}` in Flex", source.path),
            };
            format!("\"{}\" = {from}", markdown_text(&f.label))
        })
        .collect();
    fact(out, "rows", &rows.join(", "));
    fact(
        out,
        "host API",
        &format!(
            "JavaScript `bridge.{js}(payload)` → `Promise`; Rust `bridge.{rust}(payload).await`",
            js = member.js,
            rust = member.rust
        ),
    );
    fact(
        out,
        "plugin hooks",
        &format!(
            "`hooks.{c}(payload)` in `flex-plugin/src/hooks.ts`; `false` refuses the data. `hooks.{c}View` renders the tab yourself",
            c = t.name.camel
        ),
    );
    fact(
        out,
        "time limits",
        &format!(
            "Flex must answer within {} ms of sending; {}",
            show.timeout_ms,
            if show.queue_for_ms == 0 {
                "fails at once with `NOT_READY` before the handshake".to_string()
            } else {
                format!("waits up to {} ms for the handshake", show.queue_for_ms)
            }
        ),
    );
}

fn show_errors(out: &mut String, plan: &Plan, t: &Trigger, show: &Show) {
    out.push_str(
        "Errors: the promise rejects with a `FlexBridgeError` (Rust: a `BridgeError`) whose \
         `code` is one of\n\n| code | when |\n|---|---|\n",
    );
    let rows = [
        (
            "SCHEMA_INVALID",
            "the payload fails a check: the bridge refuses it before anything is sent".to_string(),
        ),
        (
            "NOT_READY",
            format!(
                "no handshake with the plugin within {} ms, {COMMAND_QUEUE_LIMIT} commands \
                 already waiting, or the bridge was disposed",
                show.queue_for_ms
            ),
        ),
        (
            "VERSION_MISMATCH",
            format!(
                "the plugin was generated from another spec or protocol version (spec hash `{}`)",
                plan.spec_hash
            ),
        ),
        (
            "FLEX_ACTION_FAILED",
            format!(
                "the agent has no task `{}` in Flex (ended, or never theirs), or `hooks.{}` \
                 returned `false`",
                show.task_field.original, t.name.camel
            ),
        ),
        (
            "TIMEOUT",
            format!("no answer within {} ms", show.timeout_ms),
        ),
    ];
    for (code, when) in rows {
        let _ = writeln!(out, "| `{code}` | {when} |");
    }
    out.push('\n');
}

/// Data-tab style: the host sends, the plugin keeps it for the task, Flex shows it.
fn show_diagram(plan: &Plan, t: &Trigger, show: &Show, member: &BridgeMember) -> Vec<String> {
    let name = &t.name.original;
    let m = mermaid_text;
    let mut lines = participants(plan, true);
    lines.push(format!(
        "Host->>Bridge: {}",
        m(&format!("{}(payload)", member.js))
    ));
    lines.push(format!(
        "Note over Bridge: {}",
        m("payload checked, else SCHEMA_INVALID at once")
    ));
    lines.push(format!(
        "Bridge->>Plugin: {}",
        m(&format!(
            "postMessage command {name} to {}",
            plan.app.flex_origin
        ))
    ));
    lines.push(format!(
        "Note over Plugin: {}",
        m(&format!(
            "payload checked again, hooks.{}(payload) may refuse",
            t.name.camel
        ))
    ));
    lines.extend([
        format!(
            "alt the agent has task payload.{}",
            m(&show.task_field.original)
        ),
        format!("    Plugin->>Plugin: {}", m("keeps the data for that task")),
        format!(
            "    Plugin->>Flex: {}",
            m(&format!("tab {} shows it", show.label))
        ),
        format!("    Plugin-->>Bridge: {}", m("reply ok true")),
        format!(
            "    Bridge-->>Host: {}",
            m("promise resolves with { ok: true }")
        ),
        "else no such task, or the hook refuses".to_string(),
        format!("    Plugin-->>Bridge: {}", m("reply FLEX_ACTION_FAILED")),
        format!(
            "    Bridge-->>Host: {}",
            m("promise rejects with FlexBridgeError FLEX_ACTION_FAILED")
        ),
        "end".to_string(),
        format!("Flex->>Plugin: {}", m("the task ends")),
        format!("Note over Plugin: {}", m("the task's data is dropped")),
    ]);
    lines
}

fn listen_text(listen: &Listen) -> String {
    match listen.kind {
        ListenKind::ManagerEvent => {
            format!("manager event `{}` (`manager.events`)", listen.listener)
        }
        ListenKind::AfterAction => format!(
            "action listener `{}`: runs only when `{}` succeeded",
            listen.listener, listen.name
        ),
        ListenKind::BeforeAction => format!(
            "action listener `{}`: observes `{}` before it runs, never aborts it",
            listen.listener, listen.name
        ),
    }
}

fn filter_texts(listen: &Listen) -> Vec<(String, String)> {
    listen
        .filters
        .iter()
        .map(|f| (f.source.path.clone(), f.equals_json.clone()))
        .collect()
}

fn event_facts(out: &mut String, t: &Trigger, listen: &Listen, member: &BridgeMember) {
    fact(
        out,
        "direction",
        &format!(
            "Flex → CRM (`{}`): an event, acknowledged by the host",
            vocabulary::direction_name(Direction::FlexToHost)
        ),
    );
    if let Some(action) = &t.user_action {
        fact(out, "user action", &markdown_text(action));
    }
    fact(out, "channel", &channel_text(t));
    fact(out, "Flex source", &listen_text(listen));
    let filters = filter_texts(listen);
    let filters = if filters.is_empty() {
        "none: every occurrence is sent".to_string()
    } else {
        filters
            .iter()
            .map(|(path, json)| format!("`{path}` = {}", md_code(json)))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    fact(out, "filters", &filters);
    fact(
        out,
        "host API",
        &format!(
            "JavaScript `bridge.{js}(callback)` → unsubscribe function; Rust `bridge.{rust}(callback)`",
            js = member.js,
            rust = member.rust
        ),
    );
    fact(
        out,
        "plugin hook",
        &format!(
            "`hooks.{}(payload)` in `flex-plugin/src/hooks.ts`; `false` suppresses the event",
            t.name.camel
        ),
    );
}

fn limits(field: &Field) -> String {
    match field.ty {
        FieldType::String => match field.max_length {
            Some(n) => format!("at most {n} UTF-16 units, no lone surrogate"),
            None => "no lone surrogate".to_string(),
        },
        FieldType::Enum => format!("one of {}", join(field.values.iter().map(|v| md_code(v)))),
        fixed => vocabulary::field_type_word(fixed).rule.to_string(),
    }
}

fn source_text(t: &Trigger, field: &Field) -> String {
    let described: Vec<String> = field
        .sources
        .iter()
        .map(|source| {
            let convert = if source.value_type == ValueType::Date {
                " (a `Date`, sent as ISO text)"
            } else if source.value_type == ValueType::Unknown {
                " (free-form: checked when read)"
            } else {
                ""
            };
            let root = match source.root {
                SourceRoot::Timing => " (observed by the plugin)",
                _ => "",
            };
            format!("{}{convert}{root}", md_code(&source.path))
        })
        .collect();
    match described.as_slice() {
        [] => {}
        [one] => return one.clone(),
        many => return format!("the first present and valid of {}", many.join(", then ")),
    }
    let feeds: Vec<String> = t
        .invoke
        .iter()
        .flat_map(|i| &i.args)
        .filter(|a| matches!(&a.value, ArgValue::Payload { field: f } if f.original == field.name.original))
        .map(|a| format!("`{}`", a.dotted()))
        .collect();
    if feeds.is_empty() {
        "the host; not passed to the action (the hook sees it)".to_string()
    } else {
        format!("the host; action argument {}", feeds.join(", "))
    }
}

fn payload_table(out: &mut String, t: &Trigger) {
    if t.payload.is_empty() {
        out.push_str("Payload: none, the payload is `{}`.\n\n");
        return;
    }
    out.push_str(
        "Payload:\n\n| field | type | optional | limits | source | doc |\n|---|---|---|---|---|---|\n",
    );
    for field in &t.payload {
        let _ = writeln!(
            out,
            "| `{name}` | `{ty}` | {optional} | {limits} | {source} | {doc} |",
            name = field.name.original,
            ty = vocabulary::field_type_name(field.ty),
            optional = if field.optional { "yes" } else { "no" },
            limits = limits(field),
            source = source_text(t, field),
            doc = field.doc.as_deref().map(markdown_text).unwrap_or_default(),
        );
    }
    out.push('\n');
}

fn command_errors(out: &mut String, plan: &Plan, t: &Trigger, invoke: &Invoke) {
    out.push_str(
        "Errors: the promise rejects with a `FlexBridgeError` (Rust: a `BridgeError`) whose \
         `code` is one of\n\n| code | when |\n|---|---|\n",
    );
    for (code, when) in COMMAND_ERRORS {
        let _ = writeln!(out, "| `{code}` | {} |", when(t, invoke, plan));
    }
    let action = &invoke.action;
    let known = KNOWN_FAILURES
        .iter()
        .find(|(name, _)| *name == action.as_str())
        .map(|(_, texts)| *texts)
        .unwrap_or_default();
    if !known.is_empty() {
        let texts: Vec<String> = known.iter().map(|t| format!("\"{t}\"")).collect();
        let _ = writeln!(
            out,
            "\nFlex's own rejection texts for `{action}` include {}.",
            texts.join(", ")
        );
    }
    let _ = writeln!(out, "\nAny action also rejects with:\n");
    for (text, when) in ANY_ACTION_FAILURES {
        let _ = writeln!(out, "- \"{}\" when {when}", text.replace("<Name>", action));
    }
    out.push('\n');
}

fn event_drops(out: &mut String, t: &Trigger) {
    let name = &t.name.original;
    out.push_str("Not delivered, and where it shows:\n\n| when | what happens |\n|---|---|\n");
    let mut rows: Vec<(String, String)> = vec![(
        "a filter does not hold".to_string(),
        "nothing is sent, silently".to_string(),
    )];
    if t.payload.iter().any(|f| !f.optional) {
        rows.push((
            "a required field is missing or does not fit its type".to_string(),
            format!("not sent; the plugin logs `flexgen: {name} not sent: <field>: <reason>`"),
        ));
    }
    if t.payload.iter().any(|f| f.optional) {
        rows.push((
            "an optional field is missing or does not fit its type".to_string(),
            "the field is left out; the event is sent".to_string(),
        ));
    }
    rows.extend([
        (
            format!("`hooks.{}` returns `false`", t.name.camel),
            "not sent".to_string(),
        ),
        (
            "no handshake yet".to_string(),
            format!(
                "kept up to {EVENT_QUEUE_SECONDS} s ({EVENT_QUEUE_LIMIT} events); then dropped, \
                 and the plugin logs `flexgen: {name} dropped: no host handshake`"
            ),
        ),
        (
            "the host runs another spec or protocol version".to_string(),
            format!("not sent; the plugin logs `flexgen: {name} not sent: host runs another spec version`"),
        ),
        (
            "the host refuses it (`SCHEMA_INVALID`, `NOT_READY`, `VERSION_MISMATCH`)".to_string(),
            "subscribers never see it; the plugin logs `flexgen: host refused <id>: <code>: <message>`"
                .to_string(),
        ),
    ]);
    for (when, what) in rows {
        let _ = writeln!(out, "| {when} | {what} |");
    }
    out.push('\n');
}

fn diagram(out: &mut String, lines: &[String]) {
    out.push_str("```mermaid\nsequenceDiagram\n");
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
    out.push_str("```\n");
}

/// The participants, in the order a diagram shows them.
fn participants(plan: &Plan, host_first: bool) -> Vec<String> {
    let host = format!(
        "participant Host as {}",
        mermaid_text(&format!("{} host page", plan.app.name.original))
    );
    let mut all = vec![
        host,
        "participant Bridge as Bridge (WASM)".to_string(),
        "participant Plugin as Plugin shim".to_string(),
        "participant Flex".to_string(),
    ];
    if !host_first {
        all.reverse();
    }
    all
}

/// Click-to-dial style: the host asks, Flex acts, the answer travels back.
fn command_diagram(
    plan: &Plan,
    t: &Trigger,
    invoke: &Invoke,
    member: &BridgeMember,
) -> Vec<String> {
    let name = &t.name.original;
    let m = mermaid_text;
    let mut lines = participants(plan, true);
    if let Some(action) = &t.user_action {
        lines.push(format!("Note over Host: {}", m(&format!("user: {action}"))));
    }
    lines.push(format!(
        "Host->>Bridge: {}",
        m(&format!("{}(payload)", member.js))
    ));
    lines.push(format!(
        "Note over Bridge: {}",
        m("payload checked, else SCHEMA_INVALID at once")
    ));
    if invoke.queue_for_ms == 0 {
        lines.push(format!(
            "Note over Bridge: {}",
            m("no handshake yet: NOT_READY at once")
        ));
    } else {
        lines.push(format!(
            "Note over Bridge: {}",
            m(&format!(
                "no handshake yet: waits up to {} ms, then NOT_READY",
                invoke.queue_for_ms
            ))
        ));
    }
    lines.push(format!(
        "Bridge->>Plugin: {}",
        m(&format!(
            "postMessage command {name} to {}",
            plan.app.flex_origin
        ))
    ));
    lines.push(format!(
        "Note over Plugin: {}",
        m("origin is a host origin and source is window.parent, else dropped")
    ));
    lines.push(format!(
        "Note over Plugin: {}",
        m(&format!(
            "payload checked again, then hooks.{}(payload) may refuse",
            t.name.camel
        ))
    ));
    lines.push(format!(
        "Plugin->>Flex: {}",
        m(&format!("Actions.invokeAction({})", invoke.action))
    ));
    lines.extend([
        "alt the action resolves".to_string(),
        "    Flex-->>Plugin: resolved".to_string(),
        format!("    Plugin-->>Bridge: {}", m("reply ok true")),
        format!(
            "    Note over Bridge: {}",
            m(&format!(
                "origin is {} and source is the Flex iframe, else dropped",
                plan.app.flex_origin
            ))
        ),
        format!(
            "    Bridge-->>Host: {}",
            m("promise resolves with { ok: true }")
        ),
        "else the action rejects or the hook refuses".to_string(),
        "    Flex-->>Plugin: rejected with Flex's error text".to_string(),
        format!("    Plugin-->>Bridge: {}", m("reply FLEX_ACTION_FAILED")),
        format!(
            "    Bridge-->>Host: {}",
            m("promise rejects with FlexBridgeError FLEX_ACTION_FAILED")
        ),
        format!("else no answer within {} ms", invoke.timeout_ms),
        format!("    Bridge-->>Host: {}", m("promise rejects with TIMEOUT")),
        "end".to_string(),
    ]);
    lines
}

/// Screen-pop style: Flex observes, the plugin tells the host.
fn event_diagram(plan: &Plan, t: &Trigger, listen: &Listen, member: &BridgeMember) -> Vec<String> {
    let name = &t.name.original;
    let m = mermaid_text;
    let mut lines = participants(plan, false);
    let source = match listen.kind {
        ListenKind::ManagerEvent => format!("manager event {}", listen.listener),
        ListenKind::AfterAction => format!("{} succeeded, after-listener", listen.name),
        ListenKind::BeforeAction => format!("{} about to run, before-listener", listen.name),
    };
    lines.push(format!("Flex->>Plugin: {}", m(&source)));
    let filters = filter_texts(listen);
    if !filters.is_empty() {
        let text = filters
            .iter()
            .map(|(path, json)| format!("{path} = {json}"))
            .collect::<Vec<_>>()
            .join(" and ");
        lines.push(format!(
            "Note over Plugin: {}",
            m(&format!("only if {text}"))
        ));
    }
    lines.push(format!(
        "Note over Plugin: {}",
        m(&format!(
            "payload read from its source paths and checked, then hooks.{}(payload) may suppress",
            t.name.camel
        ))
    ));
    lines.extend([
        "alt handshake done".to_string(),
        format!(
            "    Plugin->>Bridge: {}",
            m(&format!(
                "postMessage event {name} to the host origin of the handshake"
            ))
        ),
        "else no handshake yet".to_string(),
        format!(
            "    Note over Plugin: {}",
            m(&format!(
                "kept up to {EVENT_QUEUE_SECONDS} s, then dropped and logged"
            ))
        ),
        "end".to_string(),
        format!(
            "Note over Bridge: {}",
            m(&format!(
                "origin is {} and source is the Flex iframe, else dropped",
                plan.app.flex_origin
            ))
        ),
        "alt payload valid".to_string(),
        format!(
            "    Bridge->>Host: {}",
            m(&format!("{} subscribers called", member.js))
        ),
        format!("    Bridge-->>Plugin: {}", m("reply ok true")),
        "else payload invalid".to_string(),
        format!(
            "    Bridge-->>Plugin: {}",
            m("reply SCHEMA_INVALID, logged by the plugin")
        ),
        "end".to_string(),
    ]);
    lines
}

/// The heading anchor GitHub and most renderers give `### \`name\``.
fn anchor(t: &Trigger) -> String {
    t.name.original.clone()
}

fn direction_arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::HostToFlex => "CRM → Flex",
        Direction::FlexToHost => "Flex → CRM",
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    join_with(items, ", ")
}

fn join_with(items: impl Iterator<Item = String>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

// ---------------------------------------------------------------------------
// Escapers, one per place spec text lands.

/// A value shown as code in Markdown (a table cell or prose): a code span when
/// one can hold it verbatim, else [`markdown_text`]. A code span is literal,
/// so it cannot escape a backtick, and in a table a `|` (or `\` before one)
/// would split the cell: those values, and any with a control character or
/// edge spaces, are shown as escaped text instead.
pub fn md_code(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && !s
            .chars()
            .any(|c| matches!(c, '`' | '|' | '\\') || c.is_control() || is_invisible(c));
    if plain {
        format!("`{s}`")
    } else {
        markdown_text(s)
    }
}

/// Text inside a Mermaid diagram (message, note, participant alias): every
/// character but ASCII letters, digits, space, `.`, `_`, `(`, `)` becomes a
/// Mermaid entity `#<code point>;`, which Mermaid turns back into the
/// character after parsing. So nothing can end the statement (`;`, a
/// newline), start a comment or directive (`%%`), an entity (`#`), an arrow
/// (`->>`, `-->`), a `wrap:` prefix (`:`), a line break (`<br>`), markup or a
/// code fence around the diagram.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | '(' | ')') {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", c as u32);
        }
    }
    // Mermaid trims text; an empty one would leave a statement without it.
    if out.trim().is_empty() {
        out = format!("{}(empty)", out);
    }
    out
}

/// One line of visible text: line breaks and tabs become spaces, other
/// control, invisible and bidi characters U+FFFD (an entity would bring them
/// back).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_invisible(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Text inside an HTML comment (`<!-- ... -->`): one line, no `--` (which
/// ends or invalidates a comment) and no `<` or `>`.
pub fn html_comment_text(s: &str) -> String {
    let mut out = super::render::comment_text(s)
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    while out.contains("--") {
        out = out.replace("--", "- -");
    }
    out
}

/// Characters that render as nothing or reorder text (bidi controls, BOM).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../triggers.yaml");

    fn plan(yaml: &str) -> Plan {
        crate::pipeline::compile("triggers.yaml", yaml).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    /// Every hostile string the escapers must make inert.
    const HOSTILE: &[&str] = &[
        "a|b",
        "a\\|b",
        "line\nbreak\r\nand\u{2028}more",
        "`code` ``two``",
        "<script>alert(1)</script>",
        "<br>",
        "a; b",
        "%%{init: {'theme':'dark'}}%%",
        "#59; #quot;",
        "x --> y ->> z -x w",
        "wrap: text",
        "say \"hi\" 'there'",
        "```mermaid",
        "end",
        "<!-- -->",
        "\u{202e}gnp.exe",
        "*bold* _it_ [link](http://x) ![img](y)",
        "&lt; &amp;",
        "  edges  ",
        "",
    ];

    #[test]
    fn mermaid_text_leaves_nothing_mermaid_reads() {
        for s in HOSTILE {
            let out = mermaid_text(s);
            assert!(
                out.chars()
                    .all(|c| c.is_ascii_alphanumeric() || " ._()#;".contains(c)),
                "{s:?} -> {out:?}"
            );
            // `#` and `;` appear only as the entities' own delimiters.
            let stripped = regex_free_entities(&out);
            assert!(
                !stripped.contains('#') && !stripped.contains(';'),
                "{s:?} -> {out:?}"
            );
            assert!(!out.trim().is_empty(), "{s:?} -> empty");
            assert_eq!(
                decode_entities(&out).replace("(empty)", ""),
                one_line(s),
                "round trip of {s:?}"
            );
        }
        assert_eq!(mermaid_text("a; b"), "a#59; b");
        assert_eq!(mermaid_text("%%"), "#37;#37;");
        assert_eq!(mermaid_text("é😀"), "#233;#128512;");
        assert_eq!(mermaid_text("-->"), "#45;#45;#62;");
    }

    /// Removes every `#<digits>;` entity.
    fn regex_free_entities(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('#') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && after[digits..].starts_with(';') {
                rest = &after[digits + 1..];
            } else {
                out.push('#');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    /// What Mermaid shows for a text: its entities decoded.
    fn decode_entities(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('#') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let end = after.find(';').unwrap();
            out.push(char::from_u32(after[..end].parse().unwrap()).unwrap());
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn markdown_cells_stay_one_cell_of_plain_text() {
        for s in HOSTILE {
            for out in [markdown_text(s), md_code(s)] {
                assert!(
                    !out.contains('\n') && !out.contains('\r'),
                    "{s:?} -> {out:?}"
                );
                // `<` is literal inside a code span, markup anywhere else.
                assert!(
                    (out.starts_with('`') || !out.contains('<')) && !out.contains('\u{202e}'),
                    "{s:?} -> {out:?}"
                );
                // Every `|` is escaped by a backslash that is not itself escaped.
                let bytes = out.as_bytes();
                for (i, _) in out.match_indices('|') {
                    let backslashes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
                    assert_eq!(backslashes % 2, 1, "{s:?} -> {out:?}");
                }
                // Backticks are escaped (no code span from spec text) unless
                // md_code made the whole value one span.
                if out.starts_with('`') {
                    assert_eq!(out, format!("`{s}`"));
                } else {
                    for (i, _) in out.match_indices('`') {
                        assert!(i > 0 && bytes[i - 1] == b'\\', "{s:?} -> {out:?}");
                    }
                }
            }
        }
        assert_eq!(md_code("inbound"), "`inbound`");
        assert_eq!(md_code("a|b"), "a\\|b");
        assert_eq!(md_code("a\\|b"), "a\\\\\\|b");
        assert_eq!(md_code("\"voice\""), "`\"voice\"`");
    }

    /// A payload row names each field's type as the spec spells it, with the
    /// vocabulary's rule for the types of fixed format.
    #[test]
    fn every_field_type_is_documented_in_the_spec_spelling() {
        let fields: String = vocabulary::FIELD_TYPES
            .iter()
            .map(|w| {
                let values = if w.length == vocabulary::Length::LongestValue {
                    ", values: [a]"
                } else {
                    ""
                };
                format!("      f_{0}: {{ type: {0}{values} }}\n", w.name)
            })
            .collect();
        let yaml = format!(
            "version: 1\napp:\n  name: a\n  flex_origin: https://flex.twilio.com\n  \
             host_origins: [https://crm.example.com]\ntriggers:\n  - name: t\n    \
             direction: host_to_flex\n    payload:\n{fields}    invoke:\n      \
             action: CompleteTask\n      args: {{ sid: {{ value: WRx }} }}\n"
        );
        let doc = &emit(&plan(&yaml)).unwrap()[0].contents;
        for w in vocabulary::FIELD_TYPES {
            let row = format!("| `f_{0}` | `{0}` | no | {1} |", w.name, w.rule);
            assert!(
                w.rule.is_empty() || doc.contains(&row),
                "{}: no `{row}` in\n{doc}",
                w.name
            );
            assert!(
                doc.contains(&format!("| `f_{0}` | `{0}` |", w.name)),
                "{}",
                w.name
            );
        }
    }

    #[test]
    fn html_comment_text_cannot_close_the_comment() {
        for s in HOSTILE.iter().chain(&["a-->b", "--->", "-", "x--"]) {
            let out = html_comment_text(s);
            assert!(
                !out.contains("--") && !out.contains('>') && !out.contains('\n'),
                "{s:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn the_document_starts_with_the_generated_marker() {
        let text = render(&plan(SEED));
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            format!(
                "<!-- @generated by flexgen {} from triggers.yaml. DO NOT EDIT. -->",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn every_trigger_has_its_section_and_one_diagram() {
        let p = plan(SEED);
        let text = render(&p);
        assert_eq!(
            text.matches("```mermaid\nsequenceDiagram\n").count(),
            p.triggers.len()
        );
        for t in &p.triggers {
            assert!(
                text.contains(&format!("### `{}`\n", t.name.original)),
                "{}",
                t.name.original
            );
        }
        // The seed's command settles with the codes of COMMAND_ERRORS.
        let dial = text
            .split("### `click_to_dial`")
            .nth(1)
            .unwrap()
            .split("### ")
            .next()
            .unwrap();
        for (code, _) in COMMAND_ERRORS {
            assert!(dial.contains(&format!("| `{code}` |")), "{code}");
        }
        assert!(dial.contains("within 5000 ms") && dial.contains("within 15000 ms"));
        assert!(dial.contains("\"invalid destination\""));
        assert!(dial.contains("participant Host as acme#45;crm host page"));
        let pop = text.split("### `screen_pop`").nth(1).unwrap();
        assert!(
            pop.contains("`task.attributes.direction` = `\"inbound\"`"),
            "{pop}"
        );
        assert!(
            pop.contains("only if task.taskChannelUniqueName #61; #34;voice#34;"),
            "{pop}"
        );
    }

    /// The codes documented are exactly the codes both runtimes know (their
    /// generated `protocol_constants` files), and a command's table lists
    /// every code the bridge can settle it with: all but UNKNOWN_TRIGGER,
    /// which the handshake rules out for matching ends.
    #[test]
    fn error_codes_match_the_runtimes() {
        let documented: Vec<&str> = ERROR_CODES.iter().map(|c| c.code).collect();
        let plan = crate::pipeline::compile("triggers.yaml", SEED).unwrap();
        let rust = crate::emit::constants::rust(&plan).contents;
        let as_str = rust
            .split("pub fn as_str(self)")
            .nth(1)
            .unwrap()
            .split("pub fn parse")
            .next()
            .unwrap();
        let rust_codes: Vec<&str> = as_str.split('"').skip(1).step_by(2).collect();
        assert_eq!(rust_codes, documented);
        let ts = crate::emit::constants::typescript(&plan).contents;
        let list = ts
            .split("export const ERROR_CODES = [")
            .nth(1)
            .unwrap()
            .split(']')
            .next()
            .unwrap();
        let ts_codes: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
        assert_eq!(ts_codes, documented);
        let mut command: Vec<&str> = COMMAND_ERRORS.iter().map(|(c, _)| *c).collect();
        command.push("UNKNOWN_TRIGGER");
        command.sort_unstable();
        let mut all = documented.clone();
        all.sort_unstable();
        assert_eq!(command, all);
    }

    #[test]
    fn known_failures_are_the_catalog_s_actions() {
        for (action, _) in KNOWN_FAILURES {
            assert!(crate::catalog::action(action).is_some(), "{action}");
        }
    }
}
