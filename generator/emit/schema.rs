//! The JSON Schema (draft-07) of `triggers.yaml`, for editors.
//!
//! yaml-language-server (VS Code's YAML extension and others) reads it through
//! `# yaml-language-server: $schema=./triggers.schema.json` and then completes
//! keys, directions, channels, actions and events, and flags mistakes as you
//! type. It is built from the catalog and the spec's vocabulary, so it
//! depends on the catalog only (the same file for every spec) and cannot drift
//! from what `flexgen check` accepts. It is as tight as JSON Schema allows:
//! what it cannot say (names that collide after case conversion, an arg's
//! payload field and its type, bridge member clashes) stays with `check`.
//!
//! serde_json's maps are sorted, so the output is deterministic whatever the
//! order in which the parts are built.

use serde_json::{json, Map, Value};

use crate::catalog::{self, Action, PayloadField, SourceField};
use crate::emit::{OutFile, Owner, GENERATED_MARKER};
use crate::ir::{ActionFieldType, Direction, FieldType, Names, Plan, Subject, ValueType};
use crate::vocabulary::{
    self, field_type_name as type_name_of, is_identifier, or_list, path_key_pattern, OnKind, Range,
    ARG_FITS, DANGEROUS_KEYS, DIRECTIONS, FIELD_TYPES, FLEX_TO_HOST, HOST_TO_FLEX, MAX_LABEL_LEN,
    MAX_LENGTH, MAX_NAME_LEN, MAX_SHOWN_FIELDS, NAME_PATTERN, ON_KINDS, QUEUE_FOR_MS, SHOW_PLACES,
    SOURCE_FITS, TIMEOUT_MS,
};

/// Where `generate` writes it: beside `triggers.yaml` in a workspace.
pub const FILE: &str = "triggers.schema.json";

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// The schema as a file of the generated tree.
pub fn emit(plan: &Plan) -> OutFile {
    let version = plan
        .generator
        .strip_prefix("flexgen ")
        .unwrap_or(&plan.generator);
    OutFile {
        path: FILE.to_string(),
        contents: render(version),
        owner: Owner::Generated,
    }
}

/// The schema as pretty-printed JSON (2 spaces, trailing newline), sealed:
/// what `flexgen schema` prints is byte for byte the generated file.
pub fn render(version: &str) -> String {
    let mut text =
        serde_json::to_string_pretty(&schema(version)).expect("a JSON value always serialises");
    text.push('\n');
    crate::seal::seal(text)
}

/// The whole document. `version` is flexgen's, for the `@generated` marker.
pub fn schema(version: &str) -> Value {
    json!({
        // Sorted first among the keys, so `write` finds the marker on line 2.
        "$comment": format!(
            "{GENERATED_MARKER} {version} from its Flex catalog: the JSON Schema of triggers.yaml \
             (`flexgen schema` prints it). DO NOT EDIT."
        ),
        "$schema": DRAFT_07,
        "title": "flexgen triggers.yaml",
        "description": "One file describes every message that crosses between the CRM page (the host) and the Flex plugin. Unknown keys are errors everywhere.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version", "app", "triggers"],
        "properties": {
            "version": {
                "description": "Spec format version; only 1 exists.",
                "const": 1
            },
            "app": { "$ref": "#/definitions/app" },
            "triggers": {
                "description": "The messages between the CRM and Flex, one or more.",
                "type": "array",
                "minItems": 1,
                "items": { "$ref": "#/definitions/trigger" }
            }
        },
        "definitions": definitions()
    })
}

fn definitions() -> Value {
    json!({
        "app": app(),
        "origin": origin(),
        "dev_origin": dev_origin(),
        "trigger": trigger(),
        "field": field(),
        "invoke": invoke(),
        "show": show(),
        "on": on(),
        "json": json_value(),
        "when_string": literal(ValueType::String),
        "when_number": literal(ValueType::Number),
        "when_boolean": literal(ValueType::Boolean),
        "when_any": literal(ValueType::Unknown),
        "arg_string": arg(ActionFieldType::String),
        "arg_number": arg(ActionFieldType::Number),
        "arg_boolean": arg(ActionFieldType::Boolean),
        "arg_object": arg(ActionFieldType::Object),
        "arg_any": arg(ActionFieldType::Any),
        "source_path": {
            "description": "A source path: task.*, worker.*, timing.*, or action.* for before/after listeners.",
            "allOf": [paths_schema(&all_sources())]
        },
    })
}

