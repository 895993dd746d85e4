//! `add-trigger`'s edit of the spec text: one new trigger, described by flag
//! values in the spec's own syntax, rendered in the file's own style and
//! spliced in as the last item of the `triggers:` list.
//!
//! The edit is a text splice located with the spans of the same parser that
//! validates the spec, not a rewrite through a YAML model: every byte outside
//! the insertion stays as it was (comments, blank lines, key order, quoting),
//! and the result is re-parsed and fully validated by the caller before
//! anything is written.

use std::fmt::Write as _;

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::diag::did_you_mean;
use crate::ir::Direction;
use crate::spec::{self, quoted_list, Node, OnKind, Span, FIELD_KEYS};
use crate::vocabulary;

/// A trigger to add, as given on the command line (or answered at prompts).
/// Nothing here is checked against the catalog: the edited spec goes through
/// the full validation, which reports problems with their usual help.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewTrigger {
    pub name: String,
    pub summary: Option<String>,
    pub direction: Option<Direction>,
    pub user_action: Option<String>,
    pub channel: Option<String>,
    pub channel_type: Option<String>,
    pub payload: Vec<NewField>,
    /// host_to_flex: the Flex action, its args and timeout.
    pub action: Option<String>,
    pub args: Vec<(String, ArgValue)>,
    pub timeout_ms: Option<i64>,
    pub queue_for_ms: Option<i64>,
    /// host_to_flex, instead of an action: data shown in Flex (`show:`).
    pub show: Option<NewShow>,
    /// flex_to_host: what to listen to, and the `when:` filters.
    pub on: Option<(OnKind, String)>,
    pub when: Vec<(String, Value)>,
}

/// A `show:` block: where (`None`: the spec's default place), the tab's
/// label, the payload field carrying the task sid, and the rows (label ->
/// `payload.<field>` or a `task.` source path), in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewShow {
    pub place: Option<String>,
    pub label: Option<String>,
    pub task: Option<String>,
    pub fields: Vec<(String, String)>,
}

/// One payload field; `None` keys are left out of the YAML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewField {
    pub name: String,
    pub ty: Option<String>,
    pub values: Option<Vec<String>>,
    pub from: Option<String>,
    pub optional: Option<bool>,
    pub max_length: Option<i64>,
    pub doc: Option<String>,
}

/// An `invoke.args` value: `payload.<field>` (any string, as in the spec) or a
/// literal.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Path(String),
    Literal(Value),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("{flag} `{text}`: {reason}\n  help: {help}")]
    Flag {
        flag: &'static str,
        text: String,
        reason: String,
        help: String,
    },
    #[error("cannot add to `triggers`: {reason}\n  help: {help}")]
    Layout { reason: String, help: String },
}

// ---------------------------------------------------------------------------
// Flag values -> model.

/// The compact and full forms of `--field`, for help texts.
pub const FIELD_FORMS: &str = "`name:type`, `name:type?` (optional), `name:type@source.path`, \
     `name:type?@source.path`, or `name={ type: string, optional: true, doc: \"...\" }` \
     (the spec's own flow mapping, for every key)";

/// The spec's and the command line's spellings of a direction.
pub use crate::vocabulary::{direction_name, parse_direction};

/// `--field`: the compact form `name:type[?][@source.path]` or the full form
/// `name={ ...flow mapping... }`.
pub fn parse_field(text: &str) -> Result<NewField, EditError> {
    let fail = |reason: String| EditError::Flag {
        flag: "--field",
        text: text.to_string(),
        reason,
        help: format!("write {FIELD_FORMS}"),
    };
    if let Some((name, mapping)) = text.split_once('=') {
        if mapping.trim_start().starts_with('{') {
            let name = name.trim();
            if name.is_empty() {
                return Err(fail("no field name before `=`".into()));
            }
            return full_field(name, mapping).map_err(fail);
        }
    }
    let Some((name, rest)) = text.split_once(':') else {
        return Err(fail("no `:` between the field name and its type".into()));
    };
    let (ty, from) = match rest.split_once('@') {
        Some((ty, from)) => (ty, Some(from.trim())),
        None => (rest, None),
    };
    let (ty, optional) = match ty.trim().strip_suffix('?') {
        Some(ty) => (ty.trim(), Some(true)),
        None => (ty.trim(), None),
    };
    let name = name.trim();
    if name.is_empty() || ty.is_empty() {
        return Err(fail("a field needs a name and a type".into()));
    }
    if from == Some("") {
        return Err(fail("nothing after `@`: give the source path".into()));
    }
    Ok(NewField {
        name: name.to_string(),
        ty: Some(ty.to_string()),
        optional,
        from: from.map(str::to_string),
        ..NewField::default()
    })
}