fn app() -> Value {
    json!({
        "description": "The app: its name and the exact origins of both ends.",
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "flex_origin", "host_origins"],
        "properties": {
            "name": {
                "description": "Letters, digits, '-' or '_', starting with a letter.",
                "type": "string",
                "pattern": "^[A-Za-z][A-Za-z0-9_-]*$",
                "maxLength": MAX_NAME_LEN
            },
            "flex_origin": {
                "description": "Exact origin of the Flex page, e.g. https://flex.twilio.com.",
                "$ref": "#/definitions/origin"
            },
            "host_origins": {
                "description": "Exact origins of the CRM pages that embed Flex in production, trusted by every build of the plugin: no duplicates; 1 or more unless dev_host_origins has some (then flexgen check warns that a production build trusts no CRM page). A loopback or plain-http origin here is warned about: put it in dev_host_origins.",
                "type": "array",
                "uniqueItems": true,
                "items": { "$ref": "#/definitions/origin" }
            },
            "dev_host_origins": {
                "description": "Origins of CRM pages on this machine (localhost, 127.0.0.1, [::1]) that only a development build of the plugin trusts (npm start, flexgen preview); a production build (npm run build, deploy) leaves them out. No duplicates, none also in host_origins.",
                "type": "array",
                "uniqueItems": true,
                "items": { "$ref": "#/definitions/dev_origin" }
            },
            "embedding": {
                "description": embedding_description(),
                "enum": vocabulary::embedding_names(),
                "default": vocabulary::FLEX_IN_HOST
            },
            "crm_url": {
                "description": format!("With embedding: {}, the URL of the CRM page the plugin shows in Flex's CRM panel for the selected task, e.g. https://crm.example.com/flex?task={{task.taskSid}}: its origin written out and one of host_origins or dev_host_origins; {{task.…}} placeholders (a string or number of the task, empty while no task is selected) are percent-encoded by the plugin; other text only the characters a URL holds as they are.", vocabulary::HOST_IN_FLEX),
                "type": "string",
                "pattern": "^https?://[^/?#{}]+(?:[/?#][A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%{}-]*)?$"
            },
            "hide_crm_panel": {
                "description": format!("Hide Flex's own CRM panel (panel 2 of the agent desktop) when the plugin starts: the default with embedding: {}, where the CRM page frames Flex and the panel is dead space; never true with embedding: {}, where the panel shows crm_url.", vocabulary::FLEX_IN_HOST, vocabulary::HOST_IN_FLEX),
                "type": "boolean"
            }
        },
        // With no development origin, at least one production one: else no
        // build of the plugin would trust any page.
        "anyOf": [
            { "properties": { "host_origins": { "minItems": 1 } } },
            {
                "required": ["dev_host_origins"],
                "properties": { "dev_host_origins": { "minItems": 1 } }
            }
        ],
        // crm_url with host_in_flex, and only with it.
        "if": {
            "required": ["embedding"],
            "properties": { "embedding": { "const": vocabulary::HOST_IN_FLEX } }
        },
        "then": {
            "required": ["crm_url"],
            "properties": { "hide_crm_panel": { "const": false } }
        },
        "else": { "not": { "required": ["crm_url"] } }
    })
}

/// `app.embedding`'s values and what each means.
fn embedding_description() -> String {
    let values: Vec<String> = vocabulary::EMBEDDINGS
        .iter()
        .map(|w| format!("{}: {}", w.name, w.gloss))
        .collect();
    format!("Which page frames which. {}.", values.join("; "))
}

/// An origin of `dev_host_origins`: an exact origin on a loopback host.
fn dev_origin() -> Value {
    let local = vocabulary::loopback_pattern();
    json!({
        "description": "An exact origin on this machine: http or https, localhost, 127.0.0.1 or [::1], an optional port.",
        "allOf": [
            { "$ref": "#/definitions/origin" },
            { "pattern": format!("^https?://{local}(?::[0-9]+)?$") }
        ]
    })
}

/// `scheme://host[:port]` as `validate::check_origin` accepts it.
fn origin() -> Value {
    let port =
        "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    let host = "(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]*\\])";
    let local = vocabulary::loopback_pattern();
    json!({
        "description": "scheme://host[:port] and nothing else: no path (not even a trailing /), no wildcard, lowercase, no default port; https everywhere, http only for localhost, 127.0.0.1 and [::1].",
        "type": "string",
        "pattern": format!("^(?:https://{host}|http://{local})(?::{port})?$"),
        // Browsers drop a default port from `event.origin`: it would never match.
        "not": { "pattern": "^(?:https://.*:443|http://.*:80)$" }
    })
}