fn full_field(name: &str, mapping: &str) -> Result<NewField, String> {
    let node = parse_value(mapping)?;
    let Node::Map(entries) = node.value else {
        return Err("expected a flow mapping `{ type: ..., ... }`".into());
    };
    let mut field = NewField {
        name: name.to_string(),
        ..NewField::default()
    };
    for (key, value) in entries {
        let key = key.value.as_str();
        let wrong = |expected: &str| format!("`{key}` takes {expected}");
        match (key, value.value) {
            ("type", Node::Str(s)) => field.ty = Some(s),
            ("values", Node::Seq(items)) => {
                let values = items
                    .into_iter()
                    .map(|i| match i.value {
                        Node::Str(s) => Ok(s),
                        _ => Err(wrong("a list of strings")),
                    })
                    .collect::<Result<_, _>>()?;
                field.values = Some(values);
            }
            ("from", Node::Str(s)) => field.from = Some(s),
            ("optional", Node::Bool(b)) => field.optional = Some(b),
            ("max_length", Node::Int(n)) => field.max_length = Some(n),
            ("doc", Node::Str(s)) => field.doc = Some(s),
            ("type" | "from" | "doc", _) => return Err(wrong("a string (quote it)")),
            ("values", _) => return Err(wrong("a list, e.g. `[a, b]`")),
            ("optional", _) => return Err(wrong("`true` or `false`")),
            ("max_length", _) => return Err(wrong("a whole number")),
            (_, value) => {
                let hint = match did_you_mean(key, FIELD_KEYS.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    // `{ doc: Seen, then kept }` splits at the comma.
                    None if matches!(value, Node::Null) && key.contains(' ') => {
                        "a comma ends a plain value inside `{ ... }`: quote the value before it"
                            .into()
                    }
                    None => format!("the keys are {}", quoted_list(FIELD_KEYS)),
                };
                return Err(format!("unknown key `{key}`: {hint}"));
            }
        }
    }
    Ok(field)
}

/// `--arg KEY=VALUE`: VALUE is `payload.<field>`, a number, `true`/`false`,
/// or `{ value: ... }` for any JSON literal, as in the spec.
pub fn parse_arg(text: &str) -> Result<(String, ArgValue), EditError> {
    let help = "write `KEY=payload.<field>`, `KEY=5`, `KEY=true` or `KEY={ value: \"text\" }`";
    let (key, value) = split_pair("--arg", text, help)?;
    let value = arg_value(&value).map_err(|reason| EditError::Flag {
        flag: "--arg",
        text: text.to_string(),
        reason,
        help: help.into(),
    })?;
    Ok((key, value))
}

/// An arg value in the spec's syntax (shared with the prompts).
pub fn arg_value(text: &str) -> Result<ArgValue, String> {
    let node = parse_value(text)?;
    match node.value {
        Node::Str(s) => Ok(ArgValue::Path(s)),
        Node::Map(entries) => boxed(entries).map(ArgValue::Literal),
        other => json(&other).map(ArgValue::Literal),
    }
}

/// `--show-field LABEL=SOURCE`: a row of a `show:` tab, its label (any
/// text, spaces allowed) and where its value comes from (`payload.<field>`
/// or a `task.` source path). The label ends at the first `=`.
pub fn parse_show_field(text: &str) -> Result<(String, String), EditError> {
    let help = "write `LABEL=payload.<field>` or `LABEL=task.<path>`, e.g.                 `--show-field \"CRM id=payload.crm_id\"`";
    let (label, source) = split_pair("--show-field", text, help)?;
    if source.contains(char::is_whitespace) {
        return Err(EditError::Flag {
            flag: "--show-field",
            text: text.to_string(),
            reason: format!("`{source}` is not a source path (it has spaces)"),
            help: help.into(),
        });
    }
    Ok((label, source))
}

/// `--when PATH=LITERAL`: a string, number or boolean, or `{ value: ... }`.
pub fn parse_when(text: &str) -> Result<(String, Value), EditError> {
    let help = "write `PATH=LITERAL`, e.g. `task.attributes.direction=inbound`";
    let (key, value) = split_pair("--when", text, help)?;
    let fail = |reason| EditError::Flag {
        flag: "--when",
        text: text.to_string(),
        reason,
        help: help.into(),
    };
    let node = parse_value(&value).map_err(fail)?;
    let literal = match node.value {
        Node::Map(entries) => boxed(entries),
        other => json(&other),
    }
    .map_err(fail)?;
    Ok((key, literal))
}