fn trigger() -> Value {
    let channel_type_only_on_chat = json!({
        "if": { "required": ["channel_type"] },
        "then": { "properties": { "channel": { "const": catalog::CHANNEL_TYPE_CHANNEL } } }
    });
    let mut rules = vec![
        direction_rule(
            Direction::HostToFlex,
            json!({
                "oneOf": [{ "required": ["invoke"] }, { "required": ["show"] }],
                "properties": {
                    "on": false,
                    "when": false,
                    "payload": { "additionalProperties": { "properties": { "from": false } } }
                }
            }),
        ),
        direction_rule(
            Direction::FlexToHost,
            json!({
                "required": ["on"],
                "properties": {
                    "invoke": false,
                    "show": false,
                    "if_not_ready": false,
                    "payload": { "additionalProperties": { "required": ["from"] } }
                }
            }),
        ),
        channel_type_only_on_chat,
    ];
    rules.extend(listener_rules());
    json!({
        "description": "One message type between the CRM and Flex.",
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "direction"],
        "properties": {
            "name": {
                "description": format!("snake_case identifier, at most {MAX_NAME_LEN} characters; also the message type on the wire."),
                "type": "string",
                "pattern": format!("^{NAME_PATTERN}$"),
                "maxLength": MAX_NAME_LEN,
                "not": { "enum": reserved_names(true) }
            },
            "summary": { "description": "One line for docs and generated comments.", "type": "string" },
            "direction": {
                "description": direction_description(),
                "enum": vocabulary::direction_names()
            },
            "user_action": {
                "description": "Free text: what the user does (\"click a phone number\").",
                "type": "string"
            },
            "channel": {
                "description": format!("Task channel; left out = any channel. A filter on {FLEX_TO_HOST} triggers."),
                "enum": catalog::CHANNELS
            },
            "channel_type": {
                "description": "attributes.channelType of chat tasks; only with channel: chat (or no channel).",
                "enum": catalog::CHANNEL_TYPES
            },
            "payload": {
                "description": "Map of field name -> field; empty when left out.",
                "type": ["object", "null"],
                "propertyNames": {
                    "pattern": format!("^{NAME_PATTERN}$"),
                    "maxLength": MAX_NAME_LEN,
                    "not": { "enum": reserved_names(false) }
                },
                "additionalProperties": { "$ref": "#/definitions/field" }
            },
            "invoke": { "$ref": "#/definitions/invoke" },
            "show": { "$ref": "#/definitions/show" },
            "if_not_ready": {
                "description": format!("{HOST_TO_FLEX} only: how long a command may wait for the handshake."),
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "queue_for_ms": range(QUEUE_FOR_MS, &format!("Milliseconds a command may wait for the handshake (default {}: fail with NOT_READY at once).", QUEUE_FOR_MS.default))
                }
            },
            "on": { "$ref": "#/definitions/on" },
            "when": {
                "description": format!("{FLEX_TO_HOST} only: extra filters, source path -> literal; all must match."),
                "type": "object",
                "propertyNames": { "$ref": "#/definitions/source_path" },
                "additionalProperties": literal_ref(ValueType::Unknown)
            }
        },
        "allOf": rules
    })
}

fn direction_rule(direction: Direction, then: Value) -> Value {
    let direction = vocabulary::direction_name(direction);
    json!({
        "if": { "required": ["direction"], "properties": { "direction": { "const": direction } } },
        "then": then
    })
}

fn field() -> Value {
    let string = type_name_of(FieldType::String);
    let enumeration = type_name_of(FieldType::Enum);
    json!({
        "description": "A payload field.",
        "type": "object",
        "additionalProperties": false,
        "required": ["type"],
        "properties": {
            "type": {
                "description": field_type_description(),
                "enum": vocabulary::field_type_names()
            },
            "optional": {
                "description": "true lets the field be absent (default false).",
                "type": "boolean"
            },
            "doc": { "description": "Free text, lands in generated doc comments.", "type": "string" },
            "max_length": range(MAX_LENGTH, &format!("type: string only: upper bound in UTF-16 units (default {}).", MAX_LENGTH.default)),
            "values": {
                "description": "type: enum only, required there: 1 or more distinct non-empty strings.",
                "type": "array",
                "minItems": 1,
                "uniqueItems": true,
                "items": { "type": "string", "minLength": 1, "maxLength": MAX_LENGTH.max }
            },
            "from": {
                "description": format!("{FLEX_TO_HOST} only, required there: the source path the plugin reads, or a list of them (the first value present that fits the field is sent)."),
                "anyOf": [
                    { "$ref": "#/definitions/source_path" },
                    {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": true,
                        "items": { "$ref": "#/definitions/source_path" }
                    }
                ]
            }
        },
        "allOf": [
            {
                "if": { "required": ["type"], "properties": { "type": { "const": enumeration } } },
                "then": { "required": ["values"] },
                "else": { "properties": { "values": false } }
            },
            {
                "if": { "required": ["type"], "properties": { "type": { "not": { "const": string } } } },
                "then": { "properties": { "max_length": false } }
            }
        ]
    })
}