fn split_pair(flag: &'static str, text: &str, help: &str) -> Result<(String, String), EditError> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() && !value.trim().is_empty() => {
            Ok((key.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(EditError::Flag {
            flag,
            text: text.to_string(),
            reason: "expected `KEY=VALUE`".into(),
            help: help.into(),
        }),
    }
}

/// Parses one YAML value with the spec's own parser (same booleans, same
/// limits), so a value means on the command line what it means in the file.
fn parse_value(text: &str) -> Result<Spanned<Node>, String> {
    if text.trim().is_empty() {
        return Err("no value".into());
    }
    if text.contains(['\n', '\r']) {
        return Err("a value must fit on one line".into());
    }
    let node = spec::parse_tree(text).map_err(|d| d.message)?;
    if matches!(node.value, Node::Null) {
        return Err("no value (`null` and `~` are not values here)".into());
    }
    Ok(node)
}

fn boxed(entries: Vec<(Spanned<String>, Spanned<Node>)>) -> Result<Value, String> {
    match entries.as_slice() {
        [(key, value)] if key.value == "value" => json(&value.value),
        _ => Err("a literal mapping is exactly `{ value: ... }`".into()),
    }
}

fn json(node: &Node) -> Result<Value, String> {
    Ok(match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Int(i) => Value::from(*i),
        Node::Float(f) => Value::Number(
            serde_json::Number::from_f64(*f).ok_or("not a finite number".to_string())?,
        ),
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| json(&i.value))
                .collect::<Result<_, _>>()?,
        ),
        Node::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.value.clone(), json(&v.value)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

// ---------------------------------------------------------------------------
// Model -> YAML text.

/// A string as a YAML scalar that reads back as exactly that string: plain
/// when the spec's parser agrees it is the same string in block and flow
/// context, double-quoted with escapes otherwise.
pub fn scalar(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_string()
    } else {
        double_quoted(text)
    }
}