fn invoke() -> Value {
    let rules: Vec<Value> = group_by(catalog::ACTIONS.iter(), |a| args_schema(a.fields))
        .into_iter()
        .map(|(args, actions)| {
            let names: Vec<&str> = actions.iter().map(|a| a.name).collect();
            let mut then = json!({ "properties": { "args": args } });
            let required = required_args(actions[0].fields);
            if !required.is_empty() {
                then["required"] = json!(["args"]);
            }
            json!({
                "if": { "required": ["action"], "properties": { "action": { "enum": names } } },
                "then": then
            })
        })
        .collect();
    json!({
        "description": format!("{HOST_TO_FLEX} only, required there: the Flex action to run."),
        "type": "object",
        "additionalProperties": false,
        "required": ["action"],
        "properties": {
            "action": {
                "description": "A Flex action of the catalog.",
                "enum": catalog::action_names()
            },
            "args": {
                "description": "Action payload key -> payload.<field>, a number, true/false, or { value: ... } for any other literal.",
                "type": ["object", "null"],
                "additionalProperties": arg_ref(ActionFieldType::Any)
            },
            "timeout_ms": range(TIMEOUT_MS, &format!("Flex's answer must arrive within this many milliseconds (default {}).", TIMEOUT_MS.default))
        },
        "allOf": rules
    })
}

fn show() -> Value {
    let label = |what: &str| {
        json!({
            "description": what,
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_LABEL_LEN,
            "pattern": "^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$"
        })
    };
    let places: Vec<String> = SHOW_PLACES
        .iter()
        .map(|w| format!("{}: {}", w.name, w.doc))
        .collect();
    json!({
        "description": format!("{HOST_TO_FLEX} only, instead of invoke: Flex keeps the data per task and shows it."),
        "type": "object",
        "additionalProperties": false,
        "required": ["label", "task", "fields"],
        "properties": {
            "in": {
                "description": format!("Where in Flex (default {}). {}.", SHOW_PLACES[0].name, places.join("; ")),
                "enum": vocabulary::show_place_names()
            },
            "label": label("The tab's title."),
            "task": {
                "description": "payload.<field>: a required string field carrying the task sid (WT...) or reservation sid (WR...).",
                "type": "string",
                "pattern": format!("^payload\\.{NAME_PATTERN}$")
            },
            "fields": {
                "description": "Row label -> payload.<field> (what the CRM sent) or task.<path> (what Flex has), in order.",
                "type": "object",
                "minProperties": 1,
                "maxProperties": MAX_SHOWN_FIELDS,
                "propertyNames": label("A row's label."),
                "additionalProperties": {
                    "type": "string",
                    "pattern": format!("^(?:payload\\.{NAME_PATTERN}|task\\..+)$")
                }
            }
        }
    })
}

fn required_args(fields: &[PayloadField]) -> Vec<&'static str> {
    fields
        .iter()
        .filter(|f| !f.optional && f.ty != ActionFieldType::Task)
        .map(|f| f.name)
        .collect()
}

/// The args of one action: its payload keys (a task object cannot come from
/// the host, so `task` is not one), each with the values that fit it.
fn args_schema(fields: &[PayloadField]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .filter(|f| f.ty != ActionFieldType::Task)
        .map(|f| (f.name.to_string(), arg_ref(f.ty)))
        .collect();
    // `taskAttributes.crm_record_id`: a value set inside an object argument.
    let inside = |f: &PayloadField| format!("^{}(?:\\.{})+$", f.name, path_key_pattern());
    let objects: Map<String, Value> = fields
        .iter()
        .filter(|f| matches!(f.ty, ActionFieldType::Object | ActionFieldType::Any))
        .map(|f| (inside(f), arg_ref(ActionFieldType::Any)))
        .collect();
    let mut schema = json!({ "additionalProperties": false, "properties": properties });
    if !objects.is_empty() {
        schema["patternProperties"] = Value::Object(objects);
    }
    let required = required_args(fields);
    if !required.is_empty() {
        schema["type"] = json!("object");
        // A required object argument may also be given key by key: then
        // some property name starts with it.
        let each: Vec<Value> = fields
            .iter()
            .filter(|f| required.contains(&f.name))
            .map(|f| match f.ty {
                ActionFieldType::Object | ActionFieldType::Any => json!({
                    "anyOf": [
                        { "required": [f.name] },
                        { "not": { "propertyNames": { "not": { "pattern": inside(f) } } } }
                    ]
                }),
                _ => json!({ "required": [f.name] }),
            })
            .collect();
        schema["allOf"] = json!(each);
    }
    schema
}

/// A reference to the `arg_*` definition for `ty`.
fn arg_ref(ty: ActionFieldType) -> Value {
    let name = match ty {
        ActionFieldType::String => "string",
        ActionFieldType::Number => "number",
        ActionFieldType::Boolean => "boolean",
        ActionFieldType::Object => "object",
        ActionFieldType::Task => return json!(false),
        ActionFieldType::Any => "any",
    };
    json!({ "$ref": format!("#/definitions/arg_{name}") })
}

/// A reference to the `when_*` definition for a source of type `ty`.
fn literal_ref(ty: ValueType) -> Value {
    let name = match ty {
        ValueType::String => "string",
        ValueType::Number => "number",
        ValueType::Boolean => "boolean",
        // A date never equals a literal.
        ValueType::Date => return json!(false),
        ValueType::Unknown => "any",
    };
    json!({ "$ref": format!("#/definitions/when_{name}") })
}

/// What may feed an action payload key of type `ty`.
fn arg(ty: ActionFieldType) -> Value {
    let path = json!({
        "description": "A payload field of this trigger.",
        "type": "string",
        "pattern": format!("^payload\\.{NAME_PATTERN}$")
    });
    // A payload field feeds a key when some field type fits it (`ARG_FITS`;
    // keys it does not list take any field).
    let takes_path = ARG_FITS
        .iter()
        .find(|(t, _)| *t == ty)
        .is_none_or(|(_, fits)| !fits.is_empty());
    let (plain, boxed): (Option<&str>, Value) = match ty {
        ActionFieldType::String => (None, json!({ "type": "string" })),
        ActionFieldType::Number => (Some("number"), json!({ "type": "number" })),
        ActionFieldType::Boolean => (Some("boolean"), json!({ "type": "boolean" })),
        ActionFieldType::Object => (None, json!({ "type": "object" })),
        ActionFieldType::Task => return json!(false),
        ActionFieldType::Any => (None, json!({ "not": { "type": "null" } })),
    };
    let mut options = Vec::new();
    if takes_path {
        options.push(path);
    }
    match (ty, plain) {
        (ActionFieldType::Any, _) => options.push(json!({ "type": ["number", "boolean"] })),
        (_, Some(kind)) => options.push(json!({ "type": kind })),
        _ => {}
    }
    options.push(boxed_literal(boxed));
    json!({ "anyOf": options })
}

/// `{ value: ... }`, the literal form that takes any JSON.
fn boxed_literal(value: Value) -> Value {
    json!({
        "description": "A literal: { value: <any JSON> }.",
        "type": "object",
        "additionalProperties": false,
        "required": ["value"],
        "properties": { "value": { "allOf": [{ "$ref": "#/definitions/json" }, value] } }
    })
}

/// Any JSON whose objects never use a key that reaches the prototype.
fn json_value() -> Value {
    json!({
        "description": "A JSON value; object keys may not be __proto__, constructor or prototype.",
        "items": { "$ref": "#/definitions/json" },
        "propertyNames": { "not": { "enum": DANGEROUS_KEYS } },
        "additionalProperties": { "$ref": "#/definitions/json" }
    })
}

/// A `when:` value compared with a source of type `ty`.
fn literal(ty: ValueType) -> Value {
    let kinds: &[&str] = match ty {
        ValueType::String => &["string"],
        ValueType::Number => &["number"],
        ValueType::Boolean => &["boolean"],
        // A date never equals a literal.
        ValueType::Date => return json!(false),
        ValueType::Unknown => &["string", "number", "boolean"],
    };
    json!({ "anyOf": [{ "type": kinds }, boxed_literal(json!({ "type": kinds }))] })
}