fn plain_is_safe(text: &str) -> bool {
    const INDICATORS: &[char] = &[
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    if INDICATORS.contains(&first)
        || text.trim() != text
        || text.ends_with(':')
        || text.contains(": ")
        || text.contains(" #")
        || text.contains([',', '[', ']', '{', '}'])
        || text.chars().any(|c| c.is_control() || !is_printable(c))
    {
        return false;
    }
    // The parser decides the rest (`true`, `null`, `1e3`, `0x10`, ...).
    let probe = format!("k: {{ v: {text} }}");
    match spec::parse_tree(&probe).map(|n| n.value) {
        Ok(Node::Map(outer)) => matches!(
            outer.as_slice(),
            [(_, v)] if matches!(&v.value, Node::Map(inner) if matches!(
                inner.as_slice(),
                [(_, s)] if s.value == Node::Str(text.to_string())
            ))
        ),
        _ => false,
    }
}

/// Characters YAML lets stand unescaped inside a scalar.
fn is_printable(c: char) -> bool {
    !matches!(
        c,
        '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || !is_printable(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON literal as a YAML flow value.
fn flow_json(value: &Value) -> String {
    match value {
        Value::String(s) => scalar(s),
        Value::Array(items) => {
            let items: Vec<_> = items.iter().map(flow_json).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let entries: Vec<_> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow_json(v)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// A literal where the spec takes one: numbers and booleans plain, anything
/// else boxed as `{ value: ... }` (an arg's bare string would be a path).
fn literal(value: &Value, strings_plain: bool) -> String {
    match value {
        Value::Number(_) | Value::Bool(_) => value.to_string(),
        Value::String(s) if strings_plain => scalar(s),
        other => format!("{{ value: {} }}", flow_json(other)),
    }
}

fn field_mapping(field: &NewField) -> String {
    let mut entries = Vec::new();
    if let Some(ty) = &field.ty {
        entries.push(format!("type: {}", scalar(ty)));
    }
    if let Some(values) = &field.values {
        let values: Vec<_> = values.iter().map(|v| scalar(v)).collect();
        entries.push(format!("values: [{}]", values.join(", ")));
    }
    if let Some(from) = &field.from {
        entries.push(format!("from: {}", scalar(from)));
    }
    if let Some(optional) = field.optional {
        entries.push(format!("optional: {optional}"));
    }
    if let Some(max) = field.max_length {
        entries.push(format!("max_length: {max}"));
    }
    if let Some(doc) = &field.doc {
        entries.push(format!("doc: {}", scalar(doc)));
    }
    if entries.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", entries.join(", "))
    }
}

/// Where and how a list item is laid out: the dash's column, the column of
/// the item's keys, and one level of nested indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    dash: usize,
    content: usize,
    step: usize,
}

/// The trigger as one block-style list item, key order as in the seed, each
/// line ending in `nl`.
fn render(t: &NewTrigger, layout: Layout, nl: &str) -> String {
    let pad = |level: usize| " ".repeat(layout.content + level * layout.step);
    let mut lines = vec![format!(
        "{}-{}name: {}",
        " ".repeat(layout.dash),
        " ".repeat(layout.content - layout.dash - 1),
        scalar(&t.name)
    )];
    let mut line = |level: usize, text: String| lines.push(format!("{}{text}", pad(level)));
    let texts = [
        ("summary", &t.summary),
        ("direction", &t.direction.map(|d| direction_name(d).into())),
        ("user_action", &t.user_action),
        ("channel", &t.channel),
        ("channel_type", &t.channel_type),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            line(0, format!("{key}: {}", scalar(value)));
        }
    }
    if let Some((kind, name)) = &t.on {
        let kind = vocabulary::on_kind_word(*kind).key;
        line(0, format!("on: {{ {kind}: {} }}", scalar(name)));
    }
    if !t.when.is_empty() {
        line(0, "when:".into());
        for (path, value) in &t.when {
            line(1, format!("{}: {}", scalar(path), literal(value, true)));
        }
    }
    if !t.payload.is_empty() {
        line(0, "payload:".into());
        for field in &t.payload {
            line(
                1,
                format!("{}: {}", scalar(&field.name), field_mapping(field)),
            );
        }
    }
    if t.action.is_some() || !t.args.is_empty() || t.timeout_ms.is_some() {
        line(0, "invoke:".into());
        if let Some(action) = &t.action {
            line(1, format!("action: {}", scalar(action)));
        }
        if !t.args.is_empty() {
            line(1, "args:".into());
            for (key, value) in &t.args {
                let value = match value {
                    ArgValue::Path(path) => scalar(path),
                    ArgValue::Literal(v) => literal(v, false),
                };
                line(2, format!("{}: {value}", scalar(key)));
            }
        }
        if let Some(ms) = t.timeout_ms {
            line(1, format!("timeout_ms: {ms}"));
        }
    }
    if let Some(show) = &t.show {
        line(0, "show:".into());
        let keys = [
            (vocabulary::SHOW_KEYS[0], &show.place),
            (vocabulary::SHOW_KEYS[1], &show.label),
            (vocabulary::SHOW_KEYS[2], &show.task),
        ];
        for (key, value) in keys {
            if let Some(value) = value {
                line(1, format!("{key}: {}", scalar(value)));
            }
        }
        if !show.fields.is_empty() {
            line(1, format!("{}:", vocabulary::SHOW_KEYS[3]));
            for (label, source) in &show.fields {
                line(2, format!("{}: {}", scalar(label), scalar(source)));
            }
        }
    }
    if let Some(ms) = t.queue_for_ms {
        line(0, format!("if_not_ready: {{ queue_for_ms: {ms} }}"));
    }
    let mut out = lines.join(nl);
    out.push_str(nl);
    out
}

// ---------------------------------------------------------------------------
// The splice.

/// The spec text with `trigger` appended to its `triggers:` list, and the
/// byte range the new item occupies in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub text: String,
    pub inserted: Span,
}

/// Appends `trigger` to the `triggers:` list of `source`, in the list's own
/// style; nothing else changes. `source` must parse (the caller checks it).
pub fn insert_trigger(source: &str, trigger: &NewTrigger) -> Result<Edited, EditError> {
    let tree = spec::parse_tree(source).map_err(|d| EditError::Layout {
        reason: format!("the spec does not parse: {}", d.message),
        help: "fix the spec first (`flexgen check`)".into(),
    })?;
    let Node::Map(root) = &tree.value else {
        return Err(layout_error(
            "the spec is not a mapping",
            "start with `version: 1`, `app:` and `triggers:`",
        ));
    };
    let nl = if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let step = indent_step(source, root);
    let Some((key, list)) = root.iter().find(|(k, _)| k.value == "triggers") else {
        // No list yet: start one at the end of the file.
        let layout = Layout {
            dash: step,
            content: step + 2,
            step,
        };
        let mut text = source.to_string();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push_str(nl);
        }
        text.push_str(&format!("triggers:{nl}"));
        let start = text.len();
        text.push_str(&render(trigger, layout, nl));
        let end = text.len();
        return Ok(Edited {
            text,
            inserted: start..end,
        });
    };
    match &list.value {
        Node::Seq(items) if !items.is_empty() => {
            if next_token(source, after_colon(source, key)) == Some('[') {
                return Err(layout_error(
                    "the list is written in flow style (`triggers: [ ... ]`)",
                    "write it as a block list, one `- name: ...` item per trigger, as in the \
                     seed triggers.yaml; then run add-trigger again",
                ));
            }
            append_item(source, items, step, nl, trigger)
        }
        Node::Seq(_) | Node::Null => start_list(source, key, step, nl, trigger),
        _ => Err(layout_error(
            "`triggers` is not a list",
            "make `triggers:` a list of triggers (see docs/spec.md)",
        )),
    }
}

fn layout_error(reason: &str, help: &str) -> EditError {
    EditError::Layout {
        reason: reason.into(),
        help: help.into(),
    }
}

/// Appends after the last item of a block list, with the first item's dash
/// and key columns, and a blank line before it when the items are separated
/// by blank lines.
fn append_item(
    source: &str,
    items: &[Spanned<Node>],
    step: usize,
    nl: &str,
    trigger: &NewTrigger,
) -> Result<Edited, EditError> {
    let first_key = item_start(&items[0]);
    let dash = source[..first_key].rfind('-').ok_or_else(|| {
        layout_error(
            "cannot find the `-` of the first trigger",
            "add the trigger by hand",
        )
    })?;
    let layout = Layout {
        dash: column(source, dash),
        content: if line_start(source, dash) == line_start(source, first_key) {
            column(source, first_key)
        } else {
            // `-` alone on its line: keys start on the next one.
            column(source, dash) + 2
        },
        step,
    };
    let last = items.last().expect("non-empty");
    let at = item_end(source, item_start(last), layout.dash);
    if at < deepest_end(last) {
        return Err(layout_error(
            "cannot tell where the last trigger ends",
            "add the trigger by hand",
        ));
    }
    let blank_line = match items {
        [.., before, last] => {
            // From the end of one item to the key of the next: its last line
            // is the next item's `- `, any other blank one a separator.
            let gap = &source[item_end(source, item_start(before), layout.dash)..item_start(last)];
            let lines: Vec<&str> = gap.split('\n').collect();
            lines[..lines.len() - 1].iter().any(|l| l.trim().is_empty())
        }
        // One item: the seed's style.
        _ => true,
    };
    let mut text = String::with_capacity(source.len() + 512);
    text.push_str(&source[..at]);
    if !text.ends_with('\n') {
        text.push_str(nl);
    }
    if blank_line {
        text.push_str(nl);
    }
    let start = text.len();
    text.push_str(&render(trigger, layout, nl));
    let end = text.len();
    text.push_str(&source[at..]);
    Ok(Edited {
        text,
        inserted: start..end,
    })
}

/// `triggers:` or `triggers: []`: the empty value goes (a comment after it
/// stays on the key's line) and a block list starts below the key.
fn start_list(
    source: &str,
    key: &Spanned<String>,
    step: usize,
    nl: &str,
    trigger: &NewTrigger,
) -> Result<Edited, EditError> {
    let key_at = spec::span_of(&key.referenced).start;
    let colon = after_colon(source, key);
    let mut value = colon;
    while source[value..].starts_with([' ', '\t']) {
        value += 1;
    }
    let mut head = source[..colon].to_string();
    let mut rest_of_line = source[value..line_end(source, value)].trim_end_matches(['\r', '\n']);
    if rest_of_line.starts_with('[') {
        let close = rest_of_line
            .find(']')
            .filter(|&c| rest_of_line[1..c].trim().is_empty());
        let Some(close) = close else {
            return Err(layout_error(
                "the empty list `[]` spans several lines",
                "write `triggers: []` on one line, or list the triggers in block style",
            ));
        };
        rest_of_line = rest_of_line[close + 1..].trim_start_matches([' ', '\t']);
    } else if !rest_of_line.is_empty() && !rest_of_line.starts_with('#') {
        return Err(layout_error(
            "unexpected text after `triggers:`",
            "list the triggers in block style",
        ));
    }
    if !rest_of_line.is_empty() {
        head.push(' ');
        head.push_str(rest_of_line);
    }
    let after = line_end(source, value);
    let mut text = head;
    text.push_str(nl);
    let layout = Layout {
        dash: column(source, key_at) + step,
        content: column(source, key_at) + step + 2,
        step,
    };
    let start = text.len();
    text.push_str(&render(trigger, layout, nl));
    let end = text.len();
    // Skip the old line break: the rendered item ends with its own.
    let tail = &source[after..];
    text.push_str(
        tail.strip_prefix("\r\n")
            .or_else(|| tail.strip_prefix('\n'))
            .unwrap_or(tail),
    );
    Ok(Edited {
        text,
        inserted: start..end,
    })
}

/// Where a list item's text starts: its first key (a block mapping's own
/// span is empty), or the node itself.
fn item_start(item: &Spanned<Node>) -> usize {
    match &item.value {
        Node::Map(entries) if !entries.is_empty() => spec::span_of(&entries[0].0.referenced).start,
        _ => spec::span_of(&item.referenced).start,
    }
}

/// The end of an item that starts at `start` in a list whose dashes sit at
/// column `dash`: just past its last line indented deeper than the dash
/// (YAML puts every line of the item's content there; comments at that depth
/// go with it, blank lines and less indented comments go with what follows).
fn item_end(source: &str, start: usize, dash: usize) -> usize {
    let mut end = line_end(source, start);
    let mut at = end;
    while at < source.len() {
        let next = line_end(source, at);
        let line = source[at..next].trim_end_matches(['\n', '\r']);
        if !line.trim().is_empty() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            if indent <= dash {
                break;
            }
            end = next;
        }
        at = next;
    }
    end
}