fn on() -> Value {
    json!({
        "description": format!("{FLEX_TO_HOST} only, required there: exactly one of {{ event: X }}, {{ after: Action }} or {{ before: Action }}."),
        "type": "object",
        "additionalProperties": false,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            "event": { "description": "A manager event.", "enum": catalog::event_names() },
            "after": {
                "description": "An after-listener on a catalog action (runs only when the action succeeded).",
                "enum": catalog::action_names()
            },
            "before": {
                "description": "A before-listener on a catalog action (observes; never aborts).",
                "enum": catalog::action_names()
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Source paths: what `from:` and `when:` may read, by listener.

/// One readable path and what it holds.
#[derive(Debug, Clone, PartialEq)]
struct Source {
    path: String,
    field: SourceField,
}

/// The sources of a listener whose subject is `subject` (and that observes
/// `action`, for before/after listeners), as `validate::resolve_source` has them.
fn sources(subject: Subject, action: Option<&Action>) -> Vec<Source> {
    catalog::ROOTS
        .iter()
        .filter(|r| {
            (!r.needs_task || subject == Subject::Task) && (!r.needs_action || action.is_some())
        })
        .flat_map(|r| {
            catalog::root_fields(r.root, action)
                .into_iter()
                .map(move |field| Source {
                    path: format!("{}.{}", r.name, field.name),
                    field,
                })
        })
        .collect()
}

/// Every path some listener may read, for completion before `on` is written.
fn all_sources() -> Vec<Source> {
    let mut all = sources(Subject::Task, None);
    for action in catalog::ACTIONS {
        for source in sources(action.subject, Some(action)) {
            if !all.iter().any(|s| s.path == source.path) {
                all.push(source);
            }
        }
    }
    all
}

/// Plain paths as an enum (editors complete them), free-form ones as a pattern.
fn paths_schema(sources: &[Source]) -> Value {
    let plain: Vec<&str> = sources
        .iter()
        .filter(|s| !s.field.free_form)
        .map(|s| s.path.as_str())
        .collect();
    let mut options = Vec::new();
    if !plain.is_empty() {
        options.push(json!({ "enum": plain }));
    }
    if sources.iter().any(|s| s.field.free_form) {
        options.push(json!({ "type": "string", "pattern": free_form_pattern(sources) }));
    }
    json!({ "anyOf": options })
}

fn free_form_pattern(sources: &[Source]) -> String {
    let roots: Vec<String> = sources
        .iter()
        .filter(|s| s.field.free_form)
        .map(|s| s.path.replace('.', "\\."))
        .collect();
    format!("^(?:{})(?:\\.{})+$", roots.join("|"), path_key_pattern())
}

/// What one listener context allows: `from` paths and the field types they
/// can feed, `when` keys and the literals they can equal, and (without a task)
/// no channel filters.
fn context_rule(subject: Subject, action: Option<&Action>) -> Value {
    let sources = sources(subject, action);
    let plain = |pick: &dyn Fn(&SourceField) -> bool| -> Vec<&str> {
        sources
            .iter()
            .filter(|s| !s.field.free_form && pick(&s.field))
            .map(|s| s.path.as_str())
            .collect()
    };
    let mut field_rules: Vec<Value> = SOURCE_FITS
        .iter()
        .filter_map(|(value_type, fits)| {
            let paths = plain(&|f| f.ty == *value_type);
            let types: Vec<&str> = fits.iter().map(|t| type_name_of(*t)).collect();
            (!paths.is_empty()).then(|| {
                // Any one source of this runtime type, alone or in a list.
                let one = json!({ "enum": paths });
                json!({
                    "if": {
                        "required": ["from"],
                        "properties": { "from": { "anyOf": [one, { "type": "array", "contains": one }] } }
                    },
                    "then": { "properties": { "type": { "enum": types } } }
                })
            })
        })
        .collect();
    let maybe_absent: Vec<Source> = sources
        .iter()
        .filter(|s| s.field.optional)
        .cloned()
        .collect();
    if !maybe_absent.is_empty() {
        field_rules.push(json!({
            // One source that may be absent, or a list of nothing else.
            "if": {
                "required": ["from"],
                "properties": { "from": {
                    "anyOf": [
                        paths_schema(&maybe_absent),
                        { "type": "array", "items": paths_schema(&maybe_absent) }
                    ]
                } }
            },
            "then": { "required": ["optional"], "properties": { "optional": { "const": true } } }
        }));
    }
    let when_keys: Map<String, Value> = sources
        .iter()
        .filter(|s| !s.field.free_form)
        .map(|s| (s.path.clone(), literal_ref(s.field.ty)))
        .collect();
    let mut properties = json!({
        "payload": {
            "additionalProperties": {
                "properties": { "from": {
                    "anyOf": [paths_schema(&sources), { "type": "array", "items": paths_schema(&sources) }]
                } },
                "allOf": field_rules
            }
        },
        "when": {
            "properties": when_keys,
            "patternProperties": { free_form_pattern(&sources): literal_ref(ValueType::Unknown) },
            "additionalProperties": false
        }
    });
    if subject != Subject::Task {
        properties["channel"] = json!(false);
        properties["channel_type"] = json!(false);
    }
    json!({ "properties": properties })
}

/// One `if on is one of these, then this context` rule per distinct context.
fn listener_rules() -> Vec<Value> {
    let mut listeners: Vec<(&str, &str, Value)> = Vec::new();
    for word in ON_KINDS {
        if word.kind == OnKind::Event {
            listeners.extend(
                catalog::EVENTS
                    .iter()
                    .map(|e| (word.key, e.name, context_rule(e.subject, None))),
            );
        } else {
            listeners.extend(
                catalog::ACTIONS
                    .iter()
                    .map(|a| (word.key, a.name, context_rule(a.subject, Some(a)))),
            );
        }
    }
    group_by(listeners.iter(), |(_, _, rule)| rule.clone())
        .into_iter()
        .map(|(rule, members)| {
            let by_kind: Map<String, Value> = vocabulary::on_keys()
                .iter()
                .map(|kind| {
                    let names: Vec<&str> = members
                        .iter()
                        .filter(|(k, _, _)| k == kind)
                        .map(|(_, n, _)| *n)
                        .collect();
                    let allowed = if names.is_empty() {
                        json!(false)
                    } else {
                        json!({ "enum": names })
                    };
                    (kind.to_string(), allowed)
                })
                .collect();
            json!({
                "if": {
                    "required": ["on"],
                    "properties": {
                        "on": { "minProperties": 1, "additionalProperties": false, "properties": by_kind }
                    }
                },
                "then": rule
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Small helpers.

/// Groups `items` by a derived key, keeping first-seen order.
fn group_by<T, K: PartialEq>(
    items: impl Iterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(&item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    groups
}

fn range(Range { min, max, .. }: Range, description: &str) -> Value {
    json!({ "description": description, "type": "integer", "minimum": min, "maximum": max })
}

/// "host_to_flex (the CRM asks Flex to act) or flex_to_host (...)."
fn direction_description() -> String {
    let each: Vec<String> = DIRECTIONS
        .iter()
        .map(|d| format!("{} ({})", d.name, d.gloss))
        .collect();
    format!("{}.", or_list(&each))
}

/// "string, e164 (+ then 2-15 digits), integer, ... or enum."
fn field_type_description() -> String {
    let each: Vec<String> = FIELD_TYPES
        .iter()
        .map(|t| match t.hint {
            Some(hint) => format!("{} ({hint})", t.name),
            None => t.name.to_string(),
        })
        .collect();
    format!("{}.", or_list(&each))
}

/// Well-formed names the validator refuses as reserved: one of their case
/// forms (snake, camel, and Pascal for trigger names) is a reserved word. A
/// reserved form's snake_case is the name itself, so the reserved words are
/// the only candidates.
fn reserved_names(pascal: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in catalog::TS_RESERVED.iter().chain(catalog::RUST_RESERVED) {
        let candidate = Names::new(word).snake;
        if !is_identifier(&candidate) || out.contains(&candidate) {
            continue;
        }
        let names = Names::new(&candidate);
        let mut forms = vec![&names.snake, &names.camel];
        if pascal {
            forms.push(&names.pascal);
        }
        if forms.iter().any(|f| catalog::is_reserved(f)) {
            out.push(candidate);
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string anywhere in `value` (keys too), to find enum members.
    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    strings(v, out);
                }
            }
            _ => {}
        }
    }

    fn enum_at<'a>(schema: &'a Value, pointer: &str) -> Vec<&'a str> {
        schema
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no enum at {pointer}"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    }

    /// The schema's properties at each level are the vocabulary's keys:
    /// an editor completes exactly what the parser accepts.
    #[test]
    fn properties_are_the_vocabularys_keys() {
        use crate::vocabulary::{
            APP_KEYS, FIELD_KEYS, IF_NOT_READY_KEYS, INVOKE_KEYS, ROOT_KEYS, SHOW_KEYS,
            TRIGGER_KEYS,
        };
        let schema = schema("9.9.9");
        for (pointer, keys) in [
            ("/properties", ROOT_KEYS),
            ("/definitions/app/properties", APP_KEYS),
            ("/definitions/trigger/properties", TRIGGER_KEYS),
            ("/definitions/field/properties", FIELD_KEYS),
            ("/definitions/invoke/properties", INVOKE_KEYS),
            ("/definitions/show/properties", SHOW_KEYS),
            (
                "/definitions/trigger/properties/if_not_ready/properties",
                IF_NOT_READY_KEYS,
            ),
        ] {
            let mut found: Vec<&str> = schema
                .pointer(pointer)
                .and_then(Value::as_object)
                .unwrap_or_else(|| panic!("no object at {pointer}"))
                .keys()
                .map(String::as_str)
                .collect();
            found.sort_unstable();
            let mut expected = keys.to_vec();
            expected.sort_unstable();
            assert_eq!(found, expected, "{pointer}");
        }
    }

    #[test]
    fn deterministic_draft_07_with_the_marker_on_line_two() {
        let text = render("9.9.9");
        assert_eq!(text, render("9.9.9"));
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("{"));
        let second = lines.next().unwrap();
        assert!(
            second.starts_with("  \"$comment\": \"@generated by flexgen 9.9.9 ")
                && second.contains("DO NOT EDIT. checksum:")
                && second.ends_with("\","),
            "{second}"
        );
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["$schema"], DRAFT_07);
        // Pretty-printed with two spaces.
        assert!(text.contains("\n  \"$schema\": "), "{text}");
    }

    #[test]
    fn every_catalog_name_is_an_enum_member_where_it_belongs() {
        let s = schema("0");
        let defs = "/definitions";
        let actions = catalog::action_names();
        let events = catalog::event_names();
        assert_eq!(
            enum_at(&s, &format!("{defs}/invoke/properties/action/enum")),
            actions
        );
        assert_eq!(
            enum_at(&s, &format!("{defs}/on/properties/before/enum")),
            actions
        );
        assert_eq!(
            enum_at(&s, &format!("{defs}/on/properties/after/enum")),
            actions
        );
        assert_eq!(
            enum_at(&s, &format!("{defs}/on/properties/event/enum")),
            events
        );
        let trigger = format!("{defs}/trigger/properties");
        assert_eq!(
            enum_at(&s, &format!("{trigger}/channel/enum")),
            catalog::CHANNELS
        );
        assert_eq!(
            enum_at(&s, &format!("{trigger}/channel_type/enum")),
            catalog::CHANNEL_TYPES
        );
        let directions: Vec<&str> = DIRECTIONS.iter().map(|d| d.name).collect();
        assert_eq!(
            enum_at(&s, &format!("{trigger}/direction/enum")),
            directions
        );
        let types: Vec<&str> = FIELD_TYPES.iter().map(|t| t.name).collect();
        assert_eq!(
            enum_at(&s, &format!("{defs}/field/properties/type/enum")),
            types
        );
        // Every plain source path of every root is offered to `from:`.
        let paths = enum_at(&s, &format!("{defs}/source_path/allOf/0/anyOf/0/enum"));
        let roots = [
            ("task", catalog::TASK_FIELDS),
            ("worker", catalog::WORKER_FIELDS),
            ("timing", catalog::TIMING_FIELDS),
        ];
        for (root, fields) in roots {
            for f in fields.iter().filter(|f| !f.free_form) {
                let path = format!("{root}.{}", f.name);
                assert!(paths.contains(&path.as_str()), "{path} missing");
            }
        }
        // Every action's payload keys appear in its args (`task` aside).
        let mut all = Vec::new();
        strings(&s, &mut all);
        for action in catalog::ACTIONS {
            for f in action
                .fields
                .iter()
                .filter(|f| f.ty != ActionFieldType::Task)
            {
                assert!(
                    all.contains(&f.name.to_string()),
                    "{}.{}",
                    action.name,
                    f.name
                );
                // Plain keys are offered as paths, free-form ones in a pattern.
                let plain = format!("action.{}", f.name);
                let free = format!("action\\.{}", f.name);
                assert!(
                    all.contains(&plain) || all.iter().any(|s| s.contains(&free)),
                    "{plain}"
                );
            }
        }
    }

    #[test]
    fn one_listener_rule_covers_each_event_and_action_exactly_once() {
        let rules = listener_rules();
        for (kind, names) in [
            ("event", catalog::event_names()),
            ("before", catalog::action_names()),
            ("after", catalog::action_names()),
        ] {
            for name in names {
                let hits = rules
                    .iter()
                    .filter(|r| {
                        r.pointer(&format!("/if/properties/on/properties/{kind}/enum"))
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|v| v == name))
                    })
                    .count();
                assert_eq!(hits, 1, "{kind} {name}");
            }
        }
    }

    #[test]
    fn reserved_names_come_from_the_reserved_word_lists() {
        let fields = reserved_names(false);
        let triggers = reserved_names(true);
        for word in ["type", "class", "self", "fn", "async", "constructor"] {
            assert!(fields.contains(&word.to_string()), "{word}");
        }
        // `some` is only reserved as a Pascal form (`Some`), which trigger
        // names have and field names do not.
        assert!(triggers.contains(&"some".to_string()));
        assert!(!fields.contains(&"some".to_string()));
        assert!(fields.iter().all(|f| triggers.contains(f)));
        assert!(!triggers.contains(&"caller".to_string()));
    }
}