/// The furthest byte any key or value of the node reaches.
fn deepest_end(node: &Spanned<Node>) -> usize {
    let own = spec::span_of(&node.referenced).end;
    let inner = match &node.value {
        Node::Seq(items) => items.iter().map(deepest_end).max().unwrap_or(0),
        Node::Map(entries) => entries
            .iter()
            .map(|(k, v)| spec::span_of(&k.referenced).end.max(deepest_end(v)))
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    own.max(inner)
}

/// One level of nested indentation: what a block mapping under a trigger (or
/// under `app`) uses; 2 when the file shows none.
fn indent_step(source: &str, root: &[(Spanned<String>, Spanned<Node>)]) -> usize {
    let nested = |key: &Spanned<String>, value: &Spanned<Node>| -> Option<usize> {
        let Node::Map(entries) = &value.value else {
            return None;
        };
        let parent = spec::span_of(&key.referenced).start;
        let child = spec::span_of(&entries.first()?.0.referenced).start;
        let (p, c) = (column(source, parent), column(source, child));
        (line_start(source, parent) != line_start(source, child) && c > p).then_some(c - p)
    };
    let in_triggers = root
        .iter()
        .filter(|(k, _)| k.value == "triggers")
        .filter_map(|(_, v)| match &v.value {
            Node::Seq(items) => Some(items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match &item.value {
            Node::Map(entries) => Some(entries),
            _ => None,
        })
        .flatten()
        .find_map(|(k, v)| nested(k, v));
    in_triggers
        .or_else(|| root.iter().find_map(|(k, v)| nested(k, v)))
        .unwrap_or(2)
}

/// Just past the `:` that follows a mapping key.
fn after_colon(source: &str, key: &Spanned<String>) -> usize {
    let end = spec::span_of(&key.referenced).end;
    source[end..].find(':').map_or(end, |i| end + i + 1)
}

/// The first character after `at` that is not blank, a line break or part of
/// a comment.
fn next_token(source: &str, at: usize) -> Option<char> {
    let mut in_comment = false;
    for c in source[at..].chars() {
        match c {
            '\n' => in_comment = false,
            _ if in_comment => {}
            '#' => in_comment = true,
            ' ' | '\t' | '\r' => {}
            c => return Some(c),
        }
    }
    None
}

fn line_start(source: &str, at: usize) -> usize {
    source[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Just past the line break that ends the line holding `at` (or the end).
fn line_end(source: &str, at: usize) -> usize {
    source[at..].find('\n').map_or(source.len(), |i| at + i + 1)
}

/// The column of `at` in characters, a leading byte-order mark not counted.
fn column(source: &str, at: usize) -> usize {
    let start = line_start(source, at);
    let line = &source[start..at];
    line.strip_prefix('\u{feff}')
        .unwrap_or(line)
        .chars()
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline;

    const SEED: &str = include_str!("../triggers.yaml");

    fn dial_back() -> NewTrigger {
        NewTrigger {
            name: "call_back".into(),
            direction: Some(Direction::HostToFlex),
            payload: vec![parse_field("phone:e164").unwrap()],
            action: Some("StartOutboundCall".into()),
            args: vec![parse_arg("destination=payload.phone").unwrap()],
            ..NewTrigger::default()
        }
    }

    fn compiles(text: &str) -> crate::ir::Plan {
        pipeline::compile("triggers.yaml", text).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    #[test]
    fn appends_to_the_seed_in_its_style_keeping_every_byte() {
        let edited = insert_trigger(SEED, &dial_back()).unwrap();
        assert!(edited.text.starts_with(SEED), "{}", edited.text);
        assert_eq!(
            &edited.text[SEED.len()..],
            "\n  - name: call_back\n    direction: host_to_flex\n    payload:\n      \
             phone: { type: e164 }\n    invoke:\n      action: StartOutboundCall\n      \
             args:\n        destination: payload.phone\n"
        );
        let plan = compiles(&edited.text);
        assert_eq!(plan.triggers.last().unwrap().name.original, "call_back");
    }

    #[test]
    fn inserts_before_what_follows_the_list() {
        let source = "version: 1\ntriggers:\n- name: a   # one\n  direction: flex_to_host\n  \
                      on: { event: taskAccepted }\n  # still a's\n# about app\napp:\n    name: x\n    \
                      flex_origin: https://flex.twilio.com\n    host_origins: [https://a.example]\n";
        let edited = insert_trigger(source, &dial_back()).unwrap();
        let new = &edited.text[edited.inserted.clone()];
        // A pure insertion, after a's own comment, before the comment on `app`.
        let (head, tail) = source.split_at(source.find("# about").unwrap());
        assert_eq!(edited.text, format!("{head}\n{new}{tail}"));
        // Indentless list (dash at 0, keys at 2); nested step 4 from `app`.
        assert!(new.starts_with("- name: call_back\n  direction"), "{new}");
        assert!(new.contains("\n  payload:\n      phone:"), "{new}");
        let before = &edited.text[..edited.inserted.start];
        assert!(before.ends_with("  # still a's\n\n"), "{before}");
        compiles(&edited.text);
    }

    #[test]
    fn without_blank_lines_between_items_adds_none() {
        let source = SEED.replace("\n\n  # Flex -> CRM", "\n  # Flex -> CRM");
        let edited = insert_trigger(&source, &dial_back()).unwrap();
        assert!(edited.text.starts_with(&source));
        assert!(edited.text[source.len()..].starts_with("  - name: call_back"));
    }

    #[test]
    fn crlf_and_bom_files_keep_their_line_endings() {
        let source = format!("\u{feff}{}", SEED.replace('\n', "\r\n"));
        let edited = insert_trigger(&source, &dial_back()).unwrap();
        assert!(edited.text.starts_with(&source));
        let new = &edited.text[source.len()..];
        assert!(new.starts_with("\r\n  - name: call_back\r\n"), "{new:?}");
        assert_eq!(new.matches('\n').count(), new.matches("\r\n").count());
        compiles(&edited.text);
    }

    #[test]
    fn empty_lists_become_block_lists_and_flow_lists_are_refused() {
        let head = "version: 1\napp:\n  name: x\n  flex_origin: https://flex.twilio.com\n  \
                    host_origins: [https://a.example]\n";
        for (list, key, tail) in [
            (
                "triggers: []  # none yet\n# end\n",
                "triggers: # none yet\n",
                "# end\n",
            ),
            ("triggers:\n# end\n", "triggers:\n", "# end\n"),
            ("triggers: []", "triggers:\n", ""),
        ] {
            let source = format!("{head}{list}");
            let edited = insert_trigger(&source, &dial_back()).unwrap();
            let new = &edited.text[edited.inserted.clone()];
            assert!(new.starts_with("  - name: call_back\n"), "{new}");
            assert_eq!(edited.text, format!("{head}{key}{new}{tail}"));
            compiles(&edited.text);
        }
        let source = format!("{head}triggers: [{{ name: a, direction: flex_to_host }}]\n");
        let err = insert_trigger(&source, &dial_back()).unwrap_err();
        assert!(err.to_string().contains("flow style"), "{err}");
        // No `triggers:` at all: one is started at the end.
        let edited = insert_trigger(head, &dial_back()).unwrap();
        assert!(edited.text.starts_with(head));
        compiles(&edited.text);
    }

    #[test]
    fn user_text_round_trips_exactly() {
        let tricky = [
            "Shown in the log: always # not a comment",
            "\"quoted\" and 'single'",
            "- starts like an item",
            "true",
            "12",
            "null",
            "a, b {c} [d]",
            "trailing space ",
            "tab\there\nand a line break \\ backslash",
            "ünïcödé ✓",
            "",
        ];
        for doc in tricky {
            let mut t = dial_back();
            t.summary = Some(doc.to_string());
            t.payload[0].doc = Some(doc.to_string());
            let edited = insert_trigger(SEED, &t).unwrap();
            let spec = spec::parse(&edited.text).unwrap();
            let added = spec.triggers.last().unwrap();
            assert_eq!(added.summary.as_ref().unwrap().value, doc);
            assert_eq!(added.payload[0].1.doc.as_ref().unwrap().value, doc);
        }
        assert_eq!(scalar("Number to dial."), "Number to dial.");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("yes"), "yes");
    }

    #[test]
    fn field_forms() {
        let f = parse_field("caller:e164?@task.attributes.from").unwrap();
        assert_eq!(
            (f.ty.as_deref(), f.optional, f.from.as_deref()),
            (Some("e164"), Some(true), Some("task.attributes.from"))
        );
        let f = parse_field(
            "note={type: string, optional: true, max_length: 500, doc: \"Shown: in # the log\"}",
        )
        .unwrap();
        assert_eq!(f.max_length, Some(500));
        assert_eq!(f.doc.as_deref(), Some("Shown: in # the log"));
        assert_eq!(
            field_mapping(&f),
            "{ type: string, optional: true, max_length: 500, doc: \"Shown: in # the log\" }"
        );
        let f = parse_field("outcome={ type: enum, values: [answered, \"no, thanks\"] }").unwrap();
        assert_eq!(
            field_mapping(&f),
            "{ type: enum, values: [answered, \"no, thanks\"] }"
        );
        for (bad, says) in [
            ("nocolon", "no `:`"),
            (":string", "name and a type"),
            ("a:string@", "nothing after `@`"),
            ("a={ tpye: string }", "did you mean `type`?"),
            ("a={ type: string, doc: Seen, then kept }", "a comma ends"),
            ("a={ max_length: lots }", "a whole number"),
            ("a={ type: string", "invalid YAML"),
        ] {
            let err = parse_field(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn arg_and_when_values_use_the_spec_syntax() {
        assert_eq!(
            parse_arg("destination=payload.phone").unwrap(),
            ("destination".into(), ArgValue::Path("payload.phone".into()))
        );
        assert_eq!(
            parse_arg("n=5").unwrap().1,
            ArgValue::Literal(Value::from(5))
        );
        assert_eq!(
            parse_arg("q={ value: WQ123 }").unwrap().1,
            ArgValue::Literal(Value::from("WQ123"))
        );
        assert_eq!(literal(&Value::from("WQ123"), false), "{ value: WQ123 }");
        assert_eq!(
            parse_when("task.attributes.direction=inbound").unwrap(),
            ("task.attributes.direction".into(), Value::from("inbound"))
        );
        assert_eq!(parse_when("x=\"007\"").unwrap().1, Value::from("007"));
        assert_eq!(literal(&Value::from("007"), true), "\"007\"");
        for bad in ["nokey", "=x", "k=", "k={ val: 1 }"] {
            assert!(parse_arg(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_direction("host-to-flex"), Some(Direction::HostToFlex));
        assert_eq!(parse_direction("flex_to_host"), Some(Direction::FlexToHost));
        assert_eq!(parse_direction("sideways"), None);
    }

    #[test]
    fn a_flex_to_host_trigger_renders_listener_and_filters() {
        let t = NewTrigger {
            name: "whatsapp_started".into(),
            summary: Some("A WhatsApp chat was accepted.".into()),
            direction: Some(Direction::FlexToHost),
            channel: Some("chat".into()),
            channel_type: Some("whatsapp".into()),
            on: Some((OnKind::Event, "taskAccepted".into())),
            when: vec![parse_when("task.attributes.direction=inbound").unwrap()],
            payload: vec![parse_field("from:string@task.attributes.from").unwrap()],
            ..NewTrigger::default()
        };
        let edited = insert_trigger(SEED, &t).unwrap();
        assert_eq!(
            &edited.text[edited.inserted.clone()],
            "  - name: whatsapp_started\n    summary: A WhatsApp chat was accepted.\n    \
             direction: flex_to_host\n    channel: chat\n    channel_type: whatsapp\n    \
             on: { event: taskAccepted }\n    when:\n      task.attributes.direction: inbound\n    \
             payload:\n      from: { type: string, from: task.attributes.from }\n"
        );
        let plan = compiles(&edited.text);
        let added = plan.triggers.last().unwrap();
        assert_eq!(added.channel_type.as_deref(), Some("whatsapp"));
    }

    #[test]
    fn a_show_trigger_renders_a_show_block_and_compiles() {
        let t = NewTrigger {
            name: "customer_card".into(),
            direction: Some(Direction::HostToFlex),
            payload: vec![
                parse_field("task_sid:string").unwrap(),
                parse_field("crm_id:string").unwrap(),
            ],
            show: Some(NewShow {
                place: Some("task_canvas_tab".into()),
                label: Some("Customer: #1".into()),
                task: Some("payload.task_sid".into()),
                fields: vec![
                    parse_show_field("CRM id=payload.crm_id").unwrap(),
                    parse_show_field("From=task.attributes.from").unwrap(),
                ],
            }),
            ..NewTrigger::default()
        };
        let edited = insert_trigger(SEED, &t).unwrap();
        assert_eq!(
            &edited.text[edited.inserted.clone()],
            "  - name: customer_card\n    direction: host_to_flex\n    payload:\n      \
             task_sid: { type: string }\n      crm_id: { type: string }\n    show:\n      \
             in: task_canvas_tab\n      label: \"Customer: #1\"\n      task: payload.task_sid\n      \
             fields:\n        CRM id: payload.crm_id\n        From: task.attributes.from\n"
        );
        let plan = compiles(&edited.text);
        assert_eq!(plan.triggers.last().unwrap().name.snake, "customer_card");
    }

    #[test]
    fn show_field_errors_name_the_flag_the_text_and_the_fix() {
        for bad in ["Name", "=payload.x", "Name=", "Name=payload. x"] {
            let e = parse_show_field(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--show-field `{bad}`")), "{e}");
            assert!(e.contains("help: write `LABEL=payload.<field>`"), "{e}");
        }
        assert_eq!(
            parse_show_field(" Reached us from = task.attributes.from ").unwrap(),
            ("Reached us from".into(), "task.attributes.from".into())
        );
    }
}
